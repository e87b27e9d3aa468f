"""Smoke test of the many-files benchmark: a real run of the real fixer against the fake
provider, its requests counted. No timing here: bench/run.py prints figures."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """bench/bench_many.py, imported the way bench/run.py imports it."""
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module("bench_many")


def test_a_folder_run_is_several_requests_at_most_concurrency_at_once(bench: ModuleType) -> None:
    _, requests, in_flight, peak_kb = bench.one_run(30)
    assert requests > 1 and 1 <= in_flight <= bench.CONCURRENCY
    assert peak_kb > 0
