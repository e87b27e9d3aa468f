"""Git through GitPython, on real repositories: dirtiness, commits of exactly fixer's paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixer.errors import WriteRefused
from fixer.vcs import GitRepo, ignored, open_repo
from tests.helpers import git, make_repo


@pytest.fixture(autouse=True)
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the user's global git config (hooks path, signing) out of these repos."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))


@pytest.fixture
def repo_dir(tmp_path: Path) -> Path:
    return make_repo(
        tmp_path / "repo",
        {
            "app.py": "x = 1\n",
            "other.py": "y = 1\n",
            "docs/post.md": "Hello\n",
            ".gitignore": "*.log\n",
        },
    )


def committed_files(repo: Path, rev: str = "HEAD") -> list[str]:
    return git(repo, "show", "--name-only", "--format=", rev).split()


def test_open_repo_finds_root_from_a_subdirectory(repo_dir: Path) -> None:
    repo = open_repo(repo_dir / "docs" / "post.md")
    assert repo is not None
    assert repo.root == repo_dir.resolve()
    assert open_repo(repo_dir / "docs" / "not-yet" / "new.md") == repo


def test_open_repo_outside_any_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    assert open_repo(plain) is None


def test_open_repo_inside_dot_git_is_none(repo_dir: Path) -> None:
    assert open_repo(repo_dir / ".git" / "hooks") is None


def test_dirty_reports_each_kind_of_uncommitted_work(repo_dir: Path) -> None:
    (repo_dir / "app.py").write_text("x = 2\n")  # modified in the work tree
    (repo_dir / "other.py").write_text("y = 2\n")
    git(repo_dir, "add", "other.py")  # staged
    (repo_dir / "notes.txt").write_text("draft\n")  # untracked
    (repo_dir / "debug.log").write_text("log\n")  # ignored
    (repo_dir / "docs" / "post.md").unlink()  # deleted
    repo = GitRepo(repo_dir.resolve())
    clean = repo_dir / ".gitignore"
    brand_new = repo_dir / "new" / "module.py"
    paths = [
        repo_dir / "app.py",
        repo_dir / "other.py",
        repo_dir / "notes.txt",
        repo_dir / "debug.log",
        repo_dir / "docs" / "post.md",
        clean,
        brand_new,
    ]
    assert repo.dirty(paths) == set(paths) - {clean, brand_new}


def test_dirty_sees_files_in_ignored_and_untracked_directories(repo_dir: Path) -> None:
    (repo_dir / ".gitignore").write_text("build/\n")
    git(repo_dir, "commit", "-qam", "ignore build")
    (repo_dir / "build").mkdir()
    (repo_dir / "build" / "out.txt").write_text("x\n")
    (repo_dir / "fresh").mkdir()
    (repo_dir / "fresh" / "a.md").write_text("x\n")
    paths = [repo_dir / "build" / "out.txt", repo_dir / "fresh" / "a.md"]
    assert GitRepo(repo_dir.resolve()).dirty(paths) == set(paths)


def test_dirty_sees_both_sides_of_a_staged_rename(repo_dir: Path) -> None:
    git(repo_dir, "mv", "other.py", "renamed.py")
    paths = [repo_dir / "other.py", repo_dir / "renamed.py", repo_dir / "app.py"]
    assert GitRepo(repo_dir.resolve()).dirty(paths) == set(paths[:2])


def test_dirty_in_a_repository_without_commits(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    git(root, "init", "-q")
    (root / "staged.md").write_text("a\n")
    (root / "loose.md").write_text("b\n")
    git(root, "add", "staged.md")
    paths = [root / "staged.md", root / "loose.md", root / "to-create.md"]
    assert GitRepo(root.resolve()).dirty(paths) == set(paths[:2])


@pytest.mark.parametrize("name", ["*.py", ":(top)app.py", ":(glob)*.py", ":/app.py", "[ao]*.py"])
def test_dirty_reads_names_literally_never_as_pathspecs(tmp_path: Path, name: str) -> None:
    root = make_repo(tmp_path / "literal", {"app.py": "x = 1\n", name: "clean\n"})
    (root / "app.py").write_text("x = 2\n")  # what each name would match as a pathspec
    repo = GitRepo(root.resolve())
    assert repo.dirty([root / name]) == set()
    (root / name).write_text("changed\n")
    assert repo.dirty([root / name, root / "app.py"]) == {root / name, root / "app.py"}


def test_dirty_counts_paths_outside_the_work_tree(repo_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.py"
    assert GitRepo(repo_dir.resolve()).dirty([outside]) == {outside}


def test_commit_only_given_paths_keeps_other_staged_work(repo_dir: Path) -> None:
    (repo_dir / "app.py").write_text("x = 2\n")
    (repo_dir / "other.py").write_text("y = 2\n")
    git(repo_dir, "add", "other.py")
    repo = GitRepo(repo_dir.resolve())
    sha = repo.commit([repo_dir / "app.py"], "fixer: fix app.py")
    assert sha == git(repo_dir, "rev-parse", "HEAD").strip()
    assert len(sha) == 40
    assert committed_files(repo_dir) == ["app.py"]
    assert git(repo_dir, "diff", "--cached", "--name-only").split() == ["other.py"]
    assert git(repo_dir, "show", "HEAD:other.py") == "y = 1\n"
    assert git(repo_dir, "log", "-1", "--format=%s").strip() == "fixer: fix app.py"


def test_commit_of_a_new_file(repo_dir: Path) -> None:
    (repo_dir / "docs" / "new.md").write_text("New page\n")
    (repo_dir / "stray.txt").write_text("not ours\n")
    repo = GitRepo(repo_dir.resolve())
    repo.commit([repo_dir / "docs" / "new.md", repo_dir / "app.py"], "fixer: add docs/new.md")
    assert committed_files(repo_dir) == ["docs/new.md"]
    assert git(repo_dir, "status", "--porcelain").splitlines() == ["?? stray.txt"]


def test_first_commit_in_an_empty_repository(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    git(root, "init", "-q")
    git(root, "config", "user.name", "T")
    git(root, "config", "user.email", "t@example.invalid")
    (root / "a.md").write_text("a\n")
    (root / "b.md").write_text("b\n")
    GitRepo(root.resolve()).commit([root / "a.md"], "first")
    assert committed_files(root) == ["a.md"]


def test_failing_hook_refuses_with_git_words_and_restores_index(repo_dir: Path) -> None:
    hook = repo_dir / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'lint says no' >&2\nexit 1\n")
    hook.chmod(0o755)
    (repo_dir / "app.py").write_text("x = 2\n")
    (repo_dir / "brand_new.py").write_text("z = 1\n")
    before = git(repo_dir, "rev-parse", "HEAD")
    with pytest.raises(WriteRefused, match="lint says no") as caught:
        GitRepo(repo_dir.resolve()).commit([repo_dir / "app.py", repo_dir / "brand_new.py"], "m")
    assert caught.value.exit_code == 4
    assert git(repo_dir, "rev-parse", "HEAD") == before
    assert git(repo_dir, "diff", "--cached", "--name-only") == ""


def test_passing_hook_runs(repo_dir: Path) -> None:
    hook = repo_dir / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\ntouch hook-ran\n")
    hook.chmod(0o755)
    (repo_dir / "app.py").write_text("x = 2\n")
    GitRepo(repo_dir.resolve()).commit([repo_dir / "app.py"], "m")
    assert (repo_dir / "hook-ran").exists()


def test_empty_message_is_a_value_error(repo_dir: Path) -> None:
    with pytest.raises(ValueError, match="message"):
        GitRepo(repo_dir.resolve()).commit([repo_dir / "app.py"], "  \n")


def test_nothing_to_commit_is_refused(repo_dir: Path) -> None:
    with pytest.raises(WriteRefused, match="git commit failed"):
        GitRepo(repo_dir.resolve()).commit([repo_dir / "app.py"], "no change")


def test_ignored_new_file_is_refused(repo_dir: Path) -> None:
    (repo_dir / "trace.log").write_text("x\n")
    with pytest.raises(WriteRefused, match="ignored"):
        GitRepo(repo_dir.resolve()).commit([repo_dir / "trace.log"], "m")


def test_ignored_reads_names_literally_never_as_pathspec_magic(tmp_path: Path) -> None:
    # "/:/" ignores the folder named ":"; read as magic, ":/a.py" would be the top's a.py.
    repo = make_repo(tmp_path / "repo", {".gitignore": "/:/\n", "a.py": "x = 1\n"})
    (repo / ":").mkdir()
    (repo / ":" / "a.py").write_text("x = 2\n")
    assert ignored(repo, [":/a.py", "a.py"]) == {":/a.py"}


def test_ignored_fails_closed_when_git_cannot_answer(tmp_path: Path) -> None:
    assert ignored(tmp_path, ["a.py"]) == {"a.py"}  # not a repository: git exits 128
