"""What every agent's prompt shares: the diff format, the files block, and the retry turn.

Providers cache the longest prefix they have seen, and a cache hit costs a tenth of a miss or less.
So an agent's fixed rules come first, then the files in a stable order, and the user's request last.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

NO_CHANGES = "NO CHANGES"


def diff_rules(context: int = 3) -> str:
    """The reply format every agent asks for, after its own rules: one format for all."""
    lines = f"{context} unchanged context line{'s' * (context != 1)}"
    return f"""
Reply with a unified diff and nothing else:
- One section per changed file, headers `--- a/PATH` and `+++ b/PATH`, PATH exactly as given.
- Hunks start with `@@ -START,COUNT +START,COUNT @@`, whole lines, and keep {lines} around
  each change, copied exactly from the file, indentation included.
- Never elide or summarise: no "...", no "rest unchanged", no "existing code" comments.
- Only edit the files you are given.
- If nothing needs changing, reply exactly: {NO_CHANGES}
"""


class PromptFile(Protocol):
    """A file as the model sees it: its name (as in the diff headers) and its text."""

    @property
    def name(self) -> str: ...

    @property
    def text(self) -> str: ...


REPLY_PREVIEW = 400  # characters of a failed reply shown to the user


def reply_preview(text: str) -> str:
    """How a reply began, indented, for an error that says why it could not be used."""
    if not text.strip():
        return "the reply held no text (a reasoning model may have spent it all on reasoning)"
    start = text[:REPLY_PREVIEW] + ("…" if len(text) > REPLY_PREVIEW else "")
    return "the reply began with:\n" + "\n".join("    " + line for line in start.splitlines())


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


CORRECTED_DIFF = (
    "Send a corrected unified diff of the same change, with context lines copied exactly from "
    "the files."
)
PASSING_DIFF = (
    "Send a new unified diff of the files as they were before your diff, one that makes the "
    "tests pass."
)


def retry_messages(reply: str, feedback: str, ask: str = CORRECTED_DIFF) -> list[dict[str, str]]:
    """The turn that asks the same model again, telling it precisely why its diff failed;
    a long reply is cut to its head and tail, long feedback to its head, each marked."""
    return [
        {
            "role": "assistant",
            "content": _sendable(clip(reply, RETRY_REPLY_HEAD, RETRY_REPLY_TAIL)),
        },
        {
            "role": "user",
            "content": f"{_sendable(clip(feedback, RETRY_FEEDBACK_LIMIT))}\n\n{ask}",
        },
    ]


# Of the test command's output in a prompt: the lines that say what failed, and the tail.
TEST_OUTPUT_TOKENS = 1_500


def failing_tests(request: str, command: str, output: str) -> str:
    """The request, then how the tests fail on the files as they are, so that the model fixes
    that failure rather than guess. After the files: the prompt's prefix stays the same."""
    return f"{request}\n\nThe tests fail on the files as they are (`{command}`):\n{fenced(output)}"


def tests_still_fail(command: str, output: str) -> str:
    """Why a diff goes back to its model: with it applied, the tests fail like this."""
    return f"With your diff applied, the tests still fail (`{command}`):\n{fenced(output)}"


def fenced(text: str) -> str:
    """Text in a code fence longer than any run of backticks inside it, so it cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{_sendable(text).rstrip()}\n{fence}"


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


def files_block(files: Sequence[PromptFile]) -> str:
    """The files as the model sees them, sorted by name: the same files make the same bytes."""
    return "\n\n".join(
        f"<<<FILE {f.name}>>>\n{_shown(f.text)}<<<END FILE>>>"
        for f in sorted(files, key=lambda f: f.name)
    )


def messages(
    rules: str, files: Sequence[PromptFile], request: str, feedback: str = ""
) -> list[dict[str, str]]:
    """The chat messages of a request: the agent's rules, then the files, then the request,
    then what the user said of an earlier proposal (review_feedback), if anything: last, so
    the prefix a provider caches stays the same bytes."""
    after = f"\n{feedback}" if feedback else ""
    return [
        {"role": "system", "content": rules},
        {"role": "user", "content": f"{files_block(files)}\n\nRequest: {request}\n{after}"},
    ]


class ReviewedHunk(Protocol):
    """A hunk of an earlier proposal as the user left it (review.HunkFeedback)."""

    @property
    def diff(self) -> str: ...

    @property
    def rejected(self) -> bool: ...

    @property
    def note(self) -> str: ...


FEEDBACK_HUNK_LIMIT = 4_000  # characters of one hunk's diff the feedback keeps
FEEDBACK_LIMIT = 24_000  # characters of the whole feedback


def review_feedback(hunks: Sequence[ReviewedHunk]) -> str:
    """What the user said of an earlier proposal, for the model asked again: the hunks they
    rejected, so it does not propose them again, and the notes they wrote on any hunk; "" when
    they said nothing."""
    if not hunks:
        return ""
    parts = [
        "The user reviewed an earlier proposal for these files. Do not propose again a change "
        "they rejected; follow their notes."
    ]
    for hunk in hunks:
        said = "Rejected by the user" if hunk.rejected else "Not rejected"
        if hunk.note:
            said += f", with the user's note: {hunk.note}"
        diff = clip(hunk.diff, FEEDBACK_HUNK_LIMIT)
        parts.append(f"{said}\n<<<HUNK>>>\n{diff.rstrip(chr(10))}\n<<<END HUNK>>>")
    return _sendable(clip("\n\n".join(parts), FEEDBACK_LIMIT)) + "\n"


def _shown(text: str) -> str:
    """A file's text as the model sees it: no BOM (the engine ignores it), a final newline."""
    text = text.removeprefix("\ufeff")
    return text if text.endswith("\n") else text + "\n"


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
