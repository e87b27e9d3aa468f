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
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

from fixer.corrections import Kind, edit_distance
from fixer.language import DIALECTS  # in the order of Harper's Dialect

if TYPE_CHECKING:
    from harper import Lint, Linter, Suggestion

# Harper's lint kinds whose fixes are applied, as fixer's kinds of correction. Left out, as wrong
# too often on real posts or no correction at all: Style, Readability, Enhancement, Redundancy,
# Usage, Formatting, Regionalism (the dialect's business), Nonstandard, Punctuation, and
# BoundaryError (measured on bench/data/grammar: runbook -> run book).
KINDS = {
    "Spelling": Kind.SPELLING,
    "Typo": Kind.SPELLING,
    "Repetition": Kind.REPETITION,
    "Agreement": Kind.AGREEMENT,
    "Capitalization": Kind.CAPITALIZATION,
    "WordChoice": Kind.WORD_CHOICE,
    "Grammar": Kind.WORD_CHOICE,  # their/there, then/than
    "Eggcorn": Kind.WORD_CHOICE,
    "Malapropism": Kind.WORD_CHOICE,
    "Miscellaneous": Kind.OTHER,
}
# Rules whose kind fixer names better than Harper's lint kind does (and applies even when it
# leaves that lint kind out: ItsContraction is Harper's Punctuation).
RULE_KINDS = {
    "AnA": Kind.ARTICLE,
    "ItsContraction": Kind.WORD_CHOICE,
    "ItsPossessive": Kind.WORD_CHOICE,
}
# Rules left out of a kind fixer applies, as they misfire on posts: Who's book -> who's book
# (OrthographicConsistency); measured on bench/data/grammar: untill -> distill (WrongNegative),
# accross -> ac cross and adress -> a dress (SplitWords), "a change there moves" -> their.
LEFT_OUT = frozenset(
    {
        "OrthographicConsistency",
        "CapitalizePersonalPronouns",
        "WrongNegative",
        "SplitWords",
        "ThereToTheir",
    }
)
# Only these Miscellaneous and Capitalization rules are precise enough.
ONLY = {
    "Miscellaneous": frozenset({"AnA"}),
    "Capitalization": frozenset({"SentenceCapitalization"}),
}
SPELL_CHECK = "SpellCheck"
SENTENCE_START = "SentenceCapitalization"
MOST_CHARS = 2_000_000  # a longer text is not linted at all
SECONDS = 10.0  # Harper's time for one post, or one reply's hunks: what a hostile text may cost
CHUNK = 8_000  # characters Harper lints at once: one call per paragraph would cost 0.4 ms each
MOST_PARAGRAPH = 20_000  # characters; a real post's longest paragraph is far shorter
LISTED = 40  # words a sentence of _unknown's lists
LOOK_AHEAD = 8  # fixes a hunk is matched against; a hunk holds one fix, or a few
_MARK = re.compile("[⟦⟧]")
_REMOVE, _INSERT_AFTER = 1, 2  # harper.SuggestionKind's, without importing Harper to say so
LONGEST_MARKER = 16  # characters of a list item's indent, quote and list markers
_LIST_ITEM = re.compile(r"[ \t]*(?:>[ \t]*)*(?:[-*+]|\d{1,9}[.)])[ \t]+")
_PARAGRAPH_END = re.compile(r"\n[ \t]*\n")
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


def lint(text: str, dialect: str | None = None, deadline: float | None = None) -> list[Fix]:
    """Harper's precise fixes of `text` (a masked post or a sentence), in order, none touching
    a ⟦n⟧ mark; known words are not filtered here (see `fixes`). With no dialect told, a word
    spelt right in British or American English is no misspelling (colour, color); a sentence
    that starts with a word Harper does not know (kubectl, pytest) is not capitalised. Past
    the `deadline` (time.monotonic()), the rest of the text is not linted."""
    if len(text) > MOST_CHARS:
        return []
    told = dialect if dialect in DIALECTS else None
    found = _fixes(text, told or "american", deadline)
    spelt = {f.problem for f in found if f.rule == SPELL_CHECK}
    starts = {f.problem for f in found if f.rule == SENTENCE_START}
    wrong = _unknown(spelt, "british") if spelt and told is None else spelt
    jargon = _unknown(starts, told or "american") if starts else set()
    return [
        f
        for f in found
        if (f.rule != SPELL_CHECK or f.problem in wrong)
        and (f.rule != SENTENCE_START or f.problem not in jargon)
    ]


def _unknown(words: set[str], dialect: str) -> set[str]:
    """Which of the words the dialect's dictionary does not know: a few lints of them all, in
    short sentences (Harper's time grows faster than a sentence's length)."""
    ordered = sorted(words)
    groups = [ordered[k : k + LISTED] for k in range(0, len(ordered), LISTED)]
    listed = "".join(f"We {' '.join(group)}.\n\n" for group in groups)
    unknown: set[str] = set()
    for _, chunk in chunks(listed):
        with _lock:
            found = _linter(dialect).organized_lints(chunk, language="plaintext", dedup=False)
        unknown.update(lint.problem_text for lint in found.get(SPELL_CHECK, []))
    return unknown


def _fixes(text: str, dialect: str, deadline: float | None) -> list[Fix]:
    """The fixes of each chunk of paragraphs, placed in `text`, until the deadline."""
    linter = _linter(dialect)
    fixes: list[Fix] = []
    for start, chunk in chunks(text):
        # Harper takes about 10 ms for each word it does not know: a post of gibberish takes
        # minutes, so it stops in time, not in words.
        if deadline is not None and time.monotonic() > deadline:
            break
        with _lock:
            found = linter.organized_lints(chunk, language="markdown")
        fixes += sorted(
            (
                replace(fix, start=fix.start + start, end=fix.end + start)
                for rule, lints in found.items()
                for lint in lints
                if (fix := _fix(rule, lint, chunk))
            ),
            key=lambda f: f.start,
        )
    return fixes


def chunks(text: str) -> Iterator[tuple[int, str]]:
    """The text cut at blank lines into pieces of about CHUNK characters, each with where it
    starts. Harper's time grows faster than a sentence's length: a paragraph longer than any a
    post has (a hostile reply, a minified file) is not linted at all."""
    at = paragraph = 0  # where the piece and its last paragraph start
    for end in [*(m.end() for m in _PARAGRAPH_END.finditer(text)), len(text)]:
        if end - paragraph > MOST_PARAGRAPH:
            if paragraph > at:
                yield at, text[at:paragraph]
            at = end
        elif end - at >= CHUNK or end == len(text):
            if end > at:
                yield at, text[at:end]
            at = end
        paragraph = end


def _fix(rule: str, lint: Lint, text: str) -> Fix | None:
    kind = RULE_KINDS.get(rule) or KINDS.get(lint.lint_kind)
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
    if suggestion.kind == _INSERT_AFTER:
        replacement = lint.problem_text + replacement
    elif suggestion.kind == _REMOVE:
        replacement = ""
    problem = lint.problem_text
    if kind is Kind.SPELLING and not _plain_misspelling(problem, lint.suggestions):
        return None
    if rule == SENTENCE_START and _in_list_item(text, start):
        return None  # a list item is often a phrase, written in lower case on purpose
    return Fix(
        start,
        end,
        problem,
        _same_case(problem, replacement),
        rule,
        kind,
        lint.message,
    )


def _in_list_item(text: str, start: int) -> bool:
    """Whether `start` is the first word of a list item: its line so far is a list marker."""
    before = text[max(start - LONGEST_MARKER, 0) : start]
    line = before.rsplit("\n", 1)[-1]
    return (len(line) < len(before) or start <= LONGEST_MARKER) and bool(_LIST_ITEM.fullmatch(line))


def _plain_misspelling(word: str, suggestions: Sequence[Suggestion]) -> bool:
    """Whether a spelling lint is a plain word misspelt: all lower case (names, acronyms and
    camelCase are jargon Harper does not know), with one fix one edit away, as real slips are
    (definately, untill); two away is a guess at jargon (sshing -> seeing), and two fixes one
    edit away are a guess between them (wich: wish or which?)."""
    if not _LOWER_WORD.fullmatch(word):
        return False
    close = {
        s.replacement_text.lower()
        for s in suggestions
        if edit_distance(word, s.replacement_text.lower(), 1) <= 1
    }
    first = suggestions[0].replacement_text.lower()
    return close == {first} and " " not in first


def _same_case(problem: str, replacement: str) -> str:
    """Harper upper-cases a whole replacement for a capital problem ("A" -> "AN")."""
    shouting = len(problem) > 1 and problem.isupper()
    if len(replacement) > 1 and replacement.isupper() and not shouting:
        return replacement.capitalize()
    return replacement


# Which of the words are known: (words, whether they start a sentence) -> the known ones.
Known = Callable[[set[str], bool], set[str]]


def fixes(
    text: str,
    dialect: str | None,
    known: Known = lambda words, starts: set(),
    deadline: float | None = None,
) -> list[Fix]:
    """Harper's precise fixes of a masked post, but for the known words it would misspell or
    capitalise at a sentence's start ("fixer is a tool."): `known` is asked once for each."""
    found = lint(text, dialect, deadline)
    told: dict[bool, set[str]] = {}
    for starts in (False, True):
        words = {f.problem.casefold() for f in found if _starts(f) is starts}
        told[starts] = known(words, starts) if words else set()
    return [f for f in found if (k := _starts(f)) is None or f.problem.casefold() not in told[k]]


def _starts(fix: Fix) -> bool | None:
    """True for a sentence's capital, False for a misspelling, None for a fix of another kind."""
    return True if fix.rule == SENTENCE_START else False if fix.kind is Kind.SPELLING else None


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


def new_errors(
    old: str, new: str, dialect: str | None = None, deadline: float | None = None
) -> list[Fix]:
    """The precise lints of `new` that `old` does not have: what a correction brought in."""
    before = Counter((f.rule, f.problem) for f in lint(old, dialect, deadline))
    brought: list[Fix] = []
    for fix in lint(new, dialect, deadline):
        if before[fix.rule, fix.problem]:
            before[fix.rule, fix.problem] -= 1
        else:
            brought.append(fix)
    return brought


def matching(changes: Sequence[tuple[str, str]], found: Sequence[Fix]) -> list[Fix | None]:
    """For each change (old text, new text, in order), the first of the fixes (in order) it
    holds, by problem and replacement: how a hunk of Harper's corrections learns Harper's kind.
    Both run in text order, so each change looks only a few fixes ahead: linear."""
    matched: list[Fix | None] = []
    at = 0
    for old, new in changes:
        ahead = found[at : at + LOOK_AHEAD]
        hit = next(
            (k for k, f in enumerate(ahead) if f.problem in old and f.replacement in new), None
        )
        matched.append(None if hit is None else ahead[hit])
        if hit is not None:
            at += hit + 1
            # The change's other fixes are its own too: the next change starts past them.
            while at < len(found) and found[at].problem in old and found[at].replacement in new:
                at += 1
    return matched
