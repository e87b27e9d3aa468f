"""From hunks to new text and back: apply placements, recompute real hunks, split, format.

Two worlds meet here. A model's diff is placed by locate.py and applied with
apply_placements. The hunks a user reviews are then recomputed from the two texts by
diff_hunks, with real numbers and real line endings, so that any subset of them applies exactly
(apply_hunks) and formats into a patch `git apply` accepts (format_diff).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, deque
from collections.abc import Sequence
from difflib import Match as DifflibMatch
from difflib import SequenceMatcher
from itertools import accumulate

from fixer.patch.errors import PatchRejected, listed, quote
from fixer.patch.extract import extract_diff
from fixer.patch.locate import Placement, locate_hunks
from fixer.patch.parse import (
    BOM,
    Hunk,
    Line,
    dominant_ending,
    join_lines,
    parse_diff,
    split_lines,
)

_NO_NEWLINE = "\\ No newline at end of file\n"
Match = tuple[int, int, int]  # a[i:i+n] == b[j:j+n]


def _settle(lines: list[Line], ending: str, final_newline: bool) -> list[Line]:
    """Only the last line may lack an ending, and only when the file ends without a newline."""
    settled = [(text, end or ending) for text, end in lines[:-1]]
    if lines:
        text, end = lines[-1]
        settled.append((text, (end or ending) if final_newline else ""))
    return settled


def _replace(old: list[Line], new_texts: Sequence[str], ending: str) -> list[Line]:
    """`new_texts` with endings: lines equal to old ones keep their bytes, others take `ending`."""
    matcher = SequenceMatcher(None, [text for text, _ in old], list(new_texts), autojunk=False)
    out: list[Line] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        out += old[i1:i2] if tag == "equal" else [(text, ending) for text in new_texts[j1:j2]]
    return out


# Untouched lines of the file; new lines that all take the text's ending (the usual case,
# joined at once); or new lines with their own endings.
Run = range | tuple[str, ...] | list[Line]


class _Pieces:
    """A text split on newlines once: its lines as split_lines gives them, built on demand.

    Applying a few hunks to a long file then builds tuples only for the lines it changes and
    copies the others as slices of the text.
    """

    def __init__(self, body: str) -> None:
        self.body = body
        self.pieces = body.split("\n")  # the last one is the line without a newline, or ""
        self.count = len(self.pieces) - (self.pieces[-1] == "")
        self.lengths = list(accumulate(map(len, self.pieces), initial=0))
        self.crlf = body.count("\r\n")

    def line(self, k: int) -> Line:
        piece = self.pieces[k]
        if k == len(self.pieces) - 1:
            return piece, ""
        return (piece[:-1], "\r\n") if piece.endswith("\r") else (piece, "\n")

    def lines(self, start: int, end: int) -> list[Line]:
        return [self.line(k) for k in range(start, end)]

    def end_with(self, start: int, end: int, ending: str) -> bool:
        """Whether lines [start:end] all end with `ending` (the usual case: one style)."""
        if end == len(self.pieces):
            return False  # the line without a newline is among them
        if ending == "\n":
            return self.crlf == 0 or not any(p.endswith("\r") for p in self.pieces[start:end])
        return all(piece.endswith("\r") for piece in self.pieces[start:end])

    def text(self, lines: range) -> str:
        """The lines as written, endings included."""
        start, stop = lines.start, lines.stop
        return self.body[self.lengths[start] + start : self.lengths[stop] + stop]

    def ending(self) -> str:
        """The ending new lines take: CRLF when most lines end with it, else LF."""
        return "\r\n" if self.crlf > len(self.pieces) - 1 - self.crlf else "\n"


def apply_placements(text: str, placements: Sequence[Placement]) -> str:
    """The text with each placement's lines replaced; untouched lines keep their exact bytes."""
    bom = BOM if text.startswith(BOM) else ""
    file = _Pieces(text[len(bom) :])
    ending = file.ending()
    final_newline = file.pieces[-1] == ""
    runs: list[Run] = []
    cursor = 0
    for place in sorted(placements, key=lambda p: (p.start, p.end)):
        if not cursor <= place.start <= place.end <= file.count:
            raise PatchRejected(
                f"its placement (lines {place.start + 1}-{place.end}) overlaps another hunk "
                "or lies outside the file",
                hunk=place.hunk,
            )
        runs.append(range(cursor, place.start))
        if file.end_with(place.start, place.end, ending):
            # Kept or not, every line ends alike: no need to find which old lines are kept.
            runs.append(place.new_lines)
        else:
            runs.append(_replace(file.lines(place.start, place.end), place.new_lines, ending))
        cursor = place.end
        if place.missing_newline is not None:
            final_newline = not place.missing_newline
    runs.append(range(cursor, file.count))
    return bom + _joined(file, [run for run in runs if run], ending, final_newline)


def _joined(file: _Pieces, runs: list[Run], ending: str, final_newline: bool) -> str:
    """The runs as text; only the last line may lack an ending, as `final_newline` says."""
    out = []
    for k, run in enumerate(runs):
        last = k == len(runs) - 1
        # Of the file's own lines, only the last of the text and one without a newline may
        # change their ending: they are settled like new lines.
        if isinstance(run, range) and (last or run[-1] == len(file.pieces) - 1):
            out.append(file.text(run[:-1]))
            run = [file.line(run[-1])]
        if isinstance(run, tuple) and last and not final_newline:
            run = [(text, ending) for text in run]  # its last line loses its ending
        if isinstance(run, range):
            out.append(file.text(run))
        elif isinstance(run, tuple):
            out.append(ending.join(run) + ending)
        else:
            out.append(join_lines(_settle(run, ending, final_newline or not last)))
    return "".join(out)


def _old_index(hunk: Hunk, number: int = 0) -> int:
    """The 0-based index where the hunk's old lines begin; refused without an @@ number."""
    index = hunk.old_index
    if index is None:
        raise PatchRejected("it has no @@ line number to apply it by", hunk=number or None)
    return index


def _start(index: int, count: int) -> int:
    """The @@ number for a side beginning at 0-based `index` with `count` lines."""
    return index + 1 if count else index


def _make_hunk(group: list[tuple[str, int, int, int, int]], a: list[Line], b: list[Line]) -> Hunk:
    """One hunk from a group of difflib opcodes, with real numbers and real endings."""
    lines: list[str] = []
    endings: list[str] = []
    for tag, i1, i2, j1, j2 in group:
        if tag == "equal":
            lines += [" " + text for text, _ in a[i1:i2]]
            endings += [end for _, end in a[i1:i2]]
            continue
        lines += ["-" + text for text, _ in a[i1:i2]] + ["+" + text for text, _ in b[j1:j2]]
        endings += [end for _, end in a[i1:i2]] + [end for _, end in b[j1:j2]]
    i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
    return Hunk(
        tuple(lines),
        _start(i1, i2 - i1),
        _start(j1, j2 - j1),
        old_missing_newline=i2 == len(a) > i1 and a[-1][1] == "",
        new_missing_newline=j2 == len(b) > j1 and b[-1][1] == "",
        endings=tuple(endings),
    )


def _anchor_pairs(a: list[Line], b: list[Line], box: tuple[int, int, int, int]) -> list[Match]:
    """Candidate anchors in a[alo:ahi] / b[blo:bhi]: the rarest lines occurring equally often
    in both (unique ones when there are any), the k-th occurrence in a paired with the k-th in b.
    """
    alo, ahi, blo, bhi = box
    count_a, count_b = Counter(a[alo:ahi]), Counter(b[blo:bhi])
    rarest = min((n for line, n in count_a.items() if count_b.get(line) == n), default=0)
    if not rarest:
        return []
    in_b: dict[Line, list[int]] = {}
    for j in range(blo, bhi):
        if count_b[b[j]] == rarest == count_a.get(b[j]):
            in_b.setdefault(b[j], []).append(j)
    taken: Counter[Line] = Counter()
    pairs: list[Match] = []
    for i in range(alo, ahi):
        if a[i] in in_b:
            pairs.append((i, in_b[a[i]][taken[a[i]]], 1))
            taken[a[i]] += 1
    return pairs


def _ordered_pairs(a: list[Line], b: list[Line], box: tuple[int, int, int, int]) -> list[Match]:
    """Each line of a's part paired with the next unpaired equal line of b's part, in order."""
    alo, ahi, blo, bhi = box
    unpaired: dict[Line, deque[int]] = {}
    for j in range(blo, bhi):
        unpaired.setdefault(b[j], deque()).append(j)
    pairs: list[Match] = []
    for i in range(alo, ahi):
        found = unpaired.get(a[i])
        if found:
            pairs.append((i, found.popleft(), 1))
    return pairs


def _longest_increasing(pairs: list[Match]) -> list[Match]:
    """The longest run of pairs increasing in j (patience sorting); pairs come sorted by i."""
    tails: list[int] = []  # smallest j ending an increasing run of each length
    ends: list[int] = []  # index into pairs of that run's end
    before: list[int | None] = []
    for k, (_, j, _) in enumerate(pairs):
        length = bisect_left(tails, j)
        tails[length:] = [j]
        ends[length:] = [k]
        before.append(ends[length - 1] if length else None)
    chain: list[Match] = []
    at = ends[-1] if ends else None
    while at is not None:
        chain.append(pairs[at])
        at = before[at]
    return chain[::-1]


def _matching_blocks(a: list[Line], b: list[Line]) -> list[Match]:
    """Equal runs of a and b: patience anchors (rare lines), difflib between them.

    difflib alone is quadratic on files with many repeated lines (20k lines: ~20 s); with
    autojunk it is fast but marks thousands of unchanged lines as changed.
    """
    blocks: list[Match] = []
    boxes = [(0, len(a), 0, len(b))]
    while boxes:
        alo, ahi, blo, bhi = boxes.pop()
        same = 0
        while alo + same < ahi and blo + same < bhi and a[alo + same] == b[blo + same]:
            same += 1
        blocks.append((alo, blo, same))
        alo, blo, same = alo + same, blo + same, 0
        while ahi - same > alo and bhi - same > blo and a[ahi - same - 1] == b[bhi - same - 1]:
            same += 1
        blocks.append((ahi - same, bhi - same, same))
        ahi, bhi = ahi - same, bhi - same
        if alo == ahi or blo == bhi:
            continue
        box = (alo, ahi, blo, bhi)
        anchors = _longest_increasing(_anchor_pairs(a, b, box))
        if not anchors and (ahi - alo) * (bhi - blo) > 4_000_000:
            # No rare line to anchor on, and difflib would crawl: anchor on the common lines in
            # order (blank lines between changed ones), as git's diff would align them.
            anchors = _longest_increasing(_ordered_pairs(a, b, box))
        if not anchors:
            # Small enough for difflib; never autojunk, which marks unchanged lines changed.
            matcher = SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
            blocks += [(alo + i, blo + j, n) for i, j, n in matcher.get_matching_blocks()]
            continue
        blocks += anchors
        starts = [(alo, blo)] + [(i + 1, j + 1) for i, j, _ in anchors]
        ends = [(i, j) for i, j, _ in anchors] + [(ahi, bhi)]
        boxes += [(i1, i2, j1, j2) for (i1, j1), (i2, j2) in zip(starts, ends, strict=True)]
    merged: list[Match] = []
    for i, j, n in sorted(block for block in blocks if block[2]):
        if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + n)
        else:
            merged.append((i, j, n))
    return [*merged, (len(a), len(b), 0)]


class _AnchoredMatcher(SequenceMatcher[Line]):
    """difflib's opcodes and grouping over _matching_blocks."""

    def __init__(self, a: list[Line], b: list[Line]) -> None:
        super().__init__(None, a, b, autojunk=False)
        self._sides = (a, b)  # difflib keeps its own a and b, but its stubs do not declare them

    def get_matching_blocks(self) -> list[DifflibMatch]:
        return [DifflibMatch(*block) for block in _matching_blocks(*self._sides)]


def diff_hunks(old: str, new: str, context: int = 3) -> list[Hunk]:
    """The hunks turning `old` into `new`, grouped like git diff; a line's ending is part of it."""
    a, b = split_lines(old), split_lines(new)
    matcher = _AnchoredMatcher(a, b)
    return [_make_hunk(group, a, b) for group in matcher.get_grouped_opcodes(context)]


Edit = tuple[int, int, list[Line]]  # old lines [start:end] become these lines


def _verify(hunk: Hunk, number: int, lines: list[Line]) -> int:
    """The hunk's old index, after checking its old lines (and known endings) are there."""
    index = _old_index(hunk, number)
    endings = hunk.endings or ("",) * len(hunk.lines)
    old = [(line[1:], end) for line, end in zip(hunk.lines, endings, strict=True) if line[0] != "+"]
    for k, (text, end) in enumerate(old):
        real = lines[index + k] if 0 <= index + k < len(lines) else None
        if real is None or real[0] != text or (hunk.endings and real[1] != end):
            found = "nothing" if real is None else quote(real[0])
            raise PatchRejected(
                f"line {index + k + 1} should be {quote(text)} but the file has {found}: "
                "the file changed since the hunk was made",
                hunk=number,
                nearby=tuple(t for t, _ in lines[max(0, index - 2) : index + len(old) + 2]),
            )
    return index


def _edits(hunk: Hunk, index: int, ending: str) -> list[Edit]:
    """The change blocks of a hunk whose old lines begin at `index`."""
    edits: list[Edit] = []
    block: Edit | None = None
    position = index
    for line, end in zip(hunk.lines, hunk.endings or ("",) * len(hunk.lines), strict=True):
        if line[0] == " ":
            block = None
            position += 1
            continue
        if block is None:
            block = (position, position, [])
            edits.append(block)
        if line[0] == "-":
            position += 1
            edits[-1] = block = (block[0], position, block[2])
        else:
            block[2].append((line[1:], end or ending))
    return edits


def apply_hunks(text: str, hunks: Sequence[Hunk]) -> str:
    """Apply a subset of recomputed hunks exactly where their @@ numbers say, after checking."""
    lines = split_lines(text)
    ending = dominant_ending(lines)
    final_newline = not lines or lines[-1][1] != ""
    edits: list[tuple[Edit, int]] = []
    for number, hunk in enumerate(hunks, 1):
        index = _verify(hunk, number, lines)
        edits += [(edit, number) for edit in _edits(hunk, index, ending)]
        reaches_end = index + hunk.old_count == len(lines)
        if reaches_end and hunk.old_missing_newline != hunk.new_missing_newline:
            final_newline = not hunk.new_missing_newline
    edits.sort(key=lambda item: item[0][:2])
    out: list[Line] = []
    cursor, last = 0, 0
    for (start, end, new), number in edits:
        if start < cursor:
            raise PatchRejected(f"it changes the same lines as hunk {last}", hunk=number)
        out += lines[cursor:start] + new
        cursor, last = end, number
    out += lines[cursor:]
    return join_lines(_settle(out, ending, final_newline))


def _old_end(hunk: Hunk) -> int:
    return _old_index(hunk) + hunk.old_count


def _coalesce(hunks: list[Hunk]) -> list[Hunk]:
    """Join hunks whose context overlaps (split_hunk shares context), as git add -p does."""
    joined: list[Hunk] = []
    for hunk in hunks:
        previous = joined[-1] if joined else None
        overlap = _old_end(previous) - _old_index(hunk) if previous else 0
        if previous is None or overlap <= 0:
            joined.append(hunk)
            continue
        shared_context = all(line[0] == " " for line in hunk.lines[:overlap]) and all(
            line[0] == " " for line in previous.lines[-overlap:]
        )
        if not shared_context or overlap > len(hunk.lines):
            raise PatchRejected("two hunks change the same lines; pick one of them")
        joined[-1] = Hunk(
            previous.lines + hunk.lines[overlap:],
            previous.old_start,
            previous.new_start,
            hunk.old_missing_newline,
            hunk.new_missing_newline,
            previous.header,
            previous.endings + hunk.endings[overlap:] if previous.endings and hunk.endings else (),
        )
    return joined


_QUOTE = {"\n": "\\n", "\t": "\\t", '"': '\\"', "\\": "\\\\"}


def _quote(path: str) -> str:
    """A path as git writes it in headers: C-quoted when it holds quotes, backslashes, controls."""
    if not re.search(r'["\\\x00-\x1f\x7f]', path):
        return path
    body = "".join(
        _QUOTE.get(c, c if c >= " " and c != "\x7f" else f"\\{ord(c):03o}") for c in path
    )
    return f'"{body}"'


def hunk_range(start: int, count: int) -> str:
    """One side of an @@ line as git writes it: the count is left out when it is 1."""
    return str(start) if count == 1 else f"{start},{count}"


def _body(hunk: Hunk) -> str:
    """The hunk's lines with their endings and "\\ No newline" markers, as git writes them."""
    last_old = max((k for k, line in enumerate(hunk.lines) if line[0] != "+"), default=None)
    last_new = max((k for k, line in enumerate(hunk.lines) if line[0] != "-"), default=None)
    out = []
    for k, line in enumerate(hunk.lines):
        ending = "\r\n" if hunk.endings and hunk.endings[k] == "\r\n" else "\n"
        out.append(line + ending)
        if (hunk.old_missing_newline and k == last_old) or (
            hunk.new_missing_newline and k == last_new
        ):
            out.append(_NO_NEWLINE)
    return "".join(out)


def format_diff(path: str, hunks: Sequence[Hunk], *, new_file: bool = False) -> str:
    """A git-style patch of `hunks` that `git apply` accepts; new numbers fit the subset given."""
    if not hunks:
        return ""
    old_name, new_name = _quote("a/" + path), _quote("b/" + path)
    out = [f"diff --git {old_name} {new_name}\n"]
    out.append("new file mode 100644\n--- /dev/null\n" if new_file else f"--- {old_name}\n")
    out.append(f"+++ {new_name}\n")
    offset = 0
    for hunk in _coalesce(sorted(hunks, key=_old_index)):
        index = _old_index(hunk)
        old = hunk_range(_start(index, hunk.old_count), hunk.old_count)
        new = hunk_range(_start(index + offset, hunk.new_count), hunk.new_count)
        header = f" {hunk.header}" if hunk.header else ""
        out.append(f"@@ -{old} +{new} @@{header}\n{_body(hunk)}")
        offset += hunk.new_count - hunk.old_count
    return "".join(out)


def split_hunk(hunk: Hunk) -> list[Hunk]:
    """Split at the context between change blocks, like git add -p's 's'; [hunk] if it cannot.

    As in git, the context between two blocks belongs to both pieces, so each applies alone.
    """
    tags = [line[0] for line in hunk.lines]
    firsts = [k for k, tag in enumerate(tags) if tag != " " and (k == 0 or tags[k - 1] == " ")]
    if len(firsts) < 2:
        return [hunk]
    lasts = [k for k, tag in enumerate(tags) if tag != " " and tags[k + 1 : k + 2] in ([], [" "])]
    old_index = hunk.old_index
    new_index = hunk.new_index
    pieces = []
    for b in range(len(firsts)):
        lo = lasts[b - 1] + 1 if b else 0
        hi = firsts[b + 1] if b + 1 < len(firsts) else len(tags)
        piece = Hunk(hunk.lines[lo:hi])
        old_start, new_start = (
            None if base is None else _start(base + sum(t != skip for t in tags[:lo]), count)
            for base, skip, count in (
                (old_index, "+", piece.old_count),
                (new_index, "-", piece.new_count),
            )
        )
        pieces.append(
            Hunk(
                piece.lines,
                old_start=old_start,
                new_start=new_start,
                old_missing_newline=hunk.old_missing_newline and all(t == "+" for t in tags[hi:]),
                new_missing_newline=hunk.new_missing_newline and all(t == "-" for t in tags[hi:]),
                header=hunk.header,
                endings=hunk.endings[lo:hi],
            )
        )
    return pieces


def apply_patch(original_text: str, diff_text: str) -> str:
    """Apply a model's diff for one file, all or nothing; refuse naming the hunk and why."""
    patches = parse_diff(extract_diff(diff_text) or diff_text)
    if len(patches) > 1:
        names = ", ".join(str(p.path) for p in patches)
        raise PatchRejected(f"the diff names {len(patches)} files ({names}); expected one file")
    patch = patches[0]
    if patch.unsupported:
        raise PatchRejected(
            f"a {patch.unsupported} cannot be applied; change the file's lines instead",
            path=patch.path,
        )
    placements, refusals = locate_hunks(original_text, patch)
    refusals = [r for r in refusals if not r.ignored]  # left out on purpose: not a failure
    if refusals:
        raise _worst(refusals)
    return apply_placements(original_text, placements)


def _worst(refusals: list[PatchRejected]) -> PatchRejected:
    """The refusal to raise for a whole diff: a real failure before an already applied hunk."""
    ordered = sorted(refusals, key=lambda refusal: refusal.already_applied)
    first = ordered[0]
    if len(ordered) == 1:
        return first
    others = listed([r.hunk for r in ordered[1:] if r.hunk is not None])
    return first.with_reason(f"{first.reason} (hunks {others} were refused too)")
