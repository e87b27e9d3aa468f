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
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from grammar_score import Pair, Score, extra_edits, read_plausible, score
from grammar_seed import Kind, seed_post

import fixer.local
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
    with tempfile.TemporaryDirectory(prefix="fixer-bench-grammar-") as tmp:
        seeded_sources = _sources(Path(tmp, "seeded"), {p.name: p.text for p in seeded})
        clean_sources = _sources(Path(tmp, "clean"), clean)
        tiny = _sources(Path(tmp, "tiny"), {"tiny.md": TINY})
        for tools in TOOL_SETS:
            correct = corrector(tools)
            label = " + ".join(tools)
            if correct is None:
                print(f"\n-- {label}: skipped (fixer.local.correct_prose is not on main yet)")
                continue
            runs = 1 if quick else RUNS
            timing = _timing(correct, tiny, seeded_sources, runs)
            result = Score()
            for post, output in zip(seeded, correct(seeded_sources), strict=True):
                result.add(score(post, output, plausible))
            alarms = [
                pair
                for source, output in zip(clean_sources, correct(clean_sources), strict=True)
                for pair in extra_edits(source.text, output)
            ]
            _report(label, result, alarms, plausible, kinds)
            _report_time(timing, words, runs)


def corrector(tools: Sequence[str]) -> Correct | None:
    """The agent's call for these tools: correct_prose once it is on main; until then
    codespell through spell_prose, and nothing for Harper."""
    correct_prose = getattr(fixer.local, "correct_prose", None)
    if correct_prose is not None:
        return lambda sources: [c.text for c in correct_prose(sources, tuple(tools))]
    if tuple(tools) == ("codespell",):
        return lambda sources: [text for text, _ in fixer.local.spell_prose(sources)]
    return None


def prose_words(text: str) -> int:
    """Words in a post's prose: what the correctors read (code, links, markup masked)."""
    return len(_WORD.findall(_PLACEHOLDER.sub(" ", mask(text).text)))


def _sources(directory: Path, texts: dict[str, str]) -> list[Source]:
    directory.mkdir()
    for name, text in texts.items():
        directory.joinpath(name).write_text(text, encoding="utf-8")
    return [read_source(directory / name, directory) for name in texts]


def _timing(
    correct: Correct, tiny: list[Source], corpus: list[Source], runs: int
) -> tuple[float, float, float]:
    """(first call, later calls on a tiny post, calls on the corpus) in seconds, medians."""
    started = time.perf_counter()
    correct(tiny)
    first = time.perf_counter() - started
    return first, _median(correct, tiny, runs), _median(correct, corpus, runs)


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
    for old, new in sorted(set(result.extras) - plausible):
        print(f"   extra on seeded: {old} -> {new}")
    wrong = [pair for pair in alarms if pair not in plausible]
    print(
        f"   clean posts: {len(alarms)} edits ({len(alarms) - len(wrong)} plausible, "
        f"{len(wrong)} false alarms)"
    )
    for old, new in sorted(set(wrong)):
        print(f"   false alarm: {old} -> {new}")


def _report_time(timing: tuple[float, float, float], words: int, runs: int) -> None:
    first, per_call, corpus = timing
    per_1000 = max(corpus - per_call, 0.0) / words * 1000
    print(
        f"   time: first call {first * 1000:.0f} ms (start-up), later calls "
        f"{per_call * 1000:.0f} ms on a tiny post (each call's own start-up), "
        f"{corpus * 1000:.0f} ms on all posts: {per_1000 * 1000:.1f} ms per 1,000 words after "
        f"start-up (medians of {runs})"
    )


def _f(value: float) -> str:
    return "-" if value != value else f"{value:.2f}"  # NaN: no edits to judge
