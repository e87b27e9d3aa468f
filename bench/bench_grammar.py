"""fixer's offline English correctors on blog posts with seeded errors: codespell alone, Harper
alone and both, in one run.

The posts (bench/data/grammar/*.md) are our own: Jekyll front matter, kramdown lines, code,
links, tables and the jargon naive spell checkers "correct". A few errors of each kind are
seeded into their prose (grammar_seed.py); each tool set corrects the seeded posts through the
call the agent makes, and grammar_score.py scores its edits: recall, strict and lenient
precision (plausible.txt lists the edits judged plausible, one line of why each), edits in
protected regions. The clean posts are corrected too: every edit there is a false alarm unless
plausible. Time is per 1,000 words of prose after start-up, which is reported apart.
Targets for both tools together: recall >= 0.5, lenient precision >= 0.95, 0 protected edits,
< 50 ms per 1,000 words.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from grammar_score import Pair, Score, extra_edits, read_plausible, score
from grammar_seed import Kind, seed_post

from fixer.language import post_dialect
from fixer.local import correct_prose
from fixer.markdown import mask
from fixer.sources import Source, read_source

POSTS = Path(__file__).resolve().parent / "data" / "grammar"
PLAUSIBLE = POSTS / "plausible.txt"
SEED = 15
PER_KIND = 2  # errors of each kind per post, at most
TOOL_SETS = (("codespell",), ("harper",), ("codespell", "harper"))
RUNS = 5
TINY = "---\ntitle: Tiny\n---\n\nA short post with one sentence.\n"
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")
_PLACEHOLDER = re.compile("⟦[0-9]+⟧")

Correct = Callable[[Sequence[Source]], list[str]]


def run(quick: bool = False) -> None:
    paths = sorted(POSTS.glob("*.md"))[: 3 if quick else None]
    clean = {path.name: path.read_text(encoding="utf-8") for path in paths}
    seeded = [seed_post(name, text, SEED, PER_KIND) for name, text in clean.items()]
    plausible = read_plausible(PLAUSIBLE)
    words = sum(prose_words(text) for text in clean.values())
    kinds = Counter(error.kind for post in seeded for error in post.errors)
    print(
        f"{len(paths)} posts, {words:,} words of prose, {kinds.total()} seeded errors "
        f"(seed {SEED}, at most {PER_KIND} of each kind a post)"
    )
    first, later = _linter_ms()
    print(
        f"harper.Linter() construction: {first:.0f} ms the first time in a process (part of "
        f"Harper's start-up below), {later:.0f} ms after"
    )
    with tempfile.TemporaryDirectory(prefix="fixer-bench-grammar-") as tmp:
        seeded_sources = _sources(Path(tmp, "seeded"), {p.name: p.text for p in seeded})
        clean_sources = _sources(Path(tmp, "clean"), clean)
        tiny = _sources(Path(tmp, "tiny"), {"tiny.md": TINY})
        for tools in TOOL_SETS:
            correct = corrector(tools)
            label = " + ".join(tools)
            runs = 1 if quick else RUNS
            started = time.perf_counter()
            outputs = correct(seeded_sources)
            first = time.perf_counter() - started
            timing = first, _median(correct, tiny, runs), _median(correct, seeded_sources, runs)
            result = Score()
            for post, output in zip(seeded, outputs, strict=True):
                result.add(score(post, output, plausible))
            alarms = [
                pair
                for source, output in zip(clean_sources, correct(clean_sources), strict=True)
                for pair in extra_edits(source.text, output)
            ]
            _report(label, result, alarms, plausible, kinds)
            _report_time(timing, len(seeded), words, runs)


def corrector(tools: Sequence[str]) -> Correct:
    """The grammar agent's offline call for these tools, one post at a time as the agent makes
    it, in the post's dialect (none told: every dialect's spelling is right)."""

    def correct(sources: Sequence[Source]) -> list[str]:
        return [
            corrected.text
            for source in sources
            for corrected in correct_prose([source], tools, dialect=post_dialect(source.text))
        ]

    return correct


def prose_words(text: str) -> int:
    """Words in a post's prose: what the correctors read (code, links, markup masked)."""
    return len(_WORD.findall(_PLACEHOLDER.sub(" ", mask(text).text)))


def _linter_ms() -> tuple[float, float]:
    """harper.Linter() construction, first and second, in a fresh process: this one's first
    Harper run must pay its own start-up."""
    code = (
        "import time, harper\n"
        "for _ in range(2):\n"
        "    started = time.perf_counter(); harper.Linter()\n"
        "    print((time.perf_counter() - started) * 1000)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    first, later = (float(line) for line in done.stdout.split())
    return first, later


def _sources(directory: Path, texts: dict[str, str]) -> list[Source]:
    directory.mkdir()
    for name, text in texts.items():
        directory.joinpath(name).write_text(text, encoding="utf-8")
    return [read_source(directory / name, directory) for name in texts]


def _median(correct: Correct, sources: list[Source], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        correct(sources)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _report(
    label: str, result: Score, alarms: list[Pair], plausible: frozenset[Pair], kinds: Counter[Kind]
) -> None:
    print(
        f"\n-- {label}: recall {result.recall():.2f} ({result.fixed.total()} of "
        f"{result.seeded.total()}), precision strict {_f(result.strict())}, lenient "
        f"{_f(result.lenient())} ({result.edits} edits: {result.fixed.total()} exact fixes, "
        f"{result.fixed_otherwise.total()} other right fixes, {len(result.extras)} extra of which "
        f"{result.plausible_extras} plausible), protected edits {result.protected}"
    )
    print(f"   {'kind':<22}{'seeded':>7}{'fixed':>7}{'recall':>8}{'answered':>10}{'other':>7}")
    for kind in Kind:
        if kinds[kind]:
            print(
                f"   {kind:<22}{result.seeded[kind]:>7}{result.fixed[kind]:>7}"
                f"{_f(result.recall(kind)):>8}{result.answered[kind]:>10}"
                f"{result.fixed_otherwise[kind]:>7}"
            )
    for kind, (old, new) in sorted(result.missed):
        print(f"   wrong at a {kind}: {old} -> {new}")
    for old, new in sorted(set(result.extras) - plausible - set(alarms)):
        print(f"   extra on seeded (not on clean): {old} -> {new}")
    wrong = [pair for pair in alarms if pair not in plausible]
    print(
        f"   clean posts: {len(alarms)} edits ({len(alarms) - len(wrong)} plausible, "
        f"{len(wrong)} false alarms)"
    )
    for old, new in sorted(set(wrong)):
        print(f"   false alarm: {old} -> {new}")


def _report_time(timing: tuple[float, float, float], posts: int, words: int, runs: int) -> None:
    """(first run over the posts, a later call on a tiny post, a later run over the posts) in
    seconds. The first run's excess is the tool set's start-up in this process; a run is one
    call a post, so each call's own start-up (codespell's subprocess) is taken off too before
    the per 1,000 words figure."""
    first, per_call, corpus = timing
    per_1000 = max(corpus - posts * per_call, 0.0) / words * 1000
    print(
        f"   time: start-up {max(first - corpus, 0.0) * 1000:.0f} ms (first run over the posts "
        f"minus a later one), {per_call * 1000:.0f} ms a call (a tiny post), "
        f"{corpus * 1000:.0f} ms for the {posts} posts, one call each: {per_1000 * 1000:.1f} ms "
        f"per 1,000 words after start-up (medians of {runs})"
    )


def _f(value: float) -> str:
    return "-" if value != value else f"{value:.2f}"  # NaN: no edits to judge
