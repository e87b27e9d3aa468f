"""Grammar mode: a post's prose corrected, one sentence per hunk, protected parts never changed.

The model sees the post with code, links, front matter and markup masked; its diff of that
masked text is applied, unmasked, and compared with the post sentence by sentence. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple

from fixer.corrections import correction_of
from fixer.errors import NoDiffError
from fixer.markdown import (
    MaskError,
    changes_protected,
    keeps_placeholders,
    mask,
    protected_lines,
    unmask,
)
from fixer.patch import Hunk, PatchRejected, apply_hunks, refusal_feedback
from fixer.patch.words import tokens
from fixer.printable import CONTINUATION
from fixer.prompts import reply_preview
from fixer.review import FileChange, Flag, FlagKind, Review, ReviewHunk, build_review
from fixer.sentences import (
    align_sentences,
    changed_share,
    continues,
    file_view,
    longest_runs,
    sentence_hunks,
    split_sentences,
)
from fixer.textview import SENTENCES

PROTECTED = Flag(FlagKind.PROTECTED, "changes code, a link, front matter or markup")
REWRITE = Flag(FlagKind.REWRITE, "rewrites most of the sentence")
ADDS = Flag(FlagKind.REWRITE, "adds a sentence")
DELETES = Flag(FlagKind.REWRITE, "deletes a sentence")
MOVES = Flag(FlagKind.REWRITE, "moves a sentence")
ADDS_WORDS = Flag(FlagKind.REWRITE, "adds words to a sentence")
DELETES_WORDS = Flag(FlagKind.REWRITE, "deletes words from a sentence")
UNPAIRED = Flag(FlagKind.REWRITE, "changes too many sentences at once to check them one by one")
# Markdown structure is prose's skeleton: a correction never changes it.
PARAGRAPHS = Flag(FlagKind.STRUCTURE, "joins or splits paragraphs")
LINE_BREAK = Flag(FlagKind.STRUCTURE, "adds or removes a line break")
HEADING = Flag(FlagKind.STRUCTURE, "changes a heading's level")
MARKER = Flag(FlagKind.STRUCTURE, "changes a list or quote marker")
EMPHASIS = Flag(FlagKind.STRUCTURE, "changes emphasis (*, _, **)")
NUMBER = Flag(FlagKind.STRUCTURE, "changes a number")
REWRITE_SHARE = 0.5  # more than half the words changed: a rewrite, not a correction
RUN_WORDS = 3  # a correction adds or drops a word or two in one place ("a", "of the"), not more

PLACEHOLDER_FEEDBACK = (
    "Your diff changed a ⟦n⟧ mark ({problem}). Those marks stand for code, links and markup: "
    "copy each one exactly, once, where it is. Send the diff again."
)


def grammar_review(name: str, original: str, reply: str) -> Review:
    """The review of a model's diff of the masked post: sentence hunks, risky ones flagged.

    NoDiffError (with feedback for the model) when the reply holds no usable diff or breaks
    the masks.
    """
    masked = mask(original)
    try:
        placed = build_review(reply, {name: masked.text})
    except PatchRejected as error:
        raise NoDiffError(
            f"{error}\n{reply_preview(reply)}", "Your reply held no unified diff of the post."
        ) from None
    kept: list[Hunk] = []
    refusals = list(placed.refusals)
    for number, item in enumerate(placed.hunks, start=1):
        if _keeps_placeholders(item.hunk):
            kept.append(item.hunk)
            continue
        # A paragraph is often one line: its other sentences' corrections are kept.
        salvaged = _salvaged(item.hunk)
        if salvaged is not None:
            kept.append(salvaged)
        what = "the rest of its sentences were kept" if salvaged else "never applied"
        refusals.append(
            PatchRejected(
                f"changes code, a link, front matter or markup (a ⟦n⟧ mark): {what}",
                path=name,
                hunk=number,
            )
        )
    if not kept:
        if refusals and not all(r.already_applied for r in refusals):
            reasons = "\n".join(f"refused {r}" for r in refusals)
            raise NoDiffError(
                f"no hunk of the diff could be applied to the post:\n{reasons}\n"
                f"{reply_preview(reply)}",
                refusal_feedback(refusals),
                refused=len(refusals),
            )
        return Review((FileChange(name, original, refusals=tuple(refusals)),), ())
    corrected = apply_hunks(masked.text, kept)
    try:
        text = unmask(corrected, masked)
    except MaskError as error:
        raise NoDiffError(
            f"the reply changed the post's protected parts: {error}",
            PLACEHOLDER_FEEDBACK.format(problem=error),
        ) from None
    return correction_review(name, original, text, tuple(refusals))


def _salvaged(hunk: Hunk) -> Hunk | None:
    """The hunk with each sentence that changed a ⟦n⟧ mark put back as it was; None when it
    keeps no correction (or its lines do not pair up)."""
    removed = [line[1:] for line in hunk.lines if line[0] == "-"]
    added = [line[1:] for line in hunk.lines if line[0] == "+"]
    if len(removed) != len(added):
        return None
    safe = []
    for old, new in zip(removed, added, strict=True):
        olds, news = split_sentences(old), split_sentences(new)
        if len(olds) != len(news):
            safe.append(old)
            continue
        pairs = zip(olds, news, strict=True)
        safe.append("".join(n if keeps_placeholders(o, n) else o for o, n in pairs))
    if safe == removed:
        return None
    fresh = iter(safe)
    lines = tuple(("+" + next(fresh)) if line[0] == "+" else line for line in hunk.lines)
    return replace(hunk, lines=lines)


def _keeps_placeholders(hunk: Hunk) -> bool:
    """Whether a hunk of the masked post leaves its ⟦n⟧ marks exactly as they were, each on
    its own line if it was."""
    return keeps_placeholders("\n".join(hunk.old_lines), "\n".join(hunk.new_lines))


def correction_review(
    name: str, original: str, corrected: str, refusals: tuple[PatchRejected, ...] = ()
) -> Review:
    """One hunk per corrected sentence of `original`, flagged when it touches protected text or
    rewrites rather than corrects."""
    view, hunks = sentence_hunks(original, corrected, protected_lines(original))
    change = FileChange(name, view, refusals=refusals, view=SENTENCES)
    flags = _moved([_flag(original, view, h) for h in hunks], hunks)
    return Review(
        (change,),
        tuple(
            ReviewHunk(name, h, f, correction=correction_of(h))
            for h, f in zip(hunks, flags, strict=True)
        ),
    )


def _flag(original: str, view: str, hunk: Hunk) -> Flag | None:
    if changes_protected(original, file_view(apply_hunks(view, [hunk]))):
        return PROTECTED
    old, new = hunk.old_lines, hunk.new_lines
    structure = _structure_flag(_skeleton(old), _skeleton(new))
    if old and new:  # a paragraph split or joined says so, even when a sentence moved with it
        return structure or _sentence_flag(old, new)
    return _sentence_flag(old, new) or structure  # lines added or deleted, whole


def _sentence_flag(old: Sequence[str], new: Sequence[str]) -> Flag | None:
    """Why a run of sentences is more than a correction: one added, deleted or rewritten, each
    measured against the sentence it pairs with."""
    for olds, news in align_sentences(old, new):
        if not news and any(_words(old[k]) for k in olds):
            return DELETES
        if not olds and any(_words(new[k]) for k in news):
            return ADDS
        if len(olds) > 2 or len(news) > 2:
            return UNPAIRED
        before, after = "".join(old[k] for k in olds), "".join(new[k] for k in news)
        if changed_share(before, after) > REWRITE_SHARE:
            return REWRITE
        added, removed = longest_runs(before, after)
        if added >= RUN_WORDS:
            return ADDS_WORDS
        if removed >= RUN_WORDS:
            return DELETES_WORDS
    return None


# A file line's block prefix: indent, then quote and list markers, then a heading's #s.
_LINE_START = re.compile(r"[ \t]*((?:>[ \t]?|(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$))*)(#{0,6})")
_HARD_BREAK = re.compile(r"(?: {2,}|\\)$")
_EMPHASIS = re.compile(r"\*+|_+")
_NUMBER = re.compile(r"\d+")


class _Skeleton(NamedTuple):
    """The Markdown structure of one side of a hunk, as far as its lines show it."""

    blank: int  # blank lines
    joined: bool  # the first line goes on the file line above the hunk
    lines: tuple[bool, ...]  # per file line: whether it ends in a hard break
    headings: tuple[str, ...]
    markers: tuple[str, ...]  # quote and list markers, their spacing aside
    emphasis: tuple[str, ...]
    numbers: tuple[str, ...]


def _skeleton(view_lines: Sequence[str]) -> _Skeleton:
    lines = file_view("\n".join(view_lines)).split("\n") if view_lines else []
    starts = [_LINE_START.match(line) for line in lines]
    bodies = [line[m.end() :] for line, m in zip(lines, starts, strict=True) if m]
    return _Skeleton(
        sum(not line.strip() for line in lines),
        bool(view_lines) and continues(view_lines[0]),
        tuple(bool(_HARD_BREAK.search(line)) for line in lines),
        tuple(m.group(2) for m in starts if m),
        tuple("".join(m.group(1).split()) for m in starts if m),
        tuple(e for body in bodies for e in _EMPHASIS.findall(body)),
        tuple(n for line in lines for n in _NUMBER.findall(line)),
    )


def _structure_flag(old: _Skeleton, new: _Skeleton) -> Flag | None:
    """Why a hunk changes the post's Markdown structure, if it does."""
    if old.blank != new.blank:
        return PARAGRAPHS
    if old.joined != new.joined or old.lines != new.lines:
        return LINE_BREAK
    for reason, before, after in (
        (HEADING, old.headings, new.headings),
        (MARKER, old.markers, new.markers),
        (EMPHASIS, old.emphasis, new.emphasis),
        (NUMBER, old.numbers, new.numbers),
    ):
        if before != after:
            return reason
    return None


_WHOLE_SENTENCES = (ADDS, DELETES, REWRITE, ADDS_WORDS, DELETES_WORDS)


def _moved(flags: list[Flag | None], hunks: Sequence[Hunk]) -> list[Flag | None]:
    """The flags, with a sentence that a flagged hunk takes out and one puts back elsewhere
    said to move (in both hunks)."""
    flagged = [k for k, flag in enumerate(flags) if flag in _WHOLE_SENTENCES]
    gone = {w: k for k in flagged for line in hunks[k].old_lines if (w := _words(line))}
    moved = list(flags)
    for k in flagged:
        for line in hunks[k].new_lines:
            back = gone.get(_words(line))
            if back is not None:
                moved[k] = moved[back] = MOVES
    return moved


def _words(text: str) -> str:
    """A sentence's words, compared whatever its case, spacing and continuation marks."""
    return " ".join(t.casefold() for t in tokens(text.replace(CONTINUATION, "")) if not t.isspace())
