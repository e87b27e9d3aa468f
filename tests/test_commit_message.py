"""Commit messages: the model's line cleaned and bounded, or a template naming what was applied."""

from __future__ import annotations

import pytest

from fixer.commit_message import clean_commit_message, template_commit_message


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ('"Fix off-by-one in parse."', "Fix off-by-one in parse"),
        ("Commit message: Handle empty input\n\nMore text", "Handle empty input"),
        ("```\nRename x to count\n```", "Rename x to count"),
        ("   \n\n", ""),
    ],
)
def test_commit_message_is_cleaned(reply: str, message: str) -> None:
    assert clean_commit_message(reply) == message


def test_commit_message_is_cut_at_a_word_within_72_characters() -> None:
    message = clean_commit_message("Fix " + "very " * 30 + "long")
    assert len(message) <= 72 and not message.endswith(" ")
    assert message.startswith("Fix very")


def test_template_names_files_and_stays_short() -> None:
    assert template_commit_message(["app.py"], 1) == "Apply 1 reviewed hunk to app.py"
    many = template_commit_message([f"pkg/module_{i}.py" for i in range(9)], 12)
    assert many == "Apply 12 reviewed hunks to 9 files"


def test_chatter_is_not_a_commit_message() -> None:
    chatter = "Sure! I reviewed both files and found a few small issues. Here are the"
    assert clean_commit_message(chatter) == ""
    assert clean_commit_message("Here is the message:\n\nFix the off-by-one in parse") == (
        "Fix the off-by-one in parse"
    )
    assert clean_commit_message("Round prices to cents") == "Round prices to cents"
    assert template_commit_message(["a.py"], 2, reviewed=False) == "Apply 2 hunks (--yes) to a.py"
