"""The review screen's speed with Pilot, on a synthetic review of 2,000 hunks in 200 files:
the time to build the review from the diff, to first paint, and per key press; against a naive
Textual app that makes one Static widget per hunk (the design fixer avoids), in the same run.

Both apps run headless at 120x40: every frame is rendered as on a terminal (the compositor
calls each changed widget's `render_line`); only the write of escape codes is skipped. Times
end when a frame is painted, noted where Textual paints it (App._display), not after Pilot's
idle waits, which add 40 ms and more to every press.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from fixer.calls import Caller
from fixer.config import load_config
from fixer.review import Review
from fixer.session import Job, Proposal, Run, open_workspace, read_sources

if TYPE_CHECKING:
    from textual.app import App
    from textual.pilot import Pilot
    from textual.screen import Screen

SEED = 20262
SIZE = (120, 40)
FUNCTIONS = 20  # of 15 lines each: 300 lines per module, every other one edited
# Each round jumps with g to a far hunk that s can split, then presses these (v twice: the
# view ends as it was).
KEYS = ("s", "j", "k", "J", "K", "y", "n", "u", "tab", "v", "v")
PEER_MOVES = 100
VERBS = ("count", "merge", "parse", "render", "check", "load", "split", "score")
NOUNS = ("record", "token", "entry", "label", "batch", "route", "sample", "field")
# git must not read the user's config (diff.noprefix, colours...) nor find a repository above.
GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CEILING_DIRECTORIES": tempfile.gettempdir(),
}
HEAD = '"""Helpers of report {index}: counts and labels."""\n\nfrom __future__ import annotations\n'
FUNCTION = '''

def {verb}_{noun}_{k}(items, limit={n}):
    """{Verb} the {noun}s of the items, {n} at most.

    Items longer than `limit` characters are skipped, as the "{noun}" report
    of section {k} expects; the order of the items is kept.
    """
    # {Noun}s are counted once per item: repeats are the caller's business.
    {noun}_total = 0
    for {noun} in items[:limit]:
        if len({noun}) > limit:
            continue
        {noun}_total += {noun}.count("{noun}-{k}")
    return {noun}_total, f"{{{noun}_total}} {noun}s in {{len(items)}} items"
'''


def _word(lines: list[str]) -> None:
    lines[13] = lines[13].replace(".count(", ".casefold().count(")


def _insert(lines: list[str]) -> None:
    lines[10:10] = ["    if not items:", '        return 0, "no items"']


def _delete(lines: list[str]) -> None:
    del lines[8]


def _two(lines: list[str]) -> None:
    """Two changes five context lines apart: one hunk that `s` splits in two."""
    lines[3] = lines[3].replace("of the items", "of the given items")
    lines[9] = lines[9].replace("= 0", "= 0  # none counted yet")


EDITS: tuple[Callable[[list[str]], None], ...] = (_word, _insert, _delete, _two)


def module(index: int, rng: random.Random) -> tuple[str, str]:
    """(old, new) text of a generated module; the new one has 10 hunks of mixed edits."""
    old, new = [HEAD.format(index=index)], [HEAD.format(index=index)]
    for f in range(FUNCTIONS):
        verb, noun = rng.choice(VERBS), rng.choice(NOUNS)
        text = FUNCTION.format(
            verb=verb, Verb=verb.capitalize(), noun=noun, Noun=noun.capitalize(),
            k=index * FUNCTIONS + f, n=rng.randint(2, 999),
        )  # fmt: skip
        lines = text.split("\n")
        if f % 2 == 0:
            rng.choice(EDITS)(lines)
        old.append(text)
        new.append("\n".join(lines))
    return "".join(old), "".join(new)


def synthetic(root: Path, files: int) -> tuple[list[Path], str]:
    """A git repository at `root` holding `files` modules as they were; their paths, and
    `git diff`'s unified diff of the edits (the edited texts are staged, not committed)."""
    rng = random.Random(SEED)
    texts = [module(index, rng) for index in range(files)]
    paths = [root / f"pkg{index // 20}/mod_{index:03}.py" for index in range(files)]
    for path, (_, new) in zip(paths, texts, strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new)
    git = ("git", "-c", "diff.noprefix=false")
    subprocess.run([*git, "init", "-q"], cwd=root, env=GIT_ENV, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, env=GIT_ENV, check=True)
    for path, (old, _) in zip(paths, texts, strict=True):
        path.write_text(old)
    # The index holds the edits and the files the originals: -R shows originals -> edits.
    diff = [*git, "diff", "-R", "--no-color", "--no-ext-diff"]
    done = subprocess.run(diff, cwd=root, env=GIT_ENV, check=True, capture_output=True, text=True)
    return paths, done.stdout


async def build(root: Path, files: int) -> tuple[Run, Proposal, float, str]:
    """The run and its proposal as `fixer --from-diff` builds them; the seconds `propose` took."""
    root.mkdir()
    paths, diff = synthetic(root, files)
    workspace = open_workspace(paths)
    config = load_config(None, {})  # the built-in one: a --from-diff run makes no call
    sources = read_sources(paths, workspace.root)
    run = Run(Job(tuple(paths), diff_text=diff), workspace, sources, config, Caller(config, {}))
    start = time.perf_counter()
    proposal = await run.propose(None)  # the reply parsed: diff parsed, placed, review built
    return run, proposal, time.perf_counter() - start, diff


class Clock:
    """Mixed into an App: when each frame is painted, when the first one shows the review,
    and when each key's action has run (key bindings go through App.run_action)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.frames: list[float] = []
        self.first_paint: float | None = None
        self.painted = asyncio.Event()
        self.acted = asyncio.Event()
        self.acted_at = 0.0

    def shows_review(self, screen: Screen) -> bool:
        """Whether a frame of `screen` shows the review (the naive app composes it at once)."""
        return bool(screen.children)

    def _display(self, screen: Screen, renderable: object) -> None:
        # Textual calls this once per painted frame, after the compositor has rendered every
        # changed line; headless, it then writes nothing to the terminal.
        super()._display(screen, renderable)
        if renderable is not None:
            self.frames.append(time.perf_counter())
            if self.first_paint is None and self.shows_review(screen):
                self.first_paint = self.frames[-1]
            self.painted.set()

    async def run_action(self, *args, **kwargs):
        try:
            return await super().run_action(*args, **kwargs)
        finally:
            self.acted_at = time.perf_counter()
            self.acted.set()


async def painted(app: Clock, start: float, after: float) -> float:
    """Seconds from `start` to the end of the first frame painted after `after`."""
    while not app.frames or app.frames[-1] <= after:
        app.painted.clear()
        await app.painted.wait()
    return next(t for t in app.frames if t > after) - start


async def first_paint(app: Clock, start: float) -> float:
    """Seconds from `start` to the end of the first frame that shows the review."""
    while app.first_paint is None:
        app.painted.clear()
        await app.painted.wait()
    return app.first_paint - start


async def timed(pilot: Pilot, key: str) -> float:
    """Seconds from a key press until the first frame painted after its action ran: what
    the key changed is on screen; what its messages change (file list, footer) may follow a
    frame later. The app settles first, so a press does not pay for the one before."""
    app = pilot.app
    await pilot.pause()
    app.acted.clear()
    start = time.perf_counter()
    app.simulate_key(key)
    await app.acted.wait()
    return await painted(app, start, app.acted_at)


async def jump(pilot: Pilot, target: int) -> float:
    """Seconds from Enter in the g dialog until a frame shows the review at hunk `target`."""
    app = pilot.app
    screen = app.screen
    await pilot.press("g", *str(target + 1))
    await pilot.pause()
    start = time.perf_counter()
    app.simulate_key("enter")
    while app.screen is not screen or screen.hunks.cursor != target:
        await asyncio.sleep(0)
    return await painted(app, start, time.perf_counter())


async def measure_fixer(
    run: Run, proposal: Proposal, rounds: int, env: dict[str, str]
) -> tuple[float, dict[str, list[float]]]:
    """First paint of ReviewApp, and the seconds of each key press, by key."""
    from fixer.tui.app import ReviewApp
    from fixer.tui.review_screen import ReviewScreen

    class TimedReviewApp(Clock, ReviewApp):
        def shows_review(self, screen: Screen) -> bool:
            return isinstance(screen, ReviewScreen) and screen.review is not None

    app = TimedReviewApp(run, proposal, env=env)
    review = proposal.review
    rng = random.Random(SEED)
    times: dict[str, list[float]] = {}
    start = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        # First paint: from starting ReviewApp to the end of the first frame of the review
        # screen, which shows the proposal from its on_mount: hunks are on screen.
        paint = await first_paint(app, start)
        for _ in range(rounds):
            # A far hunk that s can split; s first, while the cursor is still on it.
            target = rng.choice([i for i in range(len(review.hunks)) if review.can_split(i)])
            times.setdefault("g N enter", []).append(await jump(pilot, target))
            for key in KEYS:
                times.setdefault(key, []).append(await timed(pilot, key))
    return paint, times


def peer_app(review: Review) -> App:
    """The naive design: one focusable Static per hunk in a VerticalScroll; J moves to the
    next hunk with focus + scroll_visible."""
    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.containers import VerticalScroll
    from textual.widgets import Static

    from fixer.tui.layout import hunk_title

    styles = {"+": "green on #002800", "-": "red on #3f0001", " ": ""}

    class HunkBox(Static, can_focus=True):
        pass

    class Naive(Clock, App):
        BINDINGS = [("J", "next", "next hunk")]  # noqa: RUF012 (Textual's own convention)
        index = 0

        def compose(self) -> ComposeResult:
            with VerticalScroll():
                for item in review.hunks:
                    text = Text(f"{item.name}  {hunk_title(item.hunk)}\n", style="bold")
                    for line in item.hunk.lines:
                        text.append(line + "\n", style=styles[line[0]])
                    yield HunkBox(text)

        def action_next(self) -> None:
            self.index = (self.index + 1) % len(review.hunks)
            box = self.query_one(VerticalScroll).children[self.index]
            box.focus(scroll_visible=False)
            box.scroll_visible(animate=False, immediate=True)

    return Naive()


async def measure_peer(review: Review, moves: int) -> tuple[float, list[float]]:
    """First paint of the naive app, and the seconds of each move to the next hunk."""
    app = peer_app(review)
    start = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        paint = await first_paint(app, start)  # compose (every widget) happens before this
        return paint, [await timed(pilot, "J") for _ in range(moves)]


def _ms(values: list[float]) -> str:
    return f"{len(values):8d}{statistics.median(values) * 1000:11.1f}{max(values) * 1000:10.1f}"


def run(quick: bool = False) -> None:
    files, rounds, moves = (10, 2, 10) if quick else (200, 17, PEER_MOVES)
    begin = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        env = {"XDG_CONFIG_HOME": str(root / "config"), "HOME": str(root)}  # no user themes
        fixer_run, proposal, parse, diff = asyncio.run(build(root / "work", files))
        review = proposal.review
        lines = sum(len(r.original.splitlines()) for r in map(review.file, fixer_run.sources))
        print(
            f"synthetic review: {len(fixer_run.sources)} files, {len(review.hunks):,} hunks, "
            f"{lines:,} lines of Python, diff of {diff.count(chr(10)):,} lines; seed {SEED}"
        )
        print(f"reply parsed (propose: parse, place, build the review): {parse:.3f} s")
        paint, times = asyncio.run(measure_fixer(fixer_run, proposal, rounds, env))
        proposal = asyncio.run(fixer_run.propose(None))  # as built: the keys changed the review
        peer_paint, peer_moves = asyncio.run(measure_peer(proposal.review, moves))
    print(f"\n-- fixer ReviewApp {SIZE[0]}x{SIZE[1]}: first paint {paint:.3f} s (target <= 1 s)")
    print("key press until the first frame after its action (g: from the Enter in its dialog)")
    print(f"{'key':10}{'presses':>8}{'median ms':>11}{'worst ms':>10}")
    print(f"{'all':10}{_ms([t for ts in times.values() for t in ts])}")
    for key, values in times.items():
        print(f"{key:10}{_ms(values)}")
    print(f"\n-- peer: one Static per hunk in a VerticalScroll: first paint {peer_paint:.3f} s")
    print(f"{'J (next)':10}{_ms(peer_moves)}")
    move = times["J"]
    print(
        f"\npeer / fixer: first paint {peer_paint / paint:.1f}x, next hunk median "
        f"{statistics.median(peer_moves) / statistics.median(move):.1f}x, "
        f"worst {max(peer_moves) / max(move):.1f}x"
    )
    print(f"(whole run {time.perf_counter() - begin:.0f} s)")
