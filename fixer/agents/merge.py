"""The merge agent: several Markdown posts made into one new post, reviewed hunk by hunk.

The base text is the posts one after the other: the first one's front matter, then each post's
body under a heading with its title and date. The model answers with a diff of that base (a
table of contents, transitions, duplicates removed, heading levels evened), its code, links and
front matter masked as in grammar mode, so they never change. Accepting writes --into; the posts
themselves are never changed.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import accumulate
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from fixer import prompts
from fixer.agents.agent import Agent, Guard, MayCreate, diff_review
from fixer.errors import InputError, NoDiffError
from fixer.patch import (
    Hunk,
    PatchRejected,
    apply_hunks,
    diff_hunks,
    refusal_feedback,
    split_hunk,
)
from fixer.review import FileChange, Flag, FlagKind, Review, ReviewHunk

if TYPE_CHECKING:
    from fixer.sources import Source

PROMPT = """You are fixer, an editor who merges several dated blog posts into one post.

The post you are given is the posts one after the other, each under a heading with its title and
date. Make it one post, keeping the author's words and voice:
- Add a short table of contents after the front matter, and a transition sentence where one
  section's subject turns to the next one's.
- Remove passages that say again what an earlier section already says.
- Even the heading levels: each post's heading at one level, its own headings below it.
- Do not reword, shorten or translate what you keep.
- Marks like ⟦3⟧ stand for code, links and front matter: copy each one exactly, once, where it
  is. Never edit, move, drop or add them.
"""

PROTECTED = Flag(FlagKind.PROTECTED, "changes code, a link or front matter")
LOST = Flag(FlagKind.LOST_PASSAGE, "deletes a passage found nowhere else in the merged post")

_FRONT_MATTER = re.compile(r"\A(---|\+\+\+)[ \t]*\n.*?\n\1[ \t]*(?:\n|\Z)", re.DOTALL)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# YAML's `title: x` or TOML's `title = "x"`, in the front matter.
_FIELD = re.compile(r"^(title|date)[ \t]*[:=][ \t]*(.*?)[ \t]*$", re.MULTILINE | re.IGNORECASE)
_WORD = re.compile(r"\w+")
_LINE_MARKS = re.compile(r"^[\s#>*+-]*")  # heading, quote and list marks: evened, not lost


def base_text(posts: Sequence[Source]) -> str:
    """The posts one after the other: the first one's front matter, then each body under a
    `## title (date)` heading. Line endings become \\n and a BOM is dropped: a new file."""
    parts: list[str] = []
    for number, post in enumerate(posts):
        text = post.text.removeprefix("\ufeff").replace("\r\n", "\n")
        found = _FRONT_MATTER.match(text)
        front = found.group(0) if found else ""
        if number == 0 and front:
            parts.append(front.rstrip("\n") + "\n")
        title, date = _title_and_date(post.name, front)
        heading = f"## {title} ({date})" if date and date != title else f"## {title}"
        parts.append(f"{heading}\n\n{text[len(front) :].strip(chr(10))}\n")
    return "\n".join(parts)


def _title_and_date(name: str, front: str) -> tuple[str, str | None]:
    """A post's title and date: its front matter's `title` and `date`, else its file name's
    (2024-05-01-some-notes.md: "some notes", 2024-05-01)."""
    fields = {m.group(1).lower(): m.group(2).strip().strip("\"'") for m in _FIELD.finditer(front)}
    stem = PurePosixPath(name).stem
    in_name = _DATE.match(stem)
    date_field = _DATE.search(fields.get("date", ""))
    date = date_field.group(0) if date_field else fields.get("date") or None
    if date is None and in_name:
        date = in_name.group(0)
    plain = stem[in_name.end() :] if in_name else stem
    title = fields.get("title") or " ".join(plain.replace("_", "-").split("-")).strip() or stem
    return title, date


def _lost(name: str, original: str, hunks: Sequence[Hunk]) -> list[Flag | None]:
    """Per hunk: why it is more than a merge (a protected part changed, a passage deleted that
    the merged post does not hold elsewhere), or None. Linear in the post: a reply of many
    hunks never parses it once per hunk."""
    from fixer.markdown import protected_spans

    spans = protected_spans(original)
    starts = [0, *accumulate(len(line) + 1 for line in original.split("\n"))]
    kept = {_words(line) for line in apply_hunks(original, hunks).split("\n")}
    reasons: list[Flag | None] = []
    for hunk in hunks:
        first = hunk.old_index or 0
        begin, end = starts[first], starts[min(first + hunk.old_count, len(starts) - 1)]
        pieces = _pieces_in(original, spans, begin, end)
        # Each new line ends as the old ones do: a code block the hunk's context cuts keeps its
        # last newline.
        if not _in_order(pieces, "".join(line + "\n" for line in hunk.new_lines)):
            reasons.append(PROTECTED)
            continue
        new = "\n".join(line for line in hunk.lines if line[0] == "+")
        added = set(_WORD.findall(new.casefold()))
        gone = (line[1:] for line in hunk.lines if line[0] == "-")
        reasons.append(LOST if any(_lost_line(line, kept, added) for line in gone) else None)
    return reasons


def _lost_line(line: str, kept: set[str], added: set[str]) -> bool:
    """Whether a deleted line is lost: it has words, the merged post holds it nowhere, and the
    hunk's new lines do not hold most of its words (an edited line, a transition added)."""
    words = _words(line)
    if not words or words in kept:
        return False
    found = _WORD.findall(words)
    return 2 * sum(word in added for word in found) < len(found)


def _pieces_in(text: str, spans: Sequence[tuple[int, int]], begin: int, end: int) -> list[str]:
    """The protected text of text[begin:end], piece by piece (a code block cut at the ends)."""
    pieces = []
    for k in range(max(bisect_right(spans, (begin, begin)) - 1, 0), len(spans)):
        start, stop = spans[k]
        if start >= end:
            break
        piece = text[max(start, begin) : min(stop, end)]
        if piece.strip():
            pieces.append(piece)
    return pieces


def _words(line: str) -> str:
    """A line's words, whatever its heading level, list or quote mark, spacing and case."""
    return " ".join(_LINE_MARKS.sub("", line).casefold().split())


def _in_order(pieces: Sequence[str], text: str) -> bool:
    """Whether each protected piece is in `text`, in order (a new link may be added)."""
    at = 0
    for piece in pieces:
        found = text.find(piece, at)
        if found < 0:
            return False
        at = found + len(piece)
    return True


KEEPS_PASSAGES = Guard("keeps-passages", _lost)


def _only_the_post(name: str) -> str:
    return "the merge agent writes only the merged post"


@dataclass(frozen=True)
class MergeAgent(Agent):
    """Posts merged into one new file (--into): one request, asked whole, its reply a diff of
    the posts one after the other."""

    files: tuple[str, ...] = ("*.md", "*.markdown")
    guard: Guard = KEEPS_PASSAGES
    prints_flagged: bool = False  # a flag is a passage lost or a protected part changed
    offline: bool = False  # no offline tool merges posts (the base alone is no merge)

    def sources_of(self, read: Mapping[str, Source], into: Source | None) -> dict[str, Source]:
        """The one file a merge works on: --into, new, holding the posts one after the other."""
        if into is None:
            raise InputError("the merge agent writes a new post: name it with --into PATH")
        why = self.refusal(into.name)
        if why is not None:
            raise InputError(f"--into: {why}")
        if len(read) < 2:
            raise InputError("the merge agent merges two posts or more: name them all")
        empty = [name for name, source in read.items() if not source.text.strip("\ufeff \t\r\n")]
        if empty:
            raise InputError(f"{', '.join(empty)}: empty, nothing to merge; leave it out")
        return {into.name: replace(into, text=base_text(list(read.values())))}

    def messages(
        self, sources: Mapping[str, Source], instruction: str | None, feedback: str = ""
    ) -> list[dict[str, str]]:
        from fixer.markdown import mask

        masked = [replace(s, text=mask(s.text).text) for s in sources.values()]
        return prompts.messages(self.rules, masked, instruction or self.request, feedback)

    def review(self, reply: str, sources: Mapping[str, Source], may_create: MayCreate) -> Review:
        """The reply's diff of the masked base: a hunk that changes a ⟦n⟧ mark is refused, the
        others applied, unmasked, and reviewed line by line against the base."""
        from fixer.markdown import MaskError, keeps_placeholders, mask, unmask

        (source,) = sources.values()
        masked = mask(source.text)
        placed = diff_review(reply, {source.name: masked.text}, _only_the_post)
        kept: list[Hunk] = []
        refusals = list(placed.refusals)
        # Each change on its own: a change of a mark does not take its neighbours down with it.
        pieces = [piece for item in placed.hunks for piece in split_hunk(item.hunk)]
        for number, piece in enumerate(pieces, start=1):
            old, new = "\n".join(piece.old_lines), "\n".join(piece.new_lines)
            if keeps_placeholders(old, new):
                kept.append(piece)
                continue
            why = f"{PROTECTED} (a ⟦n⟧ mark)"
            refusals.append(PatchRejected(why, path=source.name, hunk=number))
        if pieces and not kept:
            raise NoDiffError(
                f"every hunk of the reply {PROTECTED}: none applied\n"
                f"{prompts.reply_preview(reply)}",
                refusal_feedback(refusals),
                refused=len(refusals),
            )
        try:
            merged = unmask(apply_hunks(masked.text, kept), masked)
        except MaskError as error:
            raise NoDiffError(
                f"the reply changed the posts' protected parts: {error}",
                f"Your diff changed a ⟦n⟧ mark ({error}): copy each one exactly. Send it again.",
            ) from None
        change = FileChange(source.name, source.text, refusals=tuple(refusals))
        hunks = tuple(ReviewHunk(source.name, h) for h in diff_hunks(source.text, merged))
        return self.guarded(Review((change,), hunks))


MERGE = MergeAgent(
    name="merge",
    summary="several Markdown posts merged into one new post (--into); code and links kept",
    prompt=PROMPT,
    request="Merge these posts into one post.",
)
