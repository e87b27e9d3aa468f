"""The grammar agent: minimal corrections of a Markdown post's prose, one hunk per sentence.

Its code, links, front matter and markup are masked before the model sees them and can never
change; a hunk that does more than correct (adds, deletes, moves or rewrites a sentence, changes
the Markdown structure) is flagged by fixer/grammar.py's guards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from fixer import prompts
from fixer.agents.agent import Agent, Guard, MayCreate
from fixer.review import Review
from fixer.textview import SENTENCES, TextView

if TYPE_CHECKING:
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

    def requests(self, sources: Mapping[str, Source]) -> list[dict[str, Source]]:
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
        from fixer.grammar import grammar_review

        (source,) = sources.values()
        return grammar_review(source.name, source.text, reply)

    def local_review(
        self, sources: Mapping[str, Source], may_create: MayCreate
    ) -> tuple[Review, tuple[str, ...]]:
        """codespell on the post's prose: English only, since it would turn French words into
        English ones."""
        from fixer.grammar import correction_review
        from fixer.language import is_english
        from fixer.local import spell_prose

        (source,) = sources.values()
        if not is_english(source.text):
            note = f"codespell knows only English; {source.name} left as is (a model corrects it)"
            return Review((), ()), (note,)
        ((spelled, note),) = spell_prose([source])
        return correction_review(source.name, source.text, spelled), (note,)


GRAMMAR = ProseAgent(
    name="grammar",
    summary="minimal corrections of Markdown posts' prose; code, links and markup never change",
    prompt=PROMPT,
    request="Correct the mistakes you are sure of.",
)
