"""Git through GitPython: which targets hold uncommitted work, and committing only fixer's paths.

`git` is imported inside the functions that use it: GitPython runs `git version` at import.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fixer.errors import WriteRefused

if TYPE_CHECKING:
    import git

# Enough of git's stderr to show the hook's or git's complaint without flooding the screen.
MAX_ERROR_CHARS = 600


@dataclass
class GitRepo:
    """A work tree fixer may commit to; root is its resolved top-level directory."""

    root: Path

    def dirty(self, paths: Sequence[Path]) -> set[Path]:
        """Return the members of paths holding work that is not in HEAD, so fixer won't commit it.

        Dirty means: the work tree or the index differs from HEAD, or the file exists but is not
        in HEAD (untracked, ignored, or only staged; in a repository without commits every existing
        file is therefore dirty). A path that exists nowhere (not on disk, index nor HEAD) is clean:
        it is a new file fixer creates. Paths outside the work tree are dirty.
        """
        names = {path: self._name(path) for path in paths}
        inside = sorted({name for name in names.values() if name is not None})
        changed = self._changed_names(inside) if inside else set()
        return {
            path
            for path, name in names.items()
            if name is None or any(_covers(entry, name) for entry in changed)
        }

    def commit(self, paths: Sequence[Path], message: str) -> str:
        """Commit exactly these paths' work-tree content, leaving anything else staged; return sha.

        New (untracked) paths are fixer's own new files and are added first. Hooks run as usual;
        if git refuses (a hook fails, nothing to commit, ...) WriteRefused carries git's words.
        """
        if not message.strip():
            raise ValueError("a commit message must not be empty")
        names = [self._require_name(path) for path in paths]
        if not names:
            raise ValueError("commit needs at least one path")
        repo = self._repo()
        known = set(repo.git.ls_files("-z", "--", *names).split("\0"))
        new = [name for name in names if name not in known]
        if new:
            self._run(repo, "add", "--", *new)
        try:
            # --only commits HEAD plus these paths, so the user's staged work stays staged.
            self._run(repo, "commit", "--only", "-m", message, "--", *names)
        except WriteRefused:
            if new:  # leave the index as the user had it
                repo.git.rm("--cached", "--quiet", "--", *new)
            raise
        return repo.git.rev_parse("HEAD")

    def identity_problem(self) -> str | None:
        """Why git cannot commit here for want of a user name and email, or None when it can:
        asked before anything is written, so a run never writes and then fails to commit."""
        git_ = self._repo().git
        for variable in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
            status, _, stderr = git_.var(variable, with_extended_output=True, with_exceptions=False)
            if status != 0:
                said = " ".join(stderr.split())[:MAX_ERROR_CHARS]
                return (
                    f"git cannot commit: it has no user identity ({said}). Set one with "
                    'git config --global user.name "Your Name" and git config --global '
                    'user.email "you@example.com", or run with --no-commit.'
                )
        return None

    def _repo(self) -> git.Repo:
        import git

        repo = git.Repo(self.root)
        # Every name fixer gives git is a file name, never a pathspec (`:/x`, `*.py`, `:(top)`).
        repo.git.update_environment(GIT_LITERAL_PATHSPECS="1")
        return repo

    def _name(self, path: Path) -> str | None:
        """Return path relative to root in posix form, or None when it lies outside."""
        resolved = path if path.is_absolute() else self.root / path
        resolved = resolved.resolve()
        if not resolved.is_relative_to(self.root) or resolved == self.root:
            return None
        return resolved.relative_to(self.root).as_posix()

    def _require_name(self, path: Path) -> str:
        name = self._name(path)
        if name is None:
            raise WriteRefused(f"{path} is outside the git work tree {self.root}; not committed.")
        return name

    def _changed_names(self, names: list[str]) -> set[str]:
        """Run one `git status` over names; return every path or directory it reports."""
        output = self._repo().git.status(
            "--porcelain=v1", "-z", "--ignored=matching", "--untracked-files=all", "--", *names
        )
        entries = output.split("\0")
        changed: set[str] = set()
        index = 0
        while index < len(entries):
            entry = entries[index]
            index += 1
            if len(entry) < 4:
                continue
            changed.add(entry[3:])
            if entry[0] in "RC":  # a rename or copy is followed by its source path
                changed.add(entries[index])
                index += 1
        return changed

    def _run(self, repo: git.Repo, command: str, *args: str) -> None:
        """Run a git command, turning failure into WriteRefused with git's own (short) message."""
        status, stdout, stderr = getattr(repo.git, command)(
            *args, with_extended_output=True, with_exceptions=False
        )
        if status != 0:
            said = (stderr or stdout or f"exit status {status}").strip()
            if len(said) > MAX_ERROR_CHARS:
                said = "…" + said[-MAX_ERROR_CHARS:]
            raise WriteRefused(f"git {command} failed; nothing committed:\n{said}")


def open_repo(path: Path) -> GitRepo | None:
    """Return the repository whose work tree contains path, or None outside any repository.

    The search is git's own (`git rev-parse`), so GIT_CEILING_DIRECTORIES and safe.directory apply.
    It runs git directly: importing GitPython costs ~50 ms that --print does not need.
    """
    start = path.resolve()
    start = next((p for p in (start, *start.parents) if p.is_dir()), start)
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=start, capture_output=True, text=True
        )
    except FileNotFoundError:
        return None  # no git installed: fixer still writes files, it just cannot commit
    top = found.stdout.strip()
    # Outside a work tree, inside .git, or in a bare repository git prints nothing useful.
    return GitRepo(root=Path(top).resolve()) if found.returncode == 0 and top else None


def _covers(entry: str, name: str) -> bool:
    """True when a status entry is name itself or a directory git reported as a whole."""
    return entry == name or (entry.endswith("/") and name.startswith(entry))
