"""The decisions of one review: which hunks are accepted, rejected or still pending.

Pure: built from texts and a diff, it never reads files, calls git or imports Textual.
The TUI and the headless modes (--print, --yes) drive the same Review.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from fixer.patch import (
    FilePatch,
    Hunk,
    PatchRejected,
    apply_hunks,
    apply_placements,
    diff_hunks,
    extract_diff,
    format_diff,
    locate_hunks,
    parse_diff,
)


class Decision(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


@dataclass(frozen=True)
class ReviewHunk:
    """A hunk recomputed against the file on disk, with its real line numbers."""

    name: str
    hunk: Hunk
    flag: str | None = (
        None  # why it needs a careful look; flagged hunks are never taken by accept-all
    )


@dataclass(frozen=True)
class FileChange:
    """One file the reply touches: its text as read, and the hunks fixer refused."""

    name: str
    original: str
    new_file: bool = False
    refusals: tuple[PatchRejected, ...] = ()


@dataclass
class Review:
    """Every hunk of a proposal with its decision, and an undo history."""

    files: tuple[FileChange, ...]
    hunks: tuple[ReviewHunk, ...]
    decisions: list[Decision] = field(default_factory=list)
    _history: list[list[tuple[int, Decision]]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if not self.decisions:
            self.decisions = [Decision.PENDING] * len(self.hunks)

    @property
    def refusals(self) -> tuple[PatchRejected, ...]:
        return tuple(r for f in self.files for r in f.refusals)

    @property
    def pending(self) -> int:
        return self.decisions.count(Decision.PENDING)

    def file(self, name: str) -> FileChange:
        return next(f for f in self.files if f.name == name)

    def decide(self, index: int, decision: Decision) -> None:
        """Decide one hunk (y / n)."""
        self._record([index], decision)

    def decide_rest_of_file(self, index: int, decision: Decision) -> None:
        """Decide this hunk and every later pending one of the same file (a / d)."""
        name = self.hunks[index].name
        later = [
            i
            for i in range(index + 1, len(self.hunks))
            if self.hunks[i].name == name and self.decisions[i] is Decision.PENDING
        ]
        self._record([index, *later], decision)

    def accept_all(self) -> int:
        """Accept every pending hunk that is not flagged; returns how many."""
        chosen = [
            i
            for i, (h, d) in enumerate(zip(self.hunks, self.decisions, strict=True))
            if d is Decision.PENDING and h.flag is None
        ]
        if chosen:
            self._record(chosen, Decision.ACCEPTED)
        return len(chosen)

    def undo(self) -> bool:
        """Take back the last decision (a whole a/d/accept-all counts as one)."""
        if not self._history:
            return False
        for index, previous in reversed(self._history.pop()):
            self.decisions[index] = previous
        return True

    def _record(self, indexes: Iterable[int], decision: Decision) -> None:
        step = [(i, self.decisions[i]) for i in indexes]
        for i, _ in step:
            self.decisions[i] = decision
        self._history.append(step)

    def counts(self, name: str | None = None) -> dict[Decision, int]:
        """How many hunks have each decision, for one file or all."""
        result = dict.fromkeys(Decision, 0)
        for h, d in zip(self.hunks, self.decisions, strict=True):
            if name is None or h.name == name:
                result[d] += 1
        return result

    def accepted(self) -> dict[str, list[Hunk]]:
        """Accepted hunks per file name, in file order."""
        result: dict[str, list[Hunk]] = {}
        for h, d in zip(self.hunks, self.decisions, strict=True):
            if d is Decision.ACCEPTED:
                result.setdefault(h.name, []).append(h.hunk)
        return result

    def new_texts(self) -> dict[str, str]:
        """The text of every file with at least one accepted hunk, exactly those hunks applied."""
        return {
            name: apply_hunks(self.file(name).original, hunks)
            for name, hunks in self.accepted().items()
        }

    def as_diff(self, only_accepted: bool = False) -> str:
        """The proposal (or the accepted part) as a diff that `git apply` takes as is."""
        chosen = self.accepted() if only_accepted else _by_file(self.hunks)
        return "".join(
            format_diff(name, hunks, new_file=self.file(name).new_file)
            for name, hunks in chosen.items()
        )


def _by_file(hunks: Iterable[ReviewHunk]) -> dict[str, list[Hunk]]:
    result: dict[str, list[Hunk]] = {}
    for h in hunks:
        result.setdefault(h.name, []).append(h.hunk)
    return result


def build_review(
    reply: str,
    originals: Mapping[str, str],
    may_create: Callable[[str], str | None] | None = None,
) -> Review:
    """Turn a model's reply into a Review against the files as they are on disk.

    `originals` maps each selected file's name to its text. `may_create` says why a path the reply
    wants to create may not be created (None: it may); without it no file is created. Hunks for
    any other path are refused. Raises PatchRejected when the reply holds no diff at all.
    """
    patches = parse_diff(extract_diff(reply) or reply)
    grouped: dict[str, list[FilePatch]] = {}
    files: dict[str, FileChange] = {}
    for patch in patches:
        name, refusal = _target(patch, originals, may_create)
        if refusal is not None:
            key = name or "?"
            change = files.get(key) or FileChange(key, originals.get(key, ""))
            files[key] = _with_refusals(change, [refusal])
            continue
        grouped.setdefault(name, []).append(patch)

    hunks: list[ReviewHunk] = []
    for name in _in_selection_order(grouped, originals):
        new_file = name not in originals
        original = originals.get(name, "")
        merged = FilePatch(name, name, tuple(h for p in grouped[name] for h in p.hunks))
        placements, refusals = locate_hunks(original, merged)
        change = files.get(name) or FileChange(name, original, new_file)
        files[name] = _with_refusals(change, refusals)
        flag = "new file" if new_file else None
        new_text = apply_placements(original, placements)
        hunks.extend(ReviewHunk(name, h, flag) for h in diff_hunks(original, new_text))
    ordered = [files[n] for n in _in_selection_order(files, originals)]
    return Review(tuple(ordered), tuple(hunks))


def _with_refusals(change: FileChange, refusals: Sequence[PatchRejected]) -> FileChange:
    return FileChange(change.name, change.original, change.new_file, (*change.refusals, *refusals))


def _in_selection_order(names: Iterable[str], originals: Mapping[str, str]) -> list[str]:
    order = {name: i for i, name in enumerate(originals)}
    return sorted(names, key=lambda n: (order.get(n, len(order)), n))


def _target(
    patch: FilePatch, originals: Mapping[str, str], may_create: Callable[[str], str | None] | None
) -> tuple[str, PatchRejected | None]:
    """The selected file a FilePatch is for, or why it is refused."""
    if patch.unsupported:
        return patch.path or "", PatchRejected(
            f"{patch.unsupported} is not supported; fixer only edits and creates files",
            path=patch.path,
        )
    if patch.path is None:
        if len(originals) == 1:
            return next(iter(originals)), None
        return "", PatchRejected(
            "the diff names no file and several files are selected; "
            "write ---/+++ headers with the file paths"
        )
    path = patch.path
    unsafe = unsafe_path_reason(path)
    if unsafe:
        return path, PatchRejected(unsafe, path=path)
    if patch.is_new:
        if path in originals:
            return path, PatchRejected("creates a file that already exists", path=path)
        if may_create is None:
            return path, PatchRejected("fixer was not asked to create files", path=path)
        reason = may_create(path)
        return path, None if reason is None else PatchRejected(reason, path=path)
    if path in originals:
        return path, None
    # Models often drop leading directories: accept a unique selected file that ends with the path.
    matches = [n for n in originals if n.endswith("/" + path)]
    if len(matches) == 1:
        return matches[0], None
    return path, PatchRejected(
        "is not one of the selected files (" + ", ".join(originals) + ")", path=path
    )


def unsafe_path_reason(path: str) -> str | None:
    """Why a path named by a diff may never be written, or None."""
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        return "absolute paths are refused"
    parts = posixpath.normpath(path).split("/")
    if ".." in parts:
        return "paths with '..' are refused"
    if ".git" in parts:
        return "files under .git are refused"
    return None
