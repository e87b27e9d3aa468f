"""Grammar mode's guards on mixed replies: good fixes next to harmful changes, over real posts.

Each case is one post with typos put into a few sentences and a model's reply (a unified diff of
the masked post, 1 line of context, as models write them) that corrects those typos and also does
one harmful thing close by: edits a ⟦n⟧ mark, gives a mark's own line some text, adds, deletes,
moves or rewrites a sentence, changes a number, a heading's level or emphasis, joins or splits
paragraphs. The reply goes through grammar mode as `--yes` takes it (every unflagged hunk
accepted). Reported: how many good fixes are kept, and how many harmful changes get through
(must be 0), per kind.
"""

from __future__ import annotations

import difflib
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from fixer.errors import NoDiffError
from fixer.grammar import grammar_review
from fixer.markdown import mask, placeholders
from fixer.patch.words import tokens
from fixer.sentences import split_sentences

POSTS = Path(__file__).resolve().parent.parent / "tests" / "data" / "posts"
NAME = "post.md"
# A Latin word long enough for a typo (a CJK "typo" would be several one-character tokens).
_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]{5,}")
_MARK = re.compile("⟦(0|[1-9][0-9]*)⟧")
_MARK_LINE = re.compile("⟦[0-9]+⟧")


@dataclass(frozen=True)
class Case:
    kind: str
    wrong: str  # the post with typos
    reply: str  # the model's diff of the masked post
    fixes: tuple[tuple[str, str], ...]  # (typo, word) the reply corrects


Lines = list[list[str]]  # the masked post: each line as its sentences
Harm = Callable[[Lines, int, int], bool]  # changes lines at (line, sentence); False: not here


def _typo(word: str) -> str:
    """The word with its 3rd and 4th letters swapped (or its 3rd doubled when they are equal)."""
    if word[2] != word[3]:
        return word[:2] + word[3] + word[2] + word[4:]
    return word[:3] + word[2:]


def _placeholder(lines: Lines, at: int, k: int) -> bool:
    sentence = lines[at][k]
    found = _MARK.search(sentence)
    if not found:
        return False
    lines[at][k] = sentence[: found.start()] + "`code`" + sentence[found.end() :]
    return True


def _mark_line(lines: Lines, at: int, k: int) -> bool:
    near = [i for i in (at - 2, at + 2) if 0 <= i < len(lines) and _is_mark_line(lines[i])]
    if k or not near:
        return False
    lines[near[0]][-1] += " Figure"
    return True


def _add(lines: Lines, at: int, k: int) -> bool:
    lines[at][k] += " I hope this helps!"
    return True


def _delete(lines: Lines, at: int, k: int) -> bool:
    if len(lines[at]) < 2:
        return False
    del lines[at][k]
    if k == 0:
        lines[at][0] = lines[at][0].lstrip()
    return True


def _move(lines: Lines, at: int, k: int) -> bool:
    if k + 1 >= len(lines[at]):
        return False
    first, second = lines[at][k], lines[at][k + 1]
    space = first[: len(first) - len(first.lstrip())]
    lines[at][k], lines[at][k + 1] = space + second.lstrip(), " " + first.lstrip()
    return True


def _rewrite(lines: Lines, at: int, k: int) -> bool:
    words = lines[at][k].split(" ")
    if len(words) < 5 or placeholders(lines[at][k]):
        return False
    lines[at][k] = " ".join(words[:2]) + " tells a whole other story, in other words entirely."
    return True


def _number(lines: Lines, at: int, k: int) -> bool:
    sentence = lines[at][k]
    marks = [m.span() for m in _MARK.finditer(sentence)]
    digits = [
        m for m in re.finditer(r"\d+", sentence) if not any(a <= m.start() < b for a, b in marks)
    ]
    if not digits:
        return False
    first = digits[0]
    lines[at][k] = sentence[: first.start()] + str(int(first.group()) + 1) + sentence[first.end() :]
    return True


def _heading(lines: Lines, at: int, k: int) -> bool:
    if k or not re.match(r"#{1,5} ", lines[at][0]):
        return False
    lines[at][0] = "#" + lines[at][0]
    return True


def _emphasis(lines: Lines, at: int, k: int) -> bool:
    sentence = lines[at][k]
    found = _WORD.search(sentence)
    if not found or placeholders(sentence):
        return False
    lines[at][k] = sentence[: found.start()] + f"**{found.group()}**" + sentence[found.end() :]
    return True


def _join(lines: Lines, at: int, k: int) -> bool:
    if k or at + 2 >= len(lines) or lines[at + 1] != [""] or not _prose(lines[at + 2]):
        return False
    lines[at][-1] += " " + "".join(lines[at + 2]).lstrip()
    del lines[at + 1 : at + 3]
    return True


def _split(lines: Lines, at: int, k: int) -> bool:
    if k + 1 >= len(lines[at]):
        return False
    rest = lines[at][k + 1 :]
    lines[at][k + 1 :] = []
    lines[at + 1 : at + 1] = [[""], [rest[0].lstrip(), *rest[1:]]]
    return True


HARMS: dict[str, Harm] = {
    "edits a mark": _placeholder,
    "text beside a mark's line": _mark_line,
    "adds a sentence": _add,
    "deletes a sentence": _delete,
    "moves a sentence": _move,
    "rewrites a sentence": _rewrite,
    "changes a number": _number,
    "changes a heading": _heading,
    "adds emphasis": _emphasis,
    "joins paragraphs": _join,
    "splits a paragraph": _split,
}


def _is_mark_line(sentences: list[str]) -> bool:
    return len(sentences) == 1 and _MARK_LINE.fullmatch(sentences[0]) is not None


def _prose(sentences: list[str]) -> bool:
    return any(_WORD.search(s) for s in sentences) and not _is_mark_line(sentences)


def _text(lines: Lines) -> str:
    return "\n".join("".join(line) for line in lines)


def _with_typos(lines: Lines, spots: list[tuple[int, int]]) -> tuple[Lines, list[tuple[str, str]]]:
    """The lines with a typo in the first long word of each spot's sentence, and the typos."""
    wrong = [list(line) for line in lines]
    fixes = []
    for at, k in spots:
        sentence = wrong[at][k]
        found = next((m for m in _WORD.finditer(sentence) if len(set(m.group())) > 3), None)
        if found is None:
            continue
        typo = _typo(found.group())
        wrong[at][k] = sentence[: found.start()] + typo + sentence[found.end() :]
        fixes.append((typo, found.group()))
    return wrong, fixes


def cases(post: str, every: int = 1) -> Iterator[Case]:
    """Each harmful kind at every `every`-th prose sentence of the post, with typos corrected in
    the sentences around it: the ones beside it on its line, and one on the prose lines before
    and after."""
    masked = mask(post)
    lines = [split_sentences(line) if line else [""] for line in masked.text.split("\n")]
    prose = [i for i, line in enumerate(lines) if _prose(line)]
    sites = [(at, k) for at in prose for k in range(len(lines[at]))][::every]
    for at, k in sites:
        place = prose.index(at)
        near = [(at, j) for j in (k - 1, k + 1, k + 2) if 0 <= j < len(lines[at])]
        near += [(p, 0) for p in (prose[place - 1 : place] + prose[place + 1 : place + 2])]
        for kind, harm in HARMS.items():
            spots = [s for s in near if not (kind == "moves a sentence" and s == (at, k + 1))]
            wrong, fixes = _with_typos(lines, spots)
            if not fixes:
                continue
            corrected = [list(line) for line in lines]
            if not harm(corrected, at, k):
                continue
            wrong_text = _text(wrong)
            diff = difflib.unified_diff(
                wrong_text.split("\n"), _text(corrected).split("\n"), "a/post.md", "b/post.md", n=1
            )
            reply = "\n".join(line.rstrip("\n") for line in diff) + "\n"
            wrong_post = _MARK.sub(lambda m, p=masked.pieces: p[int(m.group(1))], wrong_text)
            yield Case(kind, wrong_post, reply, tuple(fixes))


def outcome(case: Case) -> tuple[int, bool]:
    """How many of the case's good fixes `--yes` writes, and whether anything else got in."""
    try:
        review = grammar_review(NAME, case.wrong, case.reply)
    except NoDiffError:
        return 0, False
    review.accept_all()
    result = review.new_texts().get(NAME, case.wrong)
    before, after = tokens(case.wrong), tokens(result)
    allowed = set(case.fixes)
    kept = 0
    harmful = False
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        pairs = list(zip(before[i1:i2], after[j1:j2], strict=False))
        if tag == "replace" and i2 - i1 == j2 - j1 and all(p in allowed for p in pairs):
            kept += len(pairs)
        else:
            harmful = True
    return kept, harmful


def run(quick: bool = False) -> None:
    posts = sorted(POSTS.glob("*.md"))
    every = 6 if quick else 1
    good = Counter[str]()
    kept = Counter[str]()
    through = Counter[str]()
    count = Counter[str]()
    start = time.perf_counter()
    for path in posts:
        for case in cases(path.read_text(encoding="utf-8"), every):
            fixed, harmful = outcome(case)
            count[case.kind] += 1
            good[case.kind] += len(case.fixes)
            kept[case.kind] += fixed
            through[case.kind] += harmful
    seconds = time.perf_counter() - start
    print(f"{'harmful change':<28}{'cases':>7}{'good fixes':>12}{'kept':>7}{'harmful in':>12}")
    for kind in HARMS:
        print(f"{kind:<28}{count[kind]:>7}{good[kind]:>12}{kept[kind]:>7}{through[kind]:>12}")
    total = sum(good.values())
    share = sum(kept.values()) / total if total else 0.0
    print(
        f"{'all':<28}{sum(count.values()):>7}{total:>12}{sum(kept.values()):>7}"
        f"{sum(through.values()):>12}"
    )
    print(
        f"good fixes kept by --yes: {sum(kept.values())} of {total} ({share:.1%}); "
        f"harmful changes through --yes: {sum(through.values())} (must be 0); "
        f"{len(posts)} posts, {seconds:.1f} s"
    )
