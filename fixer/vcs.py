"""Git through GitPython: which targets hold uncommitted work, committing only fixer's paths,
and taking fixer's last commit back (`fixer undo`).

GitPython's object API answers what it can (HEAD, its commit and trailer, the upstream);
`repo.git` runs the commands it has no faithful equivalent for, each saying why: a test for
file names that mean something to git (":/x", "*.py") guards each of them.
`git` is imported inside the functions that use it: GitPython runs `git version` at import.
Every git failure becomes a WriteRefused with git's own words, never a GitPython traceback.
"""

from __future__ import annotations

import re
import secrets
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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
        # ls-files reads only these names; repo.index.entries would parse the whole index.
        known = set(self._git(repo, "ls-files", "-z", "--", *names).split("\0"))
        new = [name for name in names if name not in known]
        if new:
            # git add, not repo.index.add: git applies the clean filters and eol rules of
            # .gitattributes, which GitPython's own index writer does not.
            self._git(repo, "add", "--", *new)
        run = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
        try:
            # --only commits HEAD plus these paths, so the user's staged work stays staged;
            # repo.index.commit would commit the whole index, and skip git's own hooks.
            self._git(
                repo, "commit", "--only", "-m", message, "-m", f"{TRAILER}: {run}", "--", *names
            )
        except WriteRefused:
            if new:  # leave the index as the user had it
                self._call(repo, "rm", "--cached", "--quiet", "--", *new)
            raise
        with _refusing("rev-parse"):
            return repo.head.commit.hexsha

    def commit_problem(self) -> str | None:
        """Why git cannot commit here right now (no user identity, the index locked by another
        git), or None when it can: asked before anything is written, so a run never writes and
        then fails to commit for a reason known in advance."""
        repo = self._repo()
        # git var applies git's own identity rules (user.useConfigOnly, the environment);
        # GitPython's Actor falls back to user@hostname where git would refuse to commit.
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
        if not repo.head.is_valid():
            raise WriteRefused("nothing to undo: this repository has no commits yet.")
        with _refusing("log"):
            commit = repo.head.commit
            sha, subject = commit.hexsha, _text(commit.summary)
            parents = [parent.hexsha for parent in commit.parents]
            run = " ".join(commit.trailers_dict.get(TRAILER, [])).strip()
        short = sha[:12]
        if not run:
            raise WriteRefused(self._not_fixers(repo, sha))
        revert = f"To undo it with a new commit instead: git revert {sha}"
        if len(parents) != 1:
            raise WriteRefused(
                f"{short} is the repository's first commit: there is no commit before it to go "
                f"back to; nothing was undone. {revert}"
            )
        published = self._published_in(repo, commit)
        if published:
            raise WriteRefused(
                f"{short} is already in {published}: taking it back would rewrite history others "
                f"may have; nothing was undone. {revert}"
            )
        # diff-tree, not Commit.diff: GitPython's raw diff parser loses names starting with ":".
        out = self._git(
            repo,
            "diff-tree",
            "-r",
            "-z",
            "--no-renames",
            "--name-only",
            "--no-commit-id",
            parents[0],
            sha,
        )
        files = [name for name in out.split("\0") if name]
        changed = sorted(self._changed_names(repo, files)) if files else []
        if changed:
            raise WriteRefused(
                f"{', '.join(changed)} changed since fixer committed {short} (staged or not): "
                "undoing would lose those changes; nothing was undone. Commit or stash them "
                f"first. {revert}"
            )
        # Compare-and-swap: if HEAD moved since it was read, git refuses and nothing changes
        # (GitPython's set_commit writes the ref with no such check).
        self._git(repo, "update-ref", "-m", f"fixer undo: {subject}", "HEAD", parents[0], sha)
        try:
            # git restore writes the files through git's smudge filters, as a checkout would.
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

    def _not_fixers(self, repo: git.Repo, head: str) -> str:
        """Why HEAD is not undone, naming fixer's last commit below it when there is one."""
        said = f"HEAD {head[:12]} is not a commit fixer made (it has no {TRAILER} trailer)"
        # One git log reads every trailer with git's parser; a Commit's trailers_dict would
        # start `git interpret-trailers` once per commit.
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

    def _published_in(self, repo: git.Repo, commit: git.Commit) -> str | None:
        """The upstream or remote branch that already holds the commit, or None."""
        with _refusing("merge-base"):
            upstream = None if repo.head.is_detached else repo.active_branch.tracking_branch()
            held = upstream is not None and upstream.is_valid()
            if upstream is not None and held and repo.is_ancestor(commit, upstream.commit):
                return f"its upstream {upstream.name}"
        # for-each-ref --contains asks once; the object API would ask once per remote branch.
        named = "--format=%(refname:short)"
        out = self._git(repo, "for-each-ref", "--contains", commit.hexsha, named, "refs/remotes")
        remotes = out.split()
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
        """Run one `git status` over names; return every path or directory it reports.

        git status, not repo.index.diff and repo.untracked_files: GitPython's raw diff parser
        splits records at "\\0:", so it silently loses a path that starts with ":" (a name
        that would then be committed with the user's work in it), and untracked_files lists
        the whole tree and never the ignored files, which count as uncommitted work here."""
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


@contextmanager
def _refusing(command: str) -> Iterator[None]:
    """GitPython's failures as WriteRefused with git's own (short) words."""
    import git

    try:
        yield
    except git.GitCommandError as error:
        # GitPython wraps git's stderr as "\n  stderr: '...'".
        said = re.sub(r"^\s*stderr: '(.*)'$", r"\1", str(error.stderr), flags=re.DOTALL)
        status = error.status if isinstance(error.status, int) else 1
        raise WriteRefused(f"git {command} failed:\n{_said(said, status)}") from error
    except (ValueError, git.BadName, git.BadObject) as error:  # an object git cannot read
        raise WriteRefused(f"git {command} failed:\n{_said(str(error), 1)}") from error


def _text(value: str | bytes) -> str:
    """A commit field GitPython could not decode arrives as bytes."""
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def _covers(entry: str, name: str) -> bool:
    """True when a status entry is name itself or a directory git reported as a whole."""
    return entry == name or (entry.endswith("/") and name.startswith(entry))
