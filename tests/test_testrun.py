"""The user's test command run on a proposal: real subprocesses, real git repositories.

No timed assertions: a wait below waits for a condition (a process gone), never for speed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import shutil
import stat
import sys
import tempfile
from pathlib import Path

import pytest

from fixer.errors import InputError
from fixer.scratch import PREFIX, ScratchCopy, scratch_copy, tried_copy
from fixer.testoutcome import TestOutcome
from fixer.testrun import MAX_OUTPUT_BYTES, run_tests
from tests.helpers import git, gone, make_repo

# Writes the shell's pid and a background child's, then hangs: what a time limit must end.
HANG = "echo $$ > shell.pid; sleep 100 & echo $! > child.pid; sleep 100"
# Names git and shells read as something else: options, pathspec magic, globs, lines.
NASTY = ["with space.py", "new\nline.txt", "-dash.txt", "ünïcode.txt", ":colon.txt", "star*.txt"]


def run(command: str, cwd: Path, timeout_s: float = 60.0, **env: str) -> TestOutcome:
    return asyncio.run(run_tests(command, cwd, {**os.environ, **env}, timeout_s))


async def written(path: Path) -> None:
    """Wait until the command has written a pid into path."""
    while not path.exists() or not path.read_text().strip():
        await asyncio.sleep(0.01)


def pids(folder: Path, *names: str) -> list[int]:
    return [int((folder / name).read_text()) for name in names]


def test_a_passing_command_passes(tmp_path: Path) -> None:
    outcome = run("echo ok", tmp_path)
    assert (outcome.command, outcome.exit_code, outcome.output) == ("echo ok", 0, "ok\n")
    assert outcome.passed and not outcome.timed_out


def test_a_failing_command_gives_its_exit_code_and_both_streams(tmp_path: Path) -> None:
    outcome = run("echo out; echo err >&2; echo out2; exit 3", tmp_path)
    assert outcome.exit_code == 3 and not outcome.passed
    assert outcome.output == "out\nerr\nout2\n"  # one pipe: in the order they were written
    assert outcome.summary().startswith("tests: fail (exit 3,")


def test_the_command_runs_in_cwd_with_env_and_no_stdin(tmp_path: Path) -> None:
    outcome = run('pwd; echo "$FIXER_PROBE"; cat', tmp_path, FIXER_PROBE="a b")
    assert outcome.output == f"{tmp_path.resolve()}\na b\n"
    assert outcome.passed  # cat read /dev/null: an empty stdin, not the terminal's


def test_an_unknown_command_is_a_failure_not_an_error(tmp_path: Path) -> None:
    outcome = run("no-such-command-fixer-xyz", tmp_path)
    assert outcome.exit_code == 127
    assert "not found" in outcome.output


def test_a_hang_is_killed_at_the_time_limit_with_its_children(tmp_path: Path) -> None:
    outcome = run(HANG, tmp_path, timeout_s=1.0)
    assert outcome.timed_out and outcome.exit_code is None
    assert "time limit" in outcome.summary()
    assert all(gone(pid) for pid in pids(tmp_path, "shell.pid", "child.pid"))


def test_a_background_child_is_ended_when_the_shell_exits(tmp_path: Path) -> None:
    outcome = run("sleep 100 & echo $! > child.pid; echo done", tmp_path)
    assert (outcome.exit_code, outcome.output) == (0, "done\n")  # not held to the time limit
    assert gone(pids(tmp_path, "child.pid")[0])


def test_cancelling_the_run_kills_the_process_group(tmp_path: Path) -> None:
    async def cancel_once_started() -> None:
        task = asyncio.ensure_future(run_tests(HANG, tmp_path, dict(os.environ), 60))
        await written(tmp_path / "child.pid")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancel_once_started())
    assert all(gone(pid) for pid in pids(tmp_path, "shell.pid", "child.pid"))


def test_huge_output_keeps_its_tail_and_says_what_was_left_out(tmp_path: Path) -> None:
    outcome = run("head -c 3000000 /dev/zero | tr '\\0' x; echo; echo END", tmp_path)
    first, rest = outcome.output.split("\n", 1)
    left_out = 3_000_005 - len(rest)
    assert first == f"[... {left_out} bytes left out ...]"
    assert len(rest) == MAX_OUTPUT_BYTES and rest.endswith("x\nEND\n")


def test_the_tail_starts_at_a_whole_character(tmp_path: Path) -> None:
    write = "import sys; sys.stdout.write('é' * 700_000 + '.')"  # the cut falls inside an é
    command = f"{shlex.quote(sys.executable)} -c {shlex.quote(write)}"
    outcome = run(command, tmp_path, PYTHONIOENCODING="utf-8")
    first, rest = outcome.output.split("\n", 1)
    assert rest == "é" * ((MAX_OUTPUT_BYTES - 2) // 2) + "."  # no U+FFFD from a cut é
    assert first == f"[... {1_400_001 - len(rest.encode())} bytes left out ...]"


def test_output_that_is_not_utf8_is_decoded_with_replacement(tmp_path: Path) -> None:
    assert run("printf 'a\\377b\\n'", tmp_path).output == "a\ufffdb\n"


def test_a_directory_that_is_gone_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="gone"):
        run("true", tmp_path / "missing")


# The scratch copy.


@pytest.fixture
def worktree(tmp_path: Path) -> Path:
    """A repository with uncommitted changes, a deleted file, untracked and ignored files,
    a symlink, an executable and names that mean something to git or a shell."""
    files: dict[str, str | bytes] = {name: f"{name}\n" for name in NASTY}
    files.update({"calc.py": "a = 1\n", "gone.py": "x\n", "sub/dir/run.sh": "#!/bin/sh\n"})
    files[".gitignore"] = "*.log\nbuild/\n"
    repo = make_repo(tmp_path / "project", files)
    (repo / "sub/dir/run.sh").chmod(0o755)
    (repo / "link").symlink_to("sub/dir/run.sh")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "mode and link")
    (repo / "calc.py").write_text("a = 2  # not committed\n")
    (repo / "gone.py").unlink()
    (repo / "untracked.py").write_text("u = 1\n")
    (repo / "-untracked dash*.txt").write_bytes(b"\xff binary \x00")
    (repo / os.fsdecode(b"not-utf8-\xff.txt")).write_text("bytes in the name\n")
    (repo / "debug.log").write_text("ignored\n")
    (repo / "build").mkdir()
    (repo / "build/out.txt").write_text("ignored\n")
    return repo


def tree(root: Path) -> dict[str, tuple[str, bytes | str, bool]]:
    """Every entry under root but .git: its kind, its bytes (or link target), executable."""
    found: dict[str, tuple[str, bytes | str, bool]] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in files + [d for d in dirs if (Path(folder) / d).is_symlink()]:
            path = Path(folder) / name
            key = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[key] = ("link", os.readlink(path), False)
            else:
                found[key] = ("file", path.read_bytes(), bool(path.stat().st_mode & stat.S_IXUSR))
    return found


def test_the_copy_is_the_working_tree_as_it_is(worktree: Path) -> None:
    expected = {
        name: entry
        for name, entry in tree(worktree).items()
        if name not in {"debug.log", "build/out.txt"}
    }
    with scratch_copy(worktree) as copy:
        assert tree(copy.root) == expected
        assert "calc.py" in expected and "gone.py" not in expected  # as on disk
        assert not (copy.root / ".git").exists()
        assert (copy.root / "link").is_symlink()
        for name in expected:  # copies, never hard links to the user's files
            assert not os.path.samefile(copy.root / name, worktree / name) or name == "link"
        assert copy.root.name == worktree.name
        assert copy.root.parent.name.startswith(PREFIX)
        assert copy.root.parent.parent == Path(tempfile.gettempdir())


def test_a_tracked_folder_now_a_file_is_copied_as_it_is(worktree: Path) -> None:
    shutil.rmtree(worktree / "sub")
    (worktree / "sub").write_text("a file now\n")
    with scratch_copy(worktree) as copy:
        assert (copy.root / "sub").read_text() == "a file now\n"


def test_a_nested_repository_is_copied_without_its_git(worktree: Path) -> None:
    make_repo(worktree / "vendor", {"lib.py": "v = 1\n"})
    with scratch_copy(worktree) as copy:
        assert (copy.root / "vendor/lib.py").read_text() == "v = 1\n"
        assert not (copy.root / "vendor/.git").exists()


def test_the_proposal_goes_into_the_copy_and_never_the_users_files(worktree: Path) -> None:
    before = tree(worktree)
    texts = {
        "calc.py": "a = 3\n",
        "sub/dir/run.sh": "#!/bin/sh\nexit 0\n",
        "new/module é.py": "\ufeffnew = 1\r\n",
        NASTY[1]: "changed\n",
    }
    with scratch_copy(worktree) as copy:
        copy.write(texts)
        for name, text in texts.items():
            assert (copy.root / name).read_bytes() == text.encode("utf-8")
        assert (copy.root / "sub/dir/run.sh").stat().st_mode & 0o777 == 0o755
        outcome = asyncio.run(run_tests("echo test > calc.py", copy.root, dict(os.environ), 60))
        assert outcome.passed and (copy.root / "calc.py").read_text() == "test\n"
    assert tree(worktree) == before


def test_a_name_leading_outside_the_copy_is_refused(worktree: Path) -> None:
    (worktree / "escape").symlink_to(worktree / "calc.py")  # absolute: the user's own file
    before = tree(worktree)
    with scratch_copy(worktree) as copy:
        for name in ("../outside.py", "escape", "/tmp/fixer-absolute.py"):
            with pytest.raises(InputError):
                copy.write({name: "bad\n"})
        assert not (copy.root.parent / "outside.py").exists()
    assert tree(worktree) == before
    assert not Path("/tmp/fixer-absolute.py").exists()


def test_the_copy_is_removed_after_an_error(worktree: Path) -> None:
    with pytest.raises(RuntimeError), scratch_copy(worktree) as copy:
        holder = copy.root.parent
        (copy.root / "ro").mkdir()
        (copy.root / "ro/file").write_text("x")
        (copy.root / "ro").chmod(0o500)  # a test may leave a read-only directory behind
        raise RuntimeError
    assert not holder.exists()


def test_the_copy_is_removed_when_the_run_is_cancelled(worktree: Path) -> None:
    copies: list[ScratchCopy] = []

    async def test_in_copy() -> None:
        with scratch_copy(worktree) as copy:
            copies.append(copy)
            await run_tests(HANG, copy.root, dict(os.environ), 60)

    async def cancel_once_started() -> None:
        task = asyncio.ensure_future(test_in_copy())
        while not copies:
            await asyncio.sleep(0.01)
        await written(copies[0].root / "child.pid")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancel_once_started())
    assert not copies[0].root.parent.exists()


def test_a_folder_outside_git_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not in a git repository"), scratch_copy(tmp_path):
        pass


@pytest.mark.parametrize("when", ["while it is made", "while the tests run"])
def test_a_tried_copy_cancelled_is_removed_once_its_thread_is_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    repo = make_repo(tmp_path / "repo", {f"pkg/f{k}.txt": "x" * 4096 for k in range(300)})
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    made: list[Path] = []

    async def tried() -> None:
        async with tried_copy(repo, {"pkg/f0.txt": "new\n"}) as copy:
            made.append(copy.root)
            await asyncio.sleep(30)  # the tests, running

    async def cancel() -> None:
        task = asyncio.ensure_future(tried())
        while when == "while the tests run" and not made:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(cancel())  # returns once the copying thread is done
    assert list(temp.iterdir()) == []
    assert (repo / "pkg/f0.txt").read_text() == "x" * 4096
    assert bool(made) == (when == "while the tests run")
