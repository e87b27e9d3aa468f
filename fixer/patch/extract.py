"""The diff inside a chatty model reply: fenced blocks, or bare diff text with prose around."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fixer.patch.errors import quote
from fixer.patch.parse import other_diff_line

# The opening only; its info string is read in Python (a regex over it backtracks
# quadratically on a line of 40,000 spaces).
_FENCE = re.compile(r"(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})")
_DIFF_LANGUAGES = ("diff", "patch", "udiff")
_HUNK_TAGS = ("", " ", "-", "+", "\\")  # first characters of the lines of a hunk body


def _opening(line: str) -> tuple[str, str, str] | None:
    """(indent, fence, info word) when `line` opens a fenced block (CommonMark: the info string
    of a backtick fence holds no backtick)."""
    found = _FENCE.match(line)
    if found is None:
        return None
    fence, rest = found.group("fence"), line[found.end() :]
    if fence[0] == "`" and "`" in rest:
        return None
    words = rest.split(maxsplit=1)
    return found.group("indent"), fence, words[0] if words else ""


@dataclass(frozen=True)
class _Block:
    """A fenced block: its language, its body lines, and whether its fence was closed."""

    language: str
    body: list[str]
    closed: bool


def _fenced_blocks(lines: list[str]) -> list[_Block]:
    """Every fenced block; an unclosed fence runs to the end.

    Inside the body of a bare (unfenced) hunk, an indented fence-like line such as the reST
    underline "    ~~~~~~" is a context line, not a fence: only a line that cannot be a hunk
    line (one starting with the fence itself) opens a block there.
    """
    blocks: list[_Block] = []
    in_hunk = False
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        opening = None if in_hunk and line[:1] == " " else _opening(line)
        if opening is None:
            # An empty line may be a blank context line written without its space.
            in_hunk = line.startswith("@@") or (in_hunk and line[:1] in _HUNK_TAGS)
            continue
        in_hunk = False
        indent, fence, info = opening
        mark = rf"{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$"
        closing = re.compile(rf"^{re.escape(indent)}{mark}")
        # One to three spaces more may close it too, but " ```" is also a context line of a
        # Markdown diff: it closes only when no diff line (nor the real closing fence) follows.
        loose = re.compile(rf"^{re.escape(indent)} {{1,3}}{mark}")
        body: list[str] = []
        while i < len(lines) and not (
            closing.match(lines[i]) or (loose.match(lines[i]) and _ends_block(lines, i, closing))
        ):
            body.append(lines[i].removeprefix(indent))
            i += 1
        blocks.append(_Block(info.lower(), body, closed=i < len(lines)))
        i += 1
    return blocks


def _ends_block(lines: list[str], i: int, closing: re.Pattern[str]) -> bool:
    """Whether the loosely indented fence at lines[i] closes its block: what follows it is
    neither a diff line nor the block's real closing fence."""
    after = next((line for line in lines[i + 1 :] if line.strip()), None)
    if after is None:
        return True
    return not (closing.match(after) or after[:1] in _HUNK_TAGS or after.startswith("@@"))


def _starts_diff(lines: list[str], i: int) -> bool:
    """Whether lines[i] opens a diff: a git header, a ---/+++ pair or an @@ line."""
    line = lines[i]
    if line.startswith(("diff --git ", "@@")):
        return True
    return line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")


def _with_hunk_line(body: list[str]) -> list[str]:
    """A diff block whose hunk lacks its @@ line gets a bare "@@ @@" after its headers."""
    if any(line.startswith("@@") for line in body) or other_diff_line(body) is not None:
        return body  # "---" in a normal diff is no removed line: leave it for parse_diff to refuse
    first = next((k for k, line in enumerate(body) if line[:1] in ("-", "+", " ")), None)
    while first is not None and first < len(body) and body[first].startswith(("--- ", "+++ ")):
        first += 1
    if first is None or not any(line[:1] in ("-", "+") for line in body[first:]):
        return body
    return [*body[:first], "@@ @@", *body[first:]]


def _bare_diff(lines: list[str]) -> str:
    """The diff in unfenced text: from its first header or @@ line to its last diff line."""
    start = next((i for i in range(len(lines)) if _starts_diff(lines, i)), None)
    if start is None:
        return ""
    diff_lines = (i for i in range(start, len(lines)) if lines[i][:1] in (" ", "-", "+", "\\", "@"))
    end = max(diff_lines, default=len(lines) - 1)  # headers only (a rename...): keep them all
    return "\n".join(lines[start : end + 1]) + "\n"


# Special tokens some servers leak at the end of a reply: never part of the diff.
_END_TOKEN = re.compile(r"(?:<\|[A-Za-z0-9_]{1,40}\|>|</s>)[ \t\r\n]*\Z")


def without_end_tokens(reply: str) -> str:
    """The reply without the special tokens (`<|im_end|>`, `</s>`...) at its end."""
    while (token := _END_TOKEN.search(reply[-100:])) is not None:
        reply = reply[: len(reply) - (len(reply[-100:]) - token.start())]
    return reply


# A fence after a newline, not "^" with MULTILINE: a pattern that begins with a literal is
# searched for that character in C (2 ms on a 2 MB diff), "^" is tried at every character
# (10-16 ms).
_LINE_FENCE = re.compile(r"\n(?:```|~~~)")


def _has_margin_fence(reply: str) -> bool:
    """Whether a line of the reply starts with a fence."""
    return reply.startswith(("```", "~~~")) or _LINE_FENCE.search(reply) is not None


def extract_diff(reply: str) -> str:
    """The diff text in a model reply (several fenced blocks are joined); "" when there is none.

    A reply that begins as a diff and has no fence at the start of a line (a hunk's lines start
    with " ", "+" or "-") is a plain diff: it is taken whole, with no fence scan.
    """
    reply = without_end_tokens(reply)
    if reply.startswith(("diff --git ", "--- ", "@@")) and not _has_margin_fence(reply):
        return reply if reply.endswith("\n") else reply + "\n"
    lines = [line.removesuffix("\r") for line in reply.split("\n")]
    found = []
    for block in _fenced_blocks(lines):
        body = block.body
        if block.language in _DIFF_LANGUAGES:
            body = _with_hunk_line(body)
        if any(_starts_diff(body, i) for i in range(len(body))):
            found.append("\n".join(body).rstrip("\n") + "\n")
    if found:
        return "".join(found)
    return _bare_diff(lines)


_COUNTS = re.compile(r"^@@+ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")
# The end of a line no finished statement ends with: an open bracket, a comma, a backslash,
# an assignment. So does a dotted name cut after its dot where code, not prose, puts a name:
# after "from"/"import", "=", "(", "," or "return", or alone on its line ("os.path.").
TAIL = 200
_UNFINISHED = re.compile(r"[([{,\\=]$")
_CUT_NAME = re.compile(
    r"^\s*(?:(?:from|import)\s.*|(?:.*(?:[=(,]|\breturn)\s*)?[A-Za-z_][\w.]*)\.$"
)


def cut_off(reply: str) -> str | None:
    """Why the diff at the end of a reply looks cut off mid-way, or None when it does not.

    Only the reply's last hunk can be cut, and only when nothing follows it (no closing fence,
    no prose): it is cut when, inside a fence that is never closed, it holds fewer lines than
    its @@ counts or the reply stops in the middle of a line; or when its last line, the last
    of the reply, is a + line no finished statement ends like (`from sympy.`, `f(a,`).
    """
    reply = without_end_tokens(reply)
    lines = [line.removesuffix("\r") for line in reply.rstrip(" \t").split("\n")]
    last = next((k for k in range(len(lines) - 1, -1, -1) if lines[k].startswith("@@")), None)
    if last is None:
        return None
    body = lines[last + 1 :]
    if body and body[-1] == "":
        body.pop()  # the reply's final newline
    if any(line[:1] not in _HUNK_TAGS for line in body):
        return None  # a closing fence or prose follows the hunk: the model finished it
    blocks = _fenced_blocks(lines)
    unclosed = bool(blocks) and not blocks[-1].closed
    counts = _COUNTS.match(lines[last])
    if unclosed and counts:
        old = sum(1 for line in body if line[:1] != "+" and line[:1] != "\\")
        new = sum(1 for line in body if line[:1] != "-" and line[:1] != "\\")
        want_old, want_new = (int(n) if n is not None else 1 for n in counts.groups())
        if old < want_old or new < want_new:
            return (
                f"its last hunk has {old} old and {new} new lines where its @@ line announces "
                f"{want_old} and {want_new}, and its ``` block is never closed"
            )
    if unclosed and not reply.endswith("\n"):
        return "it stops in the middle of a line, inside a ``` block never closed"
    final = body[-1] if body else ""
    tail = final[-TAIL:].rstrip()  # a statement's end is in its last characters; bounded work
    if final.startswith("+") and (_UNFINISHED.search(tail) or _CUT_NAME.match(tail.lstrip("+"))):
        return f"it ends in the middle of a statement: {quote(final)}"
    return None
