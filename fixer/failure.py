"""A test run's output cut to a prompt's token budget: the lines that say what failed, and the
tail, where test runners sum up. Pure: text in, text out."""

from __future__ import annotations

import re

from fixer.tokens import estimate_tokens

# Lines that say what failed: pytest's "E   " lines and locations ("test_x.py:12:"),
# Python's traceback, assertion and exception lines, pytest's FAILED summary, unittest's
# FAIL:/ERROR: headers. Searched in a line's first LINE_CHARS characters only, so a
# hostile line cannot make the search slow.
_FAILED = re.compile(
    r"^E\s|^(?:FAIL|ERROR):|FAILED|Traceback|\bassert|Error\b|Exception\b"
    r"|\.[A-Za-z]\w*:\d+:|File \"[^\"]*\", line \d+"
)
# Longer lines are cut to this many characters: one line must not eat the budget.
LINE_CHARS = 500
# The share of the budget held for the tail before the failure lines take theirs; what the
# failure lines leave goes to the tail too.
TAIL_SHARE = 0.5


def trim_output(output: str, budget_tokens: int) -> str:
    """The output within budget_tokens (by tokens.estimate_tokens): the failure lines and the
    tail, in their order, each run of left-out lines marked "[... 120 lines ...]". Output that
    fits is returned whole. Linear in the output's size."""
    if estimate_tokens(output) <= budget_tokens:
        return output
    lines = output.splitlines()
    # Every mark is charged as the longest one, a failure line away from the one kept before it
    # pays for the mark between them: the result is never over, only under when marks merge.
    mark = estimate_tokens(_mark(len(lines)) + "\n")
    left = budget_tokens - mark  # the mark before the tail (or after the last failure line)
    tail_start, left = _tail(lines, len(lines), 0, int(left * TAIL_SHARE), left)
    kept: list[int] = []
    for index in range(tail_start):
        if not _FAILED.search(lines[index], 0, LINE_CHARS):
            continue
        cost = _cost(lines[index]) + (mark if index and (not kept or kept[-1] != index - 1) else 0)
        if cost <= left:
            kept.append(index)
            left -= cost
    floor = kept[-1] + 1 if kept else 0
    tail_start, left = _tail(lines, tail_start, floor, left, left)
    return _join(lines, [*kept, *range(tail_start, len(lines))])


def _tail(lines: list[str], start: int, floor: int, share: int, left: int) -> tuple[int, int]:
    """Move the tail's start back from start (not below floor) while its lines fit in share;
    the new start and what is left of left."""
    spent = 0
    while start > floor and spent + _cost(lines[start - 1]) <= share:
        start -= 1
        spent += _cost(lines[start])
    return start, left - spent


def _join(lines: list[str], kept: list[int]) -> str:
    """The kept lines (increasing indexes) with a mark for each run of lines between them."""
    out: list[str] = []
    previous = -1
    for index in [*kept, len(lines)]:
        if index - previous > 1:
            out.append(_mark(index - previous - 1))
        if index < len(lines):
            out.append(_cut(lines[index]))
        previous = index
    return "\n".join(out)


def _cost(line: str) -> int:
    return estimate_tokens(_cut(line) + "\n")


def _cut(line: str) -> str:
    return line if len(line) <= LINE_CHARS else line[:LINE_CHARS] + "…"


def _mark(count: int) -> str:
    return f"[... {count} line{'s' * (count != 1)} ...]"
