"""Cases for the diff-engine benchmark: realistic edits of real code, and the ways models damage
the diffs they write for them.

A case is an original text, the text the edit intended and the clean hunks between them. Each
damage kind turns a case into the diff a model might have written (and, for some kinds, the file
it was written against); it returns None when the case offers nothing to damage that way.
"""

from __future__ import annotations

import difflib
import keyword
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

ELISION = "# ... existing code ..."
_NUMBER = re.compile(r"\b\d+\b")
_NAME = re.compile(r"\b[a-z_][a-z0-9_]{3,}\b")
_HEADER = re.compile(r"@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


@dataclass(frozen=True)
class Hunk:
    """One hunk as a model would write it: @@ starts (1-based, git's rule for an empty side)
    and lines tagged ' ', '-', '+'."""

    old_start: int
    new_start: int
    lines: tuple[str, ...]

    @property
    def old_count(self) -> int:
        return sum(1 for line in self.lines if line[:1] != "+")

    @property
    def new_count(self) -> int:
        return sum(1 for line in self.lines if line[:1] != "-")


@dataclass(frozen=True)
class Case:
    """A real file, the text an edit of it intended, and the clean hunks between the two."""

    path: str
    original: str
    expected: str
    hunks: tuple[Hunk, ...]


@dataclass(frozen=True)
class Damaged:
    """The diff a model wrote, the file it is applied to, and the only right result."""

    diff: str
    original: str
    expected: str


# Realistic one-line edits: each turns a line into the lines replacing it.
def _change(line: str, rng: random.Random) -> list[str]:
    """A literal or a comparison changes, as in a bug fix; else the line gains a comment."""
    number = _NUMBER.search(line)
    if number:
        value = str(int(number.group()) + rng.randint(1, 9))
        return [line[: number.start()] + value + line[number.end() :]]
    if "==" in line:
        return [line.replace("==", "!=", 1)]
    return [line + "  # checked"]


def _rename(line: str, rng: random.Random) -> list[str]:
    """One identifier of the line gets a new name."""
    names = [m for m in _NAME.finditer(line) if not keyword.iskeyword(m.group())]
    if not names:
        return _change(line, rng)
    name = rng.choice(names)
    return [
        line[: name.start()]
        + f"{name.group()}_{rng.choice(('new', 'value', 'x'))}"
        + line[name.end() :]
    ]


def _insert_after(line: str, rng: random.Random) -> list[str]:
    """One or two statements after the line, indented as the code after it would be."""
    indent = line[: len(line) - len(line.lstrip())]
    if line.rstrip().endswith(":"):
        indent += "    "
    added = [f"{indent}logger.debug({rng.choice(('start', 'done', 'retry'))!r})"]
    if rng.random() < 0.5:
        added.append(f"{indent}count += {rng.randint(1, 9)}")
    return [line, *added]


def _delete(line: str, rng: random.Random) -> list[str]:
    return []


EDITS = (_change, _rename, _insert_after, _delete)


def edit(text: str, rng: random.Random, edits: int = 0) -> str:
    """`text` (ending with a newline) after `edits` edits (1 to 4 when 0) at random code lines."""
    body = text.split("\n")[:-1]
    code = [k for k, line in enumerate(body) if line.strip()]
    chosen = rng.sample(code, min(edits or rng.randint(1, 4), len(code)))
    for k in sorted(chosen, reverse=True):  # bottom up, so earlier indices stay valid
        body[k : k + 1] = rng.choice(EDITS)(body[k], rng)
    return "\n".join(body) + "\n"


def clean_hunks(original: str, edited: str) -> tuple[Hunk, ...]:
    """The hunks of `diff -u` (difflib, 3 lines of context) between two newline-ended texts."""
    a, b = original.split("\n")[:-1], edited.split("\n")[:-1]
    hunks: list[Hunk] = []
    for line in list(difflib.unified_diff(a, b, lineterm=""))[2:]:
        header = _HEADER.match(line)
        if header:
            hunks.append(Hunk(int(header[1]), int(header[2]), ()))
        else:
            hunks[-1] = replace(hunks[-1], lines=(*hunks[-1].lines, line))
    return tuple(hunks)


def make_case(path: str, original: str, rng: random.Random) -> Case:
    """A case from a real file: a few realistic edits and their clean diff."""
    expected = edit(original, rng)
    return Case(path, original, expected, clean_hunks(original, expected))


def _range(start: int, count: int) -> str:
    return str(start) if count == 1 else f"{start},{count}"


def render(
    path: str,
    hunks: tuple[Hunk, ...],
    *,
    headers: bool = True,
    numbers: bool = True,
    miscount: int = 0,
) -> str:
    """A unified diff of `hunks`; `miscount` is added to every @@ count."""
    out = [f"--- a/{path}", f"+++ b/{path}"] if headers else []
    for hunk in hunks:
        old = _range(hunk.old_start, hunk.old_count + miscount)
        new = _range(hunk.new_start, hunk.new_count + miscount)
        out.append(f"@@ -{old} +{new} @@" if numbers else "@@ @@")
        out += hunk.lines
    return "\n".join(out) + "\n"


def _as_written(case: Case, diff: str) -> Damaged:
    return Damaged(diff, case.original, case.expected)


def _map_lines(case: Case, change: Callable[[Hunk], Hunk | None]) -> Damaged | None:
    """The case's diff with `change` applied to each hunk (None: unchanged); None if none was."""
    changed = [change(hunk) for hunk in case.hunks]
    if all(hunk is None for hunk in changed):
        return None
    hunks = tuple(new or old for new, old in zip(changed, case.hunks, strict=True))
    return _as_written(case, render(case.path, hunks))


def _context(tag_line: str) -> bool:
    return tag_line[:1] == " "


# Recoverable in principle: the intended text can be found with certainty.
def clean(case: Case, rng: random.Random) -> Damaged:
    return _as_written(case, render(case.path, case.hunks))


def _shifted(case: Case, rng: random.Random, low: int, high: int) -> Damaged:
    """Every @@ number off by `low`..`high` lines, up or down (never below line 1)."""
    hunks = []
    for hunk in case.hunks:
        by = rng.randint(low, high)
        by = -by if hunk.old_start > by and hunk.new_start > by and rng.random() < 0.5 else by
        hunks.append(replace(hunk, old_start=hunk.old_start + by, new_start=hunk.new_start + by))
    return _as_written(case, render(case.path, tuple(hunks)))


def off_by_few(case: Case, rng: random.Random) -> Damaged:
    return _shifted(case, rng, 1, 5)


def off_by_hundreds(case: Case, rng: random.Random) -> Damaged:
    return _shifted(case, rng, 100, 400)


def no_numbers(case: Case, rng: random.Random) -> Damaged:
    return _as_written(case, render(case.path, case.hunks, numbers=False))


def bad_counts(case: Case, rng: random.Random) -> Damaged:
    smallest = min(min(h.old_count, h.new_count) for h in case.hunks)
    miscount = rng.choice((-1, 1, 2) if smallest > 1 else (1, 2))
    return _as_written(case, render(case.path, case.hunks, miscount=miscount))


def no_headers(case: Case, rng: random.Random) -> Damaged:
    return _as_written(case, render(case.path, case.hunks, headers=False))


def fenced(case: Case, rng: random.Random) -> Damaged:
    diff = render(case.path, case.hunks)
    reply = f"Here is the fix for `{case.path}`:\n\n```diff\n{diff}```\n\nIt keeps the API.\n"
    return _as_written(case, reply)


def bare_blank_context(case: Case, rng: random.Random) -> Damaged | None:
    """Blank context lines written as empty lines, without their leading space."""
    return _map_lines(
        case,
        lambda h: (
            replace(h, lines=tuple("" if ln == " " else ln for ln in h.lines))
            if " " in h.lines
            else None
        ),
    )


def context_spaces_added(case: Case, rng: random.Random) -> Damaged | None:
    """Trailing spaces added to every context line."""
    return _map_lines(
        case, lambda h: replace(h, lines=tuple(ln + "  " if _context(ln) else ln for ln in h.lines))
    )


def _context_positions(hunk: Hunk) -> list[tuple[int, int]]:
    """The (old index, new index) of each non-blank context line of the hunk."""
    old = hunk.old_start - 1 if hunk.old_count else hunk.old_start
    new = hunk.new_start - 1 if hunk.new_count else hunk.new_start
    positions = []
    for line in hunk.lines:
        if _context(line) and line.strip():
            positions.append((old, new))
        old += line[0] != "+"
        new += line[0] != "-"
    return positions


def context_spaces_stripped(case: Case, rng: random.Random) -> Damaged | None:
    """The file has trailing whitespace on some context lines; the diff does not."""
    a, b = case.original.split("\n"), case.expected.split("\n")
    positions = [_context_positions(hunk) for hunk in case.hunks]
    chosen = [pair for spots in positions for pair in rng.sample(spots, min(2, len(spots)))]
    if not chosen:
        return None
    for old, new in chosen:
        a[old] += " \t"
        b[new] += " \t"
    return Damaged(render(case.path, case.hunks), "\n".join(a), "\n".join(b))


def _dedented(hunk: Hunk) -> Hunk | None:
    if not all(ln[1:].startswith("    ") or not ln[1:].strip() for ln in hunk.lines):
        return None
    return replace(hunk, lines=tuple(ln[0] + ln[5:] if ln[1:].strip() else ln for ln in hunk.lines))


def reindented(case: Case, rng: random.Random) -> Damaged | None:
    """Every hunk that is indented as a whole written 4 columns to the left."""
    return _map_lines(case, _dedented)


def _trimmed(hunk: Hunk, rng: random.Random) -> Hunk | None:
    """The hunk without 1 or 2 of its edge context lines at each end, keeping at least one."""
    tags = [line[0] for line in hunk.lines]
    lead = next(k for k, tag in enumerate(tags) if tag != " ")
    trail = next(k for k, tag in enumerate(reversed(tags)) if tag != " ")
    top = rng.randint(1, lead - 1) if lead > 1 else 0
    bottom = rng.randint(1, trail - 1) if trail > 1 else 0
    if not top + bottom:
        return None
    return Hunk(
        hunk.old_start + top, hunk.new_start + top, hunk.lines[top : len(hunk.lines) - bottom]
    )


def _indents_scaled(hunk: Hunk, scale: float) -> Hunk | None:
    """Every line's leading spaces times `scale`; None when the hunk has no two indent levels
    (nothing to rescale that a shift would not explain) or a level would not be whole."""
    levels = {len(ln[1:]) - len(ln[1:].lstrip(" ")) for ln in hunk.lines if ln[1:].strip()}
    if len(levels) < 2 or any((level * scale) % 1 for level in levels) or 0 not in levels:
        return None

    def scaled(line: str) -> str:
        text = line[1:]
        spaces = len(text) - len(text.lstrip(" "))
        return line[0] + " " * int(spaces * scale) + text[spaces:] if text.strip() else line

    return replace(hunk, lines=tuple(map(scaled, hunk.lines)))


def indent_halved(case: Case, rng: random.Random) -> Damaged | None:
    """Every indent level written at half its width (4 spaces as 2)."""
    return _map_lines(case, lambda hunk: _indents_scaled(hunk, 0.5))


def indent_doubled(case: Case, rng: random.Random) -> Damaged | None:
    return _map_lines(case, lambda hunk: _indents_scaled(hunk, 2.0))


def context_only_hunk(case: Case, rng: random.Random) -> Damaged:
    """An extra hunk of context lines only (a model "showing" where it looked)."""
    lines = case.original.split("\n")[:-1]
    at = rng.randrange(max(1, len(lines) - 3))
    shown = Hunk(at + 1, at + 1, tuple(" " + line for line in lines[at : at + 3]))
    hunks = tuple(sorted((*case.hunks, shown), key=lambda h: h.old_start))
    return _as_written(case, render(case.path, hunks))


def second_draft(case: Case, rng: random.Random) -> Damaged:
    """A first draft whose + lines are wrong, then "a better version": the whole diff again."""
    wrong = tuple(
        replace(h, lines=tuple(ln + "  # draft" if ln[:1] == "+" else ln for ln in h.lines))
        for h in case.hunks
    )
    first, better = render(case.path, wrong), render(case.path, case.hunks)
    reply = f"Here:\n\n```diff\n{first}```\n\nWait, a better version:\n\n```diff\n{better}```\n"
    return _as_written(case, reply)


def cut_off(case: Case, rng: random.Random) -> Damaged | None:
    """A fenced reply that stops in the middle of its last hunk: refusing is the only right
    answer (`expected` is a text no tool can produce)."""
    reply = "```diff\n" + render(case.path, case.hunks)
    last = reply.rindex("@@")
    body = reply.index("\n", last) + 1
    if len(reply) - body < 4:
        return None
    at = rng.randrange(body + 1, len(reply) - 2)
    return Damaged(reply[:at], case.original, "\0 a cut-off reply has no right result")


def dropped_edge_context(case: Case, rng: random.Random) -> Damaged | None:
    return _map_lines(case, lambda hunk: _trimmed(hunk, rng))


def crlf(case: Case, rng: random.Random) -> Damaged:
    """A CRLF file, and the LF diff a model writes for it."""
    return Damaged(
        render(case.path, case.hunks),
        case.original.replace("\n", "\r\n"),
        case.expected.replace("\n", "\r\n"),
    )


# Not recoverable in principle: refusing is right, applying anything but the intent is wrong.
def _elided(hunk: Hunk) -> Hunk | None:
    """The context between two change blocks (else the leading context) as an elision comment."""
    tags = "".join(line[0] for line in hunk.lines)
    inner = re.search(r"[-+]( +)[-+]", tags)
    start, end = inner.span(1) if inner else (0, len(tags) - len(tags.lstrip(" ")))
    if start == end:
        return None
    first = hunk.lines[start][1:]
    indent = first[: len(first) - len(first.lstrip())]
    lines = (*hunk.lines[:start], f" {indent}{ELISION}", *hunk.lines[end:])
    return replace(hunk, lines=lines)


def elision(case: Case, rng: random.Random) -> Damaged | None:
    return _map_lines(case, _elided)


def invented_context(case: Case, rng: random.Random) -> Damaged | None:
    """One context line of the first hunk that has one replaced by a line the file lacks."""
    for number, hunk in enumerate(case.hunks):
        spots = [k for k, line in enumerate(hunk.lines) if _context(line) and line.strip()]
        if spots:
            k = rng.choice(spots)
            lines = list(hunk.lines)
            lines[k : k + 1] = [" " + text for text in _change(lines[k][1:], rng)]
            hunks = (
                *case.hunks[:number],
                replace(hunk, lines=tuple(lines)),
                *case.hunks[number + 1 :],
            )
            return _as_written(case, render(case.path, hunks))
    return None


def ambiguous(case: Case, rng: random.Random) -> Damaged | None:
    """The file holds the first hunk's old lines twice and the diff has no @@ numbers; which
    copy the model meant is drawn at random."""
    hunk = case.hunks[0]
    old = [line[1:] for line in hunk.lines if line[0] != "+"]
    new = [line[1:] for line in hunk.lines if line[0] != "-"]
    if len(old) < 2:
        return None
    lines = case.original.split("\n")[:-1]
    start = hunk.old_start - 1
    copy = len(lines)
    doubled = lines + old
    at = rng.choice((start, copy))
    intended = doubled[:at] + new + doubled[at + len(old) :]
    return Damaged(
        render(case.path, (hunk,), numbers=False),
        "\n".join(doubled) + "\n",
        "\n".join(intended) + "\n",
    )


Damage = Callable[[Case, random.Random], Damaged | None]

RECOVERABLE: dict[str, Damage] = {
    "clean": clean,
    "off by 1-5": off_by_few,
    "off by 100-400": off_by_hundreds,
    "@@ @@ (no numbers)": no_numbers,
    "counts wrong": bad_counts,
    "no ---/+++ headers": no_headers,
    "```diff fence + prose": fenced,
    "blank context no space": bare_blank_context,
    "ctx trailing ws added": context_spaces_added,
    "ctx trailing ws stripped": context_spaces_stripped,
    "hunk dedented by 4": reindented,
    "indent levels halved": indent_halved,
    "indent levels doubled": indent_doubled,
    "context-only hunk added": context_only_hunk,
    "second draft below": second_draft,
    "edge context dropped": dropped_edge_context,
    "CRLF file": crlf,
}
UNRECOVERABLE: dict[str, Damage] = {
    "elision comment": elision,
    "invented context line": invented_context,
    "true ambiguity": ambiguous,
    "reply cut off": cut_off,
}
KINDS: dict[str, Damage] = {**RECOVERABLE, **UNRECOVERABLE}
