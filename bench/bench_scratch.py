"""The time a proposal's test run adds: the scratch copy of a ~2,000-file working tree, a
trivial test command through run_tests, and the removal of the copy, against peers measured in
the same run: `git worktree add --detach` (which leaves the uncommitted changes out) and
`cp -a` / shutil.copytree of the whole tree (.git and ignored files included).
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fixer.scratch import scratch_copy
from fixer.testrun import run_tests

RUNS = 5
FILES = 2_000
BIG_FILES = 5  # of 1 MB each, like a vendored bundle or a fixture; the rest 1-20 KB
WORDS = ("def", "return", "value", "self", "import", "class", "for", "in", "if", "else", "None")


def make_tree(folder: Path, files: int = FILES, seed: int = 14) -> Path:
    """A git repository of `files` committed text files in nested folders, then uncommitted
    edits, untracked files and ignored build output, as a working tree has."""
    rng = random.Random(seed)
    repo = folder / "project"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    for k in range(files):
        size = 1_048_576 if k < BIG_FILES else rng.randint(1_024, 20_480)
        _write(repo / f"pkg{k % 40}/mod{k % 7}/file_{k}.py", size, rng)
    (repo / ".gitignore").write_text("build/\n*.pyc\n")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=b", "-c", "user.email=b@example.invalid", "commit", "-qm", "tree")
    for k in range(BIG_FILES, BIG_FILES + files // 40):  # uncommitted edits
        with (repo / f"pkg{k % 40}/mod{k % 7}/file_{k}.py").open("a") as handle:
            handle.write("edited = True\n")
    for k in range(files // 60):
        _write(repo / f"pkg{k % 40}/new_{k}.py", rng.randint(1_024, 8_192), rng)
        _write(repo / f"build/out_{k}.pyc", 20_480, rng)  # ignored: left out of the copy
    return repo


def _write(path: Path, size: int, rng: random.Random) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    line = " ".join(rng.choice(WORDS) for _ in range(12)) + "\n"
    path.write_text((line * (size // len(line) + 1))[:size])


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def median_s(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(repo: Path, runs: int = RUNS) -> dict[str, float]:
    """Median seconds of the scratch copy (made, removed), of a `true` test run in it, and of
    the peers' ways to get a tree to test in, each with its removal."""
    made, removed, tested = [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        with scratch_copy(repo) as copy:
            copied = time.perf_counter()
            asyncio.run(run_tests("true", copy.root, dict(os.environ), 60))
            ran = time.perf_counter()
        made.append(copied - start)
        tested.append(ran - copied)
        removed.append(time.perf_counter() - ran)
    scratch = Path(tempfile.mkdtemp(prefix="fixer-bench-"))
    try:

        def worktree() -> None:
            target = scratch / "worktree"
            _git(repo, "worktree", "add", "--detach", "-q", str(target), "HEAD")
            _git(repo, "worktree", "remove", "--force", str(target))

        def cp_a() -> None:
            subprocess.run(["cp", "-a", str(repo), str(scratch / "cp")], check=True)
            shutil.rmtree(scratch / "cp")

        def copytree() -> None:
            shutil.copytree(repo, scratch / "copytree", symlinks=True)
            shutil.rmtree(scratch / "copytree")

        return {
            "scratch copy": statistics.median(made),
            "its removal": statistics.median(removed),
            "run_tests('true') in it": statistics.median(tested),
            "scratch copy + removal": statistics.median(map(sum, zip(made, removed, strict=True))),
            "git worktree add + remove (peer)": median_s(worktree, runs),
            "cp -a + rm (peer)": median_s(cp_a, runs),
            "shutil.copytree + rmtree (peer)": median_s(copytree, runs),
        }
    finally:
        shutil.rmtree(scratch)


def run(quick: bool = False) -> None:
    files, runs = (FILES // 10, 1) if quick else (FILES, RUNS)
    with tempfile.TemporaryDirectory() as folder:
        figures = measure(make_tree(Path(folder), files), runs)
    base = figures["scratch copy + removal"]
    print(f"a working tree of {files} files, median of {runs}")
    for label, seconds in figures.items():
        print(
            f"{label:34} {seconds * 1000:8.1f} ms   {seconds / base:5.2f}x scratch copy + removal"
        )
