"""A scratch copy of the working tree, for trying a proposal without touching the user's files.

The copy holds the tree as it is: git's tracked files as they are on disk (uncommitted changes
included, a deleted one absent) and the untracked files git does not ignore. Ignored files and
.git are left out. Files are copied, never hard-linked: a test that writes a tracked file must
not write the user's. A submodule (or an untracked nested repository) is copied whole, as it is
on disk, without its .git: the tests may need its files, and git gives no cheaper list of them.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import tempfile
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from fixer.errors import InputError
from fixer.sources import new_source, prepare_write, read_source

PREFIX = "fixer-test-"


@dataclass(frozen=True)
class ScratchCopy:
    """A copy of a working tree; root has the name of the tree it copies."""

    root: Path

    def write(self, texts: Mapping[str, str]) -> None:
        """Write the proposal's new texts (repo-relative POSIX names) into the copy, the way
        fixer writes the user's files; a name leading outside the copy is InputError."""
        for name, text in texts.items():
            path = self.root / name
            exists = path.exists() or path.is_symlink()
            source = read_source(path, self.root) if exists else new_source(path, self.root)
            prepare_write(source, text).apply()


@contextmanager
def scratch_copy(root: Path) -> Iterator[ScratchCopy]:
    """Copy the git working tree holding root into a new directory under the system's temp dir
    (its top level is the copy's root); remove it on leaving, whatever ends the block (an
    error, Ctrl+C, a cancelled task). InputError outside a git working tree."""
    holder, copy = _made(root, {})
    try:
        yield copy
    finally:
        _remove(holder)


@asynccontextmanager
async def tried_copy(root: Path, texts: Mapping[str, str]) -> AsyncIterator[ScratchCopy]:
    """scratch_copy with `texts` written into it, made in a thread so that the event loop (the
    review screen) keeps drawing. Cancelled while the thread copies, the copy is removed as
    soon as the thread is done with it."""
    handover = _Handover()
    making = asyncio.ensure_future(asyncio.to_thread(handover.make, root, texts))
    try:
        holder, copy = await asyncio.shield(making)
    except asyncio.CancelledError:
        handover.abandon()
        raise
    try:
        yield copy
    finally:
        _remove(holder)


class _Handover:
    """A copy made in a thread for a task that may be cancelled meanwhile: whichever of the two
    finishes last removes it, when the task no longer wants it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._abandoned = False
        self._holder: Path | None = None

    def make(self, root: Path, texts: Mapping[str, str]) -> tuple[Path, ScratchCopy]:
        holder, copy = _made(root, texts)
        with self._lock:
            if self._abandoned:
                _remove(holder)
            else:
                self._holder = holder
        return holder, copy

    def abandon(self) -> None:
        with self._lock:
            self._abandoned = True
            holder, self._holder = self._holder, None
        if holder is not None:
            _remove(holder)


def _made(root: Path, texts: Mapping[str, str]) -> tuple[Path, ScratchCopy]:
    """A new copy of the tree holding root, with `texts` written, and the directory holding it
    (removed again if anything fails on the way)."""
    top, names = _tree_names(root)
    holder = Path(tempfile.mkdtemp(prefix=PREFIX))
    try:
        copy = ScratchCopy(holder / (top.name or "tree"))  # "/" has no name
        copy.root.mkdir()
        _copy_files(top, copy.root, names)
        copy.write(texts)
    except BaseException:
        _remove(holder)
        raise
    return holder, copy


def _tree_names(root: Path) -> tuple[Path, list[str]]:
    """The working tree's top directory and its files' names, as git lists them."""
    import git

    try:
        repo = git.Repo(root, search_parent_directories=True)
        top = repo.working_tree_dir
        if top is None:
            raise InputError(f"{root} is a bare git repository: it has no files to test.")
        # ls-files, not repo.index.entries and repo.untracked_files: one command lists both,
        # with the exclude rules of git itself; -z gives literal names, bytes keep non-UTF-8 ones.
        out = repo.git.ls_files(
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
            stdout_as_string=False,
            strip_newline_in_stdout=False,
        )
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise InputError(
            f"{root} is not in a git repository: fixer tests a proposal in a copy of the files "
            "git lists. Run it inside a repository, or without a test command."
        ) from exc
    except git.GitCommandError as exc:
        raise InputError(f"git ls-files failed in {root}: {exc.stderr.strip()}") from exc
    # A file with a merge conflict is listed once per stage: keep each name once, in order.
    names = dict.fromkeys(os.fsdecode(name) for name in out.split(b"\0") if name)
    return Path(top), list(names)


def _copy_files(top: Path, copy: Path, names: list[str]) -> None:
    made = {copy}
    for name in names:
        try:
            _copy_one(top / name, copy / name.rstrip("/"), made)
        except OSError as exc:
            raise InputError(
                f"cannot copy {name} into the scratch copy {copy} ({exc.strerror or exc}): "
                "check it is readable and the temp directory has room, or run without tests."
            ) from exc


def _copy_one(source: Path, target: Path, made: set[Path]) -> None:
    try:
        found = os.lstat(source)
    except (FileNotFoundError, NotADirectoryError):
        return  # tracked but deleted on disk (or its folder is a file now): absent as it is
    if target.parent not in made:
        target.parent.mkdir(parents=True, exist_ok=True)
        made.update(target.parents)
    if stat.S_ISLNK(found.st_mode):
        os.symlink(os.readlink(source), target)
    elif stat.S_ISREG(found.st_mode):
        shutil.copy2(source, target, follow_symlinks=False)
    elif stat.S_ISDIR(found.st_mode):  # a submodule or a nested repository
        shutil.copytree(source, target, symlinks=True, ignore=_ignore_git)
    # Sockets, pipes and devices are not files a test reads: left out.


def _ignore_git(folder: str, names: list[str]) -> set[str]:
    return {".git"} if ".git" in names else set()


def _remove(holder: Path) -> None:
    """Remove the copy, also where a test left a directory read-only (Go's module cache)."""
    try:
        shutil.rmtree(holder)
    except OSError:
        _writable(holder)
        shutil.rmtree(holder)


def _writable(holder: Path) -> None:
    """Give every directory under holder back to its owner; a symlink's target is not ours."""
    for folder, dirs, _ in os.walk(holder):
        for name in dirs:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, stat.S_IRWXU)  # before os.walk goes in, so it can list it
