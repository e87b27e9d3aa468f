"""Scoring a corrector's output on a seeded post: which seeded errors it restored, which other
edits it made, and whether any edit reached a protected region. Pure: text in, values out.

Edits come from a word-level diff of the seeded post and the output. The edits at a seeded
error are one answer to it: right when they restore exactly its clean text, "another right
way" when the result is listed in plausible.txt. Every other edit is an extra, right in the
lenient count only when plausible.txt lists it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from grammar_seed import Error, Kind, Seeded

from fixer.markdown import Span, changes_protected, protected_spans

_TOKEN = re.compile(r"\w+(?:['’]\w+)*|\s+|[^\w\s]")
_PLAUSIBLE = re.compile(r"^(?P<old>.*?) -> (?P<new>.*?)\s+# .+$")
Pair = tuple[str, str]  # (words before, words after) of an edit, one word of context each side


@dataclass(frozen=True)
class Edit:
    start: int  # the span of the seeded text it replaces (empty for an insertion)
    end: int
    new: str


@dataclass
class Score:
    """What one tool set did on some posts; Scores add up."""

    seeded: Counter[Kind] = field(default_factory=Counter)
    fixed: Counter[Kind] = field(default_factory=Counter)  # restored exactly
    fixed_otherwise: Counter[Kind] = field(default_factory=Counter)  # a plausible other fix
    answered: Counter[Kind] = field(default_factory=Counter)  # errors with edits at them
    missed: list[tuple[Kind, Pair]] = field(default_factory=list)  # answered, not restored
    extras: list[Pair] = field(default_factory=list)
    plausible_extras: int = 0
    protected: int = 0  # edits reaching into a protected region

    def add(self, other: Score) -> None:
        for mine, theirs in (
            (self.seeded, other.seeded),
            (self.fixed, other.fixed),
            (self.fixed_otherwise, other.fixed_otherwise),
            (self.answered, other.answered),
        ):
            mine.update(theirs)
        self.missed += other.missed
        self.extras += other.extras
        self.plausible_extras += other.plausible_extras
        self.protected += other.protected

    @property
    def edits(self) -> int:
        return sum(self.answered.values()) + len(self.extras)

    def recall(self, kind: Kind | None = None) -> float:
        return _share(self._count(self.fixed, kind), self._count(self.seeded, kind))

    def strict(self) -> float:
        return _share(sum(self.fixed.values()), self.edits)

    def lenient(self) -> float:
        right = sum(self.fixed.values()) + sum(self.fixed_otherwise.values())
        return _share(right + self.plausible_extras, self.edits)

    @staticmethod
    def _count(counter: Counter[Kind], kind: Kind | None) -> int:
        return sum(counter.values()) if kind is None else counter[kind]


def _share(part: int, whole: int) -> float:
    return part / whole if whole else float("nan")


def read_plausible(path: Path) -> frozenset[Pair]:
    """The edits judged plausible: `words before -> words after  # why`, one a line."""
    pairs = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        found = _PLAUSIBLE.match(line)
        if found and not line.startswith("#"):
            pairs.add((found.group("old"), found.group("new")))
    return frozenset(pairs)


def score(seeded: Seeded, output: str, plausible: Collection[Pair]) -> Score:
    """Score one tool set's output on one seeded post."""
    result = Score(seeded=Counter(error.kind for error in seeded.errors))
    edits = word_edits(seeded.text, output)
    at_errors: set[int] = set()
    for error in seeded.errors:
        mine = [i for i, edit in enumerate(edits) if _at(edit, error)]
        if not mine:
            continue
        at_errors.update(mine)
        result.answered[error.kind] += 1
        if "".join(_apply(seeded.text, [edits[i] for i in mine])) == restored(seeded.text, error):
            result.fixed[error.kind] += 1
        elif (pair := _pair(seeded.text, [edits[i] for i in mine])) in plausible:
            result.fixed_otherwise[error.kind] += 1
        else:
            result.missed.append((error.kind, pair))
    for i, edit in enumerate(edits):
        if i not in at_errors:
            pair = _pair(seeded.text, [edit])
            result.extras.append(pair)
            result.plausible_extras += pair in plausible
    result.protected = count_protected(seeded.text, output, edits)
    return result


def extra_edits(clean: str, output: str) -> list[Pair]:
    """Every edit of a tool on a clean post, with a word of context either side."""
    return [_pair(clean, [edit]) for edit in word_edits(clean, output)]


def word_edits(old: str, new: str) -> list[Edit]:
    """The word-level edits from old to new; edits apart by only a space are one edit."""
    a, b = _tokens(old), _tokens(new)
    a_at = _offsets(a)
    edits: list[Edit] = []
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start, end, text = a_at[i1], a_at[i2], "".join(b[j1:j2])
        last = edits[-1] if edits else None
        if last and old[last.end : start] in (" ", "\n"):
            edits[-1] = Edit(last.start, end, last.new + old[last.end : start] + text)
        else:
            edits.append(Edit(start, end, text))
    return edits


def count_protected(old: str, new: str, edits: Sequence[Edit]) -> int:
    """Edits that reach into a protected region of old; at least 1 when fixer's own check says
    a protected region changed."""
    spans = protected_spans(old)
    count = sum(any(_overlaps(edit, span) for span in spans) for edit in edits)
    return max(count, int(changes_protected(old, new)))


def restored(text: str, error: Error) -> str:
    """The seeded text with this error's span restored."""
    return text[: error.start] + error.clean + text[error.end :]


def _apply(text: str, edits: Sequence[Edit]) -> Iterator[str]:
    at = 0
    for edit in edits:
        yield text[at : edit.start]
        yield edit.new
        at = edit.end
    yield text[at:]


def _at(edit: Edit, error: Error) -> bool:
    """An edit is at an error when it overlaps its span or inserts inside or at its edges."""
    if edit.start == edit.end:
        return error.start <= edit.start <= error.end
    return edit.start < error.end and error.start < edit.end


def _overlaps(edit: Edit, span: Span) -> bool:
    start, end = span
    if edit.start == edit.end:
        return start < edit.start < end
    return edit.start < end and start < edit.end


def _pair(text: str, edits: Sequence[Edit]) -> Pair:
    """The edits' words before and after, widened by one word on either side."""
    start, end = _widen(text, edits[0].start, edits[-1].end)
    after = "".join(_apply(text[start:end], [_shifted(e, start) for e in edits]))
    return _flat(text[start:end]), _flat(after)


def _widen(text: str, start: int, end: int) -> Span:
    """From the word before the edit (and the rest of a word it starts inside) to the word
    after it."""
    left = re.search(r"(\S+\s+)?\S*$", text[:start])
    right = re.match(r"\S*(\s+\S+)?", text[end:])
    return (left.start() if left else start), end + (right.end() if right else 0)


def _shifted(edit: Edit, by: int) -> Edit:
    return Edit(edit.start - by, edit.end - by, edit.new)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _offsets(tokens: Sequence[str]) -> list[int]:
    at = [0]
    for token in tokens:
        at.append(at[-1] + len(token))
    return at
