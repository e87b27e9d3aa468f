"""The real `fixer` command in a pseudo-terminal: the review screen, keys typed, a real commit."""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import termios
import time
from pathlib import Path

import pytest

from tests.helpers import FIXER, clean_env, git, make_repo

LINES = "".join(f"value_{i} = {i}\n" for i in range(1, 31))
PATCH = """--- a/calc.py
+++ b/calc.py
@@ -4,3 +4,3 @@
 value_4 = 4
-value_5 = 5
+value_5 = 50
 value_6 = 6
@@ -25,3 +25,3 @@
 value_25 = 25
-value_26 = 26
+value_26 = 260
 value_27 = 27
"""


class Terminal:
    """fixer running in a pty (100x30 unless told), with what it printed so far."""

    def __init__(
        self, args: list[str], cwd: Path, env: dict[str, str], size: tuple[int, int] = (100, 30)
    ) -> None:
        self.master, slave = os.openpty()
        columns, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        env = {**env, "TERM": "xterm-256color"}
        env.pop("NO_COLOR", None)
        self.process = subprocess.Popen(
            [str(FIXER), *args], cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave
        )
        os.close(slave)
        self.output = b""

    def wait_for(self, text: str, timeout_s: float = 20) -> None:
        """Read until `text` was printed (the screen draws it), or fail showing the output."""
        deadline = time.monotonic() + timeout_s
        while text.encode() not in self.output:
            if time.monotonic() > deadline:
                self.process.kill()  # a failed test must not leave fixer spinning on a dead pty
                self.process.wait()
                raise AssertionError(f"{text!r} never appeared; got {self.output[-2000:]!r}")
            if select.select([self.master], [], [], 0.1)[0]:
                try:
                    self.output += os.read(self.master, 65536)
                except OSError:  # the child closed the terminal
                    break

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def finish(self) -> int:
        """Wait for fixer to exit and read the rest of what it printed."""
        try:
            code = self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        while select.select([self.master], [], [], 0.5)[0]:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: every writer is gone
                break
            if not chunk:
                break
            self.output += chunk
        os.close(self.master)
        return code


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", {"calc.py": LINES})


def review_with_one_accepted(
    tmp_path: Path, repo: Path, env: dict[str, str] | None = None, size: tuple[int, int] = (100, 30)
) -> Terminal:
    """fixer reviewing PATCH, after `y` on its first hunk."""
    (tmp_path / "fix.patch").write_text(PATCH)
    args = ["--from-diff", str(tmp_path / "fix.patch"), "calc.py"]
    terminal = Terminal(args, repo, env or clean_env(tmp_path), size)
    terminal.wait_for("decided 0/2")
    terminal.type("y")
    terminal.wait_for("decided 1/2")
    return terminal


def commit_and_leave(terminal: Terminal, repo: Path) -> None:
    """c, Enter to commit, Enter to leave: only the first hunk of PATCH was accepted."""
    terminal.type("c")
    terminal.wait_for("Commit message")
    terminal.type("\r")
    terminal.wait_for("Esc to leave")
    terminal.type("\r")
    assert terminal.finish() == 0
    assert "value_5 = 50\n" in (repo / "calc.py").read_text()
    assert "value_26 = 26\n" in (repo / "calc.py").read_text()


def test_review_screen_commits_the_accepted_hunk(tmp_path: Path, repo: Path) -> None:
    terminal = review_with_one_accepted(tmp_path, repo)
    terminal.type("n")
    terminal.wait_for("decided 2/2")
    commit_and_leave(terminal, repo)
    assert git(repo, "log", "-1", "--format=%s").strip() == "Apply 1 reviewed hunk to calc.py"
    assert git(repo, "status", "--porcelain") == ""
    assert b"committed " in terminal.output  # the summary printed after the screen closed


def test_quitting_writes_nothing(tmp_path: Path, repo: Path) -> None:
    terminal = review_with_one_accepted(tmp_path, repo)
    terminal.type("q")
    terminal.wait_for("decisions will be lost")
    terminal.type("y")
    assert terminal.finish() == 0
    assert (repo / "calc.py").read_text() == LINES
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"
    assert b"quit; nothing written" in terminal.output


def test_a_wide_terminal_reviews_side_by_side_and_commits(tmp_path: Path, repo: Path) -> None:
    terminal = review_with_one_accepted(tmp_path, repo, size=(200, 50))
    commit_and_leave(terminal, repo)
    assert b"Traceback" not in terminal.output


# Fixer has no known crash left, so one is planted: pressing `v` raises inside the app.
CRASH = """
from fixer.tui.review_screen import ReviewScreen
def crash(self, *args, **kwargs):
    raise RuntimeError("planted")
ReviewScreen.action_side_by_side = crash
"""


def test_a_crash_restores_the_terminal_saves_the_traceback_and_exits_70(
    tmp_path: Path, repo: Path
) -> None:
    plant = tmp_path / "plant"
    plant.mkdir()
    (plant / "sitecustomize.py").write_text(CRASH)
    env = {**clean_env(tmp_path), "PYTHONPATH": str(plant)}
    terminal = review_with_one_accepted(tmp_path, repo, env)
    terminal.type("v")
    assert terminal.finish() == 70
    said = terminal.output.decode(errors="replace")
    assert "fixer crashed (RuntimeError: planted)" in said
    assert "nothing was written" in said and "Traceback" not in said
    assert "\x1b[?1049l" in said  # the alternate screen was left: the terminal is restored
    reports = list((tmp_path / ".local/state/fixer/crashes").glob("crash-*.txt"))
    assert len(reports) == 1 and "RuntimeError: planted" in reports[0].read_text()
    assert str(reports[0]) in said.replace("\r\n", "")
    assert (repo / "calc.py").read_text() == LINES


def test_offline_grammar_on_a_french_post_says_why_without_a_screen(tmp_path: Path) -> None:
    post = (Path(__file__).parent / "data/posts/post-fr-llm-costs.md").read_text()
    repo = make_repo(tmp_path / "repo", {"post.md": post})
    terminal = Terminal(["--grammar", "post.md"], repo, clean_env(tmp_path))
    assert terminal.finish() == 0
    said = terminal.output.decode(errors="replace")
    assert "codespell and Harper know only English" in said and "fixer config" in said
    assert "\x1b[?1049h" not in said  # no review screen was opened
    assert (repo / "post.md").read_text() == post


def test_ruff_notes_do_not_contradict_themselves(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"mid.py": "x = {  'a':1 }\n"})
    terminal = Terminal(["-m", "local", "--print", "mid.py"], repo, clean_env(tmp_path))
    assert terminal.finish() == 0
    said = terminal.output.decode(errors="replace")
    assert "reformatted mid.py (no lint fixes)" in said and "nothing to fix" not in said


def test_a_keymap_conflict_stops_before_the_screen_opens(tmp_path: Path, repo: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text('{"fixer": {"keymap": {"reject": "y"}}}')
    (tmp_path / "fix.patch").write_text(PATCH)
    args = ["--config", str(config), "--from-diff", str(tmp_path / "fix.patch"), "calc.py"]
    terminal = Terminal(args, repo, clean_env(tmp_path))
    assert terminal.finish() == 2
    said = terminal.output.decode(errors="replace")
    assert "'accept' and 'reject'" in said and "\x1b[?1049h" not in said


def test_print_to_a_terminal_shows_control_characters_as_symbols(
    tmp_path: Path, repo: Path
) -> None:
    patch = PATCH.replace("+value_5 = 50", "+value_5 = '\x1b[2K\x1b]0;pwned\x07\x9b2J'")
    (tmp_path / "fix.patch").write_text(patch)
    args = ["--print", "--from-diff", str(tmp_path / "fix.patch"), "calc.py"]
    terminal = Terminal(args, repo, clean_env(tmp_path))
    assert terminal.finish() == 0
    assert "␛[2K␛]0;pwned␇\ufffd2J".encode() in terminal.output
    assert b"\x1b[2K" not in terminal.output and b"\x07" not in terminal.output
    piped = subprocess.run(
        [str(FIXER), *args], cwd=repo, env=clean_env(tmp_path), capture_output=True
    )
    assert "\x1b[2K\x1b]0;pwned\x07\x9b2J".encode() in piped.stdout  # raw for git apply


def test_after_a_grammar_review_the_accepted_corrections_are_told_and_kept(
    tmp_path: Path,
) -> None:
    post = "# Notes\n\nI recieve mail.\n\nIt is definately fine.\n"
    repo = make_repo(tmp_path / "repo", {"post.md": post})
    env = clean_env(tmp_path)
    terminal = Terminal(["--grammar", "post.md"], repo, env)
    terminal.wait_for("decided 0/2")
    terminal.type("y")
    terminal.wait_for("decided 1/2")
    terminal.type("n")
    terminal.wait_for("decided 2/2")
    terminal.type("c")
    terminal.wait_for("Commit message")
    terminal.type("\r")
    terminal.wait_for("Esc to leave")
    terminal.type("\r")
    assert terminal.finish() == 0
    assert (repo / "post.md").read_text() == post.replace("recieve", "receive")
    said = terminal.output.decode(errors="replace")
    assert "corrected 1 mistake: spelling 1" in said and "recieve → receive" in said
    assert "definately" not in said.split("corrected 1 mistake")[1]  # rejected: not counted
    report = subprocess.run(
        [str(FIXER), "mistakes"], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    assert "en · 1 correction\n" in report.stdout


def test_accepted_corrections_left_unwritten_by_quitting_are_not_kept(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"post.md": "# Notes\n\nI recieve mail.\n"})
    env = clean_env(tmp_path)
    terminal = Terminal(["--grammar", "post.md"], repo, env)
    terminal.wait_for("decided 0/1")
    terminal.type("y")
    terminal.wait_for("decided 1/1")
    terminal.type("q")
    terminal.wait_for("decisions will be lost")
    terminal.type("y")
    assert terminal.finish() == 0
    assert b"quit; nothing written" in terminal.output and b"mistake" not in terminal.output
    report = subprocess.run(
        [str(FIXER), "mistakes"], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    assert report.stdout.startswith("Nothing corrected yet")
