"""Smoke test of the unidiff benchmark: how it tells unidiff's reading of a reply from fixer's.

No timing here: bench/run.py prints the figures.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
CLEAN = "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
UNNUMBERED = CLEAN.replace("@@ -1,2 +1,2 @@", "@@ @@")


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """bench/bench_unidiff.py, imported the way bench/run.py imports it."""
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module("bench_unidiff")


def test_a_well_formed_diff_reads_the_same(bench: ModuleType) -> None:
    assert bench.fixer_reading(CLEAN) == [((" a", "-b", "+c"),)]
    assert bench.compared(CLEAN) == "same"


@pytest.mark.parametrize(
    "reply",
    [
        CLEAN.replace("-1,2 +1,2", "-1,1 +1,1"),  # counts one line short: unidiff stops at " a"
        CLEAN + "+d\n",  # one + line more than the counts: unidiff drops it
        UNNUMBERED,  # no numbers: unidiff reads no hunk
    ],
)
def test_unidiff_loses_changes_of_replies_fixer_reads_whole(bench: ModuleType, reply: str) -> None:
    assert bench.compared(reply) == "loses"


def test_unidiff_raises_on_a_diff_without_headers(bench: ModuleType) -> None:
    headless = CLEAN.split("\n", 2)[2]
    assert bench.fixer_reading(headless) == [((" a", "-b", "+c"),)]
    assert bench.compared(headless) == "raises"


def test_the_first_pass_refuses_what_fixer_alone_applies(bench: ModuleType) -> None:
    damaged = bench.Damaged(UNNUMBERED, original="a\nb\n", expected="a\nc\n")
    assert bench.outcome(bench.run_fixer, damaged) == "correct"
    assert bench.outcome(bench.first_pass, damaged) == "refused"
