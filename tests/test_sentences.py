"""Sentence-sized grammar hunks: splitting prose, the sentence view and back, partial acceptance."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixer.patch import Hunk
from fixer.patch.parse import split_lines
from fixer.patch.words import word_spans
from fixer.review import Decision, FileChange, Review, ReviewHunk
from fixer.sentences import (
    CONTINUATION,
    align_sentences,
    file_view,
    sentence_hunks,
    sentence_view,
    split_sentences,
    view_line_numbers,
)

NBSP, NNBSP = "\u00a0", "\u202f"


def reviewed(
    original: str, corrected: str, accept: set[int], protected: set[int] | None = None
) -> tuple[str, list[Hunk]]:
    """The file's text after a review of the sentence hunks accepting hunks `accept` (0-based),
    and the hunks."""
    view, hunks = sentence_hunks(original, corrected, protected or set())
    review = Review((FileChange("post.md", view),), tuple(ReviewHunk("post.md", h) for h in hunks))
    for index in range(len(hunks)):
        review.decide(index, Decision.ACCEPTED if index in accept else Decision.REJECTED)
    return file_view(review.new_texts().get("post.md", view)), hunks


def changed(hunks: list[Hunk]) -> list[tuple[str, str]]:
    """Each hunk as (removed text, added text), without the continuation mark."""
    return [
        (
            "".join(h.old_lines).replace(CONTINUATION, ""),
            "".join(h.new_lines).replace(CONTINUATION, ""),
        )
        for h in hunks
    ]


@pytest.mark.parametrize(
    ("line", "sentences"),
    [
        (
            "It rained. Did it? Yes!  Fine… Then",
            ["It rained.", " Did it?", " Yes!", "  Fine…", " Then"],
        ),
        (
            "Mr. Smith met Dr. Jones at 3.14 p.m., e.g. near Fig. 2 and No. 5 with "
            "J. R. R. Tolkien vs. the rest, i.e. everyone, etc. Then he left.",
            None,
        ),
        (
            "M. Dupont et Mme. Curie, p. ex. Paris, cf. Annexe. Fin.",
            ["M. Dupont et Mme. Curie, p. ex. Paris, cf. Annexe.", " Fin."],
        ),
        ("I said no. Then I left.", ["I said no.", " Then I left."]),
        (
            f"« Bonjour{NNBSP}! » Il part. Ça va{NBSP}? Oui{NBSP}; merci{NBSP}! "
            f"« Salut{NBSP}! » dit-il.",
            [
                f"« Bonjour{NNBSP}! »",
                " Il part.",
                f" Ça va{NBSP}?",
                f" Oui{NBSP}; merci{NBSP}!",
                f" « Salut{NBSP}! » dit-il.",
            ],
        ),
        (
            "我去了商店。他很高兴！“你好。”她说。 好的？",
            ["我去了商店。", "他很高兴！", "“你好。”", "她说。", " 好的？"],
        ),
        (
            "今日は晴れです。「行こう！」と彼は言った。これは本です。",
            ["今日は晴れです。", "「行こう！」と彼は言った。", "これは本です。"],
        ),
        (
            "Run `make. Then` now. See [the docs. Here](http://x.io/a.B). Use ⟦3⟧. ⟦4⟧ runs. "
            "See https://example.com. Then go.",
            [
                "Run `make. Then` now.",
                " See [the docs. Here](http://x.io/a.B).",
                " Use ⟦3⟧.",
                " ⟦4⟧ runs.",
                " See https://example.com.",
                " Then go.",
            ],
        ),
        (
            'He said "Stop." Then (see above.) Next.[^1] Last. Er sagte. »Komm!« Dann.',
            [
                'He said "Stop."',
                " Then (see above.)",
                " Next.[^1]",
                " Last.",
                " Er sagte.",
                " »Komm!«",
                " Dann.",
            ],
        ),
        ("1. First step. Second step.", ["1. First step.", " Second step."]),
        ("\ufeff2) First step. Second step.", ["\ufeff2) First step.", " Second step."]),
        ("## Setup. Then run", ["## Setup.", " Then run"]),
        (
            "- one item. Two items. **Bold** start. `code` start.",
            ["- one item.", " Two items.", " **Bold** start.", " `code` start."],
        ),
        ("A line without a stop", ["A line without a stop"]),
        ("Trailing space. ", ["Trailing space. "]),
        ("", [""]),
    ],
)
def test_split_sentences(line: str, sentences: list[str] | None) -> None:
    assert split_sentences(line) == (sentences if sentences is not None else [line])


TEXTS = st.text(
    st.sampled_from(["A", "b", ".", "!", " ", "\u00a0", "。", "`", "\n", "\r", CONTINUATION, "⟦"])
)


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.sets(st.integers(0, 5)))
def test_file_view_inverts_sentence_view(text: str, protected: set[int]) -> None:
    view = sentence_view(text, protected)
    assert file_view(view) == text
    numbers = view_line_numbers(view)
    assert len(numbers) == len(split_lines(view))
    assert numbers[-1:] == ([len(split_lines(text))] if text else [])


def test_view_keeps_line_endings_and_escapes_the_mark() -> None:
    text = f"One. Two.\r\n{CONTINUATION}Three. Four.\r\nFive. Six."
    view = sentence_view(text)
    assert view == (
        f"One.\r\n{CONTINUATION} Two.\r\n{CONTINUATION * 2}Three.\r\n{CONTINUATION} Four.\r\n"
        f"Five.\r\n{CONTINUATION} Six."
    )
    assert file_view(view) == text
    assert view_line_numbers(view) == [1, 1, 2, 2, 3, 3]


def test_protected_lines_stay_whole() -> None:
    text = "Intro. Then code:\n```\nx = 1. Y = 2\n```\n"
    assert (
        sentence_view(text, {1, 2, 3})
        == f"Intro.\n{CONTINUATION} Then code:\n```\nx = 1. Y = 2\n```\n"
    )


def test_english_paragraph_accepts_the_first_and_third_corrected_sentences() -> None:
    original = (
        "# Post\n\nI has a cat. It sleeps a lot. She like fish. The end is near. We was happy.\n"
    )
    corrected = (
        "# Post\n\nI have a cat. It sleeps a lot. She likes fish. The end is near. We were happy.\n"
    )
    text, hunks = reviewed(original, corrected, {0, 2})
    assert changed(hunks) == [
        ("I has a cat.", "I have a cat."),
        (" She like fish.", " She likes fish."),
        (" We was happy.", " We were happy."),
    ]
    assert [h.old_start for h in hunks] == [3, 5, 7]
    assert text == corrected.replace("likes", "like")


def test_adjacent_corrected_sentences_are_hunks_of_their_own() -> None:
    original = "i went home. the dog barked. it was late. Bye.\n"
    corrected = "I went home. The dog barked. It was late. Bye.\n"
    text, hunks = reviewed(original, corrected, {1})
    assert changed(hunks) == [
        ("i went home.", "I went home."),
        (" the dog barked.", " The dog barked."),
        (" it was late.", " It was late."),
    ]
    assert text == "i went home. The dog barked. it was late. Bye.\n"


def test_merged_sentences_are_one_hunk() -> None:
    original = "I went home. And then slept. Good night.\n"
    corrected = "I went home and then slept. Good night.\n"
    text, hunks = reviewed(original, corrected, {0})
    assert changed(hunks) == [("I went home. And then slept.", "I went home and then slept.")]
    assert text == corrected


def test_rewritten_adjacent_sentences_pair_up_one_for_one() -> None:
    # Each rewrite is its own hunk, so that grammar mode flags each and keeps a correction next
    # to it.
    original = "Yes. No. Maybe so.\n"
    corrected = "Absolutely right, friend. Nothing else matters. Maybe so.\n"
    text, hunks = reviewed(original, corrected, {1})
    assert changed(hunks) == [
        ("Yes.", "Absolutely right, friend."),
        (" No.", " Nothing else matters."),
    ]
    assert text == "Yes. Nothing else matters. Maybe so.\n"


def test_french_paragraph_with_no_break_spaces() -> None:
    original = (
        f"« Bonjour{NNBSP}! » Il est partis. Ça va{NBSP}? Oui{NBSP}; très bien{NBSP}: "
        f"merci{NBSP}! Nous somme contents.\n"
    )
    corrected = original.replace("partis", "parti").replace("somme", "sommes")
    text, hunks = reviewed(original, corrected, {1})
    assert changed(hunks) == [
        (" Il est partis.", " Il est parti."),
        (" Nous somme contents.", " Nous sommes contents."),
    ]
    assert text == original.replace("somme", "sommes")


def test_chinese_paragraph_is_corrected_per_sentence_and_marked_per_character() -> None:
    original = "我去了商店。他很高兴！我们明天在见。天气很好。\n"
    corrected = "我去了商店。她很高兴！我们明天再见。天气很好。\n"
    text, hunks = reviewed(original, corrected, {1})
    assert changed(hunks) == [("他很高兴！", "她很高兴！"), ("我们明天在见。", "我们明天再见。")]
    old, new = hunks[1].lines[0][1:], hunks[1].lines[1][1:]
    old_spans, new_spans = word_spans(old, new) or ([], [])
    assert [old[a:b] for a, b in old_spans] == ["在"]
    assert [new[a:b] for a, b in new_spans] == ["再"]
    assert text == "我去了商店。他很高兴！我们明天再见。天气很好。\n"


def test_sentence_with_inline_code_and_a_link() -> None:
    original = (
        "Run `make test. Then` to check. Read [the guide. Twice](https://x.io/a.B) befor you "
        "start. It help.\n"
    )
    corrected = original.replace("befor", "before").replace("It help", "It helps")
    text, hunks = reviewed(original, corrected, {0})
    assert changed(hunks) == [
        (
            " Read [the guide. Twice](https://x.io/a.B) befor you start.",
            " Read [the guide. Twice](https://x.io/a.B) before you start.",
        ),
        (" It help.", " It helps."),
    ]
    assert text == original.replace("befor", "before")


def test_crlf_file() -> None:
    original = "Title\r\n\r\nOne are here. Two is here. Three is here.\r\nLast line. It end.\r\n"
    corrected = original.replace("One are", "One is").replace("It end", "It ends")
    text, hunks = reviewed(original, corrected, {1})
    assert [h.endings for h in hunks] == [("\r\n", "\r\n")] * 2
    assert text == original.replace("It end", "It ends")
    assert text.count("\r\n") == original.count("\r\n") and "\n" not in text.replace("\r\n", "")


def test_file_without_final_newline() -> None:
    original = "First is fine. Second are wrong. Third are wrong"
    corrected = "First is fine. Second is wrong. Third is wrong"
    view, hunks = sentence_hunks(original, corrected)
    assert view_line_numbers(view) == [1, 1, 1]
    assert (
        reviewed(original, corrected, {1})[0] == "First is fine. Second are wrong. Third is wrong"
    )
    assert (
        reviewed(original, corrected, {0})[0] == "First is fine. Second is wrong. Third are wrong"
    )
    assert hunks[1].old_missing_newline and hunks[1].new_missing_newline


def test_abbreviations_do_not_split_a_sentence() -> None:
    original = "Mr. Smith met Dr. Jones at 5 p.m., e.g. near Fig. 2 on thursday. He left.\n"
    corrected = original.replace("thursday", "Thursday")
    text, hunks = reviewed(original, corrected, {0})
    assert changed(hunks) == [(original[:-10], corrected[:-10])]
    assert text == corrected


def test_protected_lines_are_not_split_in_either_text() -> None:
    original = "Intro. Text.\n```\nx = 1. Y = 2\n```\n"
    corrected = "Intro. Texts.\n```\nx = 1. Y = 3\n```\n"
    view, hunks = sentence_hunks(original, corrected, {1, 2, 3})
    assert changed(hunks) == [(" Text.", " Texts."), ("x = 1. Y = 2", "x = 1. Y = 3")]
    assert view_line_numbers(view) == [1, 1, 2, 3, 4]


def test_a_correction_adding_a_line_is_its_own_hunk() -> None:
    original = "Intro. Text.\nEnd.\n"
    corrected = "Intro. Text.\nNew line. Here.\nEnd.\n"
    text, hunks = reviewed(original, corrected, {0})
    assert changed(hunks) == [("", "New line. Here.")]
    assert text == corrected


def test_text_holding_the_mark_is_reviewed_exactly() -> None:
    original = f"{CONTINUATION}Odd one. {CONTINUATION * 3}Two are.\n"
    corrected = f"{CONTINUATION}Odd one. {CONTINUATION * 3}Two is.\n"
    text, hunks = reviewed(original, corrected, {0})
    assert len(hunks) == 1 and text == corrected


WORDS = ["river", "stone", "green", "quiet", "lamp", "cloud", "paper", "window", "garden", "slowly"]
HANZI = list("我你他她天气很好去商店猫狗")


@st.composite
def sentence(draw: st.DrawFn, number: int, chinese: bool) -> tuple[str, str]:
    """A sentence and the same corrected: maybe a word (a character in Chinese) replaced, maybe
    its first word capitalised. `number` makes every sentence differ from the others."""
    vocabulary = HANZI if chinese else WORDS
    words = draw(st.lists(st.sampled_from(vocabulary), min_size=3, max_size=7))
    words.insert(1, f"n{number}")
    new_words = list(words)
    if draw(st.booleans()):
        k = draw(st.integers(2, len(words) - 1))
        new_words[k] = draw(st.sampled_from([w for w in vocabulary if w != words[k]]))
    space = "" if chinese else " "
    stop = draw(st.sampled_from(["。", "！", "？"] if chinese else [".", "!", "?"]))
    new = space.join([words[0].capitalize(), *new_words[1:]]) + stop
    if not chinese and draw(st.booleans()):
        words[0] = words[0].capitalize()
    return space.join(words) + stop, new


Paragraph = tuple[str, list[str]]  # the space between sentences, the sentences


@st.composite
def corrected_paragraphs(draw: st.DrawFn) -> tuple[list[Paragraph], list[Paragraph], list[str]]:
    """Lines of sentences (English or Chinese), the same with some sentences corrected, and each
    line's ending."""
    old_lines, new_lines, endings = [], [], []
    number = 0
    for _ in range(draw(st.integers(1, 3))):
        chinese = draw(st.booleans())
        pairs = []
        for _ in range(draw(st.integers(1, 5))):
            pairs.append(draw(sentence(number, chinese)))
            number += 1
        space = "" if chinese else draw(st.sampled_from([" ", "  "]))
        old_lines.append((space, [old for old, _ in pairs]))
        new_lines.append((space, [new for _, new in pairs]))
        endings.append(draw(st.sampled_from(["\n", "\r\n", "\n\n"])))
    if draw(st.booleans()):
        endings[-1] = ""
    return old_lines, new_lines, endings


def assembled(lines: list[Paragraph], endings: list[str]) -> str:
    return "".join(
        space.join(line) + end for (space, line), end in zip(lines, endings, strict=True)
    )


@settings(max_examples=150, deadline=None)
@given(corrected_paragraphs(), st.data())
def test_accepting_any_hunks_corrects_exactly_those_sentences(case, data: st.DataObject) -> None:
    old_lines, new_lines, endings = case
    original, corrected = assembled(old_lines, endings), assembled(new_lines, endings)
    places = [
        (i, k)
        for i, (_, line) in enumerate(old_lines)
        for k, sentence in enumerate(line)
        if sentence != new_lines[i][1][k]
    ]
    accept = data.draw(st.sets(st.integers(0, max(len(places) - 1, 0))))
    text, hunks = reviewed(original, corrected, accept)
    assert len(hunks) == len(places)
    expected = [(space, list(line)) for space, line in old_lines]
    for index, (i, k) in enumerate(places):
        if index in accept:
            expected[i][1][k] = new_lines[i][1][k]
    assert text == assembled(expected, endings)


def test_a_sentence_added_after_a_corrected_one_is_a_hunk_of_its_own() -> None:
    original = "Intro.\n\nThe end are near.\n"
    corrected = "Intro.\n\nThe end is near. I hope this helps!\n"
    text, hunks = reviewed(original, corrected, {0})
    assert changed(hunks) == [
        ("The end are near.", "The end is near."),
        ("", " I hope this helps!"),
    ]
    assert text == "Intro.\n\nThe end is near.\n"
    assert (
        reviewed(original, corrected, {1})[0] == "Intro.\n\nThe end are near. I hope this helps!\n"
    )


def test_deleting_a_lines_first_sentence_keeps_its_neighbour_in_the_same_hunk() -> None:
    # Apart, accepting the neighbour's correction alone would cut the line in two.
    original = "Intro.\n\nFirst is here. Second are here.\n"
    corrected = "Intro.\n\nSecond is here.\n"
    text, hunks = reviewed(original, corrected, {0})
    assert changed(hunks) == [("First is here. Second are here.", "Second is here.")]
    assert text == corrected


@pytest.mark.parametrize(
    ("old", "new", "pieces"),
    [
        (["A b c.", "D e f."], ["D e f.", "A b c."], [(1, 0), (1, 1), (0, 1)]),  # moved
        (["I went home, it was late."], ["I went home.", " It was late."], [(1, 2)]),  # split
        (["Yes I do.", " And you."], ["Yes I do and you."], [(2, 1)]),  # joined
    ],
)
def test_align_sentences(old: list[str], new: list[str], pieces: list[tuple[int, int]]) -> None:
    aligned = align_sentences(old, new)
    assert sorted((len(a), len(b)) for a, b in aligned) == sorted(pieces)  # a move: either way


def test_a_huge_run_is_not_aligned_sentence_by_sentence() -> None:
    old = [f"Sentence number {k} is here." for k in range(3000)]
    assert align_sentences(old, old[:-1]) == [(range(3000), range(2999))]
