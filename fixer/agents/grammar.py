"""The grammar agent: minimal corrections of a Markdown post's prose, one hunk per sentence.

Its code, links, front matter and markup are masked before the model sees them and can never
change; a hunk that does more than correct (adds, deletes, moves or rewrites a sentence, changes
the Markdown structure) is flagged by fixer/grammar.py's guards.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NamedTuple

from fixer import prompts
from fixer.agents.agent import Agent, Guard, MayCreate
from fixer.corrections import Correction
from fixer.review import Flag, FlagKind, Review, ReviewHunk
from fixer.textview import SENTENCES, TextView

if TYPE_CHECKING:
    from fixer.config import Config
    from fixer.proofread import Fix
    from fixer.sources import Source

PROMPT = """You are fixer, a careful copy editor of blog posts written in Markdown.

Correct grammar, spelling, agreement and punctuation mistakes only:
- Minimal corrections: change as few words as possible. Do not reword for style, do not shorten,
  do not add or remove sentences, do not change the tone: keep the author's voice.
- Keep the language of every sentence. Never translate, not even a word or a quote.
- Marks like ⟦3⟧ stand for code, links, front matter and markup: copy each one exactly, once, where
  it is. Never edit, move, drop or add them.
- Keep every line break: a paragraph that is one line stays one line.
"""

PROSE_ONLY = Guard("prose-only")  # the checks live in the review itself (fixer/grammar.py)


class _Masked(NamedTuple):
    name: str
    text: str


@dataclass(frozen=True)
class ProseAgent(Agent):
    """An agent that corrects prose: one request per post (a long one section by section), the
    post masked, the reply reviewed sentence by sentence."""

    files: tuple[str, ...] = ("*.md", "*.markdown")
    guard: Guard = PROSE_ONLY
    context: int = 1  # a sentence's hunk needs little context; fewer output tokens
    view: TextView = SENTENCES
    takes_diffs: bool = False  # it asks for corrections of the post itself
    explains: bool = False
    prints_flagged: bool = False  # its flags are guards: a flagged hunk does more than correct
    dialect: str | None = None  # English posts' dialect when their front matter names none
    words: frozenset[str] = frozenset()  # the user's known words (fixer/known_words.py)

    def configured(self, config: Config) -> ProseAgent:
        return replace(self, dialect=config.prose.dialect, words=config.prose.words)

    def requests(self, sources: Mapping[str, Source], budget: int = 0) -> list[dict[str, Source]]:
        return [{name: source} for name, source in sources.items()]

    def sections(self, text: str, limit: int) -> list[str]:
        from fixer.markdown import sections

        return sections(text, limit)

    def messages(
        self, sources: Mapping[str, Source], instruction: str | None, feedback: str = ""
    ) -> list[dict[str, str]]:
        from fixer.markdown import mask

        (source,) = sources.values()
        masked = _Masked(source.name, mask(source.text).text)
        return prompts.messages(self.rules, [masked], instruction or self.request, feedback)

    def review(self, reply: str, sources: Mapping[str, Source], may_create: MayCreate) -> Review:
        """The model's corrections, sentence by sentence; on an English post, a correction that
        brings in an error Harper finds (an "a" before a vowel, a misspelling) is flagged."""
        from fixer import proofread
        from fixer.grammar import grammar_review
        from fixer.language import is_english, post_dialect

        (source,) = sources.values()
        review = grammar_review(source.name, source.text, reply)
        if not (is_english(source.text) and proofread.available()):
            return review
        dialect = post_dialect(source.text, self.dialect)
        deadline = time.monotonic() + proofread.SECONDS
        return Review(review.files, tuple(_checked(h, dialect, deadline) for h in review.hunks))

    def local_review(
        self, sources: Mapping[str, Source], may_create: MayCreate
    ) -> tuple[Review, tuple[str, ...]]:
        """codespell, then Harper, on the post's prose: English only, since they would turn
        French words into English ones. Harper's hunks carry Harper's kind of correction."""
        from fixer.grammar import correction_review
        from fixer.language import is_english, post_dialect
        from fixer.local import correct_prose

        (source,) = sources.values()
        if not is_english(source.text):
            note = (
                f"codespell and Harper know only English; {source.name} left as is "
                "(a model corrects it)"
            )
            return Review((), ()), (note,)
        dialect = post_dialect(source.text, self.dialect)
        (corrected,) = correct_prose([source], dialect=dialect, words=self.words)
        review = correction_review(source.name, source.text, corrected.text)
        return _labelled(review, corrected.fixes), corrected.notes


def _sides(item: ReviewHunk) -> tuple[str, str]:
    from fixer.sentences import file_view

    hunk = item.hunk
    return file_view("\n".join(hunk.old_lines)), file_view("\n".join(hunk.new_lines))


def _labelled(review: Review, found: Sequence[Fix]) -> Review:
    """The review with each hunk that makes one of Harper's fixes labelled with its kind."""
    from fixer.proofread import matching

    fixes = matching([_sides(h) for h in review.hunks], found)
    return Review(
        review.files,
        tuple(
            replace(h, correction=replace(h.correction or Correction(f.kind, ""), kind=f.kind))
            if f
            else h
            for h, f in zip(review.hunks, fixes, strict=True)
        ),
    )


def _checked(item: ReviewHunk, dialect: str | None, deadline: float) -> ReviewHunk:
    """The hunk, flagged when its new side has an error Harper finds that its old side had not."""
    from fixer.proofread import new_errors

    if item.flag is not None:
        return item
    brought = new_errors(*_sides(item), dialect, deadline)
    if not brought:
        return item
    first = brought[0]
    why = f"Harper finds an error it brings in: {first.message} ({first.problem!r})"
    return replace(item, flag=Flag(FlagKind.NEW_ERROR, why))


GRAMMAR = ProseAgent(
    name="grammar",
    summary="minimal corrections of Markdown posts' prose; code, links and markup never change",
    prompt=PROMPT,
    request="Correct the mistakes you are sure of.",
)
