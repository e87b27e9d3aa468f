"""A run over a folder of 200 files against a loopback fake provider that takes 0.5 s a reply.

The real `fixer --print` asks the files in requests under Router.longContextThreshold, a few at
once (fixer.concurrency); the peer is the ideal: ceil(requests / concurrency) x latency, the
least any client could take. Reported: wall time (median of the runs) against that ideal, the
requests sent, the most in flight at once, and the peak memory of the fixer process.
"""

from __future__ import annotations

import json
import math
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/: the fake provider

from fixer.prompts import NO_CHANGES
from tests.fakeserver import FakeProvider
from tests.helpers import FIXER, clean_env, make_repo

LATENCY_S = 0.5
CONCURRENCY = 4
THRESHOLD = 5_000  # tokens: about seven of these files a request


def module(k: int) -> str:
    return "".join(f"value_{k}_{i} = {i}\n" for i in range(60))


def one_run(files: int) -> tuple[float, int, int, int]:
    """Wall time, requests, most in flight at once, and the fixer process's peak RSS (KB)."""
    with tempfile.TemporaryDirectory(prefix="fixer-bench-many-") as tmp:
        root = Path(tmp)
        repo = make_repo(root / "repo", {f"src/m{k:03}.py": module(k) for k in range(files)})
        with FakeProvider() as server:
            server.reply(NO_CHANGES, delay_s=LATENCY_S)
            config = {
                "Providers": [
                    {
                        "name": "fake",
                        "api_base_url": server.url,
                        "api_key": "sk-bench",
                        "models": ["cheap-model"],
                    }
                ],
                "Router": {"default": "fake,cheap-model", "longContextThreshold": THRESHOLD},
                "fixer": {"concurrency": CONCURRENCY},
            }
            (root / "config.json").write_text(json.dumps(config), encoding="utf-8")
            env = clean_env(root / "home") | {"NO_PROXY": "127.0.0.1"}
            argv = [str(FIXER), "--print", "--config", str(root / "config.json"), "src"]
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            start = time.perf_counter()
            done = subprocess.run(argv, cwd=repo, env=env, capture_output=True, text=True)
            wall = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            if done.returncode != 0:
                raise SystemExit(f"fixer failed ({done.returncode}): {done.stderr}")
            return wall, len(server.requests), server.peak_in_flight, max(peak, before)


def run(quick: bool = False) -> None:
    files, runs = (60, 1) if quick else (200, 3)
    results = [one_run(files) for _ in range(runs)]
    wall = statistics.median(r[0] for r in results)
    requests, in_flight, peak_kb = results[0][1], results[0][2], max(r[3] for r in results)
    ideal = math.ceil(requests / CONCURRENCY) * LATENCY_S
    print(
        f"{files} files in {requests} requests, {in_flight} at most in flight "
        f"(concurrency {CONCURRENCY}), {LATENCY_S} s a reply"
    )
    print(
        f"wall time {wall:5.2f} s (median of {runs}, fixer's start-up included) against the "
        f"ideal {ideal:4.2f} s: {wall / ideal:4.2f}x"
    )
    print(f"peak memory of the fixer process: {peak_kb / 1024:.0f} MB")
