"""The review screen at every terminal size, and through resizes while keys are pressed."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixer.review import Decision
from fixer.tui.app import ReviewApp
from fixer.tui.hunk_view import SPLIT_WIDTH
from tests.test_tui import THREE_IN_TWO_FILES, TWO_FILES, grammar_app, review_app, shown_rows

POST = (
    "---\ntitle: A post\n---\n\n# Title\n\n"
    "This sentense is first. The second one is fine. Thier third is last.\n\n"
    "A second paragraf, long enough to be cut on a narrow screen, with words far to the right.\n"
)


def draw_all(app: ReviewApp) -> list[str]:
    """Every row of the hunk view, as the terminal would get it (rendering raises if broken)."""
    return shown_rows(app)


@pytest.mark.anyio
@pytest.mark.parametrize("size", [(40, 12), (80, 24), (200, 50), (300, 80), (300, 100)])
async def test_a_review_opens_and_decides_at_any_size(tmp_path: Path, size) -> None:
    _, app = review_app(tmp_path, THREE_IN_TWO_FILES, files=TWO_FILES)
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.hunks
        assert view.split is (view.size.width >= SPLIT_WIDTH)
        rows = draw_all(app)
        assert any("calc.py" in row for row in rows)
        await pilot.press("y", "n", "y")
        await pilot.pause()
        draw_all(app)
        accepted, rejected = Decision.ACCEPTED, Decision.REJECTED
        assert app.screen.review.decisions == [accepted, rejected, accepted]


@pytest.mark.anyio
@pytest.mark.parametrize("size", [(200, 50), (300, 80)])
async def test_a_grammar_review_opens_on_a_wide_terminal(tmp_path: Path, size) -> None:
    _, app = grammar_app(tmp_path, POST)
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.review.hunks
        assert any("post.md" in row for row in draw_all(app))
        await pilot.press("y")
        await pilot.pause()
        assert app.screen.review.decisions[0] is Decision.ACCEPTED


@pytest.mark.anyio
async def test_widening_and_narrowing_mid_review_switches_side_by_side(tmp_path: Path) -> None:
    _, app = review_app(tmp_path, THREE_IN_TWO_FILES, files=TWO_FILES)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("y")
        for size in [(200, 50), (80, 24), (300, 100), (40, 12), (161, 30)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            view = app.screen.hunks
            assert view.split is (view.size.width >= SPLIT_WIDTH)
            draw_all(app)
        assert app.screen.review.decisions[0] is Decision.ACCEPTED
        assert app.return_code is None


KEYS = ["y", "n", "j", "k", "J", "K", "v", "w", "u", "tab", "down", "up", "pagedown", "end", "home"]
SIZES = st.tuples(st.integers(40, 300), st.integers(12, 100))
STEPS = st.lists(st.one_of(st.sampled_from(KEYS), SIZES), min_size=1, max_size=12)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_resizes_between_keys_never_crash_nor_change_decisions(steps) -> None:
    """Random keys with random resizes between them: nothing raises, a resize keeps every
    decision and the current hunk."""

    async def play() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            _, app = review_app(Path(tmp), THREE_IN_TWO_FILES, files=TWO_FILES)
            async with app.run_test(size=(120, 40)) as pilot:
                await app.workers.wait_for_complete()
                await pilot.pause()
                for step in steps:
                    screen = app.screen
                    before = (list(screen.review.decisions), screen.cursor)
                    if isinstance(step, tuple):
                        await pilot.resize_terminal(*step)
                    else:
                        await pilot.press(step)
                    await pilot.pause()
                    draw_all(app)
                    if isinstance(step, tuple):
                        assert (list(screen.review.decisions), screen.cursor) == before
                assert app.return_code is None  # still reviewing: nothing crashed or quit

    asyncio.run(play())


@pytest.mark.anyio
async def test_a_change_past_the_right_edge_is_scrolled_into_view_and_cut_lines_say_so(
    tmp_path: Path,
) -> None:
    from tests.test_tui import file_diff

    words = " ".join(f"word{i}" for i in range(60))
    text = f"intro = 1\nline = '{words} tail'\nend = 2\n"
    diff = file_diff(
        "long.py",
        f"@@ -1,3 +1,3 @@\n intro = 1\n-line = '{words} tail'\n+line = '{words} TAIL'\n end = 2\n",
    )
    _, app = review_app(tmp_path, diff, files={"long.py": text})
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        rows = draw_all(app)
        assert any("TAIL" in row for row in rows) and any("tail" in row for row in rows)
        assert app.screen.hunks.scroll_offset.x > 0
        await pilot.press("home")  # back to the left edge: the long lines are cut, with a mark
        app.screen.hunks.scroll_to(x=0, animate=False, immediate=True)
        await pilot.pause()
        assert any(row.rstrip().endswith("…") for row in draw_all(app))


LONG_SENTENCE = "This one sentence goes on " + "and on " * 30 + "until thier very end."


def widest_row(app: ReviewApp) -> int:
    return max(len(row.rstrip()) for row in draw_all(app))


@pytest.mark.anyio
@pytest.mark.parametrize("size", [(80, 24), (60, 30), (120, 40)])
async def test_a_long_sentence_of_a_post_wraps_so_its_change_is_seen(tmp_path: Path, size) -> None:
    _, app = grammar_app(tmp_path, f"# Title\n\n{LONG_SENTENCE}\n")
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.hunks
        assert view.wrap and view.virtual_size.width == 0  # nothing to scroll sideways
        text = "".join(row.strip() for row in draw_all(app))
        assert "thier" in text.replace(" ", "") and "their" in text.replace(" ", "")
        assert widest_row(app) <= view.size.width
        await pilot.press("y")
        assert app.screen.review.decisions[0] is Decision.ACCEPTED


@pytest.mark.anyio
async def test_w_toggles_wrapping_and_wrapped_rows_follow_resizes(tmp_path: Path) -> None:
    _, app = grammar_app(tmp_path, f"# Title\n\n{LONG_SENTENCE}\n")
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.hunks
        wrapped_rows = view.virtual_size.height
        await pilot.press("w")  # long lines scroll sideways now, to the changed word
        await pilot.pause()
        assert not view.wrap and view.virtual_size.height < wrapped_rows
        assert "scroll sideways" in str(app.screen.query_one("#note").content)
        assert any("their" in row for row in draw_all(app))
        await pilot.press("w")
        await pilot.pause()
        assert view.wrap and view.virtual_size.height == wrapped_rows
        await pilot.resize_terminal(50, 20)  # narrower: more rows, still within the screen
        await pilot.pause()
        assert view.virtual_size.height > wrapped_rows
        assert widest_row(app) <= 50
        await pilot.resize_terminal(200, 50)  # side by side, each side wrapping
        await pilot.pause()
        assert view.split and view.wrap
        assert widest_row(app) <= 200
        text = "".join(draw_all(app)).replace(" ", "")
        assert "thier" in text and "their" in text


def long_line_review(tmp_path: Path) -> ReviewApp:
    from tests.test_tui import file_diff

    words = " ".join(f"word{i}" for i in range(60))
    text = f"intro = 1\nline = '{words} tail'\nend = 2\n"
    diff = file_diff(
        "long.py",
        f"@@ -1,3 +1,3 @@\n intro = 1\n-line = '{words} tail'\n+line = '{words} TAIL'\n end = 2\n",
    )
    return review_app(tmp_path, diff, files={"long.py": text})[1]


@pytest.mark.anyio
async def test_side_by_side_scrolls_sideways_to_the_change(tmp_path: Path) -> None:
    app = long_line_review(tmp_path)
    async with app.run_test(size=(200, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.hunks
        assert view.split and not view.wrap
        assert view.scroll_offset.x > 0
        rows = draw_all(app)
        assert any("tail" in row and "TAIL" in row for row in rows)  # both sides, one row
        view.scroll_to(x=0, animate=False, immediate=True)
        await pilot.pause()
        assert not any("TAIL" in row for row in draw_all(app))
        assert any(row.count("…") == 2 for row in draw_all(app))  # each side says it is cut


@pytest.mark.anyio
async def test_w_wraps_code_too_and_keeps_the_line_numbers_on_the_first_row(
    tmp_path: Path,
) -> None:
    app = long_line_review(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.screen.hunks
        assert not view.wrap  # code scrolls sideways unless asked
        await pilot.press("w")
        await pilot.pause()
        assert view.wrap and view.scroll_offset.x == 0
        rows = [row for row in draw_all(app) if row.strip()]
        assert any("TAIL" in row for row in rows) and any("tail" in row for row in rows)
        removed = [row for row in rows if row[1:].lstrip().startswith(("2", "-"))]
        numbered = [row for row in rows if row[1:6].strip().startswith("2")]
        assert len(numbered) == 2  # the - and the + line, each numbered once
        assert len(removed) > len(numbered)  # their later rows have no numbers
        assert widest_row(app) <= 80
