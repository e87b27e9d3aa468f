"""Smoke test of the scratch-copy benchmark: its tree is a working tree with every kind of
file the copy handles, and it measures each way. No timing here: bench/run.py prints figures.
"""

from __future__ import annotations

import importlib
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """bench/bench_scratch.py, imported the way bench/run.py imports it."""
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module("bench_scratch")


def test_the_tree_has_edits_untracked_and_ignored_files(bench: ModuleType, tmp_path: Path) -> None:
    repo = bench.make_tree(tmp_path, files=120)
    status = subprocess.run(
        ["git", "status", "--porcelain", "--ignored"], cwd=repo, capture_output=True, text=True
    ).stdout.splitlines()
    kinds = {line[:2] for line in status}
    assert kinds == {" M", "??", "!!"}


def test_every_way_is_measured(bench: ModuleType, tmp_path: Path) -> None:
    figures = bench.measure(bench.make_tree(tmp_path, files=20), runs=1)
    assert "scratch copy" in figures and "git worktree add + remove (peer)" in figures
    assert all(seconds > 0 for seconds in figures.values())
