"""Errors seeded into clean English posts for the grammar benchmark: pure, deterministic by seed.

Each kind finds the places in a post's prose where it can make its error (never in or next to a
protected region: code, links, URLs, front matter, kramdown lines, HTML), a few per post, at
most one per sentence. Every seeded error keeps its kind, its span in the seeded post and the
clean text it must be restored to.
"""

from __future__ import annotations

import random
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from fixer.markdown import Span, protected_spans


class Kind(StrEnum):
    SPELLING = "misspelling"
    TRANSPOSITION = "transposition"
    DOUBLED = "doubled word"
    ITS = "its/it's"
    THEIR = "their/there/they're"
    YOUR = "your/you're"
    A_AN = "a/an"
    NO_ARTICLE = "missing article"
    AGREEMENT = "agreement"
    CAPITAL = "sentence start"


@dataclass(frozen=True)
class Site:
    """Where an error can go in the clean post: text[start:end] becomes wrong."""

    start: int
    end: int
    wrong: str
    key: str  # sites with the same key are the same error; variety comes from distinct keys


@dataclass(frozen=True)
class Error:
    kind: Kind
    start: int  # the span in the seeded post, never empty
    end: int
    wrong: str  # seeded[start:end]
    clean: str  # what the span must become


@dataclass(frozen=True)
class Seeded:
    name: str
    clean: str
    text: str
    errors: tuple[Error, ...]


# Real misspellings people type (the clean word, as the posts spell it, first).
MISSPELLINGS = {
    "receive": "recieve",
    "separate": "seperate",
    "definitely": "definately",
    "occurred": "occured",
    "the": "teh",
    "which": "wich",
    "until": "untill",
    "accommodate": "accomodate",
    "necessary": "neccessary",
    "beginning": "begining",
    "believe": "beleive",
    "believing": "beleiving",
    "environment": "enviroment",
    "independent": "independant",
    "immediately": "immediatly",
    "different": "diffrent",
    "recommend": "reccomend",
    "truly": "truely",
    "really": "realy",
    "because": "becuase",
    "probably": "probaly",
    "finally": "finaly",
    "across": "accross",
    "writing": "writting",
    "successful": "succesful",
    "whether": "wether",
    "argument": "arguement",
    "existence": "existance",
    "tomorrow": "tommorow",
    "address": "adress",
    "especially": "especialy",
    "library": "libary",
    "completely": "completly",
    "usually": "usualy",
    "similar": "similiar",
    "experience": "experiance",
    "interesting": "intresting",
}
_DOUBLED = ("the", "a", "to", "of", "in", "is", "and", "that", "it", "for")
_ITS = {"its": "it's", "it's": "its", "Its": "It's", "It's": "Its"}
_THEIR = {"their": "there", "there": "their", "they're": "their", "Their": "There"}
_THEIR |= {"There": "Their"}
_YOUR = {"your": "you're", "you're": "your", "Your": "You're", "You're": "Your"}
# Words after "a" that would make "a X" need no article: dropping it is no error.
_NOT_COUNTED = frozenset({"few", "little", "lot", "bit", "while", "long", "good", "great"})
# (singular, plural) forms of verbs after a pronoun subject.
_IRREGULAR = (("is", "are"), ("was", "were"), ("has", "have"), ("does", "do"), ("goes", "go"))
# Not "read", "let", "cost", "put": "it read" is their past tense, no error.
_VERBS = (  # noqa: SIM905
    "work run take make return need use look write give keep seem mean start show change stay "
    "fail pass help know want find say call check feel get come hold open send add answer "
    "matter happen depend live move lose leave reach ask wait try stop"
).split()
_SINGULAR = ("it", "he", "she", "this")
_PLURAL = ("they", "we")
# Sentence openers whose lower case is an ordinary word (never a name that keeps its capital).
_OPENERS = (  # noqa: SIM905
    "The This That These They It If When We You Our Each Every After Before For But So Then Most "
    "Some One A An In On At Nothing Nobody Neither Either Once Because Since Sure Here There "
    "First Second Third Finally Without With Running Adding Opening Developers"
).split()
# What ends a sentence for "one error per sentence": . ! ? : followed by space, a blank line,
# or a line that starts a heading, list item, quote or table row.
_SENTENCE_END = re.compile(r"[.!?:](?=\s)|\n[ \t]*\n|\n(?=[ \t]*(?:[#>|*+-]|\d+[.)])\s?)")


def seed_post(name: str, clean: str, seed: int, per_kind: int) -> Seeded:
    """Up to `per_kind` errors of each kind in the post's prose, at most one per sentence."""
    rng = random.Random(f"{seed}:{name}")
    protected = protected_spans(clean)
    sentences = _sentence_starts(clean)
    taken: set[int] = set()  # sentence numbers that already hold an error
    chosen: list[tuple[Kind, Site]] = []
    for kind, finder in FINDERS.items():
        sites = [s for s in finder(clean) if _in_prose(s, clean, protected)]
        for site in _pick(sites, per_kind, rng, sentences, taken):
            chosen.append((kind, site))
    return _apply(name, clean, sorted(chosen, key=lambda pair: pair[1].start))


def _pick(
    sites: list[Site], count: int, rng: random.Random, sentences: list[int], taken: set[int]
) -> Iterator[Site]:
    """Up to `count` sites, each of another key when possible, in sentences not yet taken."""
    by_key: dict[str, list[Site]] = defaultdict(list)
    for site in sites:
        by_key[site.key].append(site)
    keys = sorted(by_key)
    rng.shuffle(keys)
    picked = 0
    for key in keys * count:  # a second round of keys when they are fewer than `count`
        free = [s for s in by_key[key] if _sentence(sentences, s.start) not in taken]
        if not free:
            continue
        site = rng.choice(free)
        by_key[key].remove(site)
        taken.add(_sentence(sentences, site.start))
        yield site
        picked += 1
        if picked == count:
            return


def _apply(name: str, clean: str, chosen: Sequence[tuple[Kind, Site]]) -> Seeded:
    parts: list[str] = []
    errors: list[Error] = []
    at = shift = 0
    for kind, site in chosen:
        parts += [clean[at : site.start], site.wrong]
        start = site.start + shift
        restored = clean[site.start : site.end]
        errors.append(Error(kind, start, start + len(site.wrong), site.wrong, restored))
        shift += len(site.wrong) - (site.end - site.start)
        at = site.end
    parts.append(clean[at:])
    return Seeded(name, clean, "".join(parts), tuple(errors))


def _in_prose(site: Site, text: str, protected: Sequence[Span]) -> bool:
    """The site and the characters either side of it are outside every protected region, and
    its line is not a table row (a table's cells stay as they are written)."""
    start, end = site.start - 1, site.end + 1
    line = text[text.rfind("\n", 0, site.start) + 1 : site.start]
    return not line.lstrip().startswith("|") and all(e <= start or s >= end for s, e in protected)


def _sentence_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in _SENTENCE_END.finditer(text))]


def _sentence(starts: list[int], at: int) -> int:
    return bisect_right(starts, at)


def _words(text: str, pattern: str) -> Iterator[re.Match[str]]:
    return re.finditer(rf"(?<![\w'-])(?:{pattern})(?![\w'-])", text)


def _spelling(text: str) -> Iterator[Site]:
    for found in _words(text, "|".join(MISSPELLINGS)):
        word = found.group()
        yield Site(found.start(), found.end(), MISSPELLINGS[word], word)


def _transposition(text: str) -> Iterator[Site]:
    """An ordinary lower-case word of 6+ letters with two letters in its middle swapped."""
    for found in _words(text, "[a-z]{6,}"):
        word = found.group()
        middle = len(word) // 2 - 1
        if word in MISSPELLINGS or word[middle] == word[middle + 1]:
            continue
        wrong = word[:middle] + word[middle + 1] + word[middle] + word[middle + 2 :]
        yield Site(found.start(), found.end(), wrong, word)


def _doubled(text: str) -> Iterator[Site]:
    for found in _words(text, f"(?:{'|'.join(_DOUBLED)})(?= [a-z])"):
        word = found.group()
        yield Site(found.start(), found.end(), f"{word} {word}", word)


def _swaps(table: dict[str, str]) -> Callable[[str], Iterator[Site]]:
    def find(text: str) -> Iterator[Site]:
        for found in _words(text, "|".join(re.escape(word) for word in table)):
            word = found.group()
            yield Site(found.start(), found.end(), table[word], word.lower())

    return find


def _a_an(text: str) -> Iterator[Site]:
    """ "a" before a consonant letter (or a "u" said "you") becomes "an"; "an" before a, e, i,
    o becomes "a"."""
    for found in re.finditer(r"(?<![\w'-])([Aa]n?) ([A-Za-z]+)", text):
        article, noun = found.group(1), found.group(2)
        if len(noun) > 1 and noun.isupper():
            continue  # "an SSH key", "a SHA-256 hash": acronyms go by their sound
        noun = noun.lower()
        if article.lower() == "a" and (noun[0] not in "aeiouh" or noun.startswith("us")):
            yield Site(found.start(), found.start() + 1, article + "n", noun)
        elif article.lower() == "an" and noun[0] in "aeio":
            yield Site(found.start(), found.start() + 2, article[0], noun)


def _no_article(text: str) -> Iterator[Site]:
    """ "a"/"an" dropped before a singular noun phrase, after a verb or a preposition. The
    span is the next word, so that putting the article back is an edit at the error."""
    after = "is|was|has|had|with|for|of|in|on|at|from|into|by|as|about"
    for found in re.finditer(rf"\b(?:{after}) ((an?) ([a-z]+))\b", text):
        noun = found.group(3)
        if noun not in _NOT_COUNTED:
            yield Site(found.start(1), found.end(1), noun, noun)


def _agreement(text: str) -> Iterator[Site]:
    """ "it works" becomes "it work", "they work" becomes "they works", and the same for is/are,
    has/have and a few other irregular verbs."""
    pairs = [*_IRREGULAR, *((_third_person(verb), verb) for verb in _VERBS)]
    singular = {one: many for one, many in pairs}
    plural = {many: one for one, many in pairs}
    for subjects, table in ((_SINGULAR, singular), (_PLURAL, plural)):
        pattern = rf"\b(?:{'|'.join(subjects)}) ({'|'.join(table)})\b"
        for found in re.finditer(pattern, text, re.IGNORECASE):
            verb = found.group(1)
            if verb in table:  # lower case: "It Works" in a heading is left alone
                yield Site(found.start(1), found.end(1), table[verb], verb)


def _third_person(verb: str) -> str:
    if verb.endswith(("s", "sh", "ch", "x")):
        return verb + "es"
    if verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def _capital(text: str) -> Iterator[Site]:
    """A sentence that starts with an ordinary word after another sentence's end, in lower case."""
    pattern = rf"(?<=[a-z)][.!?]\s)(?:{'|'.join(_OPENERS)})\b"
    for found in re.finditer(pattern, text):
        word = found.group()
        yield Site(found.start(), found.end(), word.lower(), word)


FINDERS: dict[Kind, Callable[[str], Iterator[Site]]] = {
    Kind.SPELLING: _spelling,
    Kind.TRANSPOSITION: _transposition,
    Kind.DOUBLED: _doubled,
    Kind.ITS: _swaps(_ITS),
    Kind.THEIR: _swaps(_THEIR),
    Kind.YOUR: _swaps(_YOUR),
    Kind.A_AN: _a_an,
    Kind.NO_ARTICLE: _no_article,
    Kind.AGREEMENT: _agreement,
    Kind.CAPITAL: _capital,
}
