"""Word-level highlights for display, after delta: pair similar lines, then align their tokens."""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

# CJK characters are tokens on their own (no spaces between words); else words, runs of
# whitespace, and single punctuation characters.
_TOKEN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]|\w+|\s+|[^\w\s]"
)
MAX_DISTANCE = 0.6  # delta's max-line-distance: beyond it the whole line is marked

Span = tuple[int, int]  # [start, end) character offsets in a line


def tokens(line: str) -> list[str]:
    """Words, runs of whitespace and punctuation marks; each CJK character on its own."""
    return _TOKEN.findall(line)


def _distance(old: list[str], new: list[str]) -> float:
    """0 for equal token lists, 1 for nothing in common."""
    return 1 - SequenceMatcher(None, old, new, autojunk=False).ratio()


def pair_lines(removed: Sequence[str], added: Sequence[str]) -> list[tuple[int, int]]:
    """(removed index, added index) pairs similar enough for word highlights, in order."""
    pairs: list[tuple[int, int]] = []
    added_tokens = [tokens(line) for line in added]
    next_added = 0
    for i, line in enumerate(removed):
        line_tokens = tokens(line)
        for j in range(next_added, len(added)):
            if _distance(line_tokens, added_tokens[j]) <= MAX_DISTANCE:
                pairs.append((i, j))
                next_added = j + 1
                break
    return pairs


def _spans(tokens: list[str], changed: list[Span]) -> list[Span]:
    """Character spans of changed token ranges, joined when only whitespace separates them."""
    offsets = [0]
    for token in tokens:
        offsets.append(offsets[-1] + len(token))
    spans: list[Span] = []
    for lo, hi in changed:
        if spans and all(t.isspace() for t in tokens[spans[-1][1] : lo]):
            spans[-1] = (spans[-1][0], hi)  # "a b" -> "x y": one change, not two
        else:
            spans.append((lo, hi))
    return [(offsets[lo], offsets[hi]) for lo, hi in spans if hi > lo]


def word_spans(old: str, new: str) -> tuple[list[Span], list[Span]] | None:
    """The changed character spans of a removed and an added line; None when too different."""
    old_tokens, new_tokens = tokens(old), tokens(new)
    matcher = SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    if 1 - matcher.ratio() > MAX_DISTANCE:
        return None
    changes = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    return (
        _spans(old_tokens, [(i1, i2) for _, i1, i2, _, _ in changes]),
        _spans(new_tokens, [(j1, j2) for _, _, _, j1, j2 in changes]),
    )
