"""Git through GitPython: which targets hold uncommitted work, committing only fixer's paths,
and taking fixer's last commit back (`fixer undo`).

`git` is imported inside the functions that use it: GitPython runs `git version` at import.
Every git failure becomes a WriteRefused with git's own words, never a GitPython traceback.
"""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from fixer.errors import WriteRefused

if TYPE_CHECKING:
    import git

# Enough of git's stderr to show the hook's or git's complaint without flooding the screen.
MAX_ERROR_CHARS = 600
# The trailer that marks a commit as fixer's: `fixer undo` takes back only such a commit.
TRAILER = "Fixer-Run"
# How far below HEAD `fixer undo` looks for fixer's last commit, to name it when HEAD is not.
UNDO_SEARCH_DEPTH = 200


@dataclass(frozen=True)
class Undone:
    """The commit `fixer undo` took back, the HEAD it left, and the files it restored."""

    sha: str
    subject: str
    head: str
    files: tuple[str, ...]


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
        changed = self._changed_names(self._repo(), inside) if inside else set()
        return {
            path
            for path, name in names.items()
            if name is None or any(_covers(entry, name) for entry in changed)
        }

    def commit(self, paths: Sequence[Path], message: str) -> str:
        """Commit exactly these paths' work-tree content, leaving anything else staged; return sha.

        New (untracked) paths are fixer's own new files and are added first. Hooks run as usual;
        if git refuses (a hook fails, nothing to commit, ...) WriteRefused carries git's words.
        The message gets a `Fixer-Run:` trailer, so `fixer undo` knows the commit is fixer's.
        """
        if not message.strip():
            raise ValueError("a commit message must not be empty")
        names = [self._require_name(path) for path in paths]
        if not names:
            raise ValueError("commit needs at least one path")
        repo = self._repo()
        known = set(self._git(repo, "ls-files", "-z", "--", *names).split("\0"))
        new = [name for name in names if name not in known]
        if new:
            self._git(repo, "add", "--", *new)
        run = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
        try:
            # --only commits HEAD plus these paths, so the user's staged work stays staged.
            self._git(
                repo, "commit", "--only", "-m", message, "-m", f"{TRAILER}: {run}", "--", *names
            )
        except WriteRefused:
            if new:  # leave the index as the user had it
                self._call(repo, "rm", "--cached", "--quiet", "--", *new)
            raise
        return self._git(repo, "rev-parse", "HEAD").strip()

    def commit_problem(self) -> str | None:
        """Why git cannot commit here right now (no user identity, the index locked by another
        git), or None when it can: asked before anything is written, so a run never writes and
        then fails to commit for a reason known in advance."""
        repo = self._repo()
        for variable in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
            status, _, stderr = self._call(repo, "var", variable)
            if status != 0:
                return (
                    f"git cannot commit: it has no user identity ({_said(stderr, status)}). Set "
                    'one with git config --global user.name "Your Name" and git config --global '
                    'user.email "you@example.com", or run with --no-commit.'
                )
        lock = Path(repo.git_dir) / "index.lock"
        if lock.exists():
            return (
                f"git's index is locked ({lock} exists): another git command is running, or one "
                "was killed. Wait for it to finish, or remove that file if no git is running, "
                "then run fixer again (or run with --no-commit)."
            )
        return None

    def undo(self) -> Undone:
        """Take back fixer's last commit when that is safe: it is HEAD, in no upstream or remote
        branch, and its files have no changes since (staged or not). HEAD moves back to its
        parent and those files get their content from before; nothing else is touched, and the
        commit stays reachable by its sha. Otherwise WriteRefused says why and gives the
        `git revert` command that undoes it with a new commit instead."""
        repo = self._repo()
        status, head, _ = self._call(repo, "rev-parse", "--verify", "-q", "HEAD^{commit}")
        if status != 0:
            raise WriteRefused("nothing to undo: this repository has no commits yet.")
        sha = head.strip()
        subject, parents, run = self._commit_facts(repo, sha)
        short = sha[:12]
        if not run:
            raise WriteRefused(self._not_fixers(repo, sha))
        revert = f"To undo it with a new commit instead: git revert {sha}"
        if len(parents) != 1:
            raise WriteRefused(
                f"{short} is the repository's first commit: there is no commit before it to go "
                f"back to; nothing was undone. {revert}"
            )
        published = self._published_in(repo, sha)
        if published:
            raise WriteRefused(
                f"{short} is already in {published}: taking it back would rewrite history others "
                f"may have; nothing was undone. {revert}"
            )
        files = [
            f
            for f in self._git(
                repo,
                "diff-tree",
                "-r",
                "-z",
                "--no-renames",
                "--name-only",
                "--no-commit-id",
                parents[0],
                sha,
            ).split("\0")
            if f
        ]
        changed = sorted(self._changed_names(repo, files)) if files else []
        if changed:
            raise WriteRefused(
                f"{', '.join(changed)} changed since fixer committed {short} (staged or not): "
                "undoing would lose those changes; nothing was undone. Commit or stash them "
                f"first. {revert}"
            )
        # Compare-and-swap: if HEAD moved since it was read, git refuses and nothing changes.
        self._git(repo, "update-ref", "-m", f"fixer undo: {subject}", "HEAD", parents[0], sha)
        try:
            self._git(
                repo, "restore", f"--source={parents[0]}", "--staged", "--worktree", "--", *files
            )
        except WriteRefused as error:
            raise WriteRefused(
                f"HEAD is back at {parents[0][:12]}, but the files could not be restored: "
                f"{error}\nThey still hold fixer's changes, now uncommitted; "
                f"git restore --source=HEAD --staged --worktree -- {' '.join(files)} drops them."
            ) from error
        return Undone(sha, subject, parents[0], tuple(files))

    def _commit_facts(self, repo: git.Repo, sha: str) -> tuple[str, list[str], str]:
        """A commit's subject, parents, and its Fixer-Run trailer ('' when it has none)."""
        out = self._git(
            repo, "log", "-1", f"--format=%s%x00%P%x00%(trailers:key={TRAILER},valueonly)", sha
        )
        subject, parents, run = [*out.split("\0"), "", ""][:3]
        return subject, parents.split(), run.strip()

    def _not_fixers(self, repo: git.Repo, head: str) -> str:
        """Why HEAD is not undone, naming fixer's last commit below it when there is one."""
        said = f"HEAD {head[:12]} is not a commit fixer made (it has no {TRAILER} trailer)"
        out = self._git(
            repo,
            "log",
            f"-{UNDO_SEARCH_DEPTH}",
            f"--format=%H%x00%s%x00%(trailers:key={TRAILER},valueonly)%x00",
            head,
        )
        fields = out.split("\0")
        for depth, k in enumerate(range(0, len(fields) - 3, 3)):
            sha, subject, run = fields[k].strip(), fields[k + 1], fields[k + 2].strip()
            if run:
                return (
                    f"{said}; nothing was undone. fixer's last commit, {sha[:12]} {subject}, is "
                    f"{depth} commit{'s' * (depth != 1)} below HEAD, and fixer undo only "
                    f"takes back HEAD. To undo it with a new commit: git revert {sha}"
                )
        return f"{said}; nothing was undone."

    def _published_in(self, repo: git.Repo, sha: str) -> str | None:
        """The upstream or remote branch that already holds the commit, or None."""
        status, upstream, _ = self._call(
            repo, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"
        )
        if status == 0 and upstream.strip():
            held, _, _ = self._call(repo, "merge-base", "--is-ancestor", sha, upstream.strip())
            if held == 0:
                return f"its upstream {upstream.strip()}"
        remotes = self._git(
            repo, "for-each-ref", "--contains", sha, "--format=%(refname:short)", "refs/remotes"
        ).split()
        return f"the remote branch {remotes[0]}" if remotes else None

    def _repo(self) -> git.Repo:
        import git

        try:
            repo = git.Repo(self.root)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
            raise WriteRefused(
                f"{self.root} is not a readable git repository any more ({exc}); nothing was "
                "committed. Check it with git status, or run with --no-commit."
            ) from exc
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

    def _changed_names(self, repo: git.Repo, names: list[str]) -> set[str]:
        """Run one `git status` over names; return every path or directory it reports."""
        output = self._git(
            repo,
            "status",
            "--porcelain=v1",
            "-z",
            "--ignored=matching",
            "--untracked-files=all",
            "--",
            *names,
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

    def _call(self, repo: git.Repo, command: str, *args: str) -> tuple[int, str, str]:
        """Run a git command; its status, stdout and stderr, whatever the status."""
        return getattr(repo.git, command.replace("-", "_"))(
            *args, with_extended_output=True, with_exceptions=False, strip_newline_in_stdout=False
        )

    def _git(self, repo: git.Repo, command: str, *args: str) -> str:
        """Run a git command and return its stdout; a failure is WriteRefused with git's own
        (short) words: a corrupt index, a full disk, a failing hook."""
        status, stdout, stderr = self._call(repo, command, *args)
        if status != 0:
            raise WriteRefused(f"git {command} failed:\n{_said(stderr or stdout, status)}")
        return stdout


def _said(text: str, status: int) -> str:
    """git's complaint, cut to its last MAX_ERROR_CHARS characters (where the reason is)."""
    said = (text or f"exit status {status}").strip()
    return "…" + said[-MAX_ERROR_CHARS:] if len(said) > MAX_ERROR_CHARS else said


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


def ignored(root: Path, names: Sequence[str]) -> set[str]:
    """The names git ignores in the work tree at root (untracked and matching .gitignore).
    Run directly, like open_repo: the headless paths need no GitPython for it."""
    if not names:
        return set()
    # A leading "./" keeps a name such as ":/x.py" from being read as pathspec magic (":/" is
    # the top of the repository), which check-ignore applies even to --stdin names.
    asked = {f"./{name}": name for name in names}
    found = subprocess.run(
        ["git", "check-ignore", "-z", "--stdin"],
        cwd=root,
        input="\0".join(asked) + "\0",
        capture_output=True,
        text=True,
    )
    if found.returncode not in (0, 1):
        return set(names)  # git could not say: treat them as ignored, so --force is needed
    return {asked[name] for name in found.stdout.split("\0") if name in asked}


def _covers(entry: str, name: str) -> bool:
    """True when a status entry is name itself or a directory git reported as a whole."""
    return entry == name or (entry.endswith("/") and name.startswith(entry))
