"""The kind of a prose correction, told from the change alone (fixer/corrections.py), and the
grammar review's hunks labelled with it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixer.corrections import Correction, Kind, classify, phrase
from fixer.grammar import correction_review


@pytest.mark.parametrize(
    ("old", "new", "kind", "why"),
    [
        ("I recieve it.", "I receive it.", Kind.SPELLING, "recieve → receive"),
        ("This post explain it.", "This post explains it.", Kind.AGREEMENT, "explain → explains"),
        ("It are short.", "It is short.", Kind.AGREEMENT, "are → is"),
        ("He go home.", "He goes home.", Kind.AGREEMENT, "go → goes"),
        ("It try hard.", "It tries hard.", Kind.AGREEMENT, "try → tries"),
        ("I saw cat.", "I saw a cat.", Kind.ARTICLE, "“a” added"),
        ("It is a apple.", "It is an apple.", Kind.ARTICLE, "a → an"),
        ("I went the the shop.", "I went the shop.", Kind.REPETITION, "“the” removed"),
        ("Its late.", "It's late.", Kind.WORD_CHOICE, "Its → It's"),
        ("Their is one.", "There is one.", Kind.WORD_CHOICE, "Their → There"),
        ("hello world.", "Hello world.", Kind.CAPITALIZATION, "hello → Hello"),
        ("Yes it is", "Yes, it is", Kind.PUNCTUATION, "“,” added"),
        ("Done.", "Done!", Kind.PUNCTUATION, ". → !"),
        ("I fix it yesterday.", "I fixed it yesterday.", Kind.TENSE, "fix → fixed"),
        ("Yesterday it is late.", "Yesterday it was late.", Kind.TENSE, "is → was"),
        ("I like it.", "I love it.", Kind.WORD_CHOICE, "like → love"),
        ("It works well.", "It mostly works quite well.", Kind.OTHER, "“mostly” added"),
        ("Un  espace.", "Un espace.", Kind.PUNCTUATION, "spacing"),
        ("我们去了商店。", "我们去商店了。", Kind.OTHER, ""),
    ],
)  # fmt: skip
def test_a_change_is_told_its_kind_and_what_it_changes(
    old: str, new: str, kind: Kind, why: str
) -> None:
    found = classify(old, new)
    assert found.kind is kind
    assert why in found.why
    assert str(found).startswith(str(kind))


@given(st.text(max_size=200), st.text(max_size=200))
def test_any_two_texts_get_a_kind_and_a_short_reason(old: str, new: str) -> None:
    found = classify(old, new)
    assert isinstance(found, Correction) and found.kind in Kind
    assert len(found.why) <= 60  # each side cut: a title stays readable


@pytest.mark.parametrize(
    ("old", "new", "before", "after"),
    [
        ("I recieve it.", "I receive it.", "recieve", "receive"),
        ("I saw cat.", "I saw a cat.", "", "a"),
        ("I went the the shop.", "I went the shop.", "the", ""),
        ("hello world.", "Hello world.", "hello", "Hello"),
        ("Yes it is", "Yes, it is", "", ","),
        ("It are short. He go home.", "It is short. He goes home.", "are", "is"),  # the first
        ("Un  espace.", "Un espace.", "", ""),  # only spacing: no words to tell
    ],
)  # fmt: skip
def test_a_correction_keeps_the_phrase_it_changes_on_each_side(
    old: str, new: str, before: str, after: str
) -> None:
    found = classify(old, new)
    assert (found.before, found.after) == (before, after)


@given(st.text(max_size=200), st.text(max_size=200))
def test_the_reason_shows_exactly_the_phrase_kept(old: str, new: str) -> None:
    found = classify(old, new)
    if found.before or found.after:
        assert found.why == phrase(found.before, found.after)


def test_a_kind_told_by_another_checker_keeps_the_phrase() -> None:
    # Harper's corrections are classify's with Harper's kind: the words stay.
    found = replace(classify("Its late.", "It's late."), kind=Kind.SPELLING)
    assert (found.kind, found.before, found.after) == (Kind.SPELLING, "Its", "It's")
    assert str(found) == "spelling: Its → It's"


def test_the_grammar_review_labels_each_sentence_hunk() -> None:
    post = "# Notes\n\nThis post explain it. I recieve mail.\n\nIt are short.\n"
    fixed = post.replace("explain it", "explains it").replace("recieve", "receive")
    fixed = fixed.replace("It are", "It is")
    review = correction_review("post.md", post, fixed)
    kinds = [(h.correction.kind, h.correction.why) for h in review.hunks if h.correction]
    assert kinds == [
        (Kind.AGREEMENT, "explain → explains"),
        (Kind.SPELLING, "recieve → receive"),
        (Kind.AGREEMENT, "are → is"),
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("word " * 50_000, "word " * 49_999 + "ward "),  # a huge hunk: no token diff of it
        ("x" * 100_000 + ".", "y" * 100_000 + "."),  # one huge "word": no edit distance
        ("Ab" * 60_000, "aB" * 60_000),  # a huge case change
    ],
    ids=["many tokens", "one long word", "long case change"],
)
def test_a_hostile_hunk_is_told_at_once_as_other(old: str, new: str) -> None:
    assert classify(old, new).kind in (Kind.OTHER, Kind.WORD_CHOICE)


def test_a_split_tells_each_piece_its_own_kind() -> None:
    from fixer.corrections import correction_of
    from fixer.patch import diff_hunks
    from fixer.review import FileChange, Review, ReviewHunk

    old = "I recieve mail.\nIt is fine.\nIt is late.\nIt are short.\n"
    new = old.replace("recieve", "receive").replace("It are", "It is")
    (hunk,) = diff_hunks(old, new, context=1)
    review = Review(
        (FileChange("post.md", old),),
        (ReviewHunk("post.md", hunk, correction=correction_of(hunk)),),
    )
    assert review.hunks[0].correction is not None
    assert review.split(0) == 2
    assert [str(h.correction) for h in review.hunks] == [
        "spelling: recieve → receive",
        "agreement: are → is",
    ]


def test_each_change_of_a_sentence_is_a_correction_of_its_own() -> None:
    told = classify("The the box, and I recieve it.", "The box, and I receive it.")
    assert told.kind is Kind.OTHER  # two kinds in one sentence
    assert [(c.kind, c.before, c.after) for c in told.each()] == [
        (Kind.REPETITION, "the", ""),
        (Kind.SPELLING, "recieve", "receive"),
    ]
    single = classify("I recieve it.", "I receive it.")
    assert single.each() == (single,)
