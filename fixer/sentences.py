"""Sentence-sized hunks for prose: a view of a file with one sentence per line, and back.

A blog paragraph is often one long line, so line hunks would show the whole paragraph for every
corrected word. Grammar corrections are reviewed on the *sentence view* instead: every sentence of
a prose line is on a line of its own, the 2nd.. sentences of a file line starting with
CONTINUATION. The review applies the accepted hunks to the view as to any file, and file_view
turns the result back into the file's text, byte for byte.

Escaping: a U+2063 already in the text is written twice in the view. At the start of a view line,
an odd run of U+2063 is therefore a CONTINUATION followed by escaped text, an even run is text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence
from difflib import SequenceMatcher
from itertools import pairwise

from fixer.patch import Hunk, diff_hunks
from fixer.patch.parse import Line, dominant_ending, split_lines
from fixer.patch.words import tokens
from fixer.printable import CONTINUATION  # U+2063: a view line that goes on the line above

# 0, not 1 or git's 3: the issue asks for one hunk per corrected sentence, and one unchanged
# sentence of context between two corrected ones would join them into a single hunk. The screen
# shows the sentences around a hunk from the view if it wants them.
CONTEXT = 0

# Spans where no sentence ends: inline code (closed by as many backticks), links, images and
# footnote references, HTML tags and autolinks, bare URLs (without the punctuation that ends a
# sentence after them), the masking helper's placeholders, and a list item's marker ("1. ").
_PROTECTED = re.compile(
    r"(`+).*?(?<!`)\1(?!`)"
    r"|!?\[[^\]\n]*\](?:\([^)\n]*\)|\[[^\]\n]*\])?"
    r"|<[^<>\n]*>"
    r"|https?://[^\s<>]*[^\s<>.,;:!?'\")\]]"
    r"|⟦[^⟧\n]*⟧"
    r"|^\ufeff?\s*(?:\d+[.)]|[-*+])\s"
)

# A sentence's end. Chinese and Japanese: 。！？ with their closing quotes and brackets, whether
# a space follows or not. Others: . ! ? … with closing quotes, brackets, emphasis and footnote
# references, then a space; French puts a (narrow) no-break space or a space before » , German
# closes with « .
_END = re.compile(
    r"(?P<cjk>[。｡！？]+)(?P<quote>[」』”’）》〉】〕\"')\]]*)"
    r"|[.!?…‽]+(?:[\u00a0\u202f ]?»|[\u00a0\u202f]?[”’\"')\]}*_]|«|\[\^[^\]\s]+\])*(?=\s)"
)
_HIRAGANA = re.compile("[\u3040-\u309f]")  # 「行こう！」と言った: the sentence goes on
# What may open a sentence before its first letter: quotes (» opens in German), brackets,
# emphasis, Spanish ¡ ¿; a space may follow a French « .
_OPENERS = frozenset("\"'“‘„‚«»([{¿¡*_")
_DOTTED = re.compile(r"(?:[^\W\d_]{1,2}\.)+[^\W\d_]{1,2}")  # e.g. i.e. a.m. U.S. z.B.
# Abbreviations as written (case matters: "No." is one, "no." ends "I said no."), without the dot.
_ABBREVIATIONS = frozenset(
    "Mr Mrs Ms Dr Prof Sr Jr St Ste Mt Gen Col Capt Lt Sgt Gov Rev Hon No "  # noqa: SIM905
    "Nr Fig Figs Eq Eqs Vol Ch Sec Art Ref Refs Tab Inc Ltd Corp Co Jan Feb Mar Apr Jun Jul "
    "Aug Sep Sept Oct Nov Dec Mme Mmes Mlle Mlles MM Mgr ex av apr ibid Abs Bd Hr Fr".split()
)
# Abbreviations that are no word in any case: "Etc." and "Cf." open sentences too.
_CASELESS = frozenset(
    "etc vs cf approx al viz resp vgl bzw usw ca env pp ggf evtl inkl".split()  # noqa: SIM905
)
_MARKS = re.compile("\u2063\u2063|\r?\n\u2063(?=(?:\u2063\u2063)*(?!\u2063))")


def _protected_spans(line: str) -> list[tuple[int, int]]:
    return [match.span() for match in _PROTECTED.finditer(line)]


def _inside(spans: list[tuple[int, int]], position: int, *, strictly: bool) -> bool:
    """Whether `position` (a character, or with `strictly` a cut before it) is in a span."""
    return any(start + strictly <= position < end for start, end in spans)


def _abbreviation(word: str) -> bool:
    """Whether `word`, followed by a full stop, is an abbreviation or an initial (J. R. R.)."""
    return (
        (len(word) == 1 and word.isalpha())
        or _DOTTED.fullmatch(word) is not None
        or word in _ABBREVIATIONS
        or word.lower() in _CASELESS
    )


def _opens_sentence(line: str, position: int) -> bool:
    """Whether a sentence can begin at `position`: a capital (or a letter without case, as in
    Chinese), a digit, or inline code or a placeholder, after any opening quotes and brackets."""
    while position < len(line) and (line[position] in _OPENERS or line[position].isspace()):
        position += 1
    if position == len(line):
        return False
    char = line[position]
    return char.isdigit() or (char.isalpha() and not char.islower()) or char in "`⟦"


def _word_before(line: str, end: int) -> str:
    """The word (letters, digits and dots: "e.g", "3.14") ending at `end`."""
    start = end
    while start and (line[start - 1].isalnum() or line[start - 1] == "."):
        start -= 1
    return line[start:end]


def _cuts(line: str, *, loose: bool = False) -> list[int]:
    """The positions where a new sentence of `line` begins (at the space before it).

    `loose` cuts after every sentence-ending mark with text after it, whatever that text: a
    superset of the cuts of the line however a correction changes case and abbreviations.
    """
    spans = _protected_spans(line)
    cuts = []
    for match in _END.finditer(line):
        cut = match.end()
        if _inside(spans, match.start(), strictly=False) or _inside(spans, cut, strictly=True):
            continue
        if not line[cut:].strip():
            continue
        if loose:
            cuts.append(cut)
        elif match.group("cjk"):
            if not (match.group("quote") and _HIRAGANA.match(line, cut)):
                cuts.append(cut)
        elif _opens_sentence(line, cut) and not (
            match.group().startswith(".")
            and not match.group().startswith("..")
            and _abbreviation(_word_before(line, match.start()))
        ):
            cuts.append(cut)
    return cuts


def _pieces(text: str, cuts: list[int]) -> list[str]:
    bounds = [0, *cuts, len(text)]
    return [text[i:j] for i, j in pairwise(bounds)]


def split_sentences(line: str) -> list[str]:
    """The sentences of one line, the space between two going with the second; they join back
    to `line` exactly. Markdown list items and headings split like any line."""
    return _pieces(line, _cuts(line))


def _view(lines: list[Line], cuts: list[list[int]]) -> str:
    """The view of `lines` cut at `cuts`; a piece takes its line's ending (the file's for the
    last line when it has none) before the next piece."""
    fallback = dominant_ending(lines)
    out = []
    for (text, ending), line_cuts in zip(lines, cuts, strict=True):
        escaped = [
            piece.replace(CONTINUATION, CONTINUATION * 2) for piece in _pieces(text, line_cuts)
        ]
        out.append(((ending or fallback) + CONTINUATION).join(escaped) + ending)
    return "".join(out)


def sentence_view(text: str, protected_lines: Collection[int] = frozenset()) -> str:
    """`text` with each sentence on its own line; lines whose 0-based index is in
    `protected_lines` (code, front matter) stay whole. file_view gives `text` back."""
    lines = split_lines(text)
    return _view(
        lines, [[] if k in protected_lines else _cuts(t) for k, (t, _) in enumerate(lines)]
    )


def file_view(view: str) -> str:
    """The file's text from a sentence view (of the file, or with accepted hunks applied)."""
    return _MARKS.sub(lambda mark: CONTINUATION if mark.group()[0] == CONTINUATION else "", view)


def continues(view_line: str) -> bool:
    """Whether a view line continues the file line before it: an odd run of U+2063 opens it."""
    return (len(view_line) - len(view_line.lstrip(CONTINUATION))) % 2 == 1


def view_line_numbers(view: str) -> list[int]:
    """For each line of the view, the 1-based number of the file line it is part of."""
    numbers: list[int] = []
    number = 0
    for text, _ in split_lines(view):
        number += not (numbers and continues(text))
        numbers.append(number)
    return numbers


def _paired_lines(original: str, corrected: str) -> list[tuple[int, int]]:
    """(old index, new index) of the lines left as they were, and of changed lines replaced one
    for one, in order."""
    pairs: list[tuple[int, int]] = []
    old = new = 0
    for hunk in diff_hunks(original, corrected, context=0):
        old_index = hunk.old_index or 0
        pairs += [(old + k, new + k) for k in range(old_index - old)]
        new = new + old_index - old
        if hunk.old_count == hunk.new_count:
            pairs += [(old_index + k, new + k) for k in range(hunk.old_count)]
        old, new = old_index + hunk.old_count, new + hunk.new_count
    rest = len(split_lines(original)) - old
    return pairs + [(old + k, new + k) for k in range(rest)]


def _shared_cuts(
    old: str, new: str, old_cuts: list[int], new_cuts: list[int]
) -> tuple[list[int], list[int]]:
    """Both lines' cuts, each with the other's where the two lines' sentences correspond.

    A correction that makes a sentence boundary ("home. the dog" -> "home. The dog") then cuts
    both sides there, and gives one hunk per sentence. Loose cuts are found on both sides
    whatever the case; their pieces are aligned, equal pieces and runs of as many changed pieces
    on each side corresponding one for one.
    """
    loose_old, loose_new = _cuts(old, loose=True), _cuts(new, loose=True)
    matcher = SequenceMatcher(
        None, _pieces(old, loose_old), _pieces(new, loose_new), autojunk=False
    )
    # Where each piece begins: None for the first (the line's start), and for the line's end.
    starts_old, starts_new = [None, *loose_old, None], [None, *loose_new, None]
    same = []  # loose cuts at the same place: (position in old, in new)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        inner = range(i2 - i1) if tag == "equal" or i2 - i1 == j2 - j1 else range(1)
        same += [(starts_old[i1 + k], starts_new[j1 + k]) for k in inner]
    old_set, new_set = set(old_cuts), set(new_cuts)
    return (
        sorted(old_set | {o for o, n in same if o is not None and n in new_set}),
        sorted(new_set | {n for o, n in same if n is not None and o in old_set}),
    )


def sentence_hunks(
    original: str, corrected: str, protected_lines: Collection[int] = frozenset()
) -> tuple[str, list[Hunk]]:
    """The sentence view of `original` and the hunks turning it into that of `corrected`: one
    corrected sentence is one hunk of a "-" and a "+" line. file_view of the view with any subset
    of the hunks applied is `original` with exactly those sentences corrected.

    `protected_lines` are 0-based indexes in `original`; the lines of `corrected` they became
    stay whole too. The view may cut finer than sentence_view where a correction makes or
    removes a sentence boundary.
    """
    old, new = split_lines(original), split_lines(corrected)
    pairs = _paired_lines(original, corrected)
    new_protected = {n for o, n in pairs if o in protected_lines}
    old_cuts = [[] if k in protected_lines else _cuts(t) for k, (t, _) in enumerate(old)]
    new_cuts = [[] if k in new_protected else _cuts(t) for k, (t, _) in enumerate(new)]
    for o, n in pairs:
        if o not in protected_lines and old[o][0] != new[n][0]:
            old_cuts[o], new_cuts[n] = _shared_cuts(old[o][0], new[n][0], old_cuts[o], new_cuts[n])
    view = _view(old, old_cuts)
    hunks = _over_blank_lines(diff_hunks(view, _view(new, new_cuts), context=CONTEXT), view)
    return view, [piece for hunk in hunks for piece in _one_per_sentence(hunk)]


def _over_blank_lines(hunks: list[Hunk], view: str) -> list[Hunk]:
    """The hunks, with two that only blank lines part joined into one: a line diff may pair a
    paragraph's blank line with the wrong one when paragraphs are joined or split, and the
    sentence alignment then puts it right."""
    lines = split_lines(view)
    joined: list[Hunk] = []
    for hunk in hunks:
        last = joined[-1] if joined else None
        if last is None or not (last.old_count and hunk.old_count):
            joined.append(hunk)
            continue
        gap = lines[(last.old_index or 0) + last.old_count : hunk.old_index or 0]
        if len(gap) > _BLANK_GAP or any(text.strip() for text, _ in gap):
            joined.append(hunk)
            continue
        joined[-1] = _joined(last, gap, hunk)
    return joined


_BLANK_GAP = 2  # blank lines between two hunks that _over_blank_lines joins


def _joined(first: Hunk, gap: list[Line], second: Hunk) -> Hunk:
    """Two hunks of "-" then "+" lines and the unchanged lines between them, as one."""

    def side(hunk: Hunk, sign: str) -> list[tuple[str, str]]:
        endings = hunk.endings or ("",) * len(hunk.lines)
        return [
            (line, end) for line, end in zip(hunk.lines, endings, strict=True) if line[0] == sign
        ]

    between = [(text, end) for text, end in gap]
    removed = side(first, "-") + [("-" + t, e) for t, e in between] + side(second, "-")
    added = side(first, "+") + [("+" + t, e) for t, e in between] + side(second, "+")
    lines = removed + added
    return Hunk(
        tuple(line for line, _ in lines),
        first.old_start,
        first.new_start if first.new_count else (first.new_start or 0) + 1,
        second.old_missing_newline,
        second.new_missing_newline,
        endings=tuple(end for _, end in lines) if first.endings else (),
    )


def _one_per_sentence(hunk: Hunk) -> list[Hunk]:
    """A hunk cut into one hunk per aligned piece (a sentence corrected, added, deleted, split
    or joined), so that each is accepted on its own; cut only where accepting any subset of
    the pieces keeps every other sentence on its file line."""
    old, new = hunk.old_lines, hunk.new_lines
    pieces = align_sentences(old, new)
    if len(pieces) < 2:
        return [hunk]
    groups: list[tuple[range, range]] = []
    previous: tuple[range, range] | None = None  # the group of the last piece that changes
    for olds, news in pieces:
        changed = [old[k] for k in olds] != [new[k] for k in news]
        flows = changed and previous is not None and _words_flow(old, new, previous, (olds, news))
        if flows:  # back to the previous change's group, with the unchanged lines between
            assert previous is not None
            while groups[-1][0].start + groups[-1][1].start > sum(r.start for r in previous):
                groups.pop()
        if flows or (groups and not _may_cut(old, new, olds.start, news.start)):
            first = groups.pop()
            olds, news = range(first[0].start, olds.stop), range(first[1].start, news.stop)
        groups.append((olds, news))
        # A blank line added or removed says nothing of where words went: a line pulled into
        # the paragraph above is measured against the line it joins.
        if changed and any(
            _bag(line) for line in [*(old[k] for k in olds), *(new[k] for k in news)]
        ):
            previous = (olds, news)
    cut = [_piece(hunk, olds, news) for olds, news in groups]
    # Lines _over_blank_lines took in unchanged are no hunk of their own.
    return [p for p in cut if p.old_lines != p.new_lines or _sides(p)[0] != _sides(p)[1]]


def _sides(hunk: Hunk) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The endings of a hunk's old and new lines."""
    endings = hunk.endings or ("",) * len(hunk.lines)
    return endings[: hunk.old_count], endings[hunk.old_count :]


def _words_flow(
    old: Sequence[str], new: Sequence[str], first: tuple[range, range], then: tuple[range, range]
) -> bool:
    """Whether most words one of two pieces drops come back in the other: a sentence split
    into two paragraphs, or two joined, which the alignment cannot pair across a blank line."""

    def words(lines: Sequence[str], where: range) -> Counter[str]:
        return sum((_bag(lines[k]) for k in where), Counter())

    if all(first) and all(then):
        return False  # two corrections: each keeps its own hunk
    old1, new1 = words(old, first[0]), words(new, first[1])
    old2, new2 = words(old, then[0]), words(new, then[1])
    return any(
        dropped and 2 * _come_back(dropped, added) >= dropped.total()
        for dropped, added in ((old1 - new1, new2 - old2), (old2 - new2, new1 - old1))
    )


_RESPELT = 0.75  # a word corrected on its way ("Mitsral" to "Mistral") still comes back
_RESPELT_WORDS = 8  # beyond this many words left on each side, only exact ones are counted


def _come_back(dropped: Counter[str], added: Counter[str]) -> int:
    """How many of the dropped words are among the added ones, spelt alike or nearly."""
    exact = dropped & added
    left, spare = list((dropped - exact).elements()), list((added - exact).elements())
    if len(left) > _RESPELT_WORDS or len(spare) > _RESPELT_WORDS:
        return exact.total()
    near = 0
    for word in left:
        match = next((w for w in spare if SequenceMatcher(None, word, w).ratio() >= _RESPELT), None)
        if match is not None:
            spare.remove(match)
            near += 1
    return exact.total() + near


def _starts(lines: Sequence[str]) -> int:
    """How many of the view lines start a file line."""
    return sum(not continues(line) for line in lines)


def _may_cut(old: Sequence[str], new: Sequence[str], i: int, j: int) -> bool:
    """Whether a hunk may be cut before old line i and new line j, so that either part applied
    alone keeps every other sentence on its file line: the lines after the cut start a file line
    (or the hunk ends) on both sides, or the cut falls within the same file line on both."""
    if not any(continues(lines[k]) for lines, k in ((old, i), (new, j)) if k < len(lines)):
        return True
    return _starts(old[:i]) == _starts(new[:j])


def _piece(hunk: Hunk, olds: range, news: range) -> Hunk:
    """The part of a hunk (only "-" then "+" lines) replacing old lines `olds` by `news`."""
    count = hunk.old_count
    old_at, new_at = (hunk.old_index or 0) + olds.start, (hunk.new_index or 0) + news.start
    return Hunk(
        tuple("-" + hunk.old_lines[k] for k in olds) + tuple("+" + hunk.new_lines[k] for k in news),
        old_at + 1 if olds else old_at,
        new_at + 1 if news else new_at,
        hunk.old_missing_newline and olds.stop == count and bool(olds),
        hunk.new_missing_newline and news.stop == hunk.new_count and bool(news),
        endings=(
            tuple(hunk.endings[k] for k in olds) + tuple(hunk.endings[count + k] for k in news)
            if hunk.endings
            else ()
        ),
    )


# Sentence alignment, after Gale and Church: a run of changed sentences is paired up one to one,
# one to two (a split) or two to one (a join), or a sentence is left alone (added or deleted),
# at the least total cost. A pair costs the share of words that differ; an unpaired sentence
# a little less than a pair with nothing in common, so a moved sentence is a deletion and an
# addition, not two rewrites.
_MOVES = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2))
_ALONE = 0.9
_ALONE_BLANK = 0.2  # a blank line added or removed (a paragraph cut or joined)
_JOINED = 0.1  # a split or a join costs a little more than a correction in place
_KEPT = 0.6  # a sentence split off or joined keeps more than this share of its words
_CJK_START = 0x2E80  # CJK radicals; tokens() cuts these scripts into single characters
# Runs longer than this many (old + 1) * (new + 1) cells are not aligned: quadratic otherwise.
ALIGN_CELLS = 10_000


def changed_share(old: str, new: str) -> float:
    """The share of word tokens (characters for CJK) that differ between two texts, in order."""
    return 1 - SequenceMatcher(None, _words(old), _words(new), autojunk=False).ratio()


def longest_runs(old: str, new: str) -> tuple[float, float]:
    """The most words one stretch of `new` adds to `old`, and the most one stretch removes.

    A correction swaps words about one for one; "I hope this helps!" tacked onto a sentence,
    or a heading pulled into it, adds a run of words. A CJK character counts half a word.
    """
    a, b = _words(old), _words(new)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    added = removed = 0.0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            grown = _weight(b[j1:j2]) - _weight(a[i1:i2])
            added, removed = max(added, grown), max(removed, -grown)
    return added, removed


def _words(text: str) -> list[str]:
    """The tokens of `text` that are not spaces, line continuations dropped."""
    return [t for t in tokens(text.replace(CONTINUATION, "")) if not t.isspace()]


def _weight(words: Sequence[str]) -> float:
    """How many words the tokens make: punctuation none, a CJK character half."""
    return sum(0.5 if len(t) == 1 and ord(t) >= _CJK_START else 1.0 for t in words if t.isalnum())


def _bag(line: str) -> Counter[str]:
    """A line's words (not its punctuation), whatever their case and order."""
    return Counter(t.casefold() for t in tokens(line.replace(CONTINUATION, "")) if t.isalnum())


def _step(old: Sequence[Counter[str]], new: Sequence[Counter[str]]) -> float:
    """The cost of one alignment step: the words the two sides do not share, or a lone line."""
    if not old or not new:
        alone = old or new
        return _ALONE if alone[0].total() else _ALONE_BLANK
    a, b = sum(old, Counter()), sum(new, Counter())
    joined = len(old) + len(new) > 2
    # A split or a join keeps each sentence's words: "I hope this helps!" after a corrected
    # sentence is an addition, not half of a split.
    parts, whole = (old, b) if len(old) > 1 else (new, a)
    if joined and any((part & whole).total() <= _KEPT * part.total() for part in parts):
        return float("inf")
    total = a.total() + b.total()
    share = 1 - 2 * (a & b).total() / total if total else 0.0
    return share + (_JOINED if joined else 0.0)


def align_sentences(old: Sequence[str], new: Sequence[str]) -> list[tuple[range, range]]:
    """The old and new sentences (view lines) of a changed run, in aligned pieces: (old
    indexes, new indexes), in order, one side empty for a sentence added or deleted.

    A run too long to align is one piece, or pairs one for one when the sides are as long.
    """
    n, m = len(old), len(new)
    if (n + 1) * (m + 1) > ALIGN_CELLS:
        if n == m:
            return [(range(k, k + 1), range(k, k + 1)) for k in range(n)]
        return [(range(n), range(m))]
    old_bags, new_bags = [_bag(line) for line in old], [_bag(line) for line in new]
    cost = [[float("inf")] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int]]] = [[(0, 0)] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            here = cost[i][j]
            for di, dj in _MOVES:
                a, b = i + di, j + dj
                if a > n or b > m:
                    continue
                total = here + _step(old_bags[i:a], new_bags[j:b])
                if total < cost[a][b]:
                    cost[a][b], back[a][b] = total, (i, j)
    pieces = []
    i, j = n, m
    while i or j:
        pi, pj = back[i][j]
        pieces.append((range(pi, i), range(pj, j)))
        i, j = pi, pj
    return pieces[::-1]
