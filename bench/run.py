"""fixer's benchmark runner: `.venv/bin/python bench/run.py [--quick] [NAME ...]` prints
figures, never asserts.

Each benchmark measures fixer and a peer in the same run, so the ratio holds on any machine.
Peers that are Python packages come with fixer's bench extra:
`.venv/bin/python -m pip install -e '.[bench]'`.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import sys
from pathlib import Path

BENCHMARKS = (
    "startup",
    "patch",
    "unidiff",
    "tui",
    "mixed",
    "grammar",
    "fuzz",
    "sse",
    "guards",
    "scratch",
    "many",
)
MODULES = {"fuzz": "fuzz_patch"}  # the others live in bench_NAME.py
PEERS = {"patch": "unidiff", "unidiff": "unidiff"}  # the bench extra's packages they import
FIXER = Path(sys.executable).with_name("fixer")  # the command the startup benchmark times


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Run fixer's benchmarks; print their figures.")
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"one of {', '.join(BENCHMARKS)}")
    parser.add_argument("--quick", action="store_true", help="a small sample, where supported")
    args = parser.parse_args(argv)
    if importlib.util.find_spec("fixer") is None or not FIXER.exists():
        print(
            "fixer is not installed for this Python: run the benchmarks with the venv's, "
            "`.venv/bin/python bench/run.py`",
            file=sys.stderr,
        )
        return 2
    names = args.names or BENCHMARKS
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark {unknown[0]!r}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    missing = sorted(
        {PEERS[n] for n in names if n in PEERS and not importlib.util.find_spec(PEERS[n])}
    )
    if missing:
        print(
            f"{', '.join(missing)} (a peer the benchmarks measure) is not installed: "
            "`.venv/bin/python -m pip install -e '.[bench]'`",
            file=sys.stderr,
        )
        return 2
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    for name in names:
        print(f"== {name}")
        run = importlib.import_module(MODULES.get(name, f"bench_{name}")).run
        options = {"quick": args.quick} if "quick" in inspect.signature(run).parameters else {}
        run(**options)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
