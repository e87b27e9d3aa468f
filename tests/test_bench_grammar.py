"""Smoke test of the seeded-error grammar benchmark: its seeding and its scoring, on a tiny post.

No timing and no correctors here: bench/run.py runs them and prints the figures.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

from fixer.markdown import protected_spans

BENCH = Path(__file__).resolve().parents[1] / "bench"

POST = """---
title: Its a title that stays
tags: [a, b]
---

The server sends a request to their queue. We believe it works, and they use `its_value` here.
Your logs are in the folder. It is necessary to read them before you deploy an update.

```python
the = their_value  # its code, never seeded
```

{: .centered }
There are two files on https://example.com/its/their/path and the tests pass.
"""


@pytest.fixture
def seed(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """bench/grammar_seed.py, imported the way bench/run.py imports the benchmark's modules."""
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module("grammar_seed")


@pytest.fixture
def grading(seed: ModuleType) -> ModuleType:
    return importlib.import_module("grammar_score")


def test_seeding_is_deterministic_and_keeps_out_of_protected_text(seed: ModuleType) -> None:
    seeded = seed.seed_post("post.md", POST, 15, 1)
    assert seed.seed_post("post.md", POST, 15, 1) == seeded
    assert len(seeded.errors) >= 5
    clean_spans = protected_spans(POST)
    protected_text = [POST[s:e] for s, e in clean_spans]
    assert [seeded.text[s:e] for s, e in protected_spans(seeded.text)] == protected_text
    restored, at = [], 0
    for error in seeded.errors:
        assert seeded.text[error.start : error.end] == error.wrong != error.clean
        restored += [seeded.text[at : error.start], error.clean]
        at = error.end
    assert "".join([*restored, seeded.text[at:]]) == POST


def test_at_most_one_error_a_sentence(seed: ModuleType) -> None:
    seeded = seed.seed_post("post.md", POST, 3, 5)
    sentences = [seeded.text[e.start - 1 :: -1].find(".") for e in seeded.errors]
    starts = [e.start - n for e, n in zip(seeded.errors, sentences, strict=True) if n >= 0]
    assert len(starts) == len(set(starts))


def test_the_kinds_make_their_errors(seed: ModuleType) -> None:
    text = "It works. They work with a tool for an answer. The value is in the list, its copy.\n"
    wrong = {kind: {site.wrong for site in finder(text)} for kind, finder in seed.FINDERS.items()}
    assert {"work", "works"} <= wrong[seed.Kind.AGREEMENT]
    assert {"an", "a"} <= wrong[seed.Kind.A_AN]
    assert "it's" in wrong[seed.Kind.ITS]
    assert "the the" in wrong[seed.Kind.DOUBLED]
    assert "teh" in wrong[seed.Kind.SPELLING]
    assert {"tool", "answer"} <= wrong[seed.Kind.NO_ARTICLE]
    assert {"they", "the"} <= wrong[seed.Kind.CAPITAL]


def test_restoring_every_error_scores_recall_1(seed: ModuleType, grading: ModuleType) -> None:
    seeded = seed.seed_post("post.md", POST, 15, 1)
    result = grading.score(seeded, POST, frozenset())
    assert result.recall() == 1.0 and result.strict() == 1.0 and result.protected == 0
    nothing = grading.score(seeded, seeded.text, frozenset())
    assert nothing.recall() == 0.0 and nothing.edits == 0


def test_an_extra_edit_lowers_strict_precision_unless_plausible(
    seed: ModuleType, grading: ModuleType
) -> None:
    seeded = seed.seed_post("post.md", POST, 15, 1)
    output = POST.replace("in the folder", "inside the folder")
    result = grading.score(seeded, output, frozenset())
    edits = len(seeded.errors) + 1
    assert result.extras == [("are in the", "are inside the")]
    assert result.strict() == result.lenient() == (edits - 1) / edits
    lenient = grading.score(seeded, output, frozenset(result.extras))
    assert lenient.strict() < lenient.lenient() == 1.0


def test_a_wrong_fix_at_an_error_counts_as_an_edit_not_a_fix(
    seed: ModuleType, grading: ModuleType
) -> None:
    seeded = seed.seed_post("post.md", POST, 15, 1)
    first = seeded.errors[0]
    output = seeded.text[: first.start] + "WRONG" + seeded.text[first.end :]
    result = grading.score(seeded, output, frozenset())
    assert result.answered[first.kind] == 1 and result.fixed.total() == 0
    assert result.strict() == 0.0 and result.extras == []
    assert [kind for kind, _ in result.missed] == [first.kind]


def test_an_edit_in_code_counts_as_protected(seed: ModuleType, grading: ModuleType) -> None:
    seeded = seed.seed_post("post.md", POST, 15, 1)
    output = seeded.text.replace("its code", "it's code").replace("`its_value`", "`it's_value`")
    result = grading.score(seeded, output, frozenset())
    assert result.protected == 2
    assert grading.extra_edits(POST, POST.replace("https://example.com/its", "https://x")) == [
        ("on https://example.com/its/their/path and", "on https://x/their/path and")
    ]
