"""unidiff against fixer's own parser: speed on a well-formed git diff, and what it makes of the
replies models really write (patch_damage.py's damage kinds, bench_patch.py's hostile inputs).

It answers whether unidiff could serve fixer as a first pass over well-formed diffs: that needs
it no slower than fixer's parser, and never reading a reply otherwise than fixer does without
raising. "First pass" below is unidiff's reading (re-serialized by unidiff, then placed and
applied by fixer), with fixer's parser taking over whenever unidiff raises or finds no file.
unidiff is in fixer's `bench` extra: `.venv/bin/python -m pip install -e '.[bench]'`.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import unidiff
from bench_patch import (
    RUNS,
    big_diff,
    build_cases,
    classify,
    hostile_inputs,
    median_seconds,
    release_trees,
    run_fixer,
)
from patch_damage import KINDS, Damaged

from fixer.patch import PatchRejected, apply_patch, cut_off, extract_diff, parse_diff

Reading = list[tuple[tuple[str, ...], ...]]  # each file's hunks, each hunk's tagged lines


def fixer_reading(reply: str) -> Reading | None:
    """The hunk lines fixer's parser reads in a reply (after extracting it); None: refused."""
    try:
        patches = parse_diff(extract_diff(reply) or reply)
    except PatchRejected:
        return None
    return [tuple(hunk.lines for hunk in patch.hunks) for patch in patches]


def unidiff_reading(reply: str) -> Reading | None:
    """The same as unidiff reads it; None when it raises or finds no file."""
    try:
        files = unidiff.PatchSet(reply)
    except unidiff.UnidiffParseError:
        return None
    reading = [
        tuple(
            tuple(
                line.line_type + line.value.removesuffix("\n").removesuffix("\r")
                for line in hunk
                if line.line_type != "\\"  # "\ No newline at end of file": not a line
            )
            for hunk in file
        )
        for file in files
    ]
    return reading or None


def compared(reply: str) -> str:
    """How unidiff reads a reply next to fixer: "raises"; "same"; "loses" (fewer changed lines,
    without a word: it stops a hunk where its @@ counts say, or drops a hunk without numbers);
    "other" (a second draft as two files, a blank line kept as context...)."""
    theirs = unidiff_reading(reply)
    if theirs is None:
        return "raises"
    ours = fixer_reading(reply)
    if theirs == ours:
        return "same"
    return "loses" if ours is not None and _changes(theirs) < _changes(ours) else "other"


def _changes(reading: Reading) -> int:
    return sum(line[:1] in ("-", "+") for hunks in reading for hunk in hunks for line in hunk)


def first_pass(folder: Path, path: str, damaged: Damaged) -> str | None:
    """What fixer would write with unidiff as its first pass; None when it refuses."""
    if cut_off(damaged.diff) is not None:
        return None
    try:
        files = unidiff.PatchSet(damaged.diff)
    except unidiff.UnidiffParseError:
        files = None
    return apply_patch(damaged.original, str(files) if files else damaged.diff)


def outcome(tool: Callable[[Path, str, Damaged], str | None], damaged: Damaged) -> str:
    """correct, refused or wrong, as bench_patch classifies them; a crash stops the run."""
    try:
        return classify(tool(Path(tempfile.gettempdir()), "", damaged), damaged.expected)
    except PatchRejected:
        return "refused"


def print_damage(quick: bool) -> None:
    """Per damage kind: how unidiff reads the replies, and fixer with and without it."""
    jobs = build_cases(40 if quick else 300)
    rows: dict[str, list[Counter[str]]] = {}
    for kind, _, damaged in jobs:
        row = rows.setdefault(kind, [Counter(), Counter(), Counter()])
        row[0][compared(damaged.diff)] += 1
        row[1][outcome(run_fixer, damaged)] += 1
        row[2][outcome(first_pass, damaged)] += 1
    print(f"{len(jobs)} damaged replies (bench_patch's cases, seed and files)")
    print(f"{'':30}{'unidiff reads':<27}{'fixer':<18}{'unidiff first, fixer'}")
    heading = f"{'kind':24}{'cases':>6}{'raises':>7}{'same':>6}{'loses':>6}{'other':>6}  "
    print(heading + f"{'ok':>5}{'ref':>5}{'wrong':>6}  " * 2)
    total = [Counter(), Counter(), Counter()]
    for kind in KINDS:
        if kind in rows:
            _print_row(kind, rows[kind])
            for counts, more in zip(total, rows[kind], strict=True):
                counts.update(more)
    _print_row("= all", total)


def _print_row(label: str, row: list[Counter[str]]) -> None:
    reads, alone, first = row
    cells = "".join(f"{c['correct']:5d}{c['refused']:5d}{c['wrong']:6d}  " for c in (alone, first))
    print(
        f"{label:24}{sum(reads.values()):6d}{reads['raises']:7d}{reads['same']:6d}"
        f"{reads['loses']:6d}{reads['other']:6d}  {cells}".rstrip()
    )


def print_hostile() -> None:
    """bench_patch's hostile replies: unidiff's time at n and 4n, and how it reads them."""
    print(f"{'input':26}{'n=10k s':>10}{'n=40k s':>10}{'ratio':>7}  unidiff reads")
    for name, build in hostile_inputs().items():
        times, reads = [], []
        for n in (10_000, 40_000):
            _, reply = build(n)
            times.append(median_seconds(lambda reply=reply: unidiff_reading(reply), RUNS))
            reads.append(compared(reply))
        ratio = times[1] / max(times[0], 1e-6)
        print(f"{name:26}{times[0]:10.4f}{times[1]:10.4f}{ratio:7.1f}  {', '.join(reads)}")


def print_speed(quick: bool) -> None:
    """Parse time per MB of a well-formed git diff: fixer's parser, as a reply and bare; unidiff."""
    old, new, source = release_trees(quick)
    runs = 1 if quick else RUNS
    changed = {name for name in old.keys() & new.keys() if old[name] != new[name]}
    with tempfile.TemporaryDirectory() as folder:
        diff = big_diff(Path(folder), *({n: t[n] for n in changed} for t in (old, new)))
    megabytes = len(diff.encode()) / 1e6
    hunks = sum(len(patch.hunks) for patch in parse_diff(diff))
    print(f"source: {source}; {megabytes:.2f} MB, {hunks} hunks; median of {runs}")
    print(f"fixer and unidiff read it {'the same' if compared(diff) == 'same' else 'DIFFERENTLY'}")
    timed = {
        "fixer parse_diff": lambda: parse_diff(diff),
        "fixer extract + parse": lambda: parse_diff(extract_diff(diff) or diff),
        "unidiff PatchSet": lambda: unidiff.PatchSet(diff),
    }
    seconds = {label: median_seconds(action, runs) for label, action in timed.items()}
    for label, spent in seconds.items():
        print(f"{label:24}{spent:8.3f} s{spent / megabytes:8.3f} s/MB")
    ratio = seconds["unidiff PatchSet"] / seconds["fixer parse_diff"]
    print(f"unidiff / fixer parse_diff: {ratio:.2f}x")


def print_short_counts() -> None:
    """A hunk whose @@ counts are one line short, as models write them: what unidiff keeps."""
    for reply in (
        "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n+d\n",
        "--- a/x\n+++ b/x\n@@ -1,1 +1,1 @@\n a\n-b\n+c\n",
    ):
        kept = [str(line).rstrip("\n") for hunk in unidiff.PatchSet(reply)[0] for line in hunk]
        body = reply.splitlines()[3:]  # after the ---, +++ and @@ lines
        print(f"{' | '.join(body)}  ->  unidiff keeps {' | '.join(kept)} (no error)")


def run(quick: bool = False) -> None:
    start = time.perf_counter()
    print("-- parse speed, well-formed git diff")
    print_speed(quick)
    print("\n-- hostile input")
    print_hostile()
    print("\n-- @@ counts one line short")
    print_short_counts()
    print("\n-- damaged replies")
    print_damage(quick)
    print(f"\n(whole run {time.perf_counter() - start:.0f} s)")
