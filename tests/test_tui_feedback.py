"""A note on a hunk (m), the rejected hunks and the notes going back to the model asked again
(r), and the test outcome of a proposal shown before deciding (T): Pilot against real
repositories and the fake provider."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Input, Static

from fixer.review import Decision, build_review
from fixer.session import Job, Proposal
from fixer.testoutcome import TestOutcome
from fixer.tui.app import ReviewApp
from fixer.tui.dialogs import AskScreen, ConfirmScreen, TextScreen
from fixer.tui.review_screen import ReviewScreen
from tests.fakeserver import FakeProvider
from tests.helpers import clean_env, make_repo, run_of
from tests.test_tui import (
    LINES,
    ONE,
    THREE,
    fenced,
    file_diff,
    line_change,
    raw_control_on_screen,
    review_app,
    reviewing,
    shown_rows,
    text_of,
)

pytestmark = pytest.mark.anyio
REJECTED, PENDING = Decision.REJECTED, Decision.PENDING


async def note(pilot, text: str, key: str = "enter") -> None:
    """m, the note typed into the one-line input, then Enter (saves) or Esc (cancels)."""
    await pilot.press("m")
    assert isinstance(pilot.app.screen, AskScreen)
    pilot.app.screen.query_one(Input).value = text
    await pilot.press(key)
    await pilot.pause()


def title_rows(app: ReviewApp) -> list[str]:
    return [row for row in shown_rows(app) if "calc.py" in row]


# -- the note ----------------------------------------------------------------------------------


async def test_m_writes_a_note_shown_in_the_title_esc_keeps_it_and_u_takes_it_back(
    tmp_path: Path,
) -> None:
    _, app = review_app(tmp_path, THREE)
    async with reviewing(app) as pilot:
        review = app.screen.review
        await note(pilot, "too clever: keep the loop")
        assert review.hunk_notes == ["too clever: keep the loop", "", ""]
        assert "✎ too clever: keep the loop" in title_rows(app)[0]
        assert app.screen.cursor == 0  # a note is not a decision: the cursor stays
        await note(pilot, "something else", "escape")
        assert review.hunk_notes[0] == "too clever: keep the loop"
        await note(pilot, "")  # an empty note removes it
        assert review.hunk_notes[0] == "" and "✎" not in title_rows(app)[0]
        await pilot.press("u")
        await pilot.pause()
        assert review.hunk_notes[0] == "too clever: keep the loop"
        assert "✎ too clever" in title_rows(app)[0]


async def test_a_hostile_or_long_note_never_reaches_the_terminal_raw(tmp_path: Path) -> None:
    _, app = review_app(tmp_path, THREE)
    async with reviewing(app) as pilot:
        await note(pilot, "x\x1b[2J\x1b]0;pwned\x07 \u202eevil\u2069")
        first = title_rows(app)[0]
        assert "␛[2J" in first and "\x1b" not in first and "\u202e" not in first
        assert not raw_control_on_screen(app)
        await pilot.press("J")
        await note(pilot, "long " * 60)
        second = title_rows(app)[1]
        assert "✎ long long" in second and second.rstrip().endswith("…")
        assert app.screen.review.hunk_notes[1] == ("long " * 60).strip()  # kept whole


# -- what goes back with r ---------------------------------------------------------------------


def user_message(request) -> str:
    return request.body["messages"][1]["content"]


async def test_r_sends_the_rejected_hunks_and_the_note_after_the_files(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    fake_provider.reply(fenced(THREE))
    fake_provider.reply(fenced(ONE))
    _, app = review_app(tmp_path, None, config=fake_provider_config)
    async with reviewing(app) as pilot:
        await pilot.press("n", "n")  # the first two hunks rejected; the third is current
        await note(pilot, "260 is right, but say why in a comment")
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmScreen)  # the decisions would be lost
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(app.screen.review.hunks) == 1
    first, second = fake_provider.requests
    assert second.body["model"] == "strong-model"
    assert second.body["messages"][0] == first.body["messages"][0]
    asked, told = user_message(first), user_message(second)
    assert told.startswith(asked)  # rules, files and request: the same bytes, cached
    feedback = told[len(asked) :]
    assert told.index("<<<END FILE>>>") < told.index(feedback)
    assert feedback.count("Rejected by the user\n<<<HUNK>>>") == 2
    assert "-value_5 = 5\n+value_5 = 50\n" in feedback
    assert "-value_15 = 15\n+value_15 = 150\n" in feedback
    noted = "Not rejected, with the user's note: 260 is right, but say why in a comment"
    assert f"{noted}\n<<<HUNK>>>\n" in feedback and "+value_26 = 260\n" in feedback


async def test_r_after_compare_sends_the_rejected_hunks_of_both_models(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    # The two compared requests race for the scripted replies: the test holds either way.
    fake_provider.reply(fenced(file_diff("calc.py", line_change(5, "50"))))
    fake_provider.reply(fenced(file_diff("calc.py", line_change(5, "55"))))
    fake_provider.reply(fenced(ONE))
    repo = make_repo(tmp_path / "repo", {"calc.py": LINES})
    env = clean_env(tmp_path / "home")
    compare = "fake,cheap-model,fake,strong-model"
    job = Job((repo / "calc.py",), config_path=fake_provider_config, compare=compare)
    run = run_of(job, env)
    app = ReviewApp(run, route=run.route(), env=env)
    async with reviewing(app) as pilot:
        review = app.screen.review
        assert sorted(h.source for h in review.hunks) == [
            ("fake,cheap-model",),
            ("fake,strong-model",),
        ]
        await pilot.press("n", "n")
        assert review.decisions == [REJECTED, REJECTED]
        await pilot.press("r", "y")
        await app.workers.wait_for_complete()
        await pilot.pause()
    *compared, again = fake_provider.requests
    assert len(compared) == 2 and again.body["model"] == "strong-model"
    told = user_message(again)
    assert told.startswith(user_message(compared[0]))
    assert told.count("Rejected by the user") == 2
    assert "+value_5 = 50\n" in told and "+value_5 = 55\n" in told


async def test_r_with_nothing_rejected_or_noted_sends_the_same_request(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    fake_provider.reply(fenced(THREE))
    _, app = review_app(tmp_path, None, config=fake_provider_config)
    async with reviewing(app) as pilot:
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
    first, second = fake_provider.requests
    assert user_message(first) == user_message(second)


# -- the tests' outcome ------------------------------------------------------------------------

PYTEST_OUTPUT = (
    "\x1b[1m============ test session starts ============\x1b[0m\n"
    + "".join(f"tests/test_calc.py::test_{k} \x1b[32mPASSED\x1b[0m\n" for k in range(80))
    + "tests/test_calc.py::test_last \x1b[31mFAILED\x1b[0m\n"
    + "E   assert 50 == 5\n\x1b[31m======== 1 failed, 80 passed in 2.50s ========\x1b[0m\n"
    + "a test name with a bell\x07 and an override \u202eright to left\u202c\n"
)
FAILED = TestOutcome("pytest -q [x]", 1, 2.5, PYTEST_OUTPUT)


def app_with_tests(tmp_path: Path, outcome: TestOutcome | None) -> ReviewApp:
    """The review of a real proposal (THREE, a real Review of calc.py) whose tests gave
    `outcome`."""
    repo = make_repo(tmp_path / "repo", {"calc.py": LINES})
    env = clean_env(tmp_path / "home")
    run = run_of(Job((repo / "calc.py",), diff_text=THREE), env)
    review = build_review(THREE, {"calc.py": LINES})
    return ReviewApp(run, Proposal(review, run.sources, None, tests=outcome), env=env)


def status_styles(app: ReviewApp) -> list[tuple[str, str]]:
    content = app.screen.query_one("#status", Static).content
    assert isinstance(content, Content)
    return [(content.plain[s.start : s.end], str(s.style)) for s in content.spans]


@pytest.mark.parametrize(
    ("outcome", "style"),
    [(FAILED, "$error"), (TestOutcome("make test", 0, 12.34, "ok\n"), "$success")],
)
async def test_the_status_line_shows_the_tests_outcome(
    tmp_path: Path, outcome: TestOutcome, style: str
) -> None:
    app = app_with_tests(tmp_path, outcome)
    async with reviewing(app):
        assert outcome.summary() in text_of(app, "#status")
        assert status_styles(app) == [(outcome.summary(), style)]


async def test_no_tests_no_status_and_t_is_dimmed(tmp_path: Path) -> None:
    app = app_with_tests(tmp_path, None)
    async with reviewing(app) as pilot:
        assert "tests:" not in text_of(app, "#status")
        assert app.screen.check_action("test_output", ()) is None  # dimmed
        await pilot.press("T")
        assert isinstance(app.screen, ReviewScreen)


def output_text(app: ReviewApp) -> str:
    return str(app.screen.query_one(VerticalScroll).query_one(Static).content)


@pytest.mark.parametrize("size", [(40, 12), (80, 24), (200, 50)])
async def test_t_shows_the_test_output_scrollable_and_escaped_at_any_size(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app = app_with_tests(tmp_path, FAILED)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert app.screen.check_action("test_output", ()) is True
        await pilot.press("T")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TextScreen)
        shown = output_text(app)
        assert "\x1b" not in shown and "␛" not in shown  # the colours dropped, not shown
        assert "bell␇" in shown and "\u202e" not in shown and "\u202c" not in shown
        assert "tests/test_calc.py::test_last FAILED" in shown and "E   assert 50 == 5" in shown
        title = Content.from_markup(screen.query_one(Vertical).border_title or "").plain
        assert title == "tests: fail (exit 1, 2.5 s): pytest -q [x]"  # never markup
        scroll = screen.query_one(VerticalScroll)
        assert scroll.max_scroll_y > 0  # 80 lines never fit: it scrolls
        await pilot.press("end")
        await pilot.pause()
        assert scroll.scroll_y == scroll.max_scroll_y
        box = screen.query_one(Vertical).region
        assert box.right <= size[0] and box.bottom <= size[1]
        assert not raw_control_on_screen(app)
        await pilot.press("T")  # the key that opened it closes it
        assert isinstance(app.screen, ReviewScreen)


async def test_the_test_output_follows_resizes_while_open(tmp_path: Path) -> None:
    app = app_with_tests(tmp_path, FAILED)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("T")
        for size in [(40, 12), (200, 50), (80, 24), (300, 100), (41, 13)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, TextScreen)
            box = screen.query_one(Vertical).region
            assert box.width > 0 and box.right <= size[0] and box.bottom <= size[1]
            scroll = screen.query_one(VerticalScroll)
            assert scroll.region.height > 0 and scroll.region.bottom <= box.bottom
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert FAILED.summary().split(" (")[0] in text_of(app, "#status")
        assert app.screen.review.decisions == [PENDING] * 3
