"""A folder on the command line: the text files git tracks in it that the agent takes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fixer.errors import InputError
from fixer.folders import expand
from fixer.sources import MAX_BYTES
from tests.helpers import clean_env, git, make_repo, run_fixer


def every(name: str) -> bool:
    return True


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = make_repo(
        tmp_path / "repo",
        {
            "src/b.py": "import os\nx=1\n",
            "src/a.py": "y = 2\n",
            "src/deep/c.md": "# Notes\n",
            "src/logo.png": b"\x89PNG\r\n\x1a\n\0\0\0",
            "src/.env": "KEY=secret\n",
            "src/huge.txt": "x" * (MAX_BYTES + 1),
            "other.py": "z = 3\n",
            ".gitignore": "*.log\n",
        },
    )
    (repo / "src" / "untracked.py").write_text("u = 1\n")
    (repo / "src" / "debug.log").write_text("ignored\n")
    os.symlink(repo / "other.py", repo / "src" / "link.py")
    git(repo, "add", "src/link.py")
    git(repo, "commit", "-qm", "link")
    return repo


def test_a_folder_is_its_tracked_text_files_in_name_order(repo: Path) -> None:
    found = expand([repo / "src"], repo, True, every)
    assert [p.relative_to(repo).as_posix() for p in found.paths] == [
        "src/a.py",
        "src/b.py",
        "src/deep/c.md",
    ]
    assert found.notes == (
        f"{repo / 'src'}: 3 files; skipped 1 binary, 1 not regular files, 1 over 1 MB, "
        "1 secret-looking",
    )


def test_only_the_files_the_agent_takes_and_named_files_as_they_are(repo: Path) -> None:
    found = expand([repo / "other.py", repo / "src"], repo, True, lambda n: n.endswith(".md"))
    assert found.paths == (repo / "other.py", repo / "src" / "deep" / "c.md")
    assert "4 not taken by the agent, 1 secret-looking" in found.notes[0]


def test_outside_a_repository_every_file_not_hidden(tmp_path: Path) -> None:
    (tmp_path / "docs" / ".cache").mkdir(parents=True)
    (tmp_path / "docs" / "a.md").write_text("A.\n")
    (tmp_path / "docs" / ".hidden.md").write_text("H.\n")
    (tmp_path / "docs" / ".cache" / "b.md").write_text("B.\n")
    found = expand([tmp_path / "docs"], tmp_path, False, every)
    assert found.paths == (tmp_path / "docs" / "a.md",)


def test_a_folder_with_nothing_to_work_on_says_why(repo: Path) -> None:
    with pytest.raises(InputError, match=r"no file in it fixer can work on \(1 binary"):
        expand([repo / "src"], repo, True, lambda n: n.endswith(".png"))
    (repo / "empty").mkdir()
    with pytest.raises(InputError, match=r"empty"):
        expand([repo / "empty"], repo, True, every)


def test_fixer_on_a_folder_fixes_each_file_and_says_what_it_skipped(
    repo: Path, tmp_path: Path
) -> None:
    result = run_fixer("--yes", "-m", "local", "src", cwd=repo, env=clean_env(tmp_path / "h"))
    assert result.returncode == 0, result.stderr
    assert "fixer: src: 3 files; skipped 1 binary" in result.stderr
    assert (repo / "src" / "b.py").read_text() == "x = 1\n"  # unused import gone, formatted
    assert (repo / "other.py").read_text() == "z = 3\n"  # outside the folder: untouched
    assert (repo / "src" / "untracked.py").read_text() == "u = 1\n"
