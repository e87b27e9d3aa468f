"""The agents' guards on hostile input: a big file, a hunk every few lines.

The docs guard (fixer/codeguard.py) on Python and C, the refactor guard (fixer/publicapi.py) and
the merge guard (fixer/agents/merge.py), each over a reply whose hunks change every 40th line or
so. Reported per guard and size: the median time, its growth from a quarter of the size (linear
is 4x for 4x the lines and hunks; a guard that reparsed the file per hunk would be 16x), and the
ratio to a peer measured in the same run: one parse of the file by the library the guard builds
on (ast, Pygments, markdown-it), the floor of any guard that reads the file at all.
"""

from __future__ import annotations

import ast
import statistics
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple

from markdown_it import MarkdownIt
from pygments.lexers import CLexer

from fixer.agents import DOCS, MERGE, REFACTOR
from fixer.patch import Hunk, diff_hunks

SIZES = (10_000, 40_000)  # lines; about one hunk per 40 lines: 250 and 1,000 hunks
RUNS = 5


def _python_comments(lines: int) -> tuple[str, str]:
    block = 'def f{n}(x):\n    """Doc {n}."""\n    y = x + {n}  # note {n}\n    return y\n\n'
    old = "".join(block.format(n=n) for n in range(lines // 5))
    new = "".join(
        block.format(n=n).replace("# note", "# better note" if n % 10 else "# note")
        if n % 8
        else block.format(n=n)
        .replace("# note", "# a note")
        .replace("+ ", "- " if n % 80 == 0 else "+ ")
        for n in range(lines // 5)
    )
    return old, new


def _c_comments(lines: int) -> tuple[str, str]:
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


def _python_api(lines: int) -> tuple[str, str]:
    """Every 8th function's body cleaned up; one in ten of those renamed (a flag)."""
    block = "def f{n}(x, y=1):\n    total = x + y\n    return total\n\n\n"
    old = "".join(block.format(n=n) for n in range(lines // 5))
    new = "".join(
        block.format(n=n)
        .replace("total", "result")
        .replace(f"f{n}(", f"f{n}(" if n % 80 else f"g{n}(")
        if n % 8 == 0
        else block.format(n=n)
        for n in range(lines // 5)
    )
    return old, new


def _posts(lines: int) -> tuple[str, str]:
    """A merge base of dated sections; every 8th section's paragraph edited, one in ten of those
    deleted whole (a passage lost), with code and links in every section."""
    block = (
        "## Day {n}\n\nOn day {n} I read [the docs](https://example.invalid/{n}) and ran "
        "`make {n}`.\nIt worked on day {n}, mostly.\n\n```sh\nmake test-{n}\n```\n\n"
    )
    old = "".join(block.format(n=n) for n in range(lines // 10))
    new = "".join(
        block.format(n=n)
        .replace(", mostly.\n", ".\n")
        .replace(f"It worked on day {n}.\n", "" if n % 80 == 0 else f"It worked on day {n}.\n")
        if n % 8 == 0
        else block.format(n=n)
        for n in range(lines // 10)
    )
    return old, new


class Case(NamedTuple):
    label: str
    name: str  # the file's name, which picks the language
    check: Callable[[str, str, Sequence[Hunk]], Sequence[object]] | None
    texts: Callable[[int], tuple[str, str]]  # lines -> the file and the reply's version of it
    peer: Callable[[str], object]  # one parse of the file


def _c_tokens(text: str) -> object:
    return list(CLexer().get_tokens(text))


CASES = (
    Case("docs guard, Python", "m.py", DOCS.guard.check, _python_comments, ast.parse),
    Case("docs guard, C", "m.c", DOCS.guard.check, _c_comments, _c_tokens),
    Case("refactor guard, Python", "m.py", REFACTOR.guard.check, _python_api, ast.parse),
    Case("merge guard, Markdown", "post.md", MERGE.guard.check, _posts, MarkdownIt().parse),
)


def _median(measure: Callable[..., object], *args: object) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        measure(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(quick: bool = False) -> None:
    sizes = SIZES[:1] if quick else SIZES
    for label, name, check, texts, peer in CASES:
        assert check is not None
        previous = None
        for lines in sizes:
            old, new = texts(lines)
            hunks = diff_hunks(old, new)
            found = check(name, old, hunks)
            seconds = _median(check, name, old, hunks)
            parse = _median(peer, old)
            growth = f", {seconds / previous:.1f}x the quarter size" if previous else ""
            print(
                f"{label}: {lines:,} lines, {len(hunks):,} hunks "
                f"({sum(f is not None for f in found)} objected to): {seconds * 1000:.0f} ms, "
                f"{seconds / parse:.1f}x one parse of the file ({parse * 1000:.0f} ms; "
                f"medians of {RUNS}){growth}"
            )
            previous = seconds
