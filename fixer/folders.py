"""A folder named on the command line, as the files fixer works on: the text files git tracks in
it (or, outside a repository, every file not hidden), but not binaries, not files over fixer's
size limit, not secret-looking ones, and only those the agent takes.

A file named on its own is kept as it is: its checks (and their clear refusals) are
read_source's. A folder's files that are skipped are counted and said, never silently dropped.
"""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fixer.errors import InputError
from fixer.sources import MAX_BYTES, in_git_dir, looks_secret, relative_name

SNIFF_BYTES = 8192  # a NUL in a file's first bytes: a binary, as git decides it
GIT_TIMEOUT_S = 30


@dataclass(frozen=True)
class Expanded:
    """The files to work on, in order, and a note per folder on what it held and skipped."""

    paths: tuple[Path, ...]
    notes: tuple[str, ...]


def expand(
    paths: Sequence[Path], root: Path, tracked: bool, takes: Callable[[str], bool]
) -> Expanded:
    """The named files, and each named folder's files (sorted, for requests that stay the same
    from one run to the next); `tracked`: the workspace is a git repository, so a folder gives
    the files git tracks; `takes`: whether the agent takes a file of that name."""
    found: list[Path] = []
    notes: list[str] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        listed = _tracked(path, root) if tracked else _walked(path)
        kept, skipped = _kept(listed, root, takes)
        if not kept:
            raise InputError(
                f"{path}: no file in it fixer can work on ({_said(skipped) or 'empty'})"
            )
        found += kept
        notes.append(f"{path}: {len(kept)} file{'s' * (len(kept) != 1)}{_skipped(skipped)}")
    return Expanded(tuple(dict.fromkeys(found)), tuple(notes))


def _tracked(folder: Path, root: Path) -> list[Path]:
    """The files git tracks under `folder` (so none it ignores), from `git ls-files`."""
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--", relative_name(folder, root) or "."],
            cwd=root,
            capture_output=True,
            timeout=GIT_TIMEOUT_S,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise InputError(f"{folder}: git could not list its files ({error})") from None
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise InputError(
            f"{folder}: git could not list its files ({why[0] if why else 'no reason'})"
        )
    names = done.stdout.decode("utf-8", errors="surrogateescape").split("\0")
    return sorted(root / name for name in names if name)


def _walked(folder: Path) -> list[Path]:
    """Every file under `folder` outside hidden folders (.git, .venv, ...): no git to ask."""
    found = []
    for top, folders, files in os.walk(folder):
        folders[:] = [f for f in folders if not f.startswith(".")]
        found += [Path(top, name) for name in files if not name.startswith(".")]
    return sorted(found)


def _kept(
    listed: list[Path], root: Path, takes: Callable[[str], bool]
) -> tuple[list[Path], Counter[str]]:
    kept: list[Path] = []
    skipped: Counter[str] = Counter()
    for path in listed:
        why = _skip(path, root, takes)
        if why:
            skipped[why] += 1
        else:
            kept.append(path)
    return kept, skipped


def _skip(path: Path, root: Path, takes: Callable[[str], bool]) -> str | None:
    """Why a folder's file is left out, in a word or two, or None."""
    name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    if path.is_symlink() or not path.is_file():
        return "not regular files"
    if in_git_dir(name):
        return "inside .git"
    if looks_secret(name):
        return "secret-looking"
    if not takes(name):
        return "not taken by the agent"
    try:
        if path.stat().st_size > MAX_BYTES:
            return f"over {MAX_BYTES // 1_048_576} MB"
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:
        return "unreadable"
    return "binary" if b"\0" in head else None


def _said(skipped: Counter[str]) -> str:
    return ", ".join(f"{count} {why}" for why, count in sorted(skipped.items()))


def _skipped(skipped: Counter[str]) -> str:
    return f"; skipped {_said(skipped)}" if skipped else ""
