"""The diff inside a chatty model reply: fenced blocks, or bare diff text with prose around."""

from __future__ import annotations

import re

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


def _fenced_blocks(lines: list[str]) -> list[tuple[str, list[str]]]:
    """(language, body lines) of every fenced block; an unclosed fence runs to the end.

    Inside the body of a bare (unfenced) hunk, an indented fence-like line such as the reST
    underline "    ~~~~~~" is a context line, not a fence: only a line that cannot be a hunk
    line (one starting with the fence itself) opens a block there.
    """
    blocks: list[tuple[str, list[str]]] = []
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
        # Only a fence at the same indentation closes: " ```" is a context line of a Markdown diff.
        closing = re.compile(rf"^{re.escape(indent)}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        body: list[str] = []
        while i < len(lines) and not closing.match(lines[i]):
            body.append(lines[i].removeprefix(indent))
            i += 1
        i += 1
        blocks.append((info.lower(), body))
    return blocks


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
    while first is not None and body[first].startswith(("--- ", "+++ ")):
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


def extract_diff(reply: str) -> str:
    """The diff text in a model reply (several fenced blocks are joined); "" when there is none."""
    lines = [line.removesuffix("\r") for line in reply.split("\n")]
    found = []
    for language, body in _fenced_blocks(lines):
        if language in _DIFF_LANGUAGES:
            body = _with_hunk_line(body)
        if any(_starts_diff(body, i) for i in range(len(body))):
            found.append("\n".join(body).rstrip("\n") + "\n")
    if found:
        return "".join(found)
    return _bare_diff(lines)
