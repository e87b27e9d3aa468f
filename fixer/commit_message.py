"""The commit message: asked of the background model, cleaned up, or made from a template."""

from __future__ import annotations

from collections.abc import Sequence

from fixer.printable import printable

COMMIT_RULES = """Write the commit message for the diff below: one line, imperative mood \
("Fix ...", "Handle ..."), at most 72 characters, no quotes, no trailing period. \
Reply with the line only."""


def commit_message_messages(diff: str, limit: int = 12_000) -> list[dict[str, str]]:
    """The chat messages asking the background model for a one-line commit message."""
    if len(diff) > limit:
        diff = diff[:limit] + "\n[diff truncated]\n"
    return [
        {"role": "system", "content": COMMIT_RULES},
        {"role": "user", "content": diff},
    ]


def clean_commit_message(reply: str, limit: int = 72) -> str:
    """The reply's first meaningful line, stripped of quotes and labels, at most `limit` chars.

    Returns "" when nothing usable is left, so the caller can fall back to its template.
    """
    for raw in reply.splitlines():
        line = raw.strip().strip("`'\"").strip()
        for label in ("commit message:", "subject:"):
            if line.lower().startswith(label):
                line = line[len(label) :].strip().strip("`'\"").strip()
        if line and not line.startswith("```") and not is_chatter(line):
            return shorten(printable(line.rstrip(".")), limit)
    return ""


CHATTER_OPENERS = (
    "sure", "certainly", "of course", "okay", "ok,", "ok!", "great", "here is", "here's",
    "here are", "below", "i ", "i'", "i've", "as requested", "based on", "this commit message",
    "the commit message", "let me",
)  # fmt: skip


def is_chatter(line: str) -> bool:
    """A model talking about the message rather than writing it ("Sure! I reviewed both files
    and found... Here are the"), or announcing what follows ("Here is the message:")."""
    lowered = line.lower()
    return lowered.startswith(CHATTER_OPENERS) or lowered.endswith(":")


def shorten(text: str, limit: int) -> str:
    """Cut text to at most `limit` characters at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0]
    return (cut if 0 < len(cut) <= limit else text[:limit]).rstrip(" ,;:")


def template_commit_message(
    names: Sequence[str], hunks: int, limit: int = 72, reviewed: bool = True
) -> str:
    """The commit message used when no background model writes one: what the commit holds.
    `reviewed` is False for --yes, where nobody looked at the hunks."""
    noun = "hunk" if hunks == 1 else "hunks"
    head = f"Apply {hunks} reviewed {noun} to " if reviewed else f"Apply {hunks} {noun} (--yes) to "
    names = [printable(name) for name in names]  # a hostile file name must not reach git log
    if len(names) == 1:
        return shorten(head + names[0], limit)
    listed = ", ".join(names)
    if len(head + listed) <= limit:
        return head + listed
    return shorten(f"{head}{len(names)} files", limit)
