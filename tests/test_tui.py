"""The review screen, driven key by key with Textual's Pilot against real git repositories."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label, Static, TextArea

from fixer import review as review_module
from fixer.agents import GRAMMAR
from fixer.errors import NoDiffError
from fixer.keys import REVIEW_KEYS
from fixer.review import Decision
from fixer.session import Job
from fixer.tui.app import ReviewApp
from fixer.tui.commit_screen import CommitScreen
from fixer.tui.dialogs import AskScreen, ConfirmScreen, EditScreen, HelpScreen, TextScreen
from fixer.tui.file_list import FileList
from fixer.tui.messages import (
    Answer,
    CommitFailed,
    CommitMessageWritten,
    Committed,
    ProposalFailed,
    ProposalReady,
)
from fixer.tui.review_screen import ReviewScreen
from tests.fakeserver import FakeProvider
from tests.helpers import clean_env, git, make_repo, run_of, small_limit_config

pytestmark = pytest.mark.anyio

PENDING, ACCEPTED, REJECTED = Decision.PENDING, Decision.ACCEPTED, Decision.REJECTED
LINES = "".join(f"value_{i} = {i}\n" for i in range(1, 31))


def line_change(n: int, new: str) -> str:
    """A hunk for LINES that turns line n, `value_n = n`, into `value_n = new`."""
    return (
        f"@@ -{n - 1},3 +{n - 1},3 @@\n value_{n - 1} = {n - 1}\n-value_{n} = {n}\n"
        f"+value_{n} = {new}\n value_{n + 1} = {n + 1}\n"
    )


def file_diff(name: str, *hunks: str) -> str:
    return f"--- a/{name}\n+++ b/{name}\n" + "".join(hunks)


def changed(n: int, new: str) -> str:
    """LINES with line n changed as line_change(n, new) changes it."""
    return LINES.replace(f"value_{n} = {n}\n", f"value_{n} = {new}\n")


ONE = file_diff("calc.py", line_change(5, "50"))
THREE = file_diff("calc.py", line_change(5, "50"), line_change(15, "150"), line_change(26, "260"))
# One hunk holding two changes with a line of context between them: `s` splits it.
TWO_BLOCKS = file_diff(
    "calc.py",
    "@@ -4,5 +4,5 @@\n value_4 = 4\n-value_5 = 5\n+value_5 = 50\n value_6 = 6\n"
    "-value_7 = 7\n+value_7 = 70\n value_8 = 8\n",
)
ONE_FILE = {"calc.py": LINES}
TWO_FILES = {"calc.py": LINES, "other.py": LINES}
# calc.py gets two hunks, other.py one.
THREE_IN_TWO_FILES = file_diff("calc.py", line_change(5, "50"), line_change(26, "260"))
THREE_IN_TWO_FILES += file_diff("other.py", line_change(10, "100"))
NEW_FILE = ONE + "--- /dev/null\n+++ b/new.py\n@@ -0,0 +1,2 @@\n+print('new')\n+print('file')\n"


def review_app(
    tmp_path: Path,
    diff: str | None,
    *,
    files: Mapping[str, str] = ONE_FILE,
    config: Path | None = None,
    keymap: Mapping[str, str] | None = None,
) -> tuple[Path, ReviewApp]:
    """A repository holding `files` and the review app for it: a --from-diff run of `diff`, or a
    model run with `config` (the fake provider) when `diff` is None."""
    repo = make_repo(tmp_path / "repo", dict(files))
    env = clean_env(tmp_path / "home")  # no user themes, no config from the real home
    paths = tuple(repo / name for name in files)
    job = Job(paths, diff_text=diff) if diff is not None else Job(paths, config_path=config)
    run = run_of(job, env)
    return repo, ReviewApp(run, route=run.route(), keymap=keymap, env=env)


def grammar_app(tmp_path: Path, post: str) -> tuple[Path, ReviewApp]:
    """A repository holding post.md and an offline grammar review of it (no config: codespell)."""
    repo = make_repo(tmp_path / "repo", {"post.md": post})
    env = clean_env(tmp_path / "home")
    run = run_of(Job((repo / "post.md",), agent=GRAMMAR), env)
    return repo, ReviewApp(run, route=run.route(), env=env)


@asynccontextmanager
async def reviewing(
    app: ReviewApp,
    wait: bool = True,
    notifications: bool = False,
    messages: list[Message] | None = None,
) -> AsyncIterator[Pilot]:
    """Run the app; with `wait`, until the proposal is on screen. `messages` gets every message
    the app's nodes receive."""
    hook = messages.append if messages is not None else None
    async with app.run_test(
        size=(120, 40), notifications=notifications, message_hook=hook
    ) as pilot:
        if wait:
            await app.workers.wait_for_complete()
            await pilot.pause()
        yield pilot


async def until(pilot: Pilot, condition: Callable[[], bool]) -> None:
    """Let the app run until `condition` holds (a timer tick, the fake server seeing a request)."""
    deadline = time.monotonic() + 10  # a guard against hanging, not a timed assertion
    while not condition():
        assert time.monotonic() < deadline, "the app never reached the expected state"
        await pilot.pause(0.02)


def text_of(app: ReviewApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


def raw_control_on_screen(app: ReviewApp) -> bool:
    """Whether the terminal would get an ESC or CR from the text shown (toasts included)."""
    screen = app.export_screenshot()
    return "\x1b" in screen or "\r" in screen


def shown_rows(app: ReviewApp) -> list[str]:
    """The hunk view's rows as drawn on the terminal."""
    view = app.screen.hunks
    return [view.render_line(y).text for y in range(view.size.height)]


async def open_commit(pilot: Pilot) -> CommitScreen:
    await pilot.press("c")
    await pilot.app.workers.wait_for_complete()  # the dirty check and the commit message
    await pilot.pause()
    assert isinstance(pilot.app.screen, CommitScreen)
    return pilot.app.screen


async def confirm_commit(pilot: Pilot, message: str | None = None) -> str:
    """On the open commit screen: retype the message when given, Enter; the summary shown."""
    if message is not None:
        await pilot.press("end", "ctrl+u", *message)
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return str(pilot.app.screen.query_one("#done", Static).content)


async def commit(pilot: Pilot) -> str:
    """c and Enter with the proposed message; returns the summary the commit screen shows."""
    await open_commit(pilot)
    return await confirm_commit(pilot)


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def commit_count(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD"))


# -- deciding ----------------------------------------------------------------------------------


async def test_y_accepts_n_rejects_and_the_cursor_moves_on(tmp_path: Path) -> None:
    _, app = review_app(tmp_path, THREE)
    async with reviewing(app) as pilot:
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and len(screen.review.hunks) == 3
        assert not screen.has_class("-message") and screen.cursor == 0
        await pilot.press("y")
        assert screen.review.decisions == [ACCEPTED, PENDING, PENDING] and screen.cursor == 1
        await pilot.press("n")
        assert screen.review.decisions == [ACCEPTED, REJECTED, PENDING] and screen.cursor == 2
        assert "hunk 3/3" in text_of(app, "#status")
        assert "decided 2/3 (✓1 ✗1)" in text_of(app, "#status")


async def test_a_d_and_tab_go_file_by_file(tmp_path: Path) -> None:
    _, app = review_app(tmp_path, THREE_IN_TWO_FILES, files=TWO_FILES)
    async with reviewing(app) as pilot:
        screen = app.screen
        review = screen.review
        files = screen.query_one(FileList)
        assert [h.name for h in review.hunks] == ["calc.py", "calc.py", "other.py"]
        await pilot.press("tab")  # over the second calc.py hunk to other.py
        assert screen.cursor == 2 and files.highlighted == 1
        await pilot.press("tab")  # and round to the first file
        assert screen.cursor == 0 and files.highlighted == 0
        await pilot.press("a")
        assert review.decisions == [ACCEPTED, ACCEPTED, PENDING] and screen.cursor == 2
        await pilot.press("u")  # a whole `a` is one undo step
        assert review.decisions == [PENDING] * 3
        await pilot.press("K", "d")  # from the second calc.py hunk on: only that one
        assert review.decisions == [PENDING, REJECTED, PENDING] and screen.cursor == 2


async def test_accept_all_leaves_a_new_file_for_the_user(tmp_path: Path) -> None:
    repo, app = review_app(tmp_path, NEW_FILE)
    async with reviewing(app) as pilot:
        review = app.screen.review
        assert [(h.name, h.flag) for h in review.hunks] == [
            ("calc.py", None),
            ("new.py", review_module.NEW_FILE),
        ]
        assert any("[new file]" in row for row in shown_rows(app))
        await pilot.press("A")
        assert review.decisions == [ACCEPTED, PENDING]
        await commit(pilot)
        await pilot.press("enter")
    assert app.return_value.outcome.written == ("calc.py",)
    assert (repo / "calc.py").read_text() == changed(5, "50")
    assert not (repo / "new.py").exists()
    assert git(repo, "status", "--porcelain") == ""


# -- moving ------------------------------------------------------------------------------------


async def test_j_k_skip_decided_hunks_and_wrap_and_shift_j_k_visit_all(tmp_path: Path) -> None:
    _, app = review_app(tmp_path, THREE)
    async with reviewing(app) as pilot:
        screen = app.screen
        await pilot.press("K")  # J and K stop at the ends
        assert screen.cursor == 0
        await pilot.press("y", "j")  # y moves on to hunk 1, j to hunk 2
        assert screen.cursor == 2
        await pilot.press("j")  # wraps past the decided hunk 0
        assert screen.cursor == 1
        await pilot.press("k")  # backwards: skips hunk 0, wraps to the last
        assert screen.cursor == 2
        await pilot.press("J")
        assert screen.cursor == 2
        await pilot.press("K", "K")  # J and K visit decided hunks too
        assert screen.cursor == 0 and "hunk 1/3" in text_of(app, "#status")
        await pilot.press("J", "n", "y", "j")  # nothing undecided left: j stays
        assert screen.review.pending == 0 and screen.cursor == 2


async def test_g_and_slash_go_to_the_hunk_asked_for(tmp_path: Path) -> None:
    _, app = review_app(tmp_path, THREE)
    async with reviewing(app) as pilot:
        await pilot.press("g")
        assert isinstance(app.screen, AskScreen)
        await pilot.press("2", "enter")
        assert isinstance(app.screen, ReviewScreen) and app.screen.cursor == 1
        await pilot.press("g", "9", "enter")  # no hunk 9: the cursor stays
        assert app.screen.cursor == 1
        await pilot.press("slash")
        assert isinstance(app.screen, AskScreen)
        await pilot.press(*"VALUE_26", "enter")  # case-insensitive
        assert isinstance(app.screen, ReviewScreen) and app.screen.cursor == 2
        await pilot.press("slash", "z", "enter")  # nothing holds a z: the cursor stays
        assert app.screen.cursor == 2


async def test_search_marks_its_matches_and_angle_brackets_go_from_match_to_match(
    tmp_path: Path,
) -> None:
    _, app = review_app(tmp_path, THREE)
    async with reviewing(app) as pilot:
        await pilot.press("slash", *"5 =", "enter")  # value_5, value_15, value_25: every hunk
        screen, view = app.screen, app.screen.hunks
        assert screen.cursor == 1 and view.search_text == "5 ="
        found = view.get_component_rich_style("hunk--found")
        strips = [view.render_line(y) for y in range(view.size.height)]
        marked = [
            "".join(seg.text for seg in strip if seg.style and found.bgcolor == seg.style.bgcolor)
            for strip in strips
        ]
        assert "5 =" in marked and all(text in ("", "5 =") for text in marked)
        await pilot.press("greater_than_sign")
        assert screen.cursor == 2
        await pilot.press("greater_than_sign")
        assert screen.cursor == 0  # round again
        await pilot.press("less_than_sign")
        assert screen.cursor == 2


async def test_v_toggles_side_by_side(tmp_path: Path) -> None:
    _, app = review_app(tmp_path, ONE)
    async with reviewing(app) as pilot:
        hunks = app.screen.hunks
        assert hunks.split is False  # 120 columns: unified on its own
        await pilot.press("v")
        await pilot.pause()
        assert hunks.split is True
        row = next(r for r in shown_rows(app) if "value_5 = 50" in r)
        assert "│" in row and "value_5 = 5 " in row  # both sides on one row
        await pilot.press("v")
        assert hunks.split is False


# -- reshaping: split, edit, undo ---------------------------------------------------------------


async def test_split_then_accept_one_piece_commits_only_that_change(tmp_path: Path) -> None:
    repo, app = review_app(tmp_path, TWO_BLOCKS)
    async with reviewing(app) as pilot:
        screen = app.screen
        assert len(screen.review.hunks) == 1 and screen.can_act("split")
        await pilot.press("s")
        assert len(screen.review.hunks) == 2 and screen.review.decisions == [PENDING] * 2
        assert not screen.can_act("split")  # each piece has one change
        await pilot.press("s")  # says why, changes nothing
        assert "cannot be split" in text_of(app, "#note") and len(screen.review.hunks) == 2
        await pilot.press("y")
        assert screen.review.decisions == [ACCEPTED, PENDING]
        await commit(pilot)
        await pilot.press("enter")
    assert (repo / "calc.py").read_text() == changed(5, "50")
    assert git(repo, "status", "--porcelain") == ""


async def test_e_edits_the_new_lines_and_escape_drops_the_edit(tmp_path: Path) -> None:
    repo, app = review_app(tmp_path, ONE)
    async with reviewing(app) as pilot:
        screen = app.screen
        hunks = screen.review.hunks
        await pilot.press("e", "9", "escape")
        assert app.screen is screen and screen.review.hunks is hunks
        assert screen.review.decisions == [PENDING] and not screen.can_act("undo")
        await pilot.press("e")
        assert isinstance(app.screen, EditScreen)
        editor = app.screen.query_one(TextArea)
        assert editor.text == "\n".join(changed(5, "50").splitlines()[1:8])  # 3 lines of context
        await pilot.press("down", "down", "down", "end", "0", "ctrl+s")
        assert app.screen is screen and screen.review.decisions == [ACCEPTED]
        assert "+value_5 = 500" in screen.review.hunks[0].hunk.lines
        await commit(pilot)
        await pilot.press("enter")
    assert (repo / "calc.py").read_text() == changed(5, "500")


async def test_u_undoes_a_decision_a_split_and_an_edit(tmp_path: Path) -> None:
    _, app = review_app(tmp_path, TWO_BLOCKS)
    async with reviewing(app) as pilot:
        screen = app.screen
        review = screen.review
        original = review.hunks
        assert not screen.can_act("undo")
        await pilot.press("u")
        assert "Nothing to undo" in text_of(app, "#note")
        await pilot.press("y", "u")
        assert review.decisions == [PENDING]
        await pilot.press("s")
        assert len(review.hunks) == 2
        await pilot.press("u")
        assert review.hunks == original and review.decisions == [PENDING]
        await pilot.press("e", "down", "end", "1", "ctrl+s")
        assert review.decisions == [ACCEPTED] and review.hunks != original
        await pilot.press("u")
        assert review.hunks == original and review.decisions == [PENDING]
        assert not screen.can_act("undo")


# -- help, keymap, quitting ---------------------------------------------------------------------


async def help_rows(pilot: Pilot) -> list[tuple[str, str]]:
    await pilot.press("question_mark")
    assert isinstance(pilot.app.screen, HelpScreen)
    table = pilot.app.screen.query_one(DataTable)
    return [tuple(table.get_row_at(i)) for i in range(table.row_count)]


async def test_question_mark_lists_every_key_with_what_it_does(tmp_path: Path) -> None:
    _, app = review_app(tmp_path, ONE)
    async with reviewing(app) as pilot:
        await pilot.press("y")  # undo and commit now apply
        rows = await help_rows(pilot)
        for row in [
            ("y", "accept"),
            ("n", "reject"),
            ("a", "accept rest of file"),
            ("d", "reject rest of file"),
            ("A", "accept all unflagged"),
            ("j", "next undecided"),
            ("K", "previous hunk"),
            ("e", "edit"),
            ("u", "undo"),
            ("tab", "next file"),
            ("c", "commit"),
            ("g", "go to hunk"),
            ("/", "search"),
            ("v", "side by side"),
            ("q", "quit"),
        ]:
            assert row in rows
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)


async def test_help_lists_the_registrys_keys_that_apply(tmp_path: Path) -> None:
    _, app = review_app(tmp_path, ONE)
    async with reviewing(app) as pilot:
        rows = await help_rows(pilot)
    own = rows[: -len(HelpScreen.OTHER_KEYS)]
    # Esc cancels only while a request runs: hidden until then; + and - act on prose only.
    assert sorted(own) == sorted(
        (app.get_key_display(Binding(k.key, k.action)), k.description)
        for k in REVIEW_KEYS
        if k.id not in ("cancel", "accept-kind", "reject-kind")
    )


async def test_help_scrolls_to_its_last_row_on_a_small_terminal(tmp_path: Path) -> None:
    _, app = review_app(tmp_path, ONE)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        rows = await help_rows(pilot)
        keys = [key for key, _ in rows]
        assert {"/", "v", "ctrl+p", "ctrl+s"} <= set(keys)
        assert any("Esc" in str(label.content) for label in app.screen.query(Label))
        table = app.screen.query_one(DataTable)
        assert table.max_scroll_y > 0  # it does not fit: it must scroll
        await pilot.press("end")
        await pilot.pause()
        assert table.scroll_y == table.max_scroll_y
        await pilot.press("home", "pagedown")
        await pilot.pause()
        assert table.scroll_y > 0


async def test_a_remapped_key_acts_and_help_shows_it(tmp_path: Path) -> None:
    _, app = review_app(tmp_path, ONE, keymap={"accept": "Y"})
    async with reviewing(app) as pilot:
        review = app.screen.review
        await pilot.press("y")
        assert review.decisions == [PENDING]
        await pilot.press("Y")
        assert review.decisions == [ACCEPTED]
        rows = await help_rows(pilot)
        assert ("Y", "accept") in rows and ("y", "accept") not in rows


async def test_q_with_nothing_decided_quits_at_once(tmp_path: Path) -> None:
    repo, app = review_app(tmp_path, THREE)
    async with reviewing(app) as pilot:
        await pilot.press("J", "q")
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.return_value is app.result
    assert app.result.outcome is None and app.result.proposal is not None
    assert (repo / "calc.py").read_text() == LINES and commit_count(repo) == 1


async def test_q_after_a_decision_asks_first(tmp_path: Path) -> None:
    repo, app = review_app(tmp_path, THREE)
    async with reviewing(app) as pilot:
        await pilot.press("y", "q")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert isinstance(app.screen, ReviewScreen) and app.return_value is None
        assert app.screen.review.decisions[0] is ACCEPTED
        await pilot.press("q", "y")
        assert app.return_value is app.result
    assert app.result.outcome is None
    assert (repo / "calc.py").read_text() == LINES and commit_count(repo) == 1


# -- committing --------------------------------------------------------------------------------


async def test_c_says_why_until_a_hunk_is_accepted(tmp_path: Path) -> None:
    _, app = review_app(tmp_path, THREE)
    async with reviewing(app) as pilot:
        screen = app.screen
        assert not screen.can_act("commit")
        await pilot.press("c")
        assert app.screen is screen and "Nothing accepted yet" in text_of(app, "#note")
        await pilot.press("n", "c")
        assert app.screen is screen and not screen.can_act("commit")
        await pilot.press("y")
        assert screen.can_act("commit") and screen.check_action("commit", ()) is True


async def test_commit_writes_exactly_the_accepted_hunks_with_the_message(tmp_path: Path) -> None:
    repo, app = review_app(tmp_path, THREE)
    async with reviewing(app) as pilot:
        await pilot.press("y", "n")  # the third hunk stays undecided
        screen = await open_commit(pilot)
        assert screen.query_one(Input).value == "Apply 1 reviewed hunk to calc.py"
        assert [str(label.content).split() for label in screen.query(".file")] == [
            ["calc.py", "1", "hunk", "+1", "-1"]
        ]
        assert (repo / "calc.py").read_text() == LINES  # nothing written before Enter
        done = await confirm_commit(pilot, "Raise 5")
        assert app.screen is screen and head(repo)[:12] in done
        await pilot.press("enter")
    outcome = app.return_value.outcome
    assert outcome.commit == head(repo) and outcome.written == ("calc.py",)
    assert git(repo, "log", "-1", "--format=%s").strip() == "Raise 5"
    assert (repo / "calc.py").read_text() == changed(5, "50")
    assert git(repo, "status", "--porcelain") == "" and commit_count(repo) == 2


async def test_after_the_commit_the_footer_says_esc_leaves(tmp_path: Path) -> None:
    repo, app = review_app(tmp_path, THREE)
    async with reviewing(app) as pilot:
        await pilot.press("y")
        await open_commit(pilot)
        footer = {b.binding.description for b in app.screen.active_bindings.values()}
        assert "Back to the review" in footer and "Leave fixer" not in footer
        await confirm_commit(pilot)
        footer = {b.binding.description for b in app.screen.active_bindings.values()}
        assert "Leave fixer" in footer and "Back to the review" not in footer
        await pilot.press("escape")
        await pilot.pause()
        assert app.return_value is app.result and app.result.outcome is not None
    assert commit_count(repo) == 2


async def test_escape_on_the_commit_screen_goes_back_without_writing(tmp_path: Path) -> None:
    repo, app = review_app(tmp_path, THREE)
    async with reviewing(app) as pilot:
        await pilot.press("y")
        await open_commit(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.review.decisions == [ACCEPTED, PENDING, PENDING]
        assert app.return_value is None
    assert (repo / "calc.py").read_text() == LINES and commit_count(repo) == 1


async def test_a_file_changed_on_disk_since_it_was_read_is_not_written(tmp_path: Path) -> None:
    repo, app = review_app(tmp_path, ONE)
    async with reviewing(app) as pilot:
        await pilot.press("y")
        mine = LINES + "mine = 1\n"
        (repo / "calc.py").write_text(mine)
        done = await commit(pilot)
        assert "not written" in done
        await pilot.press("enter")
    outcome = app.return_value.outcome
    assert outcome.refused and outcome.commit is None and outcome.written == ()
    assert (repo / "calc.py").read_text() == mine and commit_count(repo) == 1


async def test_a_refused_commit_goes_back_to_the_review_with_the_decisions_kept(
    tmp_path: Path,
) -> None:
    repo, app = review_app(tmp_path, ONE)
    messages: list[Message] = []
    async with reviewing(app, notifications=True, messages=messages) as pilot:
        await pilot.press("y")
        await open_commit(pilot)
        (repo / ".git" / "index.lock").write_text("")  # another git holds the index
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and app.screen.review.decisions == [ACCEPTED]
        [toast] = app._notifications
        assert toast.message.startswith("nothing was written: git's index is locked")
    assert isinstance(workers_said(messages)[-1], CommitFailed)
    assert (repo / "calc.py").read_text() == LINES and commit_count(repo) == 1


def workers_said(messages: list[Message]) -> list[Message]:
    """The workers' answers among all the app's messages, in order (the hook may see a message
    more than once)."""
    return list({id(m): m for m in messages if isinstance(m, Answer)}.values())


async def test_the_workers_answer_with_typed_messages(tmp_path: Path) -> None:
    _, app = review_app(tmp_path, ONE)
    messages: list[Message] = []
    async with reviewing(app, messages=messages) as pilot:
        await pilot.press("y")
        await commit(pilot)
        await pilot.press("enter")  # leaves with the outcome
    ready, written, committed = workers_said(messages)
    assert isinstance(ready, ProposalReady) and ready.proposal is app.result.proposal
    assert ready.request.route is None and ready.request.only is None  # your diff, every file
    assert isinstance(written, CommitMessageWritten) and written.text
    assert isinstance(committed, Committed) and committed.outcome is app.result.outcome


# -- what is shown -----------------------------------------------------------------------------


async def test_file_list_counts_follow_the_decisions(tmp_path: Path) -> None:
    diff = file_diff("calc.py", line_change(5, "50")) + file_diff("other.py", line_change(9, "90"))
    _, app = review_app(tmp_path, diff, files=TWO_FILES)
    async with reviewing(app) as pilot:
        files = app.screen.query_one(FileList)

        def labels() -> list[str]:
            return [files.get_option_at_index(i).prompt.plain for i in range(files.option_count)]

        assert labels() == ["✓0  ✗0  ?1  calc.py", "✓0  ✗0  ?1  other.py"]
        await pilot.press("y")
        assert labels() == ["✓1  ✗0  ?0  calc.py", "✓0  ✗0  ?1  other.py"]
        await pilot.press("n")
        assert labels() == ["✓1  ✗0  ?0  calc.py", "✓0  ✗1  ?0  other.py"]
        await pilot.press("u")
        assert labels() == ["✓1  ✗0  ?0  calc.py", "✓0  ✗0  ?1  other.py"]


HOSTILE = '"\x1b[2J\rgotcha"'


async def test_control_characters_are_shown_as_symbols_and_committed_as_proposed(
    tmp_path: Path,
) -> None:
    repo, app = review_app(tmp_path, file_diff("calc.py", line_change(5, HOSTILE)))
    async with reviewing(app) as pilot:
        assert any('value_5 = "␛[2J␍gotcha"' in row for row in shown_rows(app))
        assert not raw_control_on_screen(app)
        await pilot.press("y")
        await commit(pilot)
        await pilot.press("enter")
    assert (repo / "calc.py").read_bytes() == changed(5, HOSTILE).encode()
    assert git(repo, "status", "--porcelain") == ""


# -- asking a model (the fake provider) --------------------------------------------------------


def fenced(diff: str) -> str:
    return f"Here is the fix:\n\n```diff\n{diff}```\n"


async def test_the_screen_is_up_while_the_model_answers(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    fake_provider.reply(fenced(ONE), delay_s=1.0)
    _, app = review_app(tmp_path, None, config=fake_provider_config)
    async with reviewing(app, wait=False) as pilot:
        await until(pilot, lambda: "tokens received" in text_of(app, "#status"))
        screen = app.screen
        assert "fake,cheap-model" in text_of(app, "#status")
        assert screen.has_class("-message") and "fake,cheap-model" in text_of(app, "#message")
        assert screen.review is None and screen.check_action("cancel", ()) is True
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.has_class("-message") and len(screen.review.hunks) == 1
        status = text_of(app, "#status")
        assert "tokens: " in status and "tokens received" not in status  # the reply's usage
    assert fake_provider.requests[0].body["model"] == "cheap-model"


async def test_a_rate_limit_pause_shows_in_the_status_with_the_time_left(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    fake_provider.reply(status=429, headers={"Retry-After": "2"})
    fake_provider.reply(fenced(ONE))
    _, app = review_app(tmp_path, None, config=fake_provider_config)
    async with reviewing(app, wait=False) as pilot:
        await until(pilot, lambda: "rate limited" in text_of(app, "#status"))
        status = text_of(app, "#status")
        assert re.search(r"rate limited \(HTTP 429\): trying again in [12] s", status), status
        assert "tokens received" not in status
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(app.screen.review.hunks) == 1 and "rate limited" not in text_of(app, "#status")
    assert len(fake_provider.requests) == 2


@asynccontextmanager
async def asking_slowly(
    tmp_path: Path, fake_provider: FakeProvider, config: Path
) -> AsyncIterator[tuple[Path, ReviewApp, Pilot]]:
    """The review screen while the model is still answering (the fixture's stop() ends it)."""
    fake_provider.reply(fenced(ONE), delay_s=60)
    repo, app = review_app(tmp_path, None, config=config)
    async with reviewing(app, wait=False) as pilot:
        await until(pilot, lambda: bool(fake_provider.requests))
        yield repo, app, pilot


@pytest.mark.parametrize("key", ["escape", "ctrl+c"])
async def test_escape_or_ctrl_c_cancels_a_slow_reply(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path, key: str
) -> None:
    async with asking_slowly(tmp_path, fake_provider, fake_provider_config) as (repo, app, pilot):
        await pilot.press(key)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.result.cancelled is True and app.result.proposal is None
        assert "Cancelled" in text_of(app, "#message")
        assert app.return_value is None  # still on screen: r asks again, q quits
        await pilot.press("q")
        assert app.return_value is app.result
    assert (repo / "calc.py").read_text() == LINES and commit_count(repo) == 1


async def test_r_asks_the_think_model_again(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    fake_provider.reply(fenced(ONE))
    fake_provider.reply(fenced(THREE))
    _, app = review_app(tmp_path, None, config=fake_provider_config)
    async with reviewing(app) as pilot:
        assert len(app.screen.review.hunks) == 1
        await pilot.press("y", "r")  # a decision would be lost: asks first
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        review = app.screen.review
        assert len(review.hunks) == 3 and review.decisions == [PENDING] * 3
        assert "fake,strong-model" in text_of(app, "#status")
    assert [r.body["model"] for r in fake_provider.requests] == ["cheap-model", "strong-model"]
    assert [str(a.route) for a in app.result.attempts] == ["fake,cheap-model", "fake,strong-model"]


async def test_a_reply_without_a_diff_is_shown_as_an_error(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    fake_provider.reply("I looked, and I would rather not change anything today.")
    repo, app = review_app(tmp_path, None, config=fake_provider_config)
    messages: list[Message] = []
    async with reviewing(app, messages=messages):
        assert isinstance(app.result.error, NoDiffError)
        [failed] = workers_said(messages)
        assert isinstance(failed, ProposalFailed) and failed.error is app.result.error
        assert str(failed.request.route) == "fake,cheap-model"
        assert app.screen.has_class("-message")
        assert str(app.result.error).splitlines()[0] in text_of(app, "#message")
        assert app.screen.check_action("commit", ()) is None
    # Each rung asked, then asked once more with the apply error.
    assert [r.body["model"] for r in fake_provider.requests] == ["cheap-model"] * 2 + [
        "strong-model"
    ] * 2
    assert (repo / "calc.py").read_text() == LINES


# -- once bugs: an empty review, and hostile text in messages -------------------------------


async def test_u_undoes_an_edit_that_dropped_the_only_hunk(tmp_path: Path) -> None:
    _, app = review_app(tmp_path, ONE)
    async with reviewing(app) as pilot:
        screen = app.screen
        await pilot.press("e", "down", "down", "down", "end", "backspace", "ctrl+s")
        assert screen.review.hunks == () and screen.review.can_undo  # value_5 = 5 again
        await pilot.press("u")
        assert len(screen.review.hunks) == 1 and screen.review.decisions == [PENDING]


async def test_a_reply_without_a_diff_shows_its_control_characters_as_symbols(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    fake_provider.reply("Sorry\x1b[2J\x1b]0;pwned\x07, no diff today.")
    _, app = review_app(tmp_path, None, config=fake_provider_config)
    async with reviewing(app):
        assert isinstance(app.result.error, NoDiffError) and "Sorry" in text_of(app, "#message")
        assert not raw_control_on_screen(app)


async def test_a_refused_path_is_named_with_visible_symbols(tmp_path: Path) -> None:
    _, app = review_app(tmp_path, ONE + file_diff("evil\x1b[2J.py", line_change(5, "50")))
    async with reviewing(app, notifications=True) as pilot:
        assert len(app.screen.review.refusals) == 1
        await until(pilot, lambda: "evil" in app.export_screenshot())
        assert not raw_control_on_screen(app)


async def test_the_commit_screen_names_a_new_file_with_visible_symbols(tmp_path: Path) -> None:
    name = "evil\x1b[2J.py"
    repo, app = review_app(tmp_path, f"--- /dev/null\n+++ b/{name}\n@@ -0,0 +1 @@\n+x = 1\n")
    async with reviewing(app) as pilot:
        await pilot.press("y")
        await commit(pilot)
        assert (repo / name).read_text() == "x = 1\n"
        assert not raw_control_on_screen(app)


async def test_refused_hunks_are_shown_after_the_last_hunk_with_the_reason(tmp_path: Path) -> None:
    wrong = "@@ -25,3 +25,3 @@\n value_25 = 25\n-value_26 = 999\n+value_26 = 260\n value_27 = 27\n"
    _, app = review_app(tmp_path, ONE + wrong)
    async with reviewing(app) as pilot:
        rows = "\n".join(shown_rows(app))
        assert "[did not apply] hunk 2 of calc.py" in rows
        assert "value_26 = 26" in rows  # the real lines nearest to what the model expected
        # Only the placed hunk can be decided: A takes it, and the refusal stays a refusal.
        await pilot.press("A")
        assert app.screen.review.decisions == [ACCEPTED]


async def test_the_command_palette_offers_the_review_keys(tmp_path: Path) -> None:
    _, app = review_app(tmp_path, THREE)
    async with reviewing(app) as pilot:
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert {"Accept", "Reject", "Next hunk", "Quit"} <= set(titles)
        assert "Split" not in titles  # one change per hunk: nothing to split
        assert "Commit" not in titles  # nothing accepted yet: the palette hides what cannot act
        await pilot.press("y")
        commit = next(c for c in app.get_system_commands(app.screen) if c.title == "Commit")
        app.call_later(commit.callback)  # as the palette runs a chosen command
        await pilot.pause()
        assert isinstance(app.screen, CommitScreen)


async def test_a_posts_sentences_are_hunks_numbered_by_file_line_and_edited_whole(
    tmp_path: Path,
) -> None:
    post = "# Title\n\nThis sentense is first. The second one is fine. Thier third is last.\n"
    repo, app = grammar_app(tmp_path, post)
    async with reviewing(app) as pilot:
        review = app.screen.review
        assert len(review.hunks) == 2  # two corrected sentences of one line: two hunks
        rows = shown_rows(app)
        assert sum("post.md  line 3" in row for row in rows) == 2
        await pilot.press("n", "e")  # reject the first; edit the second
        editor = app.screen.query_one(TextArea)
        assert editor.text == " Their third is last."  # no joining mark shown to the user
        await pilot.press("end", "backspace", "!", "ctrl+s")
        await commit(pilot)
        await pilot.press("enter")
    expected = "# Title\n\nThis sentense is first. The second one is fine. Their third is last!\n"
    assert (repo / "post.md").read_text() == expected


async def test_enter_twice_during_a_slow_commit_commits_once(tmp_path: Path) -> None:
    repo, app = review_app(tmp_path, ONE)
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nsleep 0.5\n")
    hook.chmod(0o755)
    async with reviewing(app) as pilot:
        await pilot.press("y")
        await open_commit(pilot)
        await pilot.press("enter", "enter")  # the second lands while git is still working
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "committed" in str(app.screen.query_one("#done", Static).content)
        await pilot.press("enter")
    assert commit_count(repo) == 2 and app.result.outcome.refused == ()


async def test_r_with_no_changes_for_the_file_keeps_the_review_going(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    fake_provider.reply(fenced(ONE))
    fake_provider.reply("NO CHANGES")
    _, app = review_app(tmp_path, None, config=fake_provider_config)
    async with reviewing(app) as pilot:
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.review.hunks == ()  # the stronger model sees nothing to change
        await pilot.press("u")  # and the first proposal comes back
        assert len(app.screen.review.hunks) == 1
        assert "fake,cheap-model" in text_of(app, "#status")


async def test_an_emptied_edit_deletes_the_lines_and_a_name_is_never_markup(
    tmp_path: Path,
) -> None:
    name = "x[/b][id].py"
    diff = file_diff(name, line_change(5, "50"))
    repo, app = review_app(tmp_path, diff, files={name: LINES})
    async with reviewing(app) as pilot:
        await pilot.press("e")
        assert isinstance(app.screen, EditScreen)
        assert any(name in str(label.content) for label in app.screen.query(Label))
        app.screen.query_one(TextArea).clear()  # the user empties the editor
        await pilot.press("ctrl+s")
        await commit(pilot)
        await pilot.press("enter")
    # The hunk's new side was emptied: its seven lines (context included) are gone.
    assert (repo / name).read_text() == LINES.replace(
        "".join(f"value_{i} = {i}\n" for i in range(2, 9)), ""
    )


# -- what a new user trips over ------------------------------------------------------------------


async def test_after_an_edit_the_cursor_moves_on_so_n_does_not_reject_it(tmp_path: Path) -> None:
    _, app = review_app(tmp_path, THREE)
    async with reviewing(app) as pilot:
        screen = app.screen
        await pilot.press("e", "down", "down", "down", "end", "0", "ctrl+s")
        assert screen.review.decisions[0] is ACCEPTED and screen.cursor == 1
        await pilot.press("n")
        assert screen.review.decisions == [ACCEPTED, REJECTED, PENDING]
        assert "+value_5 = 500" in screen.review.hunks[0].hunk.lines


async def test_q_while_the_model_answers_is_a_cancelled_request(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    async with asking_slowly(tmp_path, fake_provider, fake_provider_config) as (_, app, pilot):
        await pilot.press("q")
        await pilot.pause()
    assert app.result.cancelled is True and app.result.proposal is None


async def test_r_is_not_offered_after_the_key_was_refused(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    fake_provider.reply(status=401, error="Invalid API key")
    _, app = review_app(tmp_path, None, config=fake_provider_config)
    async with reviewing(app) as pilot:
        screen = app.screen
        assert "401" in text_of(app, "#message")
        assert "fixer config" in text_of(app, "#message")
        assert "r asks" not in text_of(app, "#message")
        assert not screen.can_act("ask_again") and screen.check_action("ask_again", ()) is None
        await pilot.press("r")
    assert len(fake_provider.requests) == 1  # the same provider is not asked again


async def test_r_is_not_offered_when_every_rung_failed(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    fake_provider.reply("I would rather not change anything today.")
    _, app = review_app(tmp_path, None, config=fake_provider_config)
    async with reviewing(app) as pilot:
        assert "No stronger model is configured" in text_of(app, "#message")
        assert not app.screen.can_act("ask_again")
        await pilot.press("r")
    assert len(fake_provider.requests) == 4  # two rungs, each asked again once: no fifth call


async def test_messages_never_cover_the_hunks_and_count_in_good_english(tmp_path: Path) -> None:
    bad = file_diff("calc.py", "@@ -1,2 +1,2 @@\n-not in the file\n+x = 1\n not either\n")
    _, app = review_app(tmp_path, THREE + bad)
    async with reviewing(app, notifications=True) as pilot:
        note = text_of(app, "#note")
        assert "1 hunk was refused" in note and "hunk(s)" not in note
        assert not app._notifications  # no toast over the screen
        await pilot.press("A")
        assert "accepted 3 hunks" in text_of(app, "#note")
        view = app.screen.hunks
        assert view.region.y > app.screen.query_one("#note").region.y  # the note sits above


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_help_and_quit_are_always_in_the_footer(tmp_path: Path, size) -> None:
    _, app = review_app(tmp_path, THREE)
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()

        def shown() -> set[str]:
            return {
                key.description
                for key in app.screen.query("Footer FooterKey")
                if key.region.width and key.region.right <= app.size.width
            }

        await until(pilot, lambda: "commit" in shown())  # the footer is laid out
        assert {"help", "quit"} <= shown(), shown()


async def test_hunk_titles_carry_the_function_context_from_the_file(tmp_path: Path) -> None:
    body = "".join(f"    step_{i} = {i}\n" for i in range(5))
    code = f"import os\n\n\ndef price(amount):\n{body}    total = amount * 1.2\n    return total\n"
    diff = file_diff(
        "shop.py",
        "@@ -9,3 +9,3 @@ def made_up_by_the_model():\n     step_4 = 4\n"
        "-    total = amount * 1.2\n+    total = round(amount * 1.2, 2)\n     return total\n",
    )
    _, app = review_app(tmp_path, diff, files={"shop.py": code})
    async with reviewing(app):
        rows = shown_rows(app)
        assert any("@@ -7,5 +7,5 @@ def price(amount):" in row for row in rows), rows[:3]
        assert not any("made_up_by_the_model" in row for row in rows)


async def test_i_shows_what_the_model_said_around_its_diff(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    fake_provider.reply("The fifth value was off by a factor of ten.\n\n```diff\n" + ONE + "```\n")
    _, app = review_app(tmp_path, None, config=fake_provider_config)
    async with reviewing(app) as pilot:
        assert "i shows what it said" in text_of(app, "#note")
        await pilot.press("i")
        assert isinstance(app.screen, TextScreen)
        shown = " ".join(str(s.content) for s in app.screen.query(Static))
        assert "off by a factor of ten" in shown and "value_5" not in shown
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)


async def test_a_prompt_over_the_size_limit_is_sent_only_after_a_yes(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    path = small_limit_config(tmp_path, fake_provider_config)
    fake_provider.reply(fenced(ONE))
    _, app = review_app(tmp_path, None, config=path)
    async with reviewing(app) as pilot:
        assert isinstance(app.screen, ConfirmScreen) and not fake_provider.requests
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(app.screen.review.hunks) == 1
    assert len(fake_provider.requests) == 1


async def test_no_to_a_large_prompt_sends_nothing(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    path = small_limit_config(tmp_path, fake_provider_config)
    _, app = review_app(tmp_path, None, config=path)
    async with reviewing(app) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert "Not sent" in text_of(app, "#message") and app.result.cancelled
    assert fake_provider.requests == []


@pytest.mark.parametrize("answer", ["y", "n"])
async def test_a_file_that_looks_secret_is_sent_only_after_a_yes(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path, answer: str
) -> None:
    fake_provider.reply("NO CHANGES")
    _, app = review_app(tmp_path, None, files={".env": "TOKEN=1\n"}, config=fake_provider_config)
    async with reviewing(app) as pilot:
        assert isinstance(app.screen, ConfirmScreen) and not fake_provider.requests
        question = " ".join(str(label.content) for label in app.screen.query(Static))
        assert ".env (a secret-looking name)" in question and "Send it anyway?" in question
        await pilot.press(answer)
        await app.workers.wait_for_complete()
        await pilot.pause()
        if answer == "n":
            assert "Not sent" in text_of(app, "#message") and app.result.cancelled
    assert len(fake_provider.requests) == (answer == "y")


async def test_a_grammar_hunk_s_title_says_its_kind_of_correction(tmp_path: Path) -> None:
    _, app = grammar_app(tmp_path, "# Notes\n\nI recieve mail every day.\n")
    async with reviewing(app):
        (hunk,) = app.screen.review.hunks
        assert hunk.correction is not None and str(hunk.correction) == "spelling: recieve → receive"
        assert any("spelling: recieve → receive" in row for row in shown_rows(app))


async def test_plus_accepts_every_hunk_of_the_current_kind_and_the_status_counts_kinds(
    tmp_path: Path,
) -> None:
    post = "# Notes\n\nI recieve mail.\n\nIt is a apple.\n\nWe recieve more.\n"
    _, app = grammar_app(tmp_path, post)
    async with reviewing(app) as pilot:
        review = app.screen.review
        kinds = [h.correction.kind.value for h in review.hunks if h.correction]
        assert kinds.count("spelling") >= 2
        assert "spelling " in str(app.screen.query_one("#status").render())
        assert review.hunks[0].correction.kind.value == "spelling"
        await pilot.press("plus")
        spelled = [
            d
            for h, d in zip(review.hunks, review.decisions, strict=True)
            if h.correction and h.correction.kind.value == "spelling"
        ]
        assert set(spelled) == {ACCEPTED}
        others = [
            d
            for h, d in zip(review.hunks, review.decisions, strict=True)
            if not (h.correction and h.correction.kind.value == "spelling")
        ]
        assert set(others) <= {PENDING}
        await pilot.press("u")  # one undo step takes them all back
        assert set(review.decisions) == {PENDING}
