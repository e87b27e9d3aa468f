"""The hunk view: every hunk of the review in git style, drawn line by line.

Only the visible rows are rendered (Textual's line API): thousands of hunks never become
thousands of widgets. Each file side is highlighted once; rendered rows are kept in an LRU cache
that is dropped when the theme, the layout or the hunks change.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from textwrap import wrap
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from fixer.patch import Hunk, PatchRejected, apply_hunks
from fixer.patch.parse import split_lines
from fixer.printable import printable, printable_lines
from fixer.review import Decision, Review
from fixer.tui.layout import (
    TAB_SIZE,
    DiffLine,
    Pair,
    diff_lines,
    function_contexts,
    hunk_context,
    hunk_title,
    note_title,
    row_count,
    side_by_side,
    wrap_cuts,
    wrapped_rows,
)
from fixer.tui.syntax import NO_SYNTAX, Run, highlight_lines

SPLIT_WIDTH = 160  # side by side on its own from this many columns, unless the user chose
MARKS = {Decision.PENDING: "?", Decision.ACCEPTED: "✓", Decision.REJECTED: "✗"}
MARKERS = {"context": " ", "removed": "-", "added": "+"}


@dataclass(frozen=True)
class _Lines:
    """One hunk ready to draw: its lines and the syntax runs of each."""

    lines: list[DiffLine]
    runs: list[list[Run]]  # parallel to `lines`
    pairs: list[Pair]  # the side-by-side rows


def refused_rows(refusals: Sequence[PatchRejected], width: int) -> list[tuple[str, str]]:
    """Rows (style, text) showing each refused hunk and why, wrapped to `width` columns."""
    rows: list[tuple[str, str]] = []
    for refusal in refusals:
        what = refusal.ignored or (
            "already in the file" if refusal.already_applied else "did not apply"
        )
        first, *rest = printable_lines(str(refusal)).split("\n")
        for k, part in enumerate(wrap(f"[{what}] {first}", width, subsequent_indent="  ")):
            rows.append(("flag" if k == 0 else "context", part))
        rows.extend(("context", "  " + line) for line in rest)
        rows.append(("", ""))
    return rows


def first_change_column(lines: Sequence[DiffLine]) -> int:
    """The screen column where the first changed word of a hunk starts (0 for a whole line)."""
    for line in lines:
        if line.kind == "context":
            continue
        start = line.words[0][0] if line.words else 0
        return _cells(line.text[:start])
    return 0


@lru_cache(maxsize=16384)
def _hunk_width(hunk: Hunk) -> int:
    """Columns the hunk's widest line (with its tag) takes on screen: measured once per hunk."""
    return max(map(_cells, hunk.lines), default=0)


def _cells(line: str) -> int:
    """Columns a hunk line takes on screen; fast for ASCII."""
    text = line.expandtabs(TAB_SIZE)
    return len(text) if text.isascii() else cell_len(text)


def _tabs(segments: list[Segment]) -> list[Segment]:
    """Tabs become spaces up to the next tab stop, counted across segments."""
    column = 0
    out = []
    for text, style, _ in segments:
        if "\t" in text:
            pieces = []
            for char in text:
                if char == "\t":
                    pieces.append(" " * (TAB_SIZE - (column % TAB_SIZE)))
                    column += len(pieces[-1])
                else:
                    pieces.append(char)
                    column += cell_len(char)
            text = "".join(pieces)
        else:
            column += cell_len(text)
        out.append(Segment(text, style))
    return out


def found_spans(text: str, needle: str) -> list[tuple[int, int]]:
    """Where `needle` occurs in `text`, ignoring case (the search's matches)."""
    if not needle:
        return []
    spans, lowered, start = [], text.lower(), 0
    while (at := lowered.find(needle, start)) != -1:
        spans.append((at, at + len(needle)))
        start = at + len(needle)
    return spans


def styled_segments(
    runs: Sequence[Run],
    words: Sequence[tuple[int, int]],
    base: Style,
    word: Style,
    found: Sequence[tuple[int, int]] = (),
    found_style: Style | None = None,
) -> list[Segment]:
    """A line's syntax runs over its line style, with the changed words in the word style and
    the search's matches in the found style."""
    cuts = sorted({c for span in (*words, *found) for c in span})
    segments = []
    position = 0
    for run_style, text in runs:
        end = position + len(text)
        inner = [c for c in cuts if position < c < end]
        for lo, hi in zip([position, *inner], [*inner, end], strict=True):
            marked = any(a <= lo < b for a, b in words)
            style = base + run_style + (word if marked else Style())
            if found_style is not None and any(a <= lo < b for a, b in found):
                style += found_style
            segments.append(Segment(text[lo - position : hi - position], style))
        position = end
    return _tabs(segments)


class HunkView(ScrollView, can_focus=True):
    """Every hunk of a review; one of them is the current hunk, marked by a bar."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "hunk--title",
        "hunk--title-current",
        "hunk--cursor",
        "hunk--number",
        "hunk--context",
        "hunk--added",
        "hunk--removed",
        "hunk--added-word",
        "hunk--removed-word",
        "hunk--flag",
        "hunk--accepted",
        "hunk--rejected",
        "hunk--pending",
        "hunk--found",
        "hunk--note",
        "hunk--correction",
    }
    DEFAULT_CSS = """
    HunkView { background: $surface; }
    HunkView > .hunk--title { color: $diff-hunk-header; }
    HunkView > .hunk--title-current { background: $boost; text-style: bold; }
    HunkView > .hunk--cursor { color: $diff-cursor; }
    HunkView > .hunk--number { color: $diff-line-number; }
    HunkView > .hunk--context { color: $diff-context-foreground; }
    HunkView > .hunk--added { color: $diff-added-foreground; background: $diff-added-background; }
    HunkView > .hunk--removed {
        color: $diff-removed-foreground; background: $diff-removed-background;
    }
    HunkView > .hunk--added-word { background: $diff-added-word-background; text-style: bold; }
    HunkView > .hunk--removed-word {
        background: $diff-removed-word-background; text-style: bold;
    }
    HunkView > .hunk--flag { color: $diff-flag; text-style: bold; }
    HunkView > .hunk--accepted { color: $success; text-style: bold; }
    HunkView > .hunk--rejected { color: $error; text-style: bold; }
    HunkView > .hunk--pending { color: $warning; text-style: bold; }
    HunkView > .hunk--found { background: $warning 60%; color: $text; text-style: bold underline; }
    HunkView > .hunk--note { color: $accent; text-style: italic; }
    HunkView > .hunk--correction { color: $text-muted; }
    """

    class CursorMoved(Message):
        """The current hunk changed (keys, a click or new hunks)."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, syntax: str = NO_SYNTAX, **kwargs) -> None:
        super().__init__(**kwargs)
        self.review = Review((), ())  # nothing to show until show()
        self.cursor = 0
        self.syntax = syntax
        self.split_choice: bool | None = None  # None: side by side on wide screens
        self.wrap_choice: bool | None = None  # None: long lines wrap in prose reviews
        self.search_text = ""  # lower case; its matches are highlighted
        # What the rows were laid out for: rendering never reads the width.
        self._split = False
        self._wrap_room = 0  # columns per row of a side's text when long lines wrap, or 0
        self._wrapped: list[list[tuple[int, int]]] = []  # each hunk's rows when wrapping
        self._starts: list[int] = [0]
        self._refused: list[tuple[str, str]] = []
        self._number_width = 1
        self._content_width = 0
        # The text of each file side for the hunks shown, and the highlighting of each text:
        # a split or an undo changes the hunks but rarely the texts, which keep their colours.
        self._side_texts: dict[tuple[str, str], str | None] = {}
        self._contexts: dict[str, tuple[list[str], list[int | None]]] = {}
        self._highlighted: LRUCache[tuple[str, str], list[list[Run]]] = LRUCache(64)
        self._lines: LRUCache[int, _Lines] = LRUCache(512)
        self._strips: LRUCache[tuple, Strip] = LRUCache(4096)

    # -- what is shown ---------------------------------------------------------------------

    @property
    def split(self) -> bool:
        """Side by side, as the rows are laid out now."""
        return self._split

    @property
    def wrap(self) -> bool:
        """Long lines wrap, as the rows are laid out now."""
        return self._wrap_room > 0

    def _wants_split(self) -> bool:
        """Side by side: the user's choice, or on its own on a wide screen."""
        if self.split_choice is not None:
            return self.split_choice
        return self.size.width >= SPLIT_WIDTH

    def _wants_wrap(self) -> bool:
        """Wrapping: the user's choice, or on its own for prose (a changed word at the end of a
        long paragraph line must be seen)."""
        if self.wrap_choice is not None:
            return self.wrap_choice
        return any(f.view.wraps for f in self.review.files)

    def _text_room(self, split: bool) -> int:
        """Columns left for a line's text, beside the gutter, numbers and marker."""
        width = self.scrollable_content_region.width or self.size.width
        if split:
            return (width - 2) // 2 - self._number_width - 3
        return width - self._prefix_width

    def show(self, review: Review, cursor: int = 0) -> None:
        """Show a review (again, after its hunks changed)."""
        self.review = review
        self._side_texts.clear()
        self._contexts.clear()
        self._layout()
        self.move_to(cursor, scroll=True)

    def set_syntax(self, syntax: str) -> None:
        self.syntax = syntax
        self._highlighted.clear()
        self._clear()

    def toggle_split(self) -> None:
        self.split_choice = not self.split
        self._layout()
        self.move_to(self.cursor, scroll=True)

    def toggle_wrap(self) -> None:
        self.wrap_choice = not self._wants_wrap()
        self._layout()
        self.move_to(self.cursor, scroll=True)

    def highlight(self, needle: str) -> None:
        """Mark every occurrence of `needle` (any case) in the hunks' lines."""
        self.search_text = needle.lower()
        self.refresh()

    def changed(self) -> None:
        """Decisions changed: redraw (titles and dimming read them at render time)."""
        self.refresh()

    def _clear(self) -> None:
        self._lines.clear()
        self._strips.clear()
        self.refresh()

    def _layout(self) -> None:
        """Row offsets of every hunk, and the scroll size; cheap, nothing is rendered here."""
        self._clear()
        self._split = self._wants_split()
        hunks = [item.hunk for item in self.review.hunks]
        biggest = 1
        for hunk in hunks:
            biggest = max(biggest, (hunk.old_start or 0) + hunk.old_count)
            biggest = max(biggest, (hunk.new_start or 0) + hunk.new_count)
        self._number_width = len(str(biggest))
        self._content_width = max(map(_hunk_width, hunks), default=0)
        room = max(1, self._text_room(self.split))
        # Before the first layout pass the width is unknown: wrap once it is.
        self._wrap_room = room if self._wants_wrap() and self.size.width else 0
        self._wrapped = [wrapped_rows(h, self.split, room) for h in hunks] if self.wrap else []
        starts = [0]
        for k, hunk in enumerate(hunks):
            rows = len(self._wrapped[k]) if self.wrap else row_count(hunk, self.split)
            starts.append(starts[-1] + rows + 2)  # + title and gap
        self._starts = starts
        self._refused = refused_rows(self.review.refusals, max(20, self.size.width - 2))
        if self.wrap:
            width = 0
        elif self.split:  # both sides scroll together, as far as the widest line needs
            view = self.scrollable_content_region.width or self.size.width
            width = view + max(0, self._content_width - room)
        else:
            width = self._prefix_width + self._content_width
        self.virtual_size = Size(width, starts[-1] + len(self._refused))

    @property
    def _prefix_width(self) -> int:
        return 2 * self._number_width + 5

    def on_resize(self) -> None:
        if not self.review.files:  # nothing shown yet
            return
        relayout = (
            self._wants_split() != self._split
            or self._wants_wrap() != self.wrap
            or (self.wrap and self._text_room(self.split) != self._wrap_room)
            or self.split  # the sides' scroll width follows the screen's
            or self.review.refusals
        )
        if relayout:
            self._layout()
            self.move_to(self.cursor, scroll=True)
        else:
            self._strips.clear()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    # -- the current hunk ------------------------------------------------------------------

    def move_to(self, index: int, scroll: bool = True) -> None:
        """Make hunk `index` current and bring it into view."""
        count = len(self.review.hunks)
        self.cursor = max(0, min(index, count - 1)) if count else 0
        if scroll and count:
            self.scroll_to_hunk(self.cursor)
            # After the layout: on the first show the view has no width yet.
            self.call_after_refresh(self.scroll_to_change, self.cursor)
        self.refresh()
        self.post_message(self.CursorMoved(self.cursor))

    def scroll_to_change(self, index: int) -> None:
        """Scroll sideways so the hunk's first changed word is visible: a change past the right
        edge of a long line must never be invisible."""
        if self.wrap or index >= len(self.review.hunks):
            return
        column = first_change_column(self._hunk_lines(index).lines)
        room = self._text_room(self.split) - 1
        x = self.scroll_offset.x
        if room > 0 and not x <= column < x + room - 2:
            self.scroll_to(x=max(0, column - room // 3), animate=False, immediate=True)

    def scroll_to_hunk(self, index: int) -> None:
        top, bottom = self._starts[index], self._starts[index + 1] - 1
        view = self.scrollable_content_region.height or self.size.height
        y = self.scroll_offset.y
        if top < y or bottom > y + view:
            self.scroll_to(y=max(0, top - 1), animate=False, immediate=True)

    def hunk_at(self, row: int) -> int | None:
        if not self.review.hunks or row >= self._starts[-1]:
            return None
        return bisect_right(self._starts, row) - 1

    def on_click(self, event: Click) -> None:
        index = self.hunk_at(event.y + self.scroll_offset.y)
        if index is not None:
            self.move_to(index, scroll=False)

    # -- drawing ---------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        row = scroll_y + y
        index = self.hunk_at(row)
        if index is None:
            return self._refusal_row(row - self._starts[-1], width)
        offset = row - self._starts[index]
        last = self._starts[index + 1] - self._starts[index] - 1
        if offset == 0:
            return self._title(index, width)
        if offset == last:
            return Strip.blank(width, self.rich_style)
        rejected = self.review.decisions[index] is Decision.REJECTED
        key = (index, offset, self.split, width, scroll_x, rejected, self.search_text)
        strip = self._strips.get(key)
        if strip is None:
            row, part = self._wrapped[index][offset - 1] if self.wrap else (offset - 1, None)
            strip = self._row(index, row, part, width, scroll_x)
            if rejected:
                strip = strip.apply_style(Style(dim=True))
            self._strips[key] = strip
        return self._gutter(index) + strip

    def _refusal_row(self, k: int, width: int) -> Strip:
        """The refused hunks come last: what the model wanted, why fixer would not place it."""
        if not 0 <= k < len(self._refused):
            return Strip.blank(width, self.rich_style)
        kind, text = self._refused[k]
        style = self._style(kind) if kind else self.rich_style
        return Strip([Segment(" " + text, style)]).crop_extend(0, width, style)

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"hunk--{name}")

    def _gutter(self, index: int) -> Strip:
        mark = "▌" if index == self.cursor else " "
        return Strip([Segment(mark, self._style("cursor"))], 1)

    def _title(self, index: int, width: int) -> Strip:
        item = self.review.hunks[index]
        decision = self.review.decisions[index]
        current = index == self.cursor
        base = self._style("title") + (self._style("title-current") if current else Style())
        segments = [
            Segment(f" {MARKS[decision]} ", base + self._style(decision.value)),
            Segment(f"{printable(item.name)}  {self._where(index)}", base),
        ]
        if item.source:
            segments.append(Segment(f"  from {', '.join(item.source)}", base))
        if item.correction:
            said = printable(str(item.correction))
            segments.append(Segment(f"  {said}", base + self._style("correction")))
        if item.flag:
            segments.append(Segment(f"  [{item.flag}]", base + self._style("flag")))
        if note := self.review.hunk_notes[index]:
            segments.append(Segment(f"  ✎ {note_title(note)}", base + self._style("note")))
        strip = Strip(segments)
        room = width - 1
        if strip.cell_length > room > 1:  # cut at the right edge (a long note): say so
            strip = Strip.join([strip.crop(0, room - 1), Strip([Segment("…", base)], 1)])
        return self._gutter(index) + strip.crop_extend(0, room, base)

    def _where(self, index: int) -> str:
        """The @@ line; for a sentence of a post, the line of the file it is in."""
        item = self.review.hunks[index]
        if not self.review.file(item.name).view.joins_lines:
            return hunk_title(item.hunk, self._function_context(item.name, item.hunk))
        numbers = [n.old_number or n.new_number for n in self._hunk_lines(index).lines]
        return f"line {next((n for n in numbers if n), 1)}"

    def _function_context(self, name: str, hunk: Hunk) -> str:
        """The function context of a hunk, from the file as read."""
        found = self._contexts.get(name)
        if found is None:
            lines = [text for text, _ in split_lines(self.review.file(name).original)]
            found = self._contexts[name] = (lines, function_contexts(lines))
        return hunk_context(*found, hunk)

    def _row(self, index: int, row: int, part: int | None, width: int, scroll_x: int) -> Strip:
        """One row of a hunk, without the gutter: a line, or `part` of a wrapped line."""
        lines = self._hunk_lines(index)
        if not self.split:
            return self._side(lines, row, "both", width - 1, scroll_x, part)
        old, new = lines.pairs[row]
        half = (width - 2) // 2
        return Strip.join(
            [
                self._side(lines, old, "old", half, scroll_x, part),
                Strip([Segment("│", self._style("number"))], 1),
                self._side(lines, new, "new", width - 2 - half, scroll_x, part),
            ]
        )

    def _side(
        self, lines: _Lines, k: int | None, side: str, width: int, scroll_x: int, part: int | None
    ) -> Strip:
        """A diff line with its numbers and marker; `side` is "both" in the unified view. A
        wrapped line's later parts leave the numbers blank."""
        if k is None:
            return Strip.blank(width, self.rich_style)
        line = lines.lines[k]
        starts = [0, *wrap_cuts(line.text, self._wrap_room)] if part is not None else []
        if part is not None and part >= len(starts):  # the other side wraps to more rows
            return Strip.blank(width, self.rich_style)
        base = self._style(line.kind)
        word = (
            self.get_component_rich_style(f"hunk--{line.kind}-word", partial=True)
            if line.kind != "context"
            else Style()
        )
        numbers = {
            "old": (line.old_number,),
            "new": (line.new_number,),
            "both": (line.old_number, line.new_number),
        }[side]
        digits = self._number_width
        if part:
            numbers = (None,) * len(numbers)
        gutter = " ".join(" " * digits if n is None else f"{n:>{digits}}" for n in numbers)
        prefix = Strip(
            [Segment(gutter + " ", self._style("number")), Segment(MARKERS[line.kind] + " ", base)]
        )
        found = found_spans(line.text, self.search_text)
        content = Strip(
            styled_segments(lines.runs[k], line.words, base, word, found, self._style("found"))
        )
        room = max(0, width - prefix.cell_length)
        if part is not None:
            end = starts[part + 1] if part + 1 < len(starts) else content.cell_length
            return Strip.join(
                [prefix, content.crop_extend(starts[part], end, base)]
            ).extend_cell_length(width, base)
        shown = content.crop_extend(scroll_x, scroll_x + room, base)
        if room and content.cell_length > scroll_x + room:  # cut at the right edge: say so
            shown = Strip.join([shown.crop(0, room - 1), Strip([Segment("…", base)], 1)])
        return Strip.join([prefix, shown])

    def _hunk_lines(self, index: int) -> _Lines:
        found = self._lines.get(index)
        if found is not None:
            return found
        item = self.review.hunks[index]
        lines = diff_lines(item.hunk)
        old = self._side_runs(item.name, "old")
        new = self._side_runs(item.name, "new")
        file_runs: list[list[Run] | None] = []
        for line in lines:
            number, side = (
                (line.old_number, old) if line.kind == "removed" else (line.new_number, new)
            )
            found_runs = side[number - 1] if side and number and number <= len(side) else None
            if found_runs is not None and "".join(t for _, t in found_runs) != line.text:
                found_runs = None
            file_runs.append(found_runs)
        # Where the file-wide text did not hold these lines (an edited hunk): the hunk lexed alone.
        own = self._own_runs(item.name, lines) if None in file_runs else []
        runs = [r if r is not None else own[k] for k, r in enumerate(file_runs)]
        lines = self._file_numbers(item.name, lines)
        found = _Lines(lines, runs, side_by_side([line.kind for line in lines]))
        self._lines[index] = found
        return found

    def _file_numbers(self, name: str, lines: list[DiffLine]) -> list[DiffLine]:
        """The lines numbered by the file's lines, as the user knows them (a sentence view's
        lines are pieces of them)."""
        view = self.review.file(name).view
        old = view.file_numbers(self.review.file(name).original)
        if old is None:
            return lines
        new_view = self._side_text(name, "new")
        new = (view.file_numbers(new_view) if new_view is not None else None) or old

        def real(numbers: list[int], n: int | None) -> int | None:
            return numbers[n - 1] if n is not None and 0 < n <= len(numbers) else n

        return [
            replace(ln, old_number=real(old, ln.old_number), new_number=real(new, ln.new_number))
            for ln in lines
        ]

    def _own_runs(self, name: str, lines: Sequence[DiffLine]) -> list[list[Run]]:
        """Each side of the hunk lexed on its own."""

        def lexed(skip: str):
            texts = [n.text for n in lines if n.kind != skip]
            return iter(highlight_lines(texts, name, self.syntax))

        old, new = lexed("added"), lexed("removed")
        result = []
        for line in lines:
            if line.kind != "added":
                runs = next(old)
            if line.kind != "removed":
                runs = next(new)
            result.append(runs)
        return result

    def _side_runs(self, name: str, side: str) -> list[list[Run]] | None:
        """The whole file highlighted, as read (old) or with every proposed hunk (new)."""
        if (name, side) not in self._side_texts:
            self._side_texts[(name, side)] = self._side_text(name, side)
        text = self._side_texts[(name, side)]
        if text is None:
            return None
        runs = self._highlighted.get((name, text))
        if runs is None:
            lines = [printable(t) for t, _ in split_lines(text)]
            runs = highlight_lines(lines, name, self.syntax)
            self._highlighted[(name, text)] = runs
        return runs

    def _side_text(self, name: str, side: str) -> str | None:
        text = self.review.file(name).original
        if side == "old":
            return text
        try:
            return apply_hunks(text, [h.hunk for h in self.review.hunks if h.name == name])
        except PatchRejected:  # hunks that cannot all apply together: each is lexed alone
            return None
