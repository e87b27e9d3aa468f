"""A fuzz target for the diff engine: hostile replies built from a grammar of diffs, run through
every step a model's reply takes. No input may raise anything but PatchRejected, make two steps
disagree, hang, or take more than linear-ish time.

tests/test_patch_fuzz.py runs it for a few seconds; `python bench/run.py fuzz` runs it long and
prints how many examples ran, how long they took, and the slowest input per character.
"""

from __future__ import annotations

import heapq
import statistics
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from fixer.patch import (
    Hunk,
    PatchRejected,
    apply_hunks,
    apply_patch,
    apply_placements,
    cut_off,
    diff_hunks,
    extract_diff,
    format_diff,
    locate_hunks,
    parse_diff,
    refusal_feedback,
    split_hunk,
)
from fixer.review import build_review

# Line texts shared by the files and the diffs, so that some hunks match: code, blanks,
# diff-like and fence-like lines, control characters, a lone surrogate, Unicode line breaks.
POOL = (
    "", "a", "b", "    a", "\ta", "  ", "x = 1", "def f():", "    return x", "# ...",
    "...", "```", "~~~", " ```", "--- a", "+++ b", "-- sql", "++ y", "@@", "\\", "\x00",
    "\ud800", "é", "a\u2028b", "a\x0bb", "a\rb", "<|im_end|>", "diff --git a/x b/x",
)  # fmt: skip
ATOM = st.one_of(st.sampled_from(POOL), st.text(max_size=6))
PATHS = (
    "x", "a/x", "b/x", "./x", "/dev/null", '"a/caf\\303\\251"', '"a/x', '"\\777"', "x y",
    "a/x\t2024-01-01 00:00:00.000 +0100", "a/x 2024-01-01", "a/", "b/", "", " ", "a/b/c",
)  # fmt: skip
PATH = st.one_of(st.sampled_from(PATHS), st.text(max_size=5))
EXTENDED = (
    "new file mode 100644", "deleted file mode 100644", "rename from x", "rename to y",
    "similarity index 90%", "copy from x", "copy to y", "old mode 100644", "new mode 100755",
    "index 1234567..89abcde 100644", "GIT binary patch", "literal 5", "delta 3",
    "Binary files a/x and b/x differ",
)  # fmt: skip
NUMBER = st.one_of(st.integers(0, 40), st.sampled_from([10**6, 2**63, 10**30]))
FENCES = ("```diff", "```", "````", " ```", "~~~", "~~~diff", "```python", "```diff x`", "````diff")
PROSE = ("Here is the fix:", "Let me know if this helps!", "I hope this helps.", "Done.")
ENDINGS = ("\n", "\r\n", "\r")
BLOWUP = 300  # how many times over one part of a reply may be written
SLOWEST = 10  # cases kept to be timed again
SCALE = 8  # the slowest case is run again this many times over, to see how its time grows


@st.composite
def at_line(draw: st.DrawFn) -> str:
    """An @@ line: right or wrong counts, huge numbers, none at all, or malformed."""
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return draw(st.sampled_from(["@@ @@", "@@", "@@@ -1 -1 +1 @@@", "@@ -x +y @@", "@@-1+1@@"]))
    old, new = draw(NUMBER), draw(NUMBER)
    counts = [f",{draw(NUMBER)}" if draw(st.booleans()) else "" for _ in range(2)]
    header = draw(st.sampled_from(["", " def f():", " " + draw(ATOM)]))
    closing = "" if kind == 1 else " @@"
    return f"@@ -{old}{counts[0]} +{new}{counts[1]}{closing}{header}"


@st.composite
def body_line(draw: st.DrawFn) -> str:
    tag = draw(st.sampled_from([" ", " ", "-", "+", "+", "", "\\"]))
    if tag == "\\":
        return draw(st.sampled_from(["\\ No newline at end of file", "\\", "\\ x"]))
    return tag + draw(ATOM)


@st.composite
def hunk(draw: st.DrawFn, file_lines: list[str]) -> list[str]:
    """An @@ line and its body: made up, or taken from the file (so it can apply) with lines
    removed and added, its numbers right or not."""
    if file_lines and draw(st.booleans()):
        start = draw(st.integers(0, len(file_lines) - 1))
        taken = file_lines[start : start + draw(st.integers(1, 6))]
        body = []
        for line in taken:
            body.append(draw(st.sampled_from([" ", " ", "-"])) + line)
            if draw(st.integers(0, 3)) == 0:
                body.append("+" + draw(ATOM))
        right = f"@@ -{start + 1},{len(taken)} +{start + 1},{len(taken)} @@"
        return [right if draw(st.booleans()) else draw(at_line()), *body]
    return [draw(at_line()), *draw(st.lists(body_line(), max_size=8))]


@st.composite
def file_header(draw: st.DrawFn) -> list[str]:
    """A git header, extended header lines, and ---/+++ lines, each maybe left out."""
    lines = []
    if draw(st.booleans()):
        lines.append(f"diff --git {draw(PATH)} {draw(PATH)}")
    lines += draw(st.lists(st.sampled_from(EXTENDED), max_size=2))
    if draw(st.integers(0, 3)):
        lines += [f"--- {draw(PATH)}", f"+++ {draw(PATH)}"]
    return lines


@st.composite
def replies(draw: st.DrawFn, file_lines: list[str]) -> str:
    """A model's reply: prose, fences (nested, unclosed), file headers and hunks in any order,
    sometimes a whole part twice, joined with any line ending, maybe cut or with end tokens."""
    part = st.one_of(
        st.lists(st.one_of(st.sampled_from(PROSE), ATOM), min_size=1, max_size=2),
        st.sampled_from(FENCES).map(lambda fence: [fence]),
        file_header(),
        hunk(file_lines),
        hunk(file_lines),
    )
    parts = draw(st.lists(part, min_size=1, max_size=8))
    if draw(st.integers(0, 4)) == 0:  # a file written twice, or a second draft
        parts += parts[draw(st.integers(0, len(parts) - 1)) :]
    if draw(st.integers(0, 9)) == 0:  # one part many times over: size for slow paths to show
        k = draw(st.integers(0, len(parts) - 1))
        parts[k] = parts[k] * draw(st.integers(2, BLOWUP))
    lines = [line for piece in parts for line in piece]
    endings = draw(st.lists(st.sampled_from(ENDINGS), min_size=1, max_size=3))
    text = "".join(line + endings[k % len(endings)] for k, line in enumerate(lines))
    tail = draw(st.sampled_from(["", "", "<|im_end|>", "</s>\n", "```\n"]))
    text += tail
    if draw(st.integers(0, 5)) == 0:
        text = text[: draw(st.integers(0, len(text)))]  # cut off anywhere, mid-line too
    return text


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, str]:
    """(the file, a reply about it): the file of pool lines, maybe with a BOM, CRLF, or no
    final newline."""
    file_lines = draw(st.lists(ATOM, max_size=30))
    ending = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    text = "".join(line + ending for line in file_lines)
    if text and draw(st.integers(0, 4)) == 0:
        text = text[: -len(ending)]
    if draw(st.integers(0, 6)) == 0:
        text = "\ufeff" + text
    return text, draw(replies([line for line in file_lines if "\n" not in line]))


def run_reply(original: str, reply: str) -> None:
    """Every step a reply takes through fixer, checking that the steps agree; PatchRejected is
    the one exception any step may raise (a refusal)."""
    cut_off(reply)
    try:
        patches = parse_diff(extract_diff(reply) or reply)
    except PatchRejected as refusal:
        str(refusal)
        patches = []
    for patch in patches:
        placements, refusals = locate_hunks(original, patch)
        refusal_feedback(refusals)
        new = apply_placements(original, placements)
        review(original, new)
    try:
        apply_patch(original, reply)
    except PatchRejected as refusal:
        str(refusal)
    try:
        proposal = build_review(reply, {"x": original, "a/b/c": original})
    except PatchRejected:
        return
    proposal.accept_all()
    proposal.new_texts()
    proposal.as_diff(only_accepted=True)


def review(original: str, new: str) -> None:
    """The review's side: the hunks recomputed from the two texts apply exactly, whole, in
    part and split; their git-style patch parses back into the same hunks."""
    hunks = diff_hunks(original, new)
    assert apply_hunks(original, hunks) == new
    apply_hunks(original, hunks[::2])
    assert apply_hunks(original, [piece for h in hunks for piece in split_hunk(h)]) == new
    if hunks:
        # A file's last line may end with a lone CR and no newline: a diff cannot tell that CR
        # from a CRLF ending, and the parser reads it as one (the hunk is then refused).
        [again] = parse_diff(format_diff("x", hunks))
        assert [h.lines for h in again.hunks] == [_as_read(h) for h in hunks]


def _as_read(hunk: Hunk) -> tuple[str, ...]:
    """The hunk's lines as a parser reads them back: a last line's lone CR is an ending."""
    return tuple(
        line.removesuffix("\r") if not end else line
        for line, end in zip(hunk.lines, hunk.endings, strict=True)
    )


@dataclass
class Tally:
    """What a fuzz run saw: examples, time, and the slowest cases (timed once: a collection or
    another process may have stretched one, so they are timed again at the end)."""

    examples: int = 0
    seconds: float = 0.0
    slowest: list[tuple[float, str, str]] = field(default_factory=list)  # seconds, file, reply

    def timed(self, original: str, reply: str) -> None:
        start = time.perf_counter()
        run_reply(original, reply)
        spent = time.perf_counter() - start
        self.examples += 1
        self.seconds += spent
        self.slowest = heapq.nlargest(SLOWEST, [*self.slowest, (spent, original, reply)])


def fuzz(examples: int, tally: Tally, seed: int | None = None) -> Callable[[], None]:
    """A hypothesis test over `examples` cases, counting into `tally`."""

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        derandomize=seed is not None,
    )
    @given(cases())
    def target(case: tuple[str, str]) -> None:
        tally.timed(*case)

    return target


def scaled(original: str, reply: str, times: int, runs: int = 5) -> float:
    """The median seconds for the file and the reply each repeated `times` times."""
    spent = []
    for _ in range(runs):
        start = time.perf_counter()
        run_reply(original * times, reply * times)
        spent.append(time.perf_counter() - start)
    return statistics.median(spent)


def run(quick: bool = False, examples: int | None = None) -> None:
    examples = examples or (500 if quick else 20_000)
    tally = Tally()
    try:
        fuzz(examples, tally)()
    except Exception:  # the figures so far still count; the failure is shown in full
        print("FAILED:")
        traceback.print_exc()
    print(f"examples run:   {tally.examples:,} in {tally.seconds:.1f} s (engine time)")
    if not tally.slowest:
        return
    spent, original, reply = max((scaled(o, r, 1), o, r) for _, o, r in tally.slowest)
    size = len(original) + len(reply)
    print(
        f"slowest input:  {size:,} characters in {spent * 1000:.2f} ms "
        f"({spent * 1e6 / size:.1f} µs per character; the {SLOWEST} slowest timed again)"
    )
    many = scaled(original, reply, SCALE)
    print(
        f"it repeated {SCALE}x: {many / max(spent, 1e-9):.1f}x the time "
        f"({spent * 1000:.2f} -> {many * 1000:.2f} ms; linear {SCALE}x, quadratic {SCALE**2}x)"
    )
