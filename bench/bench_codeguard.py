"""The docs agent's guard (fixer/codeguard.py) on hostile input: a big file, a hunk every few lines.

Reported per language and size: the median time of the guard over a reply whose hunks change
every 40th line's comment (and one in ten of them code too), and its growth from a quarter of the
size: linear is 4x for 4x the lines and hunks; a guard that retokenized per hunk would be 16x.
"""

from __future__ import annotations

import statistics
import time

from fixer.codeguard import code_changes
from fixer.patch import diff_hunks

SIZES = (10_000, 40_000)  # lines; one hunk per 40 lines: 250 and 1,000 hunks
RUNS = 5


def _python(lines: int) -> tuple[str, str]:
    block = 'def f{n}(x):\n    """Doc {n}."""\n    y = x + {n}  # note {n}\n    return y\n\n'
    old = "".join(block.format(n=n) for n in range(lines // 5))
    new = "".join(
        block.format(n=n).replace("# note", "# better note" if n % 10 else "# note") + ""
        if n % 8
        else block.format(n=n)
        .replace("# note", "# a note")
        .replace("+ ", "- " if n % 80 == 0 else "+ ")
        for n in range(lines // 5)
    )
    return old, new


def _c(lines: int) -> tuple[str, str]:
    block = "/* f{n} */\nint f{n}(int x) {{\n    return x + {n}; // note\n}}\n\n"
    old = "".join(block.format(n=n) for n in range(lines // 5))
    new = "".join(
        block.format(n=n)
        .replace("// note", "// a note")
        .replace("+ ", "- " if n % 80 == 0 else "+ ")
        if n % 8 == 0
        else block.format(n=n)
        for n in range(lines // 5)
    )
    return old, new


def _median(name: str, old: str, new: str) -> tuple[float, int, int]:
    hunks = diff_hunks(old, new)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        found = code_changes(name, old, hunks)
        times.append(time.perf_counter() - start)
    return statistics.median(times), len(hunks), sum(r is not None for r in found)


def run(quick: bool = False) -> None:
    sizes = SIZES[:1] if quick else SIZES
    for name, make in (("m.py", _python), ("m.c", _c)):
        previous = None
        for lines in sizes:
            seconds, hunks, refused = _median(name, *make(lines))
            growth = f", {seconds / previous:.1f}x the quarter size" if previous else ""
            print(
                f"{name}: {lines:,} lines, {hunks:,} hunks ({refused} change code): "
                f"{seconds * 1000:.0f} ms (median of {RUNS}){growth}"
            )
            previous = seconds
