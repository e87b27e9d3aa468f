"""Prompts: a byte-stable prefix, the request last; commit messages cleaned and bounded."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from fixer import agents


@dataclass(frozen=True)
class File:
    name: str
    text: str


def test_prompt_is_byte_identical_whatever_the_order_files_are_given() -> None:
    a, b = File("b.py", "x = 1\n"), File("a.py", "y = 2")
    first = agents.fix_messages([a, b], "fix it")
    second = agents.fix_messages([b, a], "fix it")
    assert first == second
    body = first[1]["content"]
    assert body.index("<<<FILE a.py>>>") < body.index("<<<FILE b.py>>>")
    assert body.rstrip().endswith("Request: fix it")


def test_rules_come_first_and_do_not_depend_on_the_files() -> None:
    one = agents.fix_messages([File("a.py", "1\n")], None)
    two = agents.fix_messages([File("z.md", "2\n")], "other")
    assert one[0] == two[0] and one[0]["role"] == "system"
    assert agents.DEFAULT_REQUEST in one[1]["content"]


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
    assert agents.clean_commit_message(reply) == message


def test_commit_message_is_cut_at_a_word_within_72_characters() -> None:
    message = agents.clean_commit_message("Fix " + "very " * 30 + "long")
    assert len(message) <= 72 and not message.endswith(" ")
    assert message.startswith("Fix very")


def test_template_names_files_and_stays_short() -> None:
    assert agents.template_commit_message(["app.py"], 1) == "Apply 1 reviewed hunk to app.py"
    many = agents.template_commit_message([f"pkg/module_{i}.py" for i in range(9)], 12)
    assert many == "Apply 12 reviewed hunks to 9 files"


def test_chatter_is_not_a_commit_message() -> None:
    chatter = "Sure! I reviewed both files and found a few small issues. Here are the"
    assert agents.clean_commit_message(chatter) == ""
    assert agents.clean_commit_message("Here is the message:\n\nFix the off-by-one in parse") == (
        "Fix the off-by-one in parse"
    )
    assert agents.clean_commit_message("Round prices to cents") == "Round prices to cents"
    assert (
        agents.template_commit_message(["a.py"], 2, reviewed=False)
        == "Apply 2 hunks (--yes) to a.py"
    )


def test_the_explanation_is_the_prose_around_the_diff() -> None:
    reply = (
        "The loop stops one item early.\n\n```diff\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n"
        "```\n\nI kept the public name.\n"
    )
    assert agents.explanation(reply) == "The loop stops one item early.\n\nI kept the public name."
    bare = "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\nThat is all.\n"
    assert agents.explanation(bare) == "That is all."
    assert agents.explanation("```diff\n-a\n+b\n```\n") == ""
    assert len(agents.explanation("why " * 10_000)) <= 4000
