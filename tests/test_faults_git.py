"""Faults of git, the disk and hostile text, with the real `fixer` command on real
repositories: every failure is a clear message (exit 4), and nothing is half written."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers import CALC, CALC_DIFF, clean_env, git, make_repo, run_fixer

FIXED = CALC.replace("value_5 = 5\n", "value_5 = 50\n")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return clean_env(tmp_path / "home")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", {"calc.py": CALC, "other.py": "x = 1\n"})


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Callable[..., None]]:
    """Mount a tiny tmpfs at a folder (keeping what it held) and fill it; unmounted after.
    Skipped where mounting is not allowed."""
    mounted: list[Path] = []

    def mount(folder: Path, free_pages: int = 0) -> None:
        keep = tmp_path / f"kept-{len(mounted)}"
        subprocess.run(["cp", "-a", f"{folder}/.", str(keep)], check=True)
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)], capture_output=True
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        mounted.append(folder)
        subprocess.run(["cp", "-a", f"{keep}/.", str(folder)], check=True)
        slack = folder / "slack"
        slack.write_bytes(b"\0" * 4096 * free_pages)
        fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\0" * 4096)
        os.close(fd)
        slack.unlink()

    yield mount
    for folder in reversed(mounted):
        subprocess.run(["umount", str(folder)], check=True)


def yes(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_fixer("--yes", "--from-diff", "-", "calc.py", cwd=repo, env=env, stdin=CALC_DIFF)


def no_crash(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr and "crashed" not in result.stderr


def test_a_corrupt_index_is_a_clear_message_and_nothing_is_written(repo, env) -> None:
    (repo / ".git" / "index").write_bytes(b"garbage")
    result = yes(repo, env)
    no_crash(result)
    assert "index file smaller than expected" in result.stderr
    assert "Nothing was written" in result.stderr and "--no-commit" in result.stderr
    assert (repo / "calc.py").read_text() == CALC


def test_an_index_locked_by_another_git_is_found_before_anything_is_written(repo, env) -> None:
    (repo / ".git" / "index.lock").write_text("")
    before = git(repo, "rev-parse", "HEAD")
    result = yes(repo, env)
    no_crash(result)
    assert "index.lock" in result.stderr and "Nothing was written" in result.stderr
    assert (repo / "calc.py").read_text() == CALC
    assert git(repo, "rev-parse", "HEAD") == before


def test_a_full_disk_under_git_objects_leaves_the_files_written_and_says_what_to_run(
    repo, env, full_disk
) -> None:
    (repo / "other.py").write_text("x = 2\n")
    git(repo, "add", "other.py")  # the user's staged work stays staged
    full_disk(repo / ".git" / "objects")
    before = git(repo, "rev-parse", "HEAD")
    result = yes(repo, env)
    no_crash(result)
    assert "No space left on device" in result.stdout
    assert "calc.py now hold the accepted hunks, uncommitted" in result.stdout
    assert (repo / "calc.py").read_text() == FIXED
    assert git(repo, "rev-parse", "HEAD") == before
    assert git(repo, "diff", "--cached", "--name-only").split() == ["other.py"]
    command = result.stdout.split("commit them with: ")[1].splitlines()[0]
    (repo / ".git" / "objects" / "filler").unlink()  # space again: the command given works
    subprocess.run(command, shell=True, cwd=repo, check=True, capture_output=True, env=env)
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["calc.py"]
    assert git(repo, "diff", "--cached", "--name-only").split() == ["other.py"]


def test_a_full_disk_under_the_files_writes_nothing_and_leaves_no_temp_file(
    repo, env, full_disk
) -> None:
    full_disk(repo)
    before = git(repo, "rev-parse", "HEAD")
    result = yes(repo, env)  # git's own status cannot even lock the index
    no_crash(result)
    assert "Nothing was written" in result.stderr
    written = run_fixer(
        "--yes", "--no-commit", "--from-diff", "-", "calc.py", cwd=repo, env=env, stdin=CALC_DIFF
    )
    no_crash(written)
    assert "No space left on device" in written.stderr and "Nothing was written" in written.stderr
    assert (repo / "calc.py").read_text() == CALC
    assert git(repo, "rev-parse", "HEAD") == before
    assert not list(repo.glob(".*.tmp"))


def test_a_disk_that_fills_up_after_one_file_leaves_every_file_as_it_was(repo, env, full_disk):
    full_disk(repo, free_pages=1)  # room for one file's new text, not two
    patch = "--- a/other.py\n+++ b/other.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n" + CALC_DIFF
    result = run_fixer(
        "--yes",
        "--no-commit",
        "--from-diff",
        "-",
        "other.py",
        "calc.py",
        cwd=repo,
        env=env,
        stdin=patch,
    )
    no_crash(result)
    assert "No space left on device" in result.stderr and "Nothing was written" in result.stderr
    assert (repo / "other.py").read_text() == "x = 1\n"
    assert (repo / "calc.py").read_text() == CALC
    assert not list(repo.glob(".*.tmp"))
    one = run_fixer(
        "--yes", "--no-commit", "--from-diff", "-", "calc.py", cwd=repo, env=env, stdin=CALC_DIFF
    )
    assert one.returncode == 0, one.stderr  # there was room for one: the first was not kept
    assert (repo / "calc.py").read_text() == FIXED


def test_a_read_only_file_is_not_written_nor_committed(repo, env) -> None:
    (repo / "calc.py").chmod(0o444)
    before = git(repo, "rev-parse", "HEAD")
    result = yes(repo, env)
    no_crash(result)
    assert "calc.py is read-only (mode 0444)" in result.stdout
    assert (repo / "calc.py").read_text() == CALC
    assert git(repo, "rev-parse", "HEAD") == before


TWO_FILES = CALC_DIFF + "--- a/other.py\n+++ b/other.py\n@@ -1 +1 @@\n-x = 1\n+x = '\0'\n"


def test_a_nul_byte_from_a_diff_refuses_its_hunk_before_review(repo, env) -> None:
    result = run_fixer(
        "--yes", "--from-diff", "-", "calc.py", "other.py", cwd=repo, env=env, stdin=TWO_FILES
    )
    assert result.returncode == 0, result.stderr
    assert "refused: hunk 1 of other.py: its new lines cannot be written: it holds a NUL byte" in (
        result.stderr
    )
    assert (repo / "calc.py").read_bytes() == FIXED.encode()
    assert (repo / "other.py").read_bytes() == b"x = 1\n"


def test_a_lone_surrogate_from_the_model_is_refused_and_asked_again(
    repo, env, fake_provider, fake_provider_config
) -> None:
    # json.dumps writes the lone surrogate as the escape "\ud800", as a provider would.
    fake_provider.reply(CALC_DIFF.replace("value_5 = 50", "value_5 = '\ud800'"))
    fake_provider.reply(CALC_DIFF)
    result = run_fixer("--yes", "--config", str(fake_provider_config), "calc.py", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    retry = json.dumps(fake_provider.requests[1].body["messages"][-1]["content"])
    assert "U+D800, half of a character (a lone surrogate)" in retry
    assert (repo / "calc.py").read_text() == FIXED


@pytest.mark.parametrize(
    ("name", "why"),
    [
        (".env", "a secret-looking name"),
        ("deploy.pem", "a secret-looking name"),
        ("id_rsa", "a secret-looking name"),
        ("local.cfg", "git ignores it"),
    ],
)
def test_a_secret_file_is_not_sent_without_force(
    tmp_path, env, fake_provider, fake_provider_config, name: str, why: str
) -> None:
    repo = make_repo(tmp_path / "secrets", {".gitignore": "local.cfg\n", "calc.py": CALC})
    (repo / name).write_text("TOKEN = 'sk-live-0000'\n")
    config = str(fake_provider_config)
    for mode in ("--yes", "--print"):
        result = run_fixer(mode, "--config", config, name, cwd=repo, env=env)
        assert result.returncode == 2, result.stderr
        assert f"{name} ({why})" in result.stderr and "--force" in result.stderr
    assert fake_provider.requests == []
    fake_provider.reply("NO CHANGES")
    forced = run_fixer("--print", "--force", "--config", config, name, cwd=repo, env=env)
    assert forced.returncode == 0, forced.stderr
    assert len(fake_provider.requests) == 1


def test_a_secret_file_given_to_the_offline_fixers_needs_no_force(tmp_path, env) -> None:
    repo = make_repo(tmp_path / "secrets", {".env": "TOKEN=1\n"})
    result = run_fixer("--print", "-m", "local", ".env", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr


def test_a_secret_files_diff_never_goes_to_the_commit_message_model(
    tmp_path, env, fake_provider, fake_provider_config
) -> None:
    repo = make_repo(tmp_path / "secrets", {".env": "TOKEN=old\n"})
    config = json.loads(fake_provider_config.read_text())
    config["Router"]["background"] = "fake,cheap-model"
    fake_provider_config.write_text(json.dumps(config))
    diff = "--- a/.env\n+++ b/.env\n@@ -1 +1 @@\n-TOKEN=old\n+TOKEN=new\n"
    args = ("--yes", "--config", str(fake_provider_config), "--from-diff", "-", ".env")
    result = run_fixer(*args, cwd=repo, env=env, stdin=diff)
    assert result.returncode == 0, result.stderr
    assert "not sending .env (a secret-looking name)" in result.stderr
    assert fake_provider.requests == []
    assert (repo / ".env").read_text() == "TOKEN=new\n"
    assert git(repo, "status", "--porcelain") == ""
