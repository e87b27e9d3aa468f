"""What the hunk view shows, line by line: numbers, kinds and changed words. Pure, no Textual.

Every line goes through `printable`: a model can send escape sequences, and they are shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import zip_longest

from rich.cells import cell_len, get_character_cell_size

from fixer.patch import Hunk, hunk_range
from fixer.patch.words import Span, pair_lines, word_spans
from fixer.printable import printable


@dataclass(frozen=True)
class DiffLine:
    """One line of a hunk as shown: its kind, its numbers in the old and new file, the words
    that changed (character spans; empty when the line has no similar partner)."""

    kind: str  # "context", "removed" or "added"
    old_number: int | None
    new_number: int | None
    text: str
    words: tuple[Span, ...] = ()


KINDS = {" ": "context", "-": "removed", "+": "added"}
TAB_SIZE = 4


def _blocks(tags: Sequence[str]) -> list[tuple[int, int]]:
    """[start, end) of each run of changed lines."""
    blocks: list[tuple[int, int]] = []
    for k, tag in enumerate(tags):
        if tag == " ":
            continue
        if blocks and blocks[-1][1] == k:
            blocks[-1] = (blocks[-1][0], k + 1)
        else:
            blocks.append((k, k + 1))
    return blocks


def diff_lines(hunk: Hunk) -> list[DiffLine]:
    """The hunk's lines with real line numbers on both sides and the changed words marked."""
    texts = [printable(line[1:]) for line in hunk.lines]
    tags = [line[0] for line in hunk.lines]
    words: dict[int, tuple[Span, ...]] = {}
    for lo, hi in _blocks(tags):
        removed = [k for k in range(lo, hi) if tags[k] == "-"]
        added = [k for k in range(lo, hi) if tags[k] == "+"]
        for i, j in pair_lines([texts[k] for k in removed], [texts[k] for k in added]):
            spans = word_spans(texts[removed[i]], texts[added[j]])
            if spans is not None:
                words[removed[i]], words[added[j]] = tuple(spans[0]), tuple(spans[1])
    old = (hunk.old_index or 0) + 1
    new = (hunk.new_index or 0) + 1
    lines = []
    for k, (tag, text) in enumerate(zip(tags, texts, strict=True)):
        lines.append(
            DiffLine(
                KINDS[tag],
                old if tag != "+" else None,
                new if tag != "-" else None,
                text,
                words.get(k, ()),
            )
        )
        old += tag != "+"
        new += tag != "-"
    return lines


Pair = tuple[int | None, int | None]  # positions in the hunk's lines of the old and the new side


def side_by_side(kinds: Sequence[str]) -> list[Pair]:
    """Rows of (old, new) for lines of these kinds: context on both sides, each change block's
    lines side by side."""
    rows: list[Pair] = []
    removed: list[int] = []
    added: list[int] = []
    for k, kind in enumerate([*kinds, None]):
        if kind is not None and kind != "context":
            (removed if kind == "removed" else added).append(k)
            continue
        rows.extend(zip_longest(removed, added))
        removed, added = [], []
        if kind is not None:
            rows.append((k, k))
    return rows


def wrap_cuts(text: str, room: int) -> list[int]:
    """The screen columns where a line is cut into rows of at most `room` columns: after the
    last space (or wide character) that fits, mid-word only for a word longer than a row. Tabs
    count to the next tab stop. Linear in the line's length."""
    if room <= 0 or (text.isascii() and "\t" not in text and len(text) <= room):
        return []
    cuts: list[int] = []
    column = start = 0  # the current column, and where the current row starts
    after_break = 0  # the column after the last place the row may be cut
    for char in text:
        width = TAB_SIZE - column % TAB_SIZE if char == "\t" else get_character_cell_size(char)
        while column + width - start > room and column > start:
            start = after_break if after_break > start else column
            cuts.append(start)
        column += width
        if char in " \t" or width == 2:
            after_break = column
    return cuts


def wrapped_rows(hunk: Hunk, split: bool, room: int) -> list[tuple[int, int]]:
    """Each screen row of a hunk whose long lines wrap at `room` columns (per side when
    `split`), as (row, part): the row of its lines (or side-by-side pairs), and which part."""
    texts = [printable(line[1:]) for line in hunk.lines]
    if split:
        pairs = side_by_side([KINDS[line[0]] for line in hunk.lines])
    else:
        pairs = [(k, None) for k in range(len(texts))]
    rows: list[tuple[int, int]] = []
    for row, sides in enumerate(pairs):
        parts = max(len(wrap_cuts(texts[k], room)) + 1 for k in sides if k is not None)
        rows.extend((row, part) for part in range(parts))
    return rows


def row_count(hunk: Hunk, split: bool) -> int:
    """How many rows the hunk's lines take, without laying them out (for the scroll height)."""
    if not split:
        return len(hunk.lines)
    count = removed = added = 0
    for line in [*hunk.lines, " "]:
        if line[0] == "-":
            removed += 1
        elif line[0] == "+":
            added += 1
        else:
            count += max(removed, added) + 1
            removed = added = 0
    return count - 1


def hunk_title(hunk: Hunk, context: str = "") -> str:
    """The @@ line as git shows it: the real numbers of both sides, and the function context
    taken from the file (never the model's header, which may be made up)."""
    old = hunk_range(hunk.old_start or 0, hunk.old_count)
    new = hunk_range(hunk.new_start or 0, hunk.new_count)
    header = f" {printable(context)}" if context else ""
    return f"@@ -{old} +{new} @@{header}"


FUNCNAME_WIDTH = 80  # git cuts the context at about this many bytes


def function_contexts(lines: Sequence[str]) -> list[int | None]:
    """For each line, the index of the nearest line at or above it that git's default funcname
    rule picks (one starting with a letter, `_` or `$`), or None: computed once per file."""
    nearest: list[int | None] = []
    last: int | None = None
    for k, line in enumerate(lines):
        if line[:1].isalpha() or line[:1] in ("_", "$"):
            last = k
        nearest.append(last)
    return nearest


def hunk_context(lines: Sequence[str], nearest: Sequence[int | None], hunk: Hunk) -> str:
    """The function context git shows after a hunk's @@: the funcname line above its first line."""
    start = hunk.old_index or 0
    found = nearest[start - 1] if 0 < start <= len(nearest) else None
    return lines[found].rstrip()[:FUNCNAME_WIDTH] if found is not None else ""


NOTE_WIDTH = 60  # columns of a hunk's note in its title; a longer note is cut


def note_title(note: str, width: int = NOTE_WIDTH) -> str:
    """The user's note as a hunk's title shows it: printable, at most `width` columns, a
    longer note cut with "…"."""
    shown = printable(note)
    if cell_len(shown) <= width:
        return shown
    cut = ""
    for char in shown:
        if cell_len(cut + char) > width - 1:
            break
        cut += char
    return cut + "…"


@dataclass(frozen=True)
class StatusPart:
    """One part of the status line: the higher its rank, the longer it stays on a narrow screen;
    `short` is what it becomes before it goes."""

    text: str
    rank: int
    short: str | None = None
    style: str = ""  # a theme style for the part ("$success"), "" for the line's own


def fit_status(parts: Sequence[StatusPart], width: int, separator: str = "  ·  ") -> str:
    """The status line in `width` columns: parts are shortened, lowest rank first, then dropped,
    lowest rank first; what still does not fit is cut with an ellipsis."""
    shown = {k: part.text for k, part in enumerate(parts)}

    def line() -> str:
        return separator.join(shown[k] for k in sorted(shown))

    by_rank = sorted(range(len(parts)), key=lambda k: parts[k].rank)
    for k in by_rank:
        if len(line()) <= width:
            break
        shown[k] = parts[k].short or shown[k]
    for k in by_rank[:-1]:  # the highest rank always stays
        if len(line()) <= width:
            break
        del shown[k]
    text = line()
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def styled_spans(parts: Sequence[StatusPart], line: str) -> list[tuple[int, int, str]]:
    """Where the styled parts stand in a fitted status line (as fit_status left them, whole or
    short): (start, end, style) for each one still there."""
    spans = []
    for part in parts:
        if not part.style:
            continue
        for text in filter(None, (part.text, part.short)):
            at = line.find(text)
            if at != -1:
                spans.append((at, at + len(text), part.style))
                break
    return spans
