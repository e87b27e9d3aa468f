"""Agents' prompts: a byte-stable prefix, the request last; what the model says kept apart."""

from __future__ import annotations

from dataclasses import dataclass

from fixer import prompts
from fixer.agents import FIX


@dataclass(frozen=True)
class File:
    name: str
    text: str


def test_prompt_is_byte_identical_whatever_the_order_files_are_given() -> None:
    a, b = File("b.py", "x = 1\n"), File("a.py", "y = 2")
    first = FIX.messages({f.name: f for f in (a, b)}, "fix it")
    second = FIX.messages({f.name: f for f in (b, a)}, "fix it")
    assert first == second
    body = first[1]["content"]
    assert body.index("<<<FILE a.py>>>") < body.index("<<<FILE b.py>>>")
    assert body.rstrip().endswith("Request: fix it")


def test_rules_come_first_and_do_not_depend_on_the_files() -> None:
    one = FIX.messages({"a.py": File("a.py", "1\n")}, None)
    two = FIX.messages({"z.md": File("z.md", "2\n")}, "other")
    assert one[0] == two[0] and one[0]["role"] == "system"
    assert FIX.request in one[1]["content"]


def test_the_explanation_is_the_prose_around_the_diff() -> None:
    reply = (
        "The loop stops one item early.\n\n```diff\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n"
        "```\n\nI kept the public name.\n"
    )
    assert prompts.explanation(reply) == "The loop stops one item early.\n\nI kept the public name."
    bare = "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\nThat is all.\n"
    assert prompts.explanation(bare) == "That is all."
    assert prompts.explanation("```diff\n-a\n+b\n```\n") == ""
    assert len(prompts.explanation("why " * 10_000)) <= 4000
