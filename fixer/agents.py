"""What fixer asks a model: prompts whose prefix is byte-identical from run to run.

Providers cache the longest prefix they have seen, and a cache hit costs a tenth of a miss or less.
So the fixed rules come first, then the files in a stable order, and the user's request last.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from fixer.printable import printable

NO_CHANGES = "NO CHANGES"

FIX_RULES = f"""You are fixer, a careful senior engineer who fixes code by writing unified diffs.

Reply with a unified diff and nothing else:
- One section per changed file, headers `--- a/PATH` and `+++ b/PATH`, PATH exactly as given.
- Hunks start with `@@ -START,COUNT +START,COUNT @@` and keep 3 unchanged context lines around
  each change, copied exactly from the file, indentation included.
- Never elide or summarise code: no "...", no "rest unchanged", no "existing code" comments.
- Fix real problems only: bugs, crashes, wrong results, typos in identifiers or messages. Keep the
  author's style, names and formatting; do not reformat or refactor what you do not fix.
- Only edit the files you are given.
- If nothing needs fixing, reply exactly: {NO_CHANGES}
"""

DEFAULT_REQUEST = "Fix the bugs and errors you are sure of."

GRAMMAR_RULES = f"""You are fixer, a careful copy editor of blog posts written in Markdown.

Correct grammar, spelling, agreement and punctuation mistakes only:
- Minimal corrections: change as few words as possible. Do not reword for style, do not shorten,
  do not add or remove sentences, do not change the tone: keep the author's voice.
- Keep the language of every sentence. Never translate, not even a word or a quote.
- Marks like ⟦3⟧ stand for code, links, front matter and markup: copy each one exactly, once, where
  it is. Never edit, move, drop or add them.
- Keep every line break: a paragraph that is one line stays one line.

Reply with a unified diff of the post and nothing else: headers `--- a/PATH` and `+++ b/PATH`,
hunks starting with `@@ -START,COUNT +START,COUNT @@`, whole lines, 1 unchanged line of context
copied exactly. If nothing needs correcting, reply exactly: {NO_CHANGES}
"""

GRAMMAR_REQUEST = "Correct the mistakes you are sure of."

COMMIT_RULES = """Write the commit message for the diff below: one line, imperative mood \
("Fix ...", "Handle ..."), at most 72 characters, no quotes, no trailing period. \
Reply with the line only."""


class PromptFile(Protocol):
    """A file as the model sees it: its name (as in the diff headers) and its text."""

    @property
    def name(self) -> str: ...

    @property
    def text(self) -> str: ...


def fix_messages(files: Sequence[PromptFile], request: str | None) -> list[dict[str, str]]:
    """The chat messages of the fix agent: rules, files sorted by name, then the request."""
    parts = [
        f"<<<FILE {f.name}>>>\n{_shown(f.text)}<<<END FILE>>>"
        for f in sorted(files, key=lambda f: f.name)
    ]
    body = "\n\n".join(parts) + f"\n\nRequest: {request or DEFAULT_REQUEST}\n"
    return [
        {"role": "system", "content": FIX_RULES},
        {"role": "user", "content": body},
    ]


REPLY_PREVIEW = 400  # characters of a failed reply shown to the user


def reply_preview(text: str) -> str:
    """How a reply began, indented, for an error that says why it could not be used."""
    if not text.strip():
        return "the reply held no text (a reasoning model may have spent it all on reasoning)"
    start = text[:REPLY_PREVIEW] + ("…" if len(text) > REPLY_PREVIEW else "")
    return "the reply began with:\n" + "\n".join("    " + line for line in start.splitlines())


def grammar_messages(name: str, masked_text: str, request: str | None) -> list[dict[str, str]]:
    """The chat messages of the grammar agent: rules, the post with its protected parts masked,
    then the request."""
    body = f"<<<FILE {name}>>>\n{_shown(masked_text)}<<<END FILE>>>\n\n"
    return [
        {"role": "system", "content": GRAMMAR_RULES},
        {"role": "user", "content": body + f"Request: {request or GRAMMAR_REQUEST}\n"},
    ]


NO_DIFF_FEEDBACK = (
    "Your reply held no unified diff. Reply with the unified diff only, as the rules say, "
    f"or exactly {NO_CHANGES}."
)


CUT_OFF_FEEDBACK = (
    "Your reply was cut off before it ended. Send the diff again, complete, with only the hunks "
    "that change something and 3 lines of context."
)


# The retry turn resends the reply: a 20 MB reply must not make a 20 MB request. A diff worth
# correcting fits in the head; a cut-off reply's problem is at its end, so the tail is kept too.
RETRY_REPLY_HEAD = 24_000  # characters of a long reply's start the retry turn keeps
RETRY_REPLY_TAIL = 8_000  # and of its end
RETRY_FEEDBACK_LIMIT = 8_000  # characters of the refusals: each quotes at most 120 of a line


def retry_messages(reply: str, feedback: str) -> list[dict[str, str]]:
    """The turn that asks the same model again, telling it precisely why its diff failed;
    a long reply is cut to its head and tail, long feedback to its head, each marked."""
    return [
        {
            "role": "assistant",
            "content": _sendable(clip(reply, RETRY_REPLY_HEAD, RETRY_REPLY_TAIL)),
        },
        {
            "role": "user",
            "content": f"{_sendable(clip(feedback, RETRY_FEEDBACK_LIMIT))}\n\nSend a corrected "
            "unified diff of the same change, with context lines copied exactly from the files.",
        },
    ]


def _sendable(text: str) -> str:
    """Text that can go back as JSON: a lone surrogate (half a character, from an escape in
    the reply's JSON, maybe quoted by the feedback) becomes "?"."""
    return text.encode("utf-8", "replace").decode("utf-8")


def clip(text: str, head: int, tail: int = 0) -> str:
    """Text cut to its first `head` and last `tail` characters, with a marker saying how much
    was left out between them; text that fits is returned as it is."""
    if len(text) <= head + tail:
        return text
    left_out = len(text) - head - tail
    marker = f"\n[… {left_out:,} characters left out …]\n"
    return text[:head] + marker + (text[len(text) - tail :] if tail else "")


def _shown(text: str) -> str:
    """A file's text as the model sees it: no BOM (the engine ignores it), a final newline."""
    text = text.removeprefix("\ufeff")
    return text if text.endswith("\n") else text + "\n"


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


_FENCE_LINE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_DIFF_START = ("diff --git ", "--- ", "+++ ", "@@ ")
_DIFF_BODY = ("+", "-", " ", "\\", "index ", "new file mode", "deleted file mode")


def explanation(reply: str, limit: int = 4000) -> str:
    """What the model said around its diff (why, caveats), without the diff or any fenced
    block; "" when it said nothing else. Bounded: a reply can be huge."""
    kept: list[str] = []
    fenced = in_diff = False
    for line in reply.splitlines():
        if _FENCE_LINE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        if line.startswith(_DIFF_START):
            in_diff = True
            continue
        if in_diff and line.startswith(_DIFF_BODY):
            continue
        in_diff = False
        kept.append(line.rstrip())
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
