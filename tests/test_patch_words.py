"""Word-level highlights for the hunk view."""

from __future__ import annotations

from fixer.patch.words import pair_lines, word_spans


def test_word_spans_mark_only_the_changed_words() -> None:
    old, new = "total = price * count", "total = price * quantity"
    old_spans, new_spans = word_spans(old, new) or ([], [])
    assert [old[a:b] for a, b in old_spans] == ["count"]
    assert [new[a:b] for a, b in new_spans] == ["quantity"]


def test_adjacent_changes_separated_by_spaces_group_together() -> None:
    old, new = "call(a b c, d)", "call(x y z, d)"
    old_spans, new_spans = word_spans(old, new) or ([], [])
    assert [old[a:b] for a, b in old_spans] == ["a b c"]
    assert [new[a:b] for a, b in new_spans] == ["x y z"]


def test_insertion_gives_an_empty_old_side() -> None:
    assert word_spans("f(a)", "f(a, b)") == ([], [(3, 6)])


def test_dissimilar_lines_are_not_highlighted_by_word() -> None:
    assert word_spans("import os", "class Foo(Bar): pass") is None


def test_cjk_characters_are_tokens() -> None:
    old, new = "我喜欢猫", "我喜欢狗"
    old_spans, new_spans = word_spans(old, new) or ([], [])
    assert [old[a:b] for a, b in old_spans] == ["猫"]
    assert [new[a:b] for a, b in new_spans] == ["狗"]


def test_pair_lines_pairs_similar_lines_in_order() -> None:
    removed = ["x = compute(a)", "print('debug')", "return x"]
    added = ["x = compute(a, b)", "return x + 1"]
    assert pair_lines(removed, added) == [(0, 0), (2, 1)]
    assert pair_lines(["alpha beta"], ["gamma delta epsilon"]) == []
