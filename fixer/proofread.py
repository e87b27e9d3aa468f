"""Harper's corrections of a post's prose: only the kinds of lint that are right nearly always.

Harper (harper-py: Automattic's offline English checker, in Rust, in process) lints the masked
post, so code, links, front matter and markup are ⟦n⟧ marks it cannot touch. Of its lints, fixer
applies only those whose rule is precise on real posts (bench/bench_grammar.py measures which),
and never "corrects" a known word: jargon, names and identifiers (fixer/known_words.py).
The same lints tell, for a model's correction, whether it brought in an error of its own.

Harper is imported on first use: `fixer --help` and code reviews never load it.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from fixer.corrections import Kind, edit_distance
from fixer.language import DIALECTS  # in the order of Harper's Dialect

if TYPE_CHECKING:
    from harper import Linter

# Harper's lint kinds whose fixes are applied, as fixer's kinds of correction. Left out, as wrong
# too often on real posts or no correction at all: Style, Readability, Enhancement, Redundancy,
# Usage, Formatting, Regionalism (the dialect's business), Nonstandard, Punctuation.
KINDS = {
    "Spelling": Kind.SPELLING,
    "Typo": Kind.SPELLING,
    "BoundaryError": Kind.SPELLING,  # alot, infact
    "Repetition": Kind.REPETITION,
    "Agreement": Kind.AGREEMENT,
    "Capitalization": Kind.CAPITALIZATION,
    "WordChoice": Kind.WORD_CHOICE,
    "Grammar": Kind.WORD_CHOICE,  # their/there, then/than
    "Eggcorn": Kind.WORD_CHOICE,
    "Malapropism": Kind.WORD_CHOICE,
    "Miscellaneous": Kind.OTHER,
}
# Rules whose kind fixer names better than Harper's lint kind does, and rules left out of a
# kind it applies, because they misfire on posts (measured: Who's book -> who's book).
RULE_KINDS = {
    "AnA": Kind.ARTICLE,
    "ItsContraction": Kind.WORD_CHOICE,
    "ItsPossessive": Kind.WORD_CHOICE,
}
LEFT_OUT = frozenset({"OrthographicConsistency", "CapitalizePersonalPronouns"})
# Only these Miscellaneous and Capitalization rules are precise enough.
ONLY = {
    "Miscellaneous": frozenset({"AnA"}),
    "Capitalization": frozenset({"SentenceCapitalization"}),
}
SPELL_CHECK = "SpellCheck"
MOST_CHARS = 2_000_000  # a longer text is not linted: Harper's time grows with it
_MARK = re.compile("[⟦⟧]")
_LOWER_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_lock = threading.Lock()  # a Linter is not thread-safe, and the review lints from a worker


@dataclass(frozen=True)
class Fix:
    """One lint Harper is sure of: `text[start:end]` (the problem) becomes `replacement`."""

    start: int
    end: int
    problem: str
    replacement: str
    rule: str
    kind: Kind
    message: str

    @property
    def word(self) -> str:
        """The word a spelling fix corrects, "" for other fixes."""
        return self.problem if self.kind is Kind.SPELLING else ""


def available() -> bool:
    """Whether Harper can be loaded here (a wheel exists for most platforms, not all)."""
    try:
        import harper  # noqa: F401
    except ImportError:
        return False
    return True


@cache
def _linter(dialect: str) -> Linter:
    from harper import Dialect, Linter

    return Linter(Dialect(DIALECTS.index(dialect)))  # about a second: once per process


def lint(text: str, dialect: str | None = None) -> list[Fix]:
    """Harper's precise fixes of `text` (a masked post or a sentence), in order, none touching
    a ⟦n⟧ mark; known words are not filtered here (see `fixes`). With no dialect told, a word
    spelt right in British or American English is no misspelling (colour, color)."""
    if len(text) > MOST_CHARS:
        return []
    found = _fixes(text, dialect if dialect in DIALECTS else "american")
    if dialect in DIALECTS:
        return found
    words = {f.problem for f in found if f.rule == SPELL_CHECK}
    if not words:
        return found
    listed = _fixes("\n".join(sorted(words)), "british")
    wrong = {f.problem for f in listed if f.rule == SPELL_CHECK}
    return [f for f in found if f.rule != SPELL_CHECK or f.problem in wrong]


def _fixes(text: str, dialect: str) -> list[Fix]:
    linter = _linter(dialect)
    with _lock:
        found = linter.organized_lints(text, language="markdown")
    return sorted(
        (fix for rule, lints in found.items() for lint in lints if (fix := _fix(rule, lint, text))),
        key=lambda f: f.start,
    )


def _fix(rule: str, lint: object, text: str) -> Fix | None:
    from harper import Lint

    assert isinstance(lint, Lint)
    kind = KINDS.get(lint.lint_kind)
    if kind is None or rule in LEFT_OUT or rule not in ONLY.get(lint.lint_kind, (rule,)):
        return None
    if not lint.suggestions:
        return None
    start, end = lint.span.start, lint.span.end
    # A mark or a word glued to one is code or a link's text: not Harper's to change.
    if _MARK.search(text[max(start - 1, 0) : end + 1]):
        return None
    suggestion = lint.suggestions[0]
    replacement = suggestion.replacement_text
    if suggestion.kind == 2:  # insert after the problem
        replacement = lint.problem_text + replacement
    elif suggestion.kind == 1:  # remove
        replacement = ""
    problem = lint.problem_text
    if kind is Kind.SPELLING and not _plain_misspelling(problem, replacement):
        return None
    return Fix(
        start,
        end,
        problem,
        _same_case(problem, replacement),
        rule,
        RULE_KINDS.get(rule, kind),
        lint.message,
    )


def _plain_misspelling(word: str, replacement: str) -> bool:
    """Whether a spelling lint is a plain word misspelt: all lower case (names, acronyms and
    camelCase are jargon Harper does not know), and its fix one edit away, as real slips are
    (recieve, definately, untill); two away is a guess at jargon (sshing -> seeing)."""
    return bool(_LOWER_WORD.fullmatch(word)) and edit_distance(word, replacement.lower(), 1) <= 1


def _same_case(problem: str, replacement: str) -> str:
    """Harper upper-cases a whole replacement for a capital problem ("A" -> "AN")."""
    shouting = len(problem) > 1 and problem.isupper()
    if len(replacement) > 1 and replacement.isupper() and not shouting:
        return replacement.capitalize()
    return replacement


def fixes(
    text: str, dialect: str | None, known: Callable[[set[str]], set[str]] = lambda words: set()
) -> list[Fix]:
    """Harper's precise fixes of a masked post, but for the words `known` says are known
    (asked once, with every word Harper would correct)."""
    found = lint(text, dialect)
    words = {f.problem.casefold() for f in found if f.kind in _WORDS}
    told = known(words) if words else set()
    return [f for f in found if not (f.kind in _WORDS and f.problem.casefold() in told)]


# A known word is not misspelt, nor is it wrongly capitalised at a sentence's start (npm, git).
_WORDS = frozenset({Kind.SPELLING, Kind.CAPITALIZATION})


def apply(text: str, found: Iterable[Fix]) -> str:
    """`text` with the fixes made; of two that overlap, the first."""
    parts: list[str] = []
    at = 0
    for fix in sorted(found, key=lambda f: f.start):
        if fix.start < at:
            continue
        parts += [text[at : fix.start], fix.replacement]
        at = fix.end
    parts.append(text[at:])
    return "".join(parts)


def new_errors(old: str, new: str, dialect: str | None = None) -> list[Fix]:
    """The precise lints of `new` that `old` does not have: what a correction brought in."""
    before = Counter((f.rule, f.problem) for f in lint(old, dialect))
    brought: list[Fix] = []
    for fix in lint(new, dialect):
        if before[fix.rule, fix.problem]:
            before[fix.rule, fix.problem] -= 1
        else:
            brought.append(fix)
    return brought


def matching(changes: Sequence[tuple[str, str]], found: Sequence[Fix]) -> list[Fix | None]:
    """For each change (old text, new text, in order), the first unused fix it holds, by its
    problem and replacement: how a hunk of Harper's corrections learns Harper's kind."""
    left = list(found)
    matched: list[Fix | None] = []
    for old, new in changes:
        at = next(
            (k for k, f in enumerate(left) if f.problem in old and f.replacement in new), None
        )
        matched.append(left.pop(at) if at is not None else None)
    return matched
