"""Start-up time of `fixer --help` and of a headless `fixer --print`, against the Python floor."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 15
FIXER = Path(sys.executable).with_name("fixer")
DIFF = "--- a/m.py\n+++ b/m.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n"


def median_ms(command: list[str], cwd: Path) -> float:
    """Median wall time of a command over RUNS runs, after one warm-up."""
    times = []
    for _ in range(RUNS + 1):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, capture_output=True, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[1:])


def run() -> None:
    with tempfile.TemporaryDirectory() as folder:
        cwd = Path(folder)
        subprocess.run(["git", "init", "-q"], cwd=cwd, check=True)
        (cwd / "m.py").write_text("a = 1\n")
        (cwd / "fix.diff").write_text(DIFF)
        floor = median_ms([sys.executable, "-c", "pass"], cwd)
        rows = [
            ("python -c pass (floor)", floor),
            ("fixer --help", median_ms([str(FIXER), "--help"], cwd)),
            (
                "fixer --print --from-diff",
                median_ms([str(FIXER), "--print", "--from-diff", "fix.diff", "m.py"], cwd),
            ),
            ("git apply --check (peer)", median_ms(["git", "apply", "--check", "fix.diff"], cwd)),
        ]
    for label, ms in rows:
        print(f"{label:32} {ms:7.1f} ms   {ms / floor:5.2f}x floor")
