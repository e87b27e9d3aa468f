"""Where each hunk of a model's diff really belongs in the file, or a refusal saying why not.

The @@ numbers a model writes are hints at best: a hunk is placed by finding its old lines
(context and removed) in the file. It is placed only where that is certain; otherwise it is
refused with a message precise enough to send back to the model.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from fractions import Fraction
from functools import cached_property
from itertools import pairwise

from fixer.patch.errors import PatchRejected, quote
from fixer.patch.parse import BOM, FilePatch, Hunk, split_lines


@dataclass(frozen=True)
class Placement:
    """Where one hunk goes: file lines [start:end] become new_lines."""

    hunk: int  # 1-based number of the hunk in its FilePatch
    start: int  # 0-based index of the first file line replaced
    end: int  # exclusive
    new_lines: tuple[str, ...]  # texts without line endings
    # The hunk reached the end of the file and said explicitly ("\ No newline at end of file" on
    # one side only) that the new text ends without (True) or with (False) a final newline.
    # None keeps the file's own final newline.
    missing_newline: bool | None = None
    note: str = ""  # how a loosely matched hunk was placed, for the user to check


# Only the comment's opening is a regex: the rest is stripped in Python, so a line of 40,000
# spaces or stars cannot make the match backtrack quadratically.
_COMMENT_OPENING = re.compile(r"(?:#+|//+|/\*+|<!--|--|;+|%+|\*+)")
_ELLIPSIS = re.compile(r"\.\.\.|…")
_ELIDING_PHRASE = re.compile(
    r"existing code|rest of|unchanged|remains? the same|same as (?:before|above)|omitted"
    r"|for brevity",
    re.IGNORECASE,
)
_ELISION_STARTS = frozenset("#/<-;%*.…[")  # the first characters _elides can accept
_CONTEXT_SIZE = 3
# The search for the lines nearest to a refused hunk, bounded whatever the input: words found
# in more than RARE lines say nothing, SIMILAR lines are compared closely, each up to LONGEST
# characters.
_WORD = re.compile(r"\w{3,}")
RARE = 50
SIMILAR = 20
LONGEST = 500


def _elides(text: str, added: bool) -> bool:
    """Whether a hunk line stands for code the model left out instead of copying it."""
    stripped = text.strip()
    if stripped in ("...", "…", "[...]"):
        return not added  # a bare "..." is legal Python in new code
    words = _comment_words(stripped)
    if not words:
        return False
    has_ellipsis = _ELLIPSIS.search(words) is not None
    has_phrase = _ELIDING_PHRASE.search(words) is not None
    if added:  # new code may hold ordinary comments: demand an ellipsis and an eliding phrase
        return has_ellipsis and has_phrase
    return not words.strip(".… ") or has_ellipsis or has_phrase


def _comment_words(line: str) -> str:
    """The words of a comment line (its opening and closing marks and spaces removed), or ""."""
    opening = _COMMENT_OPENING.match(line)
    if opening is None:
        return ""
    words = line[opening.end() :].strip()
    if words.endswith("-->"):
        words = words[:-3]
    elif words.endswith("*/"):
        words = words[:-1].rstrip("*")
    return words.strip()


Shift = tuple[str, str]  # a hunk line's indentation loses the first, gains the second
_TAB_UNITS = range(2, 9)  # spaces per tab tried when the hunk and the file indent differently


@dataclass(frozen=True)
class _Fit:
    """A place where a hunk's old lines are, with its + lines in the file's indentation there
    (none for an exact fit: the hunk's own lines are the file's)."""

    start: int
    added: tuple[str, ...]
    exact: bool = False  # the old lines are there byte for byte
    note: str = ""  # set when the fit is loose: which line of the hunk is not the file's


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _retab(line: str, unit: int, tabs: bool) -> str:
    """`line` indented with tabs (or spaces) only, a tab being worth `unit` spaces."""
    indent = _indent(line)
    columns = sum(unit if char == "\t" else 1 for char in indent)
    new = "\t" * (columns // unit) + " " * (columns % unit) if tabs else " " * columns
    return new + line[len(indent) :]


def _shift(old: Sequence[str], real: Sequence[str]) -> Shift | None:
    """The one indentation change turning every non-blank hunk line into its file line."""
    shifts = set()
    for mine, theirs in zip(old, real, strict=True):
        if mine.strip():
            a, b = _indent(mine), _indent(theirs)
            same = 0  # the common tail of both indentations is kept
            while same < min(len(a), len(b)) and a[-1 - same] == b[-1 - same]:
                same += 1
            shifts.add((a[: len(a) - same], b[: len(b) - same]))
    if len(shifts) > 1:
        return None
    return shifts.pop() if shifts else ("", "")


def _shifted(lines: Sequence[str], shift: Shift) -> tuple[str, ...] | None:
    """`lines` re-indented by `shift`; None when a line lacks the indentation to drop."""
    drop, add = shift
    out = []
    for line in lines:
        if line.startswith(drop) and line:
            out.append(add + line[len(drop) :])
        elif line.strip():
            return None
        else:
            out.append(line)  # a blank line says nothing about indentation: keep it
    return tuple(out)


def _reindent(
    old: Sequence[str], real: Sequence[str], added: Sequence[str]
) -> tuple[str, ...] | None:
    """The + lines in the file's indentation, when one indentation change maps the old lines
    onto `real`; None when none does, or when several do and disagree on the + lines.
    """
    shift = _shift(old, real)
    if shift is not None and "" in shift:  # the same or a whole-block shift (the usual cases)
        return _shifted(added, shift)
    used = {char for line in real if line.strip() for char in _indent(line)}
    mine = {char for line in (*old, *added) for char in _indent(line)}
    if len(used) != 1:
        return None
    if mine <= used:  # the same kind of indentation, another size: levels rescaled
        return _rescaled(old, real, added)
    tabs = used == {"\t"}  # the hunk indents with spaces where the file uses tabs, or the reverse
    results = set()
    for unit in _TAB_UNITS:
        shift = _shift([_retab(line, unit, tabs) for line in old], real)
        new = None if shift is None else _shifted([_retab(a, unit, tabs) for a in added], shift)
        if new is not None:
            results.add(new)
    return results.pop() if len(results) == 1 else None


_SCALES = frozenset(Fraction(a, b) for a in (1, 2, 3, 4, 8) for b in (1, 2, 3, 4, 8) if a != b)


def _rescaled(
    old: Sequence[str], real: Sequence[str], added: Sequence[str]
) -> tuple[str, ...] | None:
    """The + lines in the file's indentation when the hunk's indent levels are the file's
    scaled (4 spaces written as 2, or 2 as 4): one map `file = k * hunk + c`, k a ratio of
    indent sizes (1, 2, 3, 4 or 8) other than 1, must turn every old line's indentation into its
    file line's. Two levels always fit some line, so the map must be proven by one more: with
    c = 0 two distinct levels prove it, else three. The + lines follow the same map (also at
    levels the old lines never show); a level it does not map to a whole number refuses.
    """
    pairs = {
        (len(_indent(mine)), len(_indent(theirs)))
        for mine, theirs in zip(old, real, strict=True)
        if mine.strip()
    }
    levels = sorted(pairs)
    if len({h for h, _ in levels}) != len(levels) or len(levels) < 2:
        return None  # one hunk level at two file levels, or nothing to measure a scale by
    (h1, f1), (h2, f2) = levels[0], levels[-1]
    scale = Fraction(f2 - f1, h2 - h1)
    offset = f1 - scale * h1
    proven = len(levels) >= (2 if offset == 0 else 3)
    if not proven or scale not in _SCALES or any(scale * h + offset != f for h, f in levels):
        return None
    char = _indent(next(line for line in real if _indent(line)))[0]
    out = []
    for line in added:
        if not line.strip():
            out.append(line)
            continue
        level = scale * len(_indent(line)) + offset
        if level.denominator != 1 or level < 0:
            return None
        out.append(char * int(level) + line.lstrip())
    return tuple(out)


class _File:
    """The file's line texts, indexed by their text without surrounding whitespace.

    The index is built on first use: a diff whose hunks all sit at their @@ numbers needs none.
    """

    def __init__(self, text: str, hunks: Sequence[Hunk] = ()) -> None:
        body = text.removeprefix(BOM)
        if "\r" in body:
            self.texts = [line for line, _ in split_lines(body)]
        else:  # the usual LF file: split_lines' texts, without building its tuples
            self.texts = body.split("\n")
            if not self.texts[-1]:
                self.texts.pop()
        self.hunks = hunks  # the hunks to place: a refusal's search looks for their words

    @cached_property
    def stripped(self) -> list[str]:
        return list(map(str.strip, self.texts))

    @cached_property
    def positions(self) -> dict[str, list[int]]:
        positions: dict[str, list[int]] = {}
        for number, line in enumerate(self.stripped):
            if line in positions:
                positions[line].append(number)
            else:
                positions[line] = [number]
        return positions

    def find(self, old: Sequence[str], added: Sequence[str] = ()) -> list[_Fit]:
        """Every place `old` is, whitespace aside, where one indentation change explains it.

        All such places count, exact or not: a re-indented hunk can match another block exactly,
        so an exact match elsewhere does not prove which one the model meant.
        """
        exact = list(old)
        anchor = self._anchor(exact)
        wanted: list[str] | None = None  # the stripped lines, needed only for inexact copies
        fits = []
        for position in self.positions.get(exact[anchor].strip(), ()):
            start = position - anchor
            if start < 0:
                continue
            real = self.texts[start : start + len(exact)]
            if real == exact:  # the usual case, an exact copy, needs no indentation change
                fits.append(_Fit(start, (), exact=True))
                continue
            wanted = wanted or [line.strip() for line in exact]
            if self.stripped[start : start + len(wanted)] == wanted:
                new = _reindent(old, real, added)
                if new is not None:
                    fits.append(_Fit(start, new))
        return fits

    def _anchor(self, old: list[str]) -> int:
        """The index of a line of `old` that is rare in the file, whose places are few to try.

        The longest line usually occurs once; else the rarest line (the first of equally rare).
        """
        longest = old.index(max(old, key=len))
        if len(self.positions.get(old[longest].strip(), ())) <= 1:
            return longest
        counts = [len(self.positions.get(line.strip(), ())) for line in old]
        return counts.index(min(counts))

    def contains(self, line: str) -> bool:
        return line.strip() in self.positions

    @cached_property
    def words(self) -> dict[str, list[int]]:
        """The file lines holding each word of the hunks' old lines; only those words are
        indexed, so a long file of distinct names does not become a huge index."""
        wanted = {
            word for hunk in self.hunks for line in hunk.old_lines for word in _WORD.findall(line)
        }
        words: dict[str, list[int]] = {word: [] for word in wanted}
        for number, text in enumerate(self.stripped):
            for word in wanted.intersection(_WORD.findall(text)):
                words[word].append(number)
        return words

    def similar(self, line: str) -> list[int]:
        """The file lines sharing the most rare words with `line`, an old line of one of the
        hunks: the few worth comparing to it closely. Words in more than RARE lines are
        skipped, so hostile input stays linear; a line of common words only has no
        candidates."""
        shared: Counter[int] = Counter()
        for word in set(_WORD.findall(line)):
            found = self.words.get(word, ())
            if len(found) <= RARE:
                shared.update(found)
        return [number for number, _ in shared.most_common(SIMILAR)]


def _lines_text(positions: Sequence[int], size: int) -> str:
    """Line numbers like "2-3, 6-7 and 10-11" for blocks of `size` lines at 0-based starts."""
    if size > 1:
        names = [f"{p + 1}-{p + size}" for p in positions]
    else:
        names = [str(p + 1) for p in positions]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _closest(file: _File, old: Sequence[str], hint: int | None) -> int:
    """The start of the window of the file that looks most like `old`."""
    votes: Counter[int] = Counter()
    for k, line in enumerate(old):
        if line.strip():
            for position in file.positions.get(line.strip(), ()):
                votes[position - k] += 1
    if not votes:  # no line matches exactly: the most similar line anchors the window
        for k, line in enumerate(old[:SIMILAR]):
            matcher = SequenceMatcher(None, b=line.strip()[:LONGEST], autojunk=False)
            for position in file.similar(line):
                matcher.set_seq1(file.stripped[position][:LONGEST])
                if matcher.real_quick_ratio() > 0.5 and matcher.quick_ratio() > 0.5:
                    votes[position - k] = max(votes[position - k], int(matcher.ratio() * 100))
    if not votes:
        return max(0, min(hint or 0, len(file.texts) - 1))
    best = max(votes.values())
    ties = [start for start, count in votes.items() if count == best]
    return min(ties, key=lambda start: (abs(start - (hint or 0)), start))


def _mismatch(file: _File, hunk: Hunk, number: int, path: str | None) -> PatchRejected:
    """The refusal for a hunk whose old lines are not in the file, with the closest real lines."""
    old = hunk.old_lines
    start = max(0, _closest(file, old, hunk.old_index))
    missing = next((line for line in old if not file.contains(line)), None)
    if missing is not None:
        detail = f"the line {quote(missing)} is not in the file"
    else:
        real = file.stripped[start : start + len(old)]
        k = next((k for k, line in enumerate(old) if k >= len(real) or real[k] != line.strip()), -1)
        detail = (
            f"its lines are in the file but not together in this order (from {quote(old[k])})"
            if k >= 0
            else "its lines are in the file, but their indentation differs from the file's "
            "by different amounts from line to line"
        )
    lo, hi = max(0, start - 2), min(len(file.texts), start + len(old) + 2)
    where = f"; the closest part of the file is lines {lo + 1}-{hi}, shown below" if hi > lo else ""
    return PatchRejected(
        f"its context and removed lines do not match the file: {detail}{where}. "
        "Copy context and removed lines exactly from the file.",
        path=path,
        hunk=number,
        nearby=tuple(file.texts[lo:hi]),
    )


def _trimmed(hunk: Hunk) -> Hunk | None:
    """The hunk without the blank context lines at its edges, which models add at will."""
    lines = hunk.lines
    lo, hi = 0, len(lines)
    while lo < hi and lines[lo][0] == " " and not lines[lo][1:].strip():
        lo += 1
    while hi > lo and lines[hi - 1][0] == " " and not lines[hi - 1][1:].strip():
        hi -= 1
    if (lo, hi) == (0, len(lines)) or all(line[0] == "+" for line in lines[lo:hi]):
        return None
    return replace(
        hunk,
        lines=lines[lo:hi],
        old_start=None if hunk.old_start is None else hunk.old_start + lo,
        new_start=None if hunk.new_start is None else hunk.new_start + lo,
        old_missing_newline=hunk.old_missing_newline and hi == len(lines),
        new_missing_newline=hunk.new_missing_newline and hi == len(lines),
    )


def _variants(hunk: Hunk) -> Iterator[Hunk]:
    """The hunk, then (tried only when it is not in the file) the hunk without blank edges."""
    yield hunk
    trimmed = _trimmed(hunk)
    if trimmed is not None:
        yield trimmed


def _added(hunk: Hunk) -> tuple[str, ...]:
    return tuple([line[1:] for line in hunk.lines if line[0] == "+"])


def _left_out(file: _File, tagged: Iterable[tuple[bool, str]]) -> str | None:
    """The first of the hunk lines, (added, text) pairs, that stands for code left out."""
    # Cheap tests first: such a line starts like a comment or "...", and is not in the file.
    maybe = [pair for pair in tagged if pair[1].lstrip()[:1] in _ELISION_STARTS]
    return next(
        (text for added, text in maybe if _elides(text, added) and not file.contains(text)), None
    )


def _added_left_out(file: _File, hunk: Hunk) -> str | None:
    """The first added line that stands for code left out: one with an ellipsis, so a hunk
    without any (most) is cleared by one substring test."""
    joined = "\n".join(hunk.lines)
    if "..." not in joined and "…" not in joined:
        return None
    return _left_out(file, ((True, text) for text in _added(hunk)))


def _candidates(file: _File, hunk: Hunk, number: int, patch: FilePatch) -> tuple[Hunk, list[_Fit]]:
    """Every place the hunk's old lines occur (the hunk may lose blank edge lines), or a refusal."""

    def refuse(reason: str, already_applied: bool = False) -> PatchRejected:
        return PatchRejected(reason, path=patch.path, hunk=number, already_applied=already_applied)

    def refuse_elision(elided: str | None) -> None:
        if elided is not None:
            raise refuse(
                f"the line {quote(elided)} stands for code left out; a hunk must copy every "
                "context and removed line exactly from the file and spell out every added line"
            )

    if hunk.old_count == len(hunk.lines) == hunk.new_count:
        raise PatchRejected(
            "it changes nothing: it has no + or - lines",
            path=patch.path,
            hunk=number,
            ignored="dropped: context lines only",
        )
    old = hunk.old_lines
    if old:
        for variant in _variants(hunk):
            added = _added(variant)
            found = file.find(variant.old_lines, added)
            if found:
                # Its old lines are lines of the file (blank ones aside), so none of them
                # elides: the first line left out, if any, is an added one.
                refuse_elision(_added_left_out(file, variant))
                return variant, found
    refuse_elision(_left_out(file, ((line[0] == "+", line[1:]) for line in hunk.lines)))
    if not old and (not file.texts or (hunk.old_start == 0 and not patch.is_new)):
        # Into an empty file, or "@@ -0,0 ...": git's way of saying "at the top".
        return hunk, [_Fit(0, _added(hunk))]
    new = hunk.new_lines
    if any(line.strip() for line in new):
        done = [fit.start for fit in file.find(new)]
        if done:
            raise refuse(
                "it is already applied: the file already holds its new lines at lines "
                f"{_lines_text(done, len(new))}",
                already_applied=True,
            )
    if not old:
        if patch.is_new:
            raise refuse(f"it creates the file, but the file exists with {len(file.texts)} lines")
        raise refuse(
            "it only adds lines and has no context lines to say where; "
            f"include {_CONTEXT_SIZE} unchanged lines before and after the addition"
        )
    loose = _loose_edges(file, hunk) or _one_context_line_off(file, hunk)
    if loose is not None:
        return loose[0], [loose[1]]
    raise _mismatch(file, hunk, number, patch.path)


# Loose matches. A hunk whose lines are not all in the file is still placed when what is left
# pins it with certainty: every - and + line kept, at least two old lines, exactly one place in
# the file, and nowhere else; the user is told which line was not the file's.


def _loose_edges(file: _File, hunk: Hunk) -> tuple[Hunk, _Fit] | None:
    """The hunk without a first or last context line that is not the file's (misremembered or
    invented), when the rest is at exactly one place, and every way of dropping edges agrees."""
    lines = hunk.lines
    first, last = lines[0][0] == " ", lines[-1][0] == " "
    found: dict[int, tuple[Hunk, _Fit]] = {}  # where the kept lines start in the hunk's old side
    for lo, hi in ((1, 0), (0, 1), (1, 1)):
        if (lo and not first) or (hi and not last) or len(lines) - lo - hi < 2:
            continue
        variant = replace(
            hunk,
            lines=lines[lo : len(lines) - hi],
            old_start=None if hunk.old_start is None else hunk.old_start + lo,
            new_start=None if hunk.new_start is None else hunk.new_start + lo,
        )
        if len(variant.old_lines) < 2:
            continue
        fits = file.find(variant.old_lines, _added(variant))
        if len(fits) > 1:
            return None  # the kept lines are at several places: nothing is certain
        if fits:
            found.setdefault(fits[0].start - lo, (variant, fits[0]))
    if len(found) != 1:
        return None
    ((variant, fit),) = found.values()
    dropped = [
        text
        for text, kept in (
            (lines[0], variant.lines[0] == lines[0]),
            (lines[-1], variant.lines[-1] == lines[-1]),
        )
        if not kept
    ]
    note = "placed without its edge context " + " and ".join(quote(t[1:]) for t in dropped)
    return variant, replace(fit, note=note + ", which is not the file's")


def _one_word_apart(a: str, b: str) -> bool:
    """Whether two lines differ by one word: one changed, added or removed."""
    x, y = a.split(), b.split()
    if len(x) == len(y):
        return sum(p != q for p, q in zip(x, y, strict=True)) == 1
    if abs(len(x) - len(y)) != 1:
        return False
    short, long = (x, y) if len(x) < len(y) else (y, x)
    k = next((i for i, (p, q) in enumerate(zip(short, long, strict=False)) if p != q), len(short))
    return short[k:] == long[k + 1 :]


def _one_context_line_off(file: _File, hunk: Hunk) -> tuple[Hunk, _Fit] | None:
    """The hunk at the one place where all its old lines are the file's but one inner context
    line, which differs from the file's by a word (the file's line is kept)."""
    old = hunk.old_lines
    tags = [line[0] for line in hunk.lines if line[0] != "+"]
    hits: list[tuple[int, int]] = []  # (index in old, start in the file)
    for k in range(1, len(old) - 1):
        if tags[k] != " ":
            continue
        others = [i for i in range(len(old)) if i != k]
        anchor = others[file._anchor([old[i] for i in others])]
        for position in file.positions.get(old[anchor].strip(), ()):
            start = position - anchor
            if start < 0 or start + len(old) > len(file.texts):
                continue
            if all(file.texts[start + i] == old[i] for i in others) and _one_word_apart(
                old[k], file.texts[start + k]
            ):
                hits.append((k, start))
                if len(hits) > 1:
                    return None
    if len(hits) != 1:
        return None
    ((k, start),) = hits
    real = quote(file.texts[start + k])
    note = f"placed though its context line {quote(old[k])} is {real} in the file"
    return hunk, _Fit(start, _added(hunk), note=note)


def _comes_first(other: Hunk, hunk: Hunk) -> bool | None:
    """Whether `other` comes before `hunk` by @@ number; None when the numbers do not say."""
    if other.old_start is None or hunk.old_start is None or other.old_start == hunk.old_start:
        return None
    return other.old_start < hunk.old_start


def _nearest(starts: Sequence[int], hint: int | None) -> int | None:
    """The start the hint singles out: less than half as far as any other, else None."""
    if hint is None or not starts:
        return None
    ranked = sorted(starts, key=lambda start: abs(start - hint))
    if len(ranked) > 1 and 2 * abs(ranked[0] - hint) >= abs(ranked[1] - hint):
        return None  # a far-off number that is slightly nearer to one copy proves nothing
    return ranked[0]


def _in_diff_order(hunks: Sequence[Hunk]) -> bool:
    """Whether the @@ numbers rise with the hunks' order in the diff, as git writes them.

    Numbers that do not are off by different amounts per hunk: their order proves nothing.
    """
    starts = [h.old_start for h in hunks if h.old_start is not None]
    return all(a <= b for a, b in pairwise(starts))


def _choose(found: dict[int, list[int]], hunks: Sequence[Hunk]) -> dict[int, int]:
    """One start per hunk that can be placed with certainty; the others are left out.

    Hunks alike in @@ number and in the places they fit are placed alike: whatever rules a
    place in or out for one does so for the others. Only the first of each is weighed, so a
    reply repeating one hunk hundreds of times (with other new lines) costs one, not rounds
    of hundreds.
    """
    first_of: dict[tuple[int | None, int | None, tuple[int, ...]], int] = {}
    alike = {
        n: first_of.setdefault((hunks[n - 1].old_start, hunks[n - 1].old_index, tuple(at)), n)
        for n, at in sorted(found.items())
    }
    chosen = _choose_apart({n: found[n] for n in first_of.values()}, hunks)
    return {n: chosen[first] for n, first in alike.items() if first in chosen}


def _choose_apart(found: dict[int, list[int]], hunks: Sequence[Hunk]) -> dict[int, int]:
    """One start per hunk that can be placed with certainty; the others are left out.

    Round by round, every hunk left with one start in the order the chosen hunks give is
    chosen, else the first whose hint singles one out: the @@ number corrected by the offset
    of the chosen hunk nearest to it by number (a model numbering from an older version of the
    file is off by the same amount in every hunk). What a choice rules out is struck once, when
    it is made, so a round is one pass over the hunks left, however many are chosen.
    """
    chosen = {number: starts[0] for number, starts in found.items() if len(starts) == 1}
    ordered = _in_diff_order(hunks)
    allowed = {n: found[n] for n in sorted(found) if n not in chosen}
    nearest: dict[int, tuple[int, int]] = {}  # (distance, offset) of the nearest chosen hunk
    new = chosen
    while allowed:
        for n in allowed:
            hunk, mine = hunks[n - 1], hunks[n - 1].old_index
            for m, start in new.items():
                other, theirs = hunks[m - 1], hunks[m - 1].old_index
                first = _comes_first(other, hunk)
                if ordered and first is not None:
                    allowed[n] = [s for s in allowed[n] if (start < s) == first]
                if mine is not None and theirs is not None:
                    offset = (abs(theirs - mine), start - theirs)
                    nearest[n] = min(nearest.get(n, offset), offset)
        new = {n: starts[0] for n, starts in allowed.items() if len(starts) == 1}
        if not new:
            for n, starts in allowed.items():
                mine = hunks[n - 1].old_index
                hint = None if mine is None else mine + nearest.get(n, (0, 0))[1]
                pick = _nearest(starts, hint)
                if pick is not None:
                    new = {n: pick}
                    break
        if not new:
            break
        chosen.update(new)
        allowed = {n: starts for n, starts in allowed.items() if n not in new}
    return chosen


def _ambiguous(number: int, starts: list[int], hunk: Hunk, path: str | None) -> PatchRejected:
    why = (
        "the hunk has no @@ line number"
        if hunk.old_start is None
        else "its @@ line number does not single one out"
    )
    return PatchRejected(
        f"its context and removed lines occur {len(starts)} times, at lines "
        f"{_lines_text(starts, hunk.old_count)}, and {why}; add unchanged lines around the change "
        "until it matches one place only",
        path=path,
        hunk=number,
    )


def _placement(file: _File, hunk: Hunk, number: int, fit: _Fit) -> Placement:
    """The placement of `hunk` at `fit`, trimmed to what it changes."""
    lines = hunk.lines
    lead = next(k for k, line in enumerate(lines) if line[0] != " ")
    trail = next(k for k, line in enumerate(reversed(lines)) if line[0] != " ")
    start, end = fit.start + lead, fit.start + hunk.old_count - trail
    if fit.exact:  # the context lines are the file's own
        new = [line[1:] for line in lines[lead : len(lines) - trail] if line[0] != "-"]
    else:
        new = []
        added = iter(fit.added)
        old_index = start
        for line in lines[lead : len(lines) - trail]:
            if line[0] == " ":
                new.append(file.texts[old_index])  # context keeps the file's real line
            elif line[0] == "+":
                new.append(next(added))
            old_index += line[0] != "+"
    missing = None
    reaches_end = fit.start + hunk.old_count == len(file.texts)
    if reaches_end and hunk.old_missing_newline != hunk.new_missing_newline:
        missing = hunk.new_missing_newline
    return Placement(number, start, end, tuple(new), missing, fit.note)


def _inside(place: Placement, lo: int, hi: int) -> bool:
    """Whether the lines `place` changes fall inside the other hunk's lines [lo:hi]."""
    if place.start == place.end:
        return lo < place.start < hi or lo == hi == place.start
    return place.start < hi and lo < place.end


class _Placed:
    """The placements made so far, each with its hunk's whole old range [lo:hi], found by lo.

    Only hunks whose ranges meet can clash, so a new one is checked against its neighbours
    rather than against every hunk placed before it (quadratic on files with many hunks).
    """

    def __init__(self) -> None:
        self.items: list[tuple[Placement, int, int]] = []
        self.by_lo: list[tuple[int, int]] = []  # (lo, index into items), sorted
        self.longest = 0  # the longest range so far: how far back a meeting range can begin
        self.removed: set[int] = set()  # indices into items taken back (an earlier draft)

    def _near(self, lo: int, hi: int) -> list[int]:
        """Indices of the kept items whose ranges can meet [lo:hi], in the order placed."""
        first = bisect_left(self.by_lo, (lo - self.longest, -1))
        last = bisect_right(self.by_lo, (hi, len(self.items)))
        return sorted(k for _, k in self.by_lo[first:last] if k not in self.removed)

    def clash(self, place: Placement, lo: int, hi: int) -> Placement | None:
        """The earliest placed hunk that `place` (its hunk spanning [lo:hi]) overlaps, if any."""
        for k in self._near(lo, hi):
            other, other_lo, other_hi = self.items[k]
            if _inside(place, other_lo, other_hi) or _inside(other, lo, hi):
                return other
        return None

    def meeting(self, lo: int, hi: int) -> list[Placement]:
        """The placed hunks whose whole old ranges (context included) meet [lo:hi]: for a
        second draft, the same change written again, whatever lines each one changes."""
        return [
            self.items[k][0]
            for k in self._near(lo, hi)
            if (self.items[k][1] < hi and lo < self.items[k][2]) or self.items[k][1:] == (lo, hi)
        ]

    def add(self, place: Placement, lo: int, hi: int) -> None:
        insort(self.by_lo, (lo, len(self.items)))
        self.items.append((place, lo, hi))
        self.longest = max(self.longest, hi - lo)

    def remove(self, place: Placement) -> None:
        self.removed.add(next(k for k, item in enumerate(self.items) if item[0] is place))

    def placements(self) -> list[Placement]:
        kept = (item[0] for k, item in enumerate(self.items) if k not in self.removed)
        return sorted(kept, key=lambda p: (p.start, p.end))


def _at_numbers(file: _File, hunks: Sequence[Hunk]) -> list[Placement] | None:
    """The placements of a diff as git writes it: every hunk changes something, spells out its
    added lines and has its old lines byte for byte at its @@ number, after the previous
    hunk's; None for any other diff.

    A shortcut with the search's outcome (a property in tests/test_patch_locate.py checks it):
    the search finds these places among each hunk's, and with every other hunk at its own
    number, _choose takes each hunk's (the hint, offset 0, consistent with the order, nearer
    than any other place); hunks whose lines do not meet neither clash nor replace a draft.
    """
    placements = []
    end = 0  # where the previous hunk's old lines end
    for number, hunk in enumerate(hunks, 1):
        index, old = hunk.old_index, hunk.old_lines
        changes = len(old) < len(hunk.lines) or any(line[0] == "-" for line in hunk.lines)
        if index is None or index < end or not old or not changes:
            return None
        if file.texts[index : index + len(old)] != list(old):
            return None
        if _added_left_out(file, hunk) is not None:
            return None  # the search refuses it, saying why
        placements.append(_placement(file, hunk, number, _Fit(index, (), exact=True)))
        end = index + len(old)
    return placements


def locate_hunks(text: str, patch: FilePatch) -> tuple[list[Placement], list[PatchRejected]]:
    """Each hunk placed exactly where it belongs, or refused with the reason and nearby lines."""
    file = _File(text, patch.hunks)
    placements = _at_numbers(file, patch.hunks)
    if placements is not None:
        return placements, []
    return _located(file, patch)


def _located(file: _File, patch: FilePatch) -> tuple[list[Placement], list[PatchRejected]]:
    """locate_hunks by searching the file for each hunk's lines."""
    hunks = list(patch.hunks)  # as placed: without blank edge lines the file does not have
    fits: dict[int, dict[int, _Fit]] = {}
    refusals: list[PatchRejected] = []
    for number, hunk in enumerate(patch.hunks, 1):
        try:
            hunks[number - 1], found = _candidates(file, hunk, number, patch)
        except PatchRejected as refusal:
            refusals.append(refusal)
            continue
        fits[number] = {fit.start: fit for fit in found}
    found_starts = {number: list(by_start) for number, by_start in fits.items()}
    chosen = _choose(found_starts, hunks)
    refusals += [
        _ambiguous(n, found_starts[n], hunks[n - 1], patch.path)
        for n in sorted(fits)
        if n not in chosen
    ]
    placed = _Placed()
    for number in sorted(chosen):
        hunk, start = hunks[number - 1], chosen[number]
        place = _placement(file, hunk, number, fits[number][start])
        lo, hi = start, start + hunk.old_count
        for earlier in placed.meeting(lo, hi):
            if hunks[earlier.hunk - 1].draft < hunk.draft:
                placed.remove(earlier)  # an earlier draft of the same change: the later one wins
                refusals.append(
                    PatchRejected(
                        f"hunk {number}, in a later draft of this file further down the reply, "
                        "changes the same lines; the later draft is kept",
                        path=patch.path,
                        hunk=earlier.hunk,
                        ignored="replaced by a later draft",
                    )
                )
        clash = placed.clash(place, lo, hi)
        if clash is None:
            placed.add(place, lo, hi)
            continue
        refusals.append(
            PatchRejected(
                f"it overlaps hunk {clash.hunk} (both change lines near {clash.start + 1}); "
                "merge them into one hunk",
                path=patch.path,
                hunk=number,
            )
        )
    refusals.sort(key=lambda refusal: refusal.hunk or 0)
    return placed.placements(), refusals
