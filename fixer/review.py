"""The decisions of one review: which hunks are accepted, rejected or still pending.

Pure: built from texts and a diff, it never reads files, calls git or imports Textual.
The TUI and the headless modes (--print, --yes) drive the same Review.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from enum import StrEnum
from typing import TYPE_CHECKING

from fixer.corrections import Correction, Kind, correction_of
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
    split_hunk,
)
from fixer.patch.parse import BOM, Line, dominant_ending, join_lines, split_lines
from fixer.textview import FILE_LINES, TextView

if TYPE_CHECKING:
    from fixer.router import Route


class Decision(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class FlagKind(StrEnum):
    """Why a hunk needs a careful look."""

    PROTECTED = "protected"  # it changes code, a link, front matter or markup of a post
    STRUCTURE = "structure"  # it changes a post's Markdown structure: paragraphs, headings, ...
    REWRITE = "rewrite"  # more than a correction: a sentence added, deleted, moved or rewritten
    PUBLIC_API = "public-api"  # it renames or removes a public name, or changes a signature
    LOST_PASSAGE = "lost-passage"  # it deletes a passage found nowhere else in the result
    CODE = "code"  # it changes code where only comments and docstrings may change
    MODELS_DIFFER = "models-differ"  # compared models propose different hunks for these lines
    NEW_FILE = "new-file"  # it creates a file
    NEW_ERROR = "new-error"  # a correction that brings in an error Harper finds


@dataclass(frozen=True)
class Flag:
    """A hunk's flag: its kind, and why in words a user reads (with the specifics: which name,
    which sentence)."""

    kind: FlagKind
    why: str

    def __str__(self) -> str:
        return self.why


NEW_FILE = Flag(FlagKind.NEW_FILE, "new file")
MODELS_DIFFER = Flag(FlagKind.MODELS_DIFFER, "differs between models")


@dataclass(frozen=True)
class ReviewHunk:
    """A hunk recomputed against the file on disk, with its real line numbers."""

    name: str
    hunk: Hunk
    flag: Flag | None = None  # why it needs a careful look; never taken by accept-all
    source: tuple[str, ...] = ()  # the routes that proposed it, when several were compared
    correction: Correction | None = None  # a prose hunk's kind of correction: spelling, ...


@dataclass(frozen=True)
class FileChange:
    """One file the reply touches: its text as read, and the hunks fixer refused."""

    name: str
    original: str  # the text the hunks apply to: the file's, or its view's (view.of)
    new_file: bool = False
    refusals: tuple[PatchRejected, ...] = ()
    view: TextView = FILE_LINES  # how the file's text is cut into the hunks' lines
    notes: tuple[str, ...] = ()  # how hunks were placed that the user should check
    route: Route | None = None  # who proposed its hunks if asked again (r); None: the proposal's

    def to_file(self, text: str) -> str:
        """A reviewed text as the file's text (joins a sentence view back into lines)."""
        return self.view.to_file(text)


@dataclass(frozen=True)
class _Reshape:
    """An undo step for a split, an edit or a file asked again: hunks from `index` on were
    replaced by `count` hunks (and, for a file asked again, the files with their routes).

    Only the replaced hunks and their decisions are kept, so thousands of steps over thousands
    of hunks stay small; undo puts them back in place of the `count` hunks.
    """

    index: int
    hunks: tuple[ReviewHunk, ...]
    decisions: tuple[Decision, ...]
    notes: tuple[str, ...]
    count: int
    files: tuple[FileChange, ...] | None = None  # the files before, when a file was replaced


@dataclass(frozen=True)
class _Noted:
    """An undo step for a note written (m): the hunk's note before."""

    index: int
    note: str


# An undo step: the (index, previous decision) pairs of one y/n/a/d/accept-all, a reshape, or
# a note.
_Step = list[tuple[int, Decision]] | _Reshape | _Noted


@dataclass(frozen=True)
class HunkFeedback:
    """What the user said of one hunk, for the model asked again (r): the hunk as a small
    diff of the file, whether it was rejected, and the user's note ("" for none)."""

    name: str
    diff: str
    rejected: bool
    note: str


@dataclass
class Review:
    """Every hunk of a proposal with its decision, and an undo history."""

    files: tuple[FileChange, ...]
    hunks: tuple[ReviewHunk, ...]
    decisions: list[Decision] = field(default_factory=list)
    # The user's one-line note on each hunk (m), "" for none: parallel to hunks, like decisions.
    hunk_notes: list[str] = field(default_factory=list)
    _history: list[_Step] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if not self.decisions:
            self.decisions = [Decision.PENDING] * len(self.hunks)
        if not self.hunk_notes:
            self.hunk_notes = [""] * len(self.hunks)

    @property
    def refusals(self) -> tuple[PatchRejected, ...]:
        return tuple(r for f in self.files for r in f.refusals)

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(n for f in self.files for n in f.notes)

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

    def decide_kind(self, index: int, decision: Decision) -> int:
        """Decide every pending, unflagged hunk with hunk `index`'s kind of correction (all the
        spelling fixes at once); returns how many (0 when it has no kind)."""
        correction = self.hunks[index].correction
        if correction is None:
            return 0
        chosen = [
            i
            for i, (h, d) in enumerate(zip(self.hunks, self.decisions, strict=True))
            if d is Decision.PENDING
            and h.flag is None
            and h.correction is not None
            and h.correction.kind is correction.kind
        ]
        if chosen:
            self._record(chosen, decision)
        return len(chosen)

    def kind_counts(self) -> dict[Kind, int]:
        """How many hunks make each kind of correction, most first."""
        found = Counter(h.correction.kind for h in self.hunks if h.correction is not None)
        return dict(found.most_common())

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

    def write_note(self, index: int, text: str) -> None:
        """Set hunk `index`'s note (m): one line, each run of white space one space; "" removes
        it. One undo step, unless the note stays as it was."""
        note = " ".join(text.split())
        self._at(index)  # a hunk that is not there raises
        previous = self.hunk_notes[index]
        if note != previous:
            self._history.append(_Noted(index, previous))
            self.hunk_notes[index] = note

    def feedback(self, names: Collection[str]) -> list[HunkFeedback]:
        """The hunks of files `names` the user rejected or wrote a note on, in review order:
        what the model asked again for those files (r) is told."""
        return [
            HunkFeedback(item.name, self._file_diff(item.name, [item.hunk]), rejected, note)
            for item, decision, note in zip(
                self.hunks, self.decisions, self.hunk_notes, strict=True
            )
            if item.name in names and ((rejected := decision is Decision.REJECTED) or note)
        ]

    def can_split(self, index: int) -> bool:
        """Whether hunk `index` has context between two changes, so that split() splits it."""
        tags = "".join([line[0] for line in self._at(index).hunk.lines])
        return " " in tags.strip(" ")

    def split(self, index: int) -> int:
        """Replace hunk `index` by its pieces, all pending (git add -p's `s`); returns how many.

        1 means it cannot be split: nothing changes and there is nothing to undo.
        """
        hunk = self._at(index)
        pieces = split_hunk(hunk.hunk)
        if len(pieces) > 1:
            pieces_of = [_reshaped(hunk, p) for p in pieces]
            # The note was about the whole change: each piece keeps it.
            self._reshape(index, pieces_of, Decision.PENDING, note=self.hunk_notes[index])
        return len(pieces)

    def edit(self, index: int, new_lines: Sequence[str]) -> int:
        """Replace hunk `index` by the hunks giving its lines the new side the user wrote, accepted
        (git add -p's `e`); returns how many (0: the edit gave back the file's lines, the hunk is
        dropped).

        `new_lines` are texts without line endings: lines_to_edit(index) as edited.
        """
        hunk = self._at(index)
        change = self.file(hunk.name)
        new_lines = change.view.edited(hunk.hunk.new_lines, new_lines)
        edited = _edited_hunks(change.original, hunk.hunk, new_lines)
        hunks = [_reshaped(hunk, h) for h in edited]
        self._reshape(index, hunks, Decision.ACCEPTED, note=self.hunk_notes[index])
        return len(edited)

    def lines_to_edit(self, index: int) -> list[str]:
        """The hunk's new side as the user edits it (TextView.editable)."""
        hunk = self._at(index)
        return self.file(hunk.name).view.editable(hunk.hunk.new_lines)

    @property
    def can_undo(self) -> bool:
        return bool(self._history)

    def undo(self) -> bool:
        """Take back the last step: a decision (a whole a/d/accept-all counts as one), a split,
        an edit, a file asked again or a note."""
        if not self._history:
            return False
        step = self._history.pop()
        if isinstance(step, _Noted):
            self.hunk_notes[step.index] = step.note
            return True
        if isinstance(step, _Reshape):
            end = step.index + step.count
            self.hunks = (*self.hunks[: step.index], *step.hunks, *self.hunks[end:])
            self.decisions[step.index : end] = step.decisions
            self.hunk_notes[step.index : end] = step.notes
            if step.files is not None:
                self.files = step.files
            return True
        for index, previous in reversed(step):
            self.decisions[index] = previous
        return True

    def _at(self, index: int) -> ReviewHunk:
        if not 0 <= index < len(self.hunks):
            count = len(self.hunks)
            raise ValueError(f"there is no hunk {index}: the review has {count}, counted from 0")
        return self.hunks[index]

    def _record(self, indexes: Iterable[int], decision: Decision) -> None:
        chosen = list(indexes)
        # Compared models: taking one model's hunk rejects the others' for the same lines.
        others = []
        if decision is Decision.ACCEPTED:
            others = [
                j
                for i in chosen
                for j in self._alternatives(i)
                if self.decisions[j] is not Decision.REJECTED and j not in chosen
            ]
        step = [(i, self.decisions[i]) for i in [*chosen, *others]]
        for i in chosen:
            self.decisions[i] = decision
        for j in others:
            self.decisions[j] = Decision.REJECTED
        self._history.append(step)

    def _alternatives(self, index: int) -> list[int]:
        """Hunks of other compared models that change lines hunk `index` changes."""
        item = self.hunks[index]
        if not item.source:
            return []
        return [
            j
            for j, other in enumerate(self.hunks)
            if other.name == item.name
            and other.source != item.source
            and _overlap(other.hunk, item.hunk)
        ]

    def _reshape(
        self,
        index: int,
        hunks: Sequence[ReviewHunk],
        decision: Decision,
        replaced: int = 1,
        files: tuple[FileChange, ...] | None = None,
        note: str = "",
    ) -> None:
        """Put `hunks`, all with `decision` and `note`, in place of `replaced` hunks from
        `index`, and `files` in place of the files, as one undo step."""
        end = index + replaced
        self._history.append(
            _Reshape(
                index,
                self.hunks[index:end],
                tuple(self.decisions[index:end]),
                tuple(self.hunk_notes[index:end]),
                len(hunks),
                self.files if files is not None else None,
            )
        )
        self.hunks = (*self.hunks[:index], *hunks, *self.hunks[end:])
        self.decisions[index:end] = [decision] * len(hunks)
        self.hunk_notes[index:end] = [note] * len(hunks)
        if files is not None:
            self.files = files

    def extend(self, other: Review) -> int:
        """Add the files and hunks of `other` (another request of the run, answered later) at
        the end, all pending; the decisions made meanwhile stay, and it is no undo step (the
        user did not do it). Returns the hunks added."""
        known = {f.name for f in self.files}
        hunks = [h for h in other.hunks if h.name not in known]
        self.files = (*self.files, *(f for f in other.files if f.name not in known))
        self.hunks = (*self.hunks, *hunks)
        self.decisions += [Decision.PENDING] * len(hunks)
        self.hunk_notes += [""] * len(hunks)
        return len(hunks)

    def replace_file(self, name: str, other: Review, route: Route | None = None) -> int:
        """Take file `name`'s hunks and refusals from `other` (asked again of `route`), all
        pending and without notes (the old hunks' notes went to the model), keeping every other
        file's hunks, decisions and notes; one undo step, which gives the file back its earlier
        route and its hunks their notes too. Returns the new hunk count."""
        order = [f.name for f in self.files]
        if name not in order:
            raise ValueError(f"{name} is not in this review")
        before = order.index(name)
        earlier = {f.name for f in self.files[:before]}
        index = sum(1 for h in self.hunks if h.name in earlier)
        replaced = sum(1 for h in self.hunks if h.name == name)
        fresh = [h for h in other.hunks if h.name == name]
        # A reply with no changes has no FileChange for the file: it keeps its text, no refusal.
        asked = next((f for f in other.files if f.name == name), None)
        files = tuple(
            replace(asked or replace(f, refusals=()), route=route) if f.name == name else f
            for f in self.files
        )
        self._reshape(index, fresh, Decision.PENDING, replaced, files)
        return len(fresh)

    def counts(self) -> dict[Decision, int]:
        """How many hunks have each decision."""
        result = dict.fromkeys(Decision, 0)
        for d in self.decisions:
            result[d] += 1
        return result

    def counts_by_file(self) -> dict[str, dict[Decision, int]]:
        """How many hunks of each file have each decision, in one pass (fast at 2,000 hunks)."""
        result: dict[str, dict[Decision, int]] = {}
        for item, decision in zip(self.hunks, self.decisions, strict=True):
            result.setdefault(item.name, dict.fromkeys(Decision, 0))[decision] += 1
        return result

    def accepted(self) -> dict[str, list[Hunk]]:
        """Accepted hunks per file name, in file order."""
        pairs = zip(self.hunks, self.decisions, strict=True)
        return _by_file(h for h, d in pairs if d is Decision.ACCEPTED)

    def new_texts(self) -> dict[str, str]:
        """The text of every file with at least one accepted hunk, exactly those hunks applied."""
        return self.texts_of(k for k, d in enumerate(self.decisions) if d is Decision.ACCEPTED)

    def texts_of(self, chosen: Iterable[int]) -> dict[str, str]:
        """The text of every file with a hunk at one of the indexes `chosen`, exactly those
        applied: what the test command is tried on."""
        wanted = set(chosen)
        return {
            name: (change := self.file(name)).to_file(apply_hunks(change.original, hunks))
            for name, hunks in _by_file(h for k, h in enumerate(self.hunks) if k in wanted).items()
        }

    def as_diff(
        self,
        only_accepted: bool = False,
        only_flagged: bool = False,
        files: Iterable[str] | None = None,
    ) -> str:
        """The proposal (or the accepted part, or the flagged part; of `files` only, when given)
        as a diff that `git apply` takes as is."""
        if only_flagged:
            chosen = _by_file([h for h in self.hunks if h.flag])
        else:
            chosen = self.accepted() if only_accepted else _by_file(self.hunks)
        if files is not None:
            keep = set(files)
            chosen = {name: hunks for name, hunks in chosen.items() if name in keep}
        recompute = only_accepted or only_flagged
        return "".join(self._file_diff(name, hunks, recompute) for name, hunks in chosen.items())

    def _file_diff(self, name: str, hunks: Sequence[Hunk], recompute: bool = False) -> str:
        """Hunks of file `name` as a diff of the file's lines."""
        change = self.file(name)
        if recompute or change.view.joins_lines:
            # Recomputed from the file's texts: an edited hunk may change lines a neighbour
            # has as context, and sentence hunks are not the file's lines.
            new = change.to_file(apply_hunks(change.original, hunks))
            hunks = diff_hunks(change.to_file(change.original), new)
        return format_diff(name, hunks, new_file=change.new_file)


def _edited_hunks(original: str, hunk: Hunk, new_lines: Sequence[str]) -> list[Hunk]:
    """The hunks turning the lines of `original` that `hunk` replaces into `new_lines`.

    Only that region is diffed, so their context never reaches lines outside it, which a
    neighbouring hunk (a split piece sharing context) may change. Numbered in the file.
    """
    start = hunk.old_index
    new_start = hunk.new_index
    if start is None or new_start is None:
        raise ValueError("only hunks with @@ line numbers (recomputed from the file) can be edited")
    lines = split_lines(original)
    end = start + hunk.old_count
    edited = _edited_region(lines, start, end, hunk, new_lines)
    return [
        replace(h, old_start=(h.old_start or 0) + start, new_start=(h.new_start or 0) + new_start)
        for h in diff_hunks(join_lines(lines[start:end]), join_lines(edited))
    ]


def _edited_region(
    lines: list[Line], start: int, end: int, hunk: Hunk, new_lines: Sequence[str]
) -> list[Line]:
    """`new_lines` in place of lines[start:end]: lines left as they were keep their bytes,
    others take the file's ending, as a model's hunk is placed."""
    region = lines[start:end]
    texts = list(new_lines)
    if start == 0 and lines and lines[0][0].startswith(BOM):
        # The BOM is part of the first line's text: it stays whether the editor kept it or not,
        # on a line of its own when every line was deleted (the region is all a diff may change).
        texts[:1] = [BOM + (texts[0].removeprefix(BOM) if texts else "")]
    # A file with no newline yet (empty, or one unended line) takes the one of the hunk's lines.
    ended = lines if any(mark for _, mark in lines) else [("", mark) for mark in hunk.endings]
    ending = dominant_ending(ended)
    matcher = SequenceMatcher(None, [text for text, _ in region], texts, autojunk=False)
    edited: list[Line] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        edited += region[i1:i2] if tag == "equal" else [(text, ending) for text in texts[j1:j2]]
    edited = [(text, old_ending or ending) for text, old_ending in edited]
    if end == len(lines) and edited and _ends_without_newline(lines, hunk):
        edited[-1] = (edited[-1][0], "")
    return edited


def _ends_without_newline(lines: list[Line], hunk: Hunk) -> bool:
    """Whether an edit of a hunk reaching the end of the file leaves it without a final newline:
    as the file is, unless the hunk's new lines changed that (an empty new side says nothing)."""
    if hunk.new_count and hunk.old_missing_newline != hunk.new_missing_newline:
        return hunk.new_missing_newline
    return bool(lines) and lines[-1][1] == ""


def _changed_span(hunk: Hunk) -> tuple[int, int]:
    """The closed span of old-file positions a hunk changes, context left out: a removed line k
    covers k..k+1, an insertion before line p covers p..p."""
    position = hunk.old_index or 0
    touched = []
    for line in hunk.lines:
        if line[0] == "-":
            touched += [position, position + 1]
        elif line[0] == "+":
            touched.append(position)
        position += line[0] != "+"
    return (min(touched), max(touched)) if touched else (position, position)


def _overlap(a: Hunk, b: Hunk) -> bool:
    """Whether two hunks of one file change the same or adjoining lines."""
    (a1, a2), (b1, b2) = _changed_span(a), _changed_span(b)
    return a1 <= b2 and b1 <= a2


def merge_reviews(reviews: Mapping[str, Review]) -> Review:
    """One review of several models' proposals for the same files (--compare).

    A hunk proposed alike by several models appears once, labelled with all of them; hunks of
    different models for the same lines are flagged (never taken by accept-all), and accepting
    one rejects the others.
    """
    found: dict[tuple[str, Hunk], list[str]] = {}
    flags: dict[tuple[str, Hunk], Flag | None] = {}
    for source, review in reviews.items():
        for item in review.hunks:
            found.setdefault((item.name, item.hunk), []).append(source)
            flags.setdefault((item.name, item.hunk), item.flag)
    files = _merged_files(reviews)
    order = {f.name: k for k, f in enumerate(files)}
    keys = sorted(found, key=lambda key: (order[key[0]], _changed_span(key[1])))
    hunks = []
    for name, hunk in keys:
        rivals = any(n == name and h != hunk and _overlap(h, hunk) for n, h in keys)
        flag = flags[(name, hunk)] or (MODELS_DIFFER if rivals else None)
        hunks.append(ReviewHunk(name, hunk, flag, tuple(found[(name, hunk)])))
    return Review(files, tuple(hunks))


def _merged_files(reviews: Mapping[str, Review]) -> tuple[FileChange, ...]:
    """Every file of the compared reviews, in first-seen order, with every model's refusals
    (each naming its model)."""
    files: dict[str, FileChange] = {}
    for source, review in reviews.items():
        for change in review.files:
            tagged = tuple(r.with_reason(f"{source}: {r.reason}") for r in change.refusals)
            known = files.get(change.name, replace(change, refusals=()))
            files[change.name] = replace(known, refusals=(*known.refusals, *tagged))
    return tuple(files.values())


def _reshaped(item: ReviewHunk, hunk: Hunk) -> ReviewHunk:
    """A piece (or the user's edit) of a review hunk: its name, flag and sources, and a prose
    hunk's kind of correction told again from what the piece changes."""
    correction = correction_of(hunk) if item.correction is not None else None
    return replace(item, hunk=hunk, correction=correction)


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
        notes = tuple(f"hunk {p.hunk} of {name}: {p.note}" for p in placements if p.note)
        files[name] = replace(_with_refusals(change, refusals), notes=notes)
        flag = NEW_FILE if new_file else None
        new_text = apply_placements(original, placements)
        hunks.extend(ReviewHunk(name, h, flag) for h in diff_hunks(original, new_text))
    ordered = [files[n] for n in _in_selection_order(files, originals)]
    return Review(tuple(ordered), tuple(hunks))


def _with_refusals(change: FileChange, refusals: Sequence[PatchRejected]) -> FileChange:
    return replace(change, refusals=(*change.refusals, *refusals))


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


def refused(review: Review, reasons: Mapping[int, str]) -> Review:
    """The review without the hunks at the indexes of `reasons`, each refused in its file with
    its reason, numbered as the file's hunks were: a refusal before anyone reviews it."""
    refusals: dict[str, list[PatchRejected]] = {}
    numbers: dict[str, int] = {}
    kept: list[ReviewHunk] = []
    for k, item in enumerate(review.hunks):
        numbers[item.name] = number = numbers.get(item.name, 0) + 1
        if k in reasons:
            refusal = PatchRejected(reasons[k], path=item.name, hunk=number)
            refusals.setdefault(item.name, []).append(refusal)
        else:
            kept.append(item)
    files = tuple(
        replace(f, refusals=(*f.refusals, *refusals.get(f.name, ()))) for f in review.files
    )
    return Review(files, tuple(kept))


def join_parts(name: str, parts: Sequence[tuple[str, Review]], view: TextView) -> Review:
    """One review of a file asked in pieces: each (piece of its text, the piece's review), in
    order. The pieces' views, put end to end, are the view of the whole file; each piece's hunks
    move down by the lines of the pieces before it."""
    views: list[str] = []
    hunks: list[ReviewHunk] = []
    refusals: list[PatchRejected] = []
    old_offset = new_offset = 0
    for text, review in parts:
        change = next((f for f in review.files if f.name == name), None)
        shown = change.original if change is not None and change.view is view else view.of(text)
        for item in review.hunks:
            hunk = item.hunk
            moved = replace(
                hunk,
                old_start=(hunk.old_start or 0) + old_offset,
                new_start=(hunk.new_start or 0) + new_offset,
            )
            hunks.append(replace(item, hunk=moved))
        refusals += change.refusals if change is not None else ()
        lines = len(split_lines(shown))
        old_offset += lines
        new_offset += lines + sum(h.hunk.new_count - h.hunk.old_count for h in review.hunks)
        views.append(shown)
    whole = FileChange(name, "".join(views), refusals=tuple(refusals), view=view)
    return Review((whole,), tuple(hunks))
