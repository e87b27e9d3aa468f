"""The docs agent: docstrings and comments only, routed to the cheap background model.

Its guard refuses, before anyone reviews it, every hunk that changes anything but comments and
docstrings (fixer/codeguard.py compares the code of both sides); its offline fixer is codespell
through the same guard, never ruff, whose fixes change code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fixer.agents.agent import Agent, Guard, MayCreate, diff_review, flags_of
from fixer.review import Flag, FlagKind, Review
from fixer.router import Scenario

if TYPE_CHECKING:
    from fixer.patch import Hunk
    from fixer.sources import Source

PROMPT = """You are fixer, a careful senior engineer who documents code by writing unified diffs.

Write and fix docstrings and comments only:
- Say what the code does and why, briefly, in the language and style the file already uses.
- Fix comments and docstrings that are wrong, out of date, unclear or misspelt.
- Keep every line of code byte-identical: no renames, no reformatting, no new or removed code,
  not even whitespace. A hunk that changes code is refused whole.
"""


def _comments_only(name: str, original: str, hunks: Sequence[Hunk]) -> list[Flag | None]:
    from fixer.codeguard import code_changes  # Pygments and ast only when a review is checked

    return flags_of(FlagKind.CODE, code_changes(name, original, hunks))


COMMENTS_ONLY = Guard("comments-only", _comments_only, refuses=True)


@dataclass(frozen=True)
class DocsAgent(Agent):
    """An agent that may change comments and docstrings only."""

    guard: Guard = COMMENTS_ONLY
    scenario: Scenario = Scenario.BACKGROUND  # documentation needs no strong model
    prints_flagged: bool = False

    def local_review(
        self, sources: Mapping[str, Source], may_create: MayCreate
    ) -> tuple[Review, tuple[str, ...]]:
        """codespell on the whole file, through the guard: a fix it makes in code is refused."""
        from fixer.local import spell_prose, unified_diff

        files = list(sources.values())
        spelled = spell_prose(files) if files else []
        reply = "".join(
            unified_diff(s.text, text, s.name) for s, (text, _) in zip(files, spelled, strict=True)
        )
        originals = {n: s.text for n, s in sources.items()}
        review = diff_review(reply, originals, may_create) if reply else Review((), ())
        return self.guarded(review), tuple(note for _, note in spelled)


DOCS = DocsAgent(
    name="docs",
    summary="docstrings and comments only; a hunk that changes code is refused",
    prompt=PROMPT,
    request="Write the missing docstrings and comments and fix the wrong ones.",
)
