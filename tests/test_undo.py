"""`fixer undo` on real repositories after a real `fixer --yes` run: it takes back fixer's own
last commit and nothing else, and says why not (with the git revert that works) otherwise."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fixer.vcs import GitRepo
from tests.helpers import CALC, CALC_DIFF, clean_env, git, make_repo, run_fixer


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return clean_env(tmp_path / "home")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", {"calc.py": CALC, "notes.md": "hi\n"})


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def fixer_commit(repo: Path, env: dict[str, str]) -> str:
    """A real `fixer --yes` run that commits one hunk to calc.py; returns the commit."""
    result = run_fixer("--yes", "--from-diff", "-", "calc.py", cwd=repo, env=env, stdin=CALC_DIFF)
    assert result.returncode == 0, result.stderr
    assert "to take that commit back: fixer undo" in result.stdout
    return head(repo)


def undo(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_fixer("undo", cwd=repo, env=env)


def refused(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 4, result.stderr
    assert "nothing was undone" in result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


def test_undo_restores_the_files_moves_head_back_and_keeps_other_work(repo, env) -> None:
    before = head(repo)
    (repo / "notes.md").write_text("staged by the user\n")
    git(repo, "add", "notes.md")
    (repo / "scratch.txt").write_text("untracked\n")
    sha = fixer_commit(repo, env)
    assert "Fixer-Run: " in git(repo, "log", "-1", "--format=%B")
    (repo / "notes.md").write_text("staged, then edited again\n")  # unstaged on top
    result = undo(repo, env)
    assert result.returncode == 0, result.stderr
    assert head(repo) == before
    assert (repo / "calc.py").read_text() == CALC
    assert sha[:12] in result.stdout and f"git cherry-pick {sha}" in result.stdout
    assert git(repo, "status", "--porcelain").splitlines() == ["MM notes.md", "?? scratch.txt"]
    assert git(repo, "show", ":notes.md") == "staged by the user\n"
    assert (repo / "notes.md").read_text() == "staged, then edited again\n"
    assert git(repo, "cat-file", "-t", sha).strip() == "commit"  # still reachable by its sha


def test_undo_removes_a_new_file_fixer_committed(repo, env) -> None:
    before = head(repo)
    (repo / "new.py").write_text("created = True\n")  # as the review screen commits a new file
    GitRepo(repo.resolve()).commit([repo / "new.py"], "Add new.py")
    result = undo(repo, env)
    assert result.returncode == 0, result.stderr
    assert head(repo) == before and not (repo / "new.py").exists()
    assert git(repo, "status", "--porcelain") == ""


def test_a_commit_fixer_did_not_make_is_never_undone(repo, env) -> None:
    sha = fixer_commit(repo, env)
    (repo / "notes.md").write_text("the user's commit\n")
    git(repo, "commit", "-qam", "user work")
    mine = head(repo)
    said = refused(undo(repo, env))
    assert "is not a commit fixer made" in said
    assert "1 commit below HEAD" in said and f"git revert {sha}" in said
    assert head(repo) == mine and (repo / "notes.md").read_text() == "the user's commit\n"


def test_a_repository_fixer_never_committed_to(repo, env) -> None:
    before = head(repo)
    said = refused(undo(repo, env))
    assert "is not a commit fixer made" in said and "git revert" not in said
    assert head(repo) == before


def test_a_pushed_commit_is_not_undone(repo, env, tmp_path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    sha = fixer_commit(repo, env)
    git(repo, "push", "-q", "-u", "origin", "main")
    said = refused(undo(repo, env))
    assert "origin/main" in said and f"git revert {sha}" in said
    assert head(repo) == sha and "value_5 = 50" in (repo / "calc.py").read_text()


def test_a_commit_on_a_remote_branch_that_is_not_the_upstream_is_not_undone(
    repo, env, tmp_path
) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    sha = fixer_commit(repo, env)
    git(repo, "push", "-q", "origin", "main:review")  # no upstream set
    said = refused(undo(repo, env))
    assert "the remote branch origin/review" in said and f"git revert {sha}" in said
    assert head(repo) == sha


@pytest.mark.parametrize("staged", [False, True])
def test_files_changed_since_the_commit_are_not_lost(repo, env, staged: bool) -> None:
    sha = fixer_commit(repo, env)
    edited = CALC.replace("value_5 = 5\n", "value_5 = 500\n")
    (repo / "calc.py").write_text(edited)
    if staged:
        git(repo, "add", "calc.py")
    said = refused(undo(repo, env))
    assert "calc.py changed since fixer committed" in said and f"git revert {sha}" in said
    assert head(repo) == sha and (repo / "calc.py").read_text() == edited


def test_undo_outside_a_repository_is_bad_input(tmp_path, env) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    result = undo(plain, env)
    assert result.returncode == 2 and "inside a git repository" in result.stderr
