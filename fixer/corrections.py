"""What kind of correction a prose hunk makes: spelling, agreement, article, ... from the
change alone, so a model's grammar hunks are labelled without a single extra output token.

Pure and cheap: one token diff of the hunk's old and new text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from enum import StrEnum
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the patch engine takes ~30 ms to import: `fixer mistakes` needs none of it
    from fixer.patch import Hunk


class Kind(StrEnum):
    SPELLING = "spelling"
    AGREEMENT = "agreement"
    ARTICLE = "article"
    TENSE = "tense"
    PUNCTUATION = "punctuation"
    CAPITALIZATION = "capitalization"
    REPETITION = "repetition"
    WORD_CHOICE = "word choice"
    OTHER = "other"


@dataclass(frozen=True)
class Correction:
    """A hunk's kind of correction, a short reason, and the phrase it changes on each side
    (the one the reason shows: the first, when it makes several changes; "" for none, as when
    only spacing changed or a text too long to tell)."""

    kind: Kind
    why: str
    before: str = ""
    after: str = ""
    parts: tuple[Correction, ...] = ()  # each change, when the hunk makes several

    def __str__(self) -> str:
        return f"{self.kind}: {self.why}" if self.why else str(self.kind)

    def each(self) -> tuple[Correction, ...]:
        """Every change the hunk makes, as corrections of one change: what a summary counts."""
        return self.parts or (self,)


# A Chinese or Japanese character is a word of its own: the text has no spaces between them.
_TOKEN = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]|\w+(?:['’]\w+)*|[^\w\s]"
)
ARTICLES = frozenset({"a", "an", "the"})
# Words people confuse that are all spelt right: replacing one by another is a word choice.
CONFUSABLES = (
    {"its", "it's"},
    {"their", "there", "they're"},
    {"your", "you're"},
    {"whose", "who's"},
    {"then", "than"},
    {"to", "too", "two"},
    {"lose", "loose"},
    {"affect", "effect"},
)
# Forms of one verb that differ by person or number, not by time.
AGREEING = ({"is", "are", "am"}, {"was", "were"}, {"has", "have"}, {"does", "do"})
PAST = {"is": "was", "are": "were", "has": "had", "have": "had", "do": "did", "does": "did"}
SHOWN = 24  # characters of a changed phrase in a reason
# Past this many tokens a hunk is no correction to tell (a rewrite), and a token diff of it
# would cost the square of its length: a hostile reply must not make the review slow.
MOST_TOKENS = 400
LONGEST_WORD = 40  # characters: a longer "word" is no misspelling to measure


def classify(old: str, new: str) -> Correction:
    """The kind of the correction that turns `old` into `new` (a sentence or a few)."""
    if len(old) + len(new) > MOST_TOKENS * LONGEST_WORD:
        return Correction(Kind.OTHER, "")
    if old.casefold() == new.casefold():
        return _told(Kind.CAPITALIZATION, _first_change(old, new))
    before, after = _TOKEN.findall(old), _TOKEN.findall(new)
    if len(before) + len(after) > MOST_TOKENS:
        return Correction(Kind.OTHER, "")
    changes = [
        (before[i1:i2], after[j1:j2])
        for op, i1, i2, j1, j2 in SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
        if op != "equal"
    ]
    if not changes:  # only spacing changed
        return Correction(Kind.PUNCTUATION, "spacing")
    if all(_punctuation(a) and _punctuation(b) for a, b in changes):
        return _told(Kind.PUNCTUATION, _joined(changes[0]))
    parts = tuple(_told(_kind_of(a, b, before), _joined((a, b))) for a, b in changes)
    kinds = {part.kind for part in parts}
    kind = kinds.pop() if len(kinds) == 1 else Kind.OTHER
    told = _told(kind, _joined(changes[0]))
    return replace(told, parts=parts) if len(parts) > 1 else told


def _told(kind: Kind, change: tuple[str, str]) -> Correction:
    """A correction of `kind` that changes `change` (the phrase before, after), said."""
    gone, added = change
    return Correction(kind, phrase(gone, added), gone, added)


def correction_of(hunk: Hunk) -> Correction:
    """What kind of correction a prose hunk makes, from its lines alone."""
    return classify(" ".join(hunk.old_lines), " ".join(hunk.new_lines))


def _kind_of(gone: list[str], added: list[str], before: list[str]) -> Kind:
    """The kind of one changed run of tokens."""
    lowered_gone, lowered_added = [t.casefold() for t in gone], [t.casefold() for t in added]
    if _punctuation(gone) and _punctuation(added):
        return Kind.PUNCTUATION
    if lowered_gone == lowered_added:
        return Kind.CAPITALIZATION
    if not added and len(gone) == 1 and _doubled(gone[0], before):
        return Kind.REPETITION
    if set(lowered_gone + lowered_added) <= ARTICLES:
        return Kind.ARTICLE
    if len(gone) == len(added) == 1:
        return _word_kind(lowered_gone[0], lowered_added[0])
    return Kind.OTHER


def _word_kind(was: str, now: str) -> Kind:
    if any(was in group and now in group for group in CONFUSABLES):
        return Kind.WORD_CHOICE
    if any(was in group and now in group for group in AGREEING) or _by_s(was, now):
        return Kind.AGREEMENT
    if PAST.get(was) == now or PAST.get(now) == was or _by_ed(was, now):
        return Kind.TENSE
    limit = 2 if len(was) > 4 else 1
    if edit_distance(was, now, limit) <= limit:
        return Kind.SPELLING
    return Kind.WORD_CHOICE


def _by_s(a: str, b: str) -> bool:
    """One is the other with -s or -es: explain/explains, go/goes."""
    short, long = sorted((a, b), key=len)
    return long in (short + "s", short + "es") or (
        short.endswith("y") and long == short[:-1] + "ies"
    )


def _by_ed(a: str, b: str) -> bool:
    """One is the other with -ed or -d (and the -s form): fix/fixed, fixes/fixed."""
    for x, y in ((a, b), (b, a)):
        stem = x.removesuffix("es") if x.endswith("es") else x.removesuffix("s")
        if y in (x + "ed", x + "d", stem + "ed", stem + "d"):
            return True
    return False


def _doubled(word: str, tokens: list[str]) -> bool:
    """Whether `word` appears twice in a row in `tokens`, whatever its case."""
    folded = word.casefold()
    return any(a.casefold() == b.casefold() == folded for a, b in pairwise(tokens))


def _punctuation(tokens: list[str]) -> bool:
    return all(not t[0].isalnum() and t[0] != "_" for t in tokens)


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """The optimal string alignment distance of a and b (insertions, deletions, substitutions
    and swaps of neighbours: "recieve" is one from "receive"), or limit + 1 when it is more.
    A banded check: it stops once a row is past the limit, so a long pair costs little."""
    if abs(len(a) - len(b)) > limit or max(len(a), len(b)) > LONGEST_WORD:
        return limit + 1
    earlier: list[int] = []
    before = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            row[j] = min(before[j] + 1, row[j - 1] + 1, before[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                row[j] = min(row[j], earlier[j - 2] + 1)
        # A swap reaches back two rows, but never below the row between: stopping is safe.
        if min(row) > limit:
            return limit + 1
        earlier, before = before, row
    return min(before[-1], limit + 1)


def _joined(change: tuple[list[str], list[str]]) -> tuple[str, str]:
    gone, added = change
    return " ".join(gone), " ".join(added)


def _first_change(old: str, new: str) -> tuple[str, str]:
    """The first word whose case changed, both ways."""
    for a, b in zip(_TOKEN.findall(old), _TOKEN.findall(new), strict=False):
        if a != b:
            return a, b
    return old, new


def phrase(before: str, after: str) -> str:
    """A change in a few words: "recieve → receive", "“a” added", "“the” removed"; each side
    cut to SHOWN characters."""
    gone, added = _short(before), _short(after)
    if not gone:
        return f"“{added}” added"
    if not added:
        return f"“{gone}” removed"
    return f"{gone} → {added}"


def _short(text: str) -> str:
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"
