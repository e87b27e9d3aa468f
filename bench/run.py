"""fixer's benchmark runner: `python bench/run.py [NAME ...]` prints figures, never asserts.

Each benchmark measures fixer and a peer in the same run, so the ratio holds on any machine.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

BENCHMARKS = ("startup",)


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    for name in argv or BENCHMARKS:
        if name not in BENCHMARKS:
            print(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
            return 2
        print(f"== {name}")
        importlib.import_module(f"bench_{name}").run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
