"""Harper's corrections as fixer applies them: only the precise kinds, never a known word, never
a ⟦n⟧ mark; and the errors a model's correction brings in."""

from __future__ import annotations

import pytest

from fixer.corrections import Kind, edit_distance
from fixer.proofread import apply, fixes, lint, matching, new_errors


def fixed(text: str, dialect: str | None = None) -> str:
    return apply(text, fixes(text, dialect))


def test_the_precise_kinds_are_applied_each_with_its_kind() -> None:
    text = "This is a example of the the problem. Their is a bug. We could of known.\n"
    found = fixes(text, None)
    assert {(f.problem, f.replacement, f.kind) for f in found} == {
        ("a", "an", Kind.ARTICLE),
        ("the the", "the", Kind.REPETITION),
        ("Their", "There", Kind.WORD_CHOICE),
        ("could of", "could have", Kind.WORD_CHOICE),
    }
    assert apply(text, found) == (
        "This is an example of the problem. There is a bug. We could have known.\n"
    )


def test_a_capital_article_keeps_its_case() -> None:
    # Harper suggests "AN" for "A": the replacement takes the problem's case instead.
    assert fixed("We went home. A apple a day is enough.\n") == (
        "We went home. An apple a day is enough.\n"
    )


@pytest.mark.parametrize("word", ["CSDN", "XORing", "Kubernetes", "fooBar", "k8s", "gpt4o"])
def test_names_acronyms_and_identifiers_are_never_spelt(word: str) -> None:
    text = f"We read about {word} in the news today, and it was good.\n"
    assert fixed(text) == text


def test_a_plain_misspelling_is_fixed_and_a_far_guess_is_not() -> None:
    assert fixed("It is definately fine.\n") == "It is definitely fine.\n"
    # Two fixes one edit away are a guess between them: receive or relieve, wish or which.
    for guess in ("We recieve mail.\n", "The key, wich is long.\n", "It is temtping.\n"):
        assert fixed(guess) == guess
    # Harper's first guess for a word it does not know may be far from it: left alone.
    text = "The snorfblatz of the team was high.\n"
    assert fixed(text) == text


def test_a_known_word_is_not_corrected_nor_capitalised() -> None:
    text = "We definately go. the next step is fixer. fixer is a tool.\n"
    asked: list[tuple[set[str], bool]] = []

    def known(words: set[str], starts: bool) -> set[str]:
        asked.append((words, starts))
        return words & {"definately", "fixer"}

    assert apply(text, fixes(text, None, known)) == (
        "We definately go. The next step is fixer. fixer is a tool.\n"
    )
    # One question for the misspellings, one for the sentences' first words.
    assert asked == [({"definately"}, False), ({"the", "fixer"}, True)]


def test_a_sentence_is_capitalised_unless_it_starts_with_jargon() -> None:
    text = "We ship it. the end is near. kubectl runs it. pytest runs. npm is a tool.\n"
    assert fixed(text) == text.replace("the end", "The end")


def test_nothing_touches_a_mark_or_a_word_glued_to_one() -> None:
    text = "We use ⟦3⟧ daily. ⟦4⟧ a apple. See ⟦5⟧teh docs⟦6⟧ for more.\n"
    assert all("⟦" not in text[f.start - 1 : f.end + 1] for f in fixes(text, None))
    assert "⟦5⟧teh docs⟦6⟧" in fixed(text)


def test_the_dialect_decides_which_spelling_is_right() -> None:
    # (Harper's British fixes of "color" are colour and colon: a guess, so not that word.)
    british, american = "The behaviour is fine.\n", "The behavior is fine.\n"
    assert fixed(british, "american") == american
    assert fixed(american, "british") == british
    # Not told: a word spelt right in either dialect is no misspelling.
    assert fixed(british) == british and fixed(american) == american


def test_style_and_readability_lints_are_not_applied() -> None:
    long = "This sentence " + "goes on and on, " * 40 + "and ends.\n"
    assert lint(long) == []
    assert fixed("We went to the store , and bought milk.\n") == (
        "We went to the store , and bought milk.\n"
    )


def test_a_correction_that_brings_in_an_error_is_found() -> None:
    brought = new_errors("We ate the apple.", "We ate a apple.")
    assert [(f.problem, f.kind) for f in brought] == [("a", Kind.ARTICLE)]
    # An error the text already had is not the correction's.
    assert new_errors("We ate a apple. Teh end.", "We ate a apple. The end.") == []


def test_matching_gives_each_change_the_fix_it_holds_in_order() -> None:
    text = "A apple and a egg. The the end.\n"
    found = fixes(text, None)
    changes = [("A apple and a egg.", "An apple and an egg."), ("The the end.", "The end.")]
    matched = matching(changes, found)
    assert [f.kind if f else None for f in matched] == [Kind.ARTICLE, Kind.REPETITION]
    assert matching([("no change", "here")], found) == [None]


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("recieve", "receive", 1), ("teh", "the", 1), ("dont", "don't", 1), ("abc", "abc", 0)],
)
def test_edit_distance_counts_a_swap_as_one(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance
    assert edit_distance("a", "abcdef") == 3  # far apart: not measured


def test_an_overlapping_fix_gives_way_to_the_first() -> None:
    text = "the the cat\n"
    found = fixes(text, None)
    assert apply(text, [*found, *found]) == apply(text, found)


@pytest.mark.parametrize("word", ["sshing", "nginx", "pytest", "frobnicating", "runbook"])
def test_a_guess_two_edits_away_from_jargon_is_not_taken(word: str) -> None:
    text = f"Our team kept {word} all day long.\n"
    assert fixed(text) == text


def test_help_and_a_code_run_never_load_harper(tmp_path) -> None:
    import subprocess
    import sys

    from tests.helpers import clean_env, make_repo

    repo = make_repo(tmp_path / "repo", {"app.py": "import os\nx=1\n"})
    code = (
        "import sys\nfrom fixer.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('harper' in sys.modules)\n"
        "main(['--print', '-m', 'local', 'app.py'])\n"
        "print('harper' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=repo,
        env=clean_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert lines[-1] == "False" and "False" in lines[:-1] and "usage: fixer" in done.stdout


def test_the_text_is_linted_in_pieces_that_cover_it_all_at_their_place() -> None:
    from fixer.proofread import CHUNK, chunks

    text = "".join(f"Paragraph {k} is here, with a apple.\n\n" for k in range(2000))
    pieces = list(chunks(text))
    assert len(pieces) > 1 and all(len(p) < CHUNK + 100 for _, p in pieces)
    assert "".join(p for _, p in pieces) == text
    assert all(text[at : at + len(p)] == p for at, p in pieces)
    assert fixed(text) == text.replace("a apple", "an apple")


def test_a_paragraph_longer_than_any_post_has_is_not_linted() -> None:
    from fixer.proofread import MOST_PARAGRAPH

    hostile = "word " * (MOST_PARAGRAPH // 5 + 1)
    text = f"A apple first.\n\n{hostile}\n\nA apple last.\n"
    assert fixed(text) == text.replace("A apple", "An apple")


def test_a_list_item_may_start_in_lower_case() -> None:
    text = "Do this:\n\n- add a line.\n- keep the rest.\n1. go on.\n\nIt ends. the next part.\n"
    assert fixed(text) == text.replace("the next", "The next")


@pytest.mark.parametrize(
    "text",
    [
        "Wait untill noon.\n",  # WrongNegative: distill
        "We sum it accross the rows.\n",  # SplitWords: ac cross
        "A change there moves the line.\n",  # ThereToTheir
    ],
)
def test_rules_that_misfire_on_posts_are_left_out(text: str) -> None:
    assert fixed(text) == text


def test_its_for_it_is_is_fixed_though_harper_calls_it_punctuation() -> None:
    (fix,) = fixes("Its a small change. We like it.\n", None)
    assert (fix.problem, fix.replacement, fix.kind) == ("Its", "It's", Kind.WORD_CHOICE)


def test_past_its_deadline_harper_lints_no_more() -> None:
    import time

    text = "A apple first.\n\n" + "A apple again.\n\n" * 3000
    assert fixes(text, None, deadline=time.monotonic() - 1) == []
    assert len(fixes(text, None, deadline=time.monotonic() + 60)) == 3001


def test_a_post_harper_cannot_finish_in_time_says_so(tmp_path, monkeypatch) -> None:
    from fixer import proofread
    from fixer.local import correct_prose
    from fixer.sources import read_source
    from tests.helpers import make_repo

    monkeypatch.setattr(proofread, "SECONDS", 0.0)  # a post of gibberish takes minutes
    repo = make_repo(tmp_path / "repo", {"post.md": "It was a easy move.\n"})
    (corrected,) = correct_prose([read_source(repo / "post.md", repo)], ("harper",))
    assert corrected.text == "It was a easy move.\n"
    assert corrected.notes == (
        "harper: nothing to fix in post.md; stopped after 0 s (too many words it does not "
        "know), the rest left as is",
    )
