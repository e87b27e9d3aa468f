"""Smoke test of the diff-engine benchmark: its damage builders and its outcome classification.

No timing here: bench/run.py prints the figures.
"""

from __future__ import annotations

import importlib
import random
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"

SOURCE = '''"""A small module."""

import os


class Store:
    """Keeps values."""

    def __init__(self, root):
        self.root = root
        self.items = {}

    def put(self, key, value):
        if key == "":
            raise ValueError("empty key")

        self.items[key] = value
        return len(self.items)

    def get(self, key, default=None):
        path = os.path.join(self.root, key)

        return self.items.get(path, default)


def main():
    store = Store("/tmp")
    store.put("a", 1)
    return store.get("a")
'''


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """bench/bench_patch.py, imported the way bench/run.py imports it."""
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module("bench_patch")


@pytest.fixture
def damage(bench: ModuleType) -> ModuleType:
    return importlib.import_module("patch_damage")


def cases(damage: ModuleType) -> list:
    """Three seeded cases of a few realistic edits of SOURCE."""
    return [damage.make_case(f"pkg/m{seed}.py", SOURCE, random.Random(seed)) for seed in range(3)]


def test_every_damage_kind_builds_a_diff_that_differs_from_the_clean_one(
    damage: ModuleType,
) -> None:
    built = dict.fromkeys(damage.KINDS, 0)
    for case in cases(damage):
        assert case.expected != case.original and case.hunks
        clean = damage.clean(case, random.Random(0))
        for kind, build in damage.KINDS.items():
            damaged = build(case, random.Random(kind))
            if damaged is None:
                continue
            built[kind] += 1
            assert "@@" in damaged.diff
            assert kind == "clean" or damaged != clean
    assert all(built.values()), built


def test_the_runner_classifies_each_tool_outcome(
    bench: ModuleType, damage: ModuleType, tmp_path: Path
) -> None:
    assert bench.classify(None, "a\n") == "refused"
    assert bench.classify("a\n", "a\n") == "correct"
    assert bench.classify("b\n", "a\n") == "wrong"
    case = cases(damage)[0]

    clean = bench.evaluate(tmp_path, case, damage.clean(case, random.Random(0)))
    assert clean == dict.fromkeys(bench.TOOLS, "correct")

    unnumbered = bench.evaluate(tmp_path, case, damage.no_numbers(case, random.Random(0)))
    assert unnumbered["git apply"] == "refused"
    assert unnumbered["fixer"].split(":")[0] in ("correct", "refused")


def test_true_ambiguity_doubles_the_hunk_s_old_lines(damage: ModuleType) -> None:
    case = cases(damage)[0]
    ambiguous = damage.ambiguous(case, random.Random(0))
    old = "".join(line[1:] + "\n" for line in case.hunks[0].lines if line[0] != "+")
    assert ambiguous.original.count(old) == 2 * case.original.count(old)
    assert "@@ @@" in ambiguous.diff and ambiguous.expected != ambiguous.original


def test_fixer_recovers_the_new_damage_kinds_and_refuses_a_cut_reply(
    bench: ModuleType, damage: ModuleType, tmp_path: Path
) -> None:
    kinds = ("indent levels halved", "indent levels doubled", "context-only hunk added")
    for case in cases(damage):
        for kind in (*kinds, "second draft below", "reply cut off"):
            damaged = damage.KINDS[kind](case, random.Random(kind))
            if damaged is None:
                continue
            outcome = bench.evaluate(tmp_path, case, damaged)["fixer"]
            assert outcome == ("refused" if kind == "reply cut off" else "correct"), (kind, outcome)
