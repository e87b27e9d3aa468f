"""Smoke test of the review-screen benchmark: its synthetic review, and every figure its quick
run prints through bench/run.py.

No timing here: bench/run.py prints the figures.
"""

from __future__ import annotations

import importlib
import importlib.util
import random
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from fixer.patch import parse_diff

BENCH = Path(__file__).resolve().parents[1] / "bench"
MS = r"\s+\d+\.\d\s+\d+\.\d$"  # median and worst ms, after the count of presses


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """bench/bench_tui.py, imported the way bench/run.py imports it."""
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module("bench_tui")


def test_each_module_gets_ten_hunks_of_word_inserted_and_deleted_changes(
    bench: ModuleType, tmp_path: Path
) -> None:
    paths, diff = bench.synthetic(tmp_path, 3)
    assert [p.relative_to(tmp_path).as_posix() for p in paths] == [
        f"pkg0/mod_00{i}.py" for i in range(3)
    ]
    assert paths[0].read_text() == bench.module(0, random.Random(bench.SEED))[0]
    assert len(paths[0].read_text().splitlines()) >= 300
    patches = parse_diff(diff)
    assert [p.path for p in patches] == ["pkg0/mod_000.py", "pkg0/mod_001.py", "pkg0/mod_002.py"]
    assert [len(p.hunks) for p in patches] == [10, 10, 10]
    tags = ["".join(line[0] for line in h.lines) for p in patches for h in p.hunks]
    assert any("-+" in t for t in tags)  # a word changed in a line
    assert any("+" in t and "-" not in t for t in tags)  # lines inserted
    assert any("-" in t and "+" not in t for t in tags)  # a line deleted
    assert any(" " in t.strip(" ") for t in tags)  # two changes in one hunk: s splits it


def test_the_quick_run_prints_every_figure(
    bench: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))  # run.py puts bench/ on it
    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)
    assert runner.main(["--quick", "tui"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("== tui\n")
    assert "10 files, 100 hunks" in out
    assert re.search(r"^reply parsed .*: \d+\.\d{3} s$", out, re.M)
    assert re.search(r"^-- fixer ReviewApp 120x40: first paint \d+\.\d{3} s", out, re.M)
    assert re.search(rf"^all\s+24{MS}", out, re.M)  # 2 rounds of a jump and 11 keys
    for key in ("g N enter", *bench.KEYS):
        assert re.search(rf"^{re.escape(key)}\s+\d+{MS}", out, re.M), key
    assert re.search(r"^-- peer: .* first paint \d+\.\d{3} s$", out, re.M)
    assert re.search(rf"^J \(next\)\s+10{MS}", out, re.M)
    ratios = r"^peer / fixer: first paint \d+\.\dx, next hunk median \d+\.\dx, worst \d+\.\dx$"
    assert re.search(ratios, out, re.M)
