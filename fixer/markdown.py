"""Protected regions of a Markdown post, and the masked prose that grammar mode sends.

Grammar mode may change a post's prose and nothing else. Block structure (front matter, code,
HTML, math, tables, footnote and link definitions) and inline markup (code spans, link targets,
autolinks, inline HTML and math, footnote references) come from markdown-it's own parser; only
what it hands over as plain text is searched with patterns: kramdown attribute lists such as
`{: .caption }`, Liquid tags and bare URLs. The model gets the prose with each protected region
replaced by a numbered placeholder like ⟦3⟧, and its reply is mapped back onto the real post.
Pure: text in, values out.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache, lru_cache
from itertools import pairwise
from typing import Any, NamedTuple

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from fixer.tokens import estimate_tokens

Span = tuple[int, int]  # [start, end) character offsets in the post's text

OPEN, CLOSE = "⟦", "⟧"
_PLACEHOLDER = re.compile(f"{OPEN}(0|[1-9][0-9]*){CLOSE}")


def placeholders(text: str) -> list[str]:
    """The placeholders in a (masked) text, in order."""
    return [m.group(0) for m in _PLACEHOLDER.finditer(text)]


_BRACKET = re.compile(f"[{OPEN}{CLOSE}]")

# Blocks protected line for line, as markdown-it names their tokens.
_WHOLE_BLOCKS = frozenset(
    {"front_matter", "fence", "code_block", "math_block", "math_block_label", "definition"}
)
# Inline rules whose whole match is protected; links and images keep their text as prose.
_WHOLE_INLINE = frozenset(
    {"backticks", "autolink", "html_inline", "entity", "math_inline", "footnote_ref"}
)
_LINKS = frozenset({"link", "image"})
# Inline footnotes `^[...]` are parsed in a separate state, so they are protected whole.
_RECORDED_INLINE = _WHOLE_INLINE | _LINKS | {"footnote_inline"}

# HTML blocks whose content is raw text (CommonMark's type 1): protected whole.
_RAW_HTML = re.compile(r"[ \t]*<(?:script|pre|style|textarea)(?:[\s>]|$)", re.IGNORECASE)
_HTML_TAG = re.compile(
    r"<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)|<\?.*?(?:\?>|\Z)|<![A-Za-z][^>]*>"
    r"|</?[A-Za-z][^\s/>]*(?:[^>\"']|\"[^\"]*\"|'[^']*')*>",
    re.DOTALL,
)
_FOOTNOTE_LABEL = re.compile(r"\[\^[^\]\s]+\]:")

# What markdown-it leaves as text but a post must keep: Liquid raw/comment/highlight blocks,
# Liquid tags and output (never across a blank line), kramdown IALs and extensions, bare URLs.
_NO_BLANK_LINE = r"(?:(?!\n[ \t]*\n).)*?"
_TEXT_PROTECTED = re.compile(
    "|".join(
        (
            r"\{%-?\s*(raw|comment|highlight)\b.*?%\}.*?\{%-?\s*end\1\s*-?%\}",
            rf"\{{%{_NO_BLANK_LINE}%\}}",
            rf"\{{\{{{_NO_BLANK_LINE}\}}\}}",
            r"\{:(?:[^{}\n\"']|\"[^\"\n]*\"|'[^'\n]*')*\}",
            r"(?:https?|ftp)://[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]*[A-Za-z0-9\-_~/#@$&*+=%]",
        )
    ),
    re.DOTALL,
)
# Words for the diff in changes_protected: Latin words and numbers whole, anything else
# (CJK characters, punctuation) one character at a time.
_DIFF_TOKEN = re.compile(r"[A-Za-z\u00c0-\u024f]+|[0-9]+|\s+|.", re.DOTALL)

_RECORDS = "fixer.markdown.records"
_ROW_STARTS = "fixer.markdown.row_starts"


class MaskError(ValueError):
    """A reply whose placeholders are missing, duplicated, reordered or altered."""


@dataclass(frozen=True)
class Masked:
    """A post as the model sees it: prose with placeholders, and what each one stands for."""

    text: str  # what the model gets: prose with placeholders
    pieces: tuple[str, ...]  # the protected text each placeholder stands for, in order


class _Mark(NamedTuple):
    """One inline construct the parser matched, in its inline token's content."""

    rule: str
    start: int
    end: int
    label_end: int  # index of the `]` closing a link's or image's text; -1 otherwise


def protected_spans(text: str) -> list[Span]:
    """Every protected character of a post, as sorted, merged [start, end) spans."""
    return list(_protected(text))


def mask(text: str) -> Masked:
    """The post with each protected region replaced by a numbered placeholder.

    Prose keeps its exact characters and newlines; a code block or front matter becomes one
    placeholder on its own line. Placeholder brackets already in the post are masked too, so
    the masked text holds no bracket that is not a placeholder.
    """
    brackets = [m.span() for m in _BRACKET.finditer(text)]
    spans = _merge([*_protected(text), *brackets]) if brackets else _protected(text)
    parts: list[str] = []
    pieces: list[str] = []
    at = 0
    for number, (start, end) in enumerate(spans):
        parts += [text[at:start], _placeholder(number)]
        pieces.append(text[start:end])
        at = end
    parts.append(text[at:])
    return Masked("".join(parts), tuple(pieces))


def unmask(reply_text: str, masked: Masked) -> str:
    """The full post from the model's corrected masked text.

    Raises MaskError naming every placeholder that is missing, duplicated, reordered, altered
    or moved off its own line, so the caller can refuse the reply or ask again.
    """
    problems = _placeholder_problems(reply_text, masked)
    if problems:
        shown = "; ".join(problems[:5])
        more = f" (and {len(problems) - 5} more problems)" if len(problems) > 5 else ""
        raise MaskError(shown + more)
    return _PLACEHOLDER.sub(lambda m: masked.pieces[int(m.group(1))], reply_text)


def changes_protected(original: str, new: str) -> bool:
    """True when any protected character of `original` differs in `new`.

    Either the protected regions of the two texts do not match one to one, or a changed range
    of their diff reaches into a protected region of `original`.
    """
    old_spans, new_spans = _protected(original), _protected(new)
    if [original[s:e] for s, e in old_spans] != [new[s:e] for s, e in new_spans]:
        return True
    return any(
        _touches(old_spans, start, end)
        for start, end in _changed_ranges(original, new, old_spans, new_spans)
    )


def protected_lines(text: str) -> set[int]:
    """0-based numbers of the lines whose every non-blank character is protected.

    Code, front matter, kramdown attribute lines, table separator rows: a hunk touching one
    of them is flagged by the review.
    """
    spans = _protected(text)
    lines: set[int] = set()
    start = 0
    for number, line in enumerate(text.split("\n")):
        if line.strip() and all(
            char.isspace() or _inside(spans, start + i) for i, char in enumerate(line)
        ):
            lines.add(number)
        start += len(line) + 1
    return lines


def sections(text: str, limit: int) -> list[str]:
    """The post cut at headings into consecutive pieces whose masked text is at most `limit`
    estimated tokens each (a piece with no heading to cut at may be longer); they join back to
    the post. A heading is one the parser sees, never a `#` line inside code."""
    lines = text.split("\n")
    md = MarkdownIt("commonmark").use(front_matter_plugin)
    starts = sorted(
        {t.map[0] for t in md.parse(_parser_text(text)) if t.type == "heading_open" and t.map} | {0}
    )
    pieces = ["\n".join(lines[a:b]) for a, b in zip(starts, [*starts[1:], len(lines)], strict=True)]
    pieces = [p + "\n" for p in pieces[:-1]] + pieces[-1:]
    joined: list[str] = []
    for piece in pieces:
        if joined and estimate_tokens(mask(joined[-1] + piece).text) <= limit:
            joined[-1] += piece
        else:
            joined.append(piece)
    return joined


def token_share(text: str) -> float:
    """Estimated tokens of the masked post over those of the whole post (1.0 for empty text)."""
    whole = estimate_tokens(text)
    return estimate_tokens(mask(text).text) / whole if whole else 1.0


# --- finding protected regions -------------------------------------------------------------


@lru_cache(maxsize=16)
def _protected(text: str) -> tuple[Span, ...]:
    """protected_spans, cached: the review asks again about the same original for each hunk."""
    # A BOM would hide front matter from the parser; it is protected itself, since a model
    # would silently drop it.
    src = _parser_text(text)
    skip = 1 if src.startswith("\ufeff") else 0
    spans = _merge([(0, skip), *((s + skip, e + skip) for s, e in _parsed_spans(src[skip:]))])
    spans = _merge([*spans, *_text_spans(src, spans)])
    # A block ends before its line's "\r\n", so a CRLF post's masked text keeps CRLF lines.
    return tuple(
        (s, e - 1) if e - 1 > s and text.startswith("\r\n", e - 1) else (s, e) for s, e in spans
    )


def _parser_text(text: str) -> str:
    """The text markdown-it parses: its own normalisation, done without moving any offset."""
    return text.replace("\r\n", " \n").replace("\r", "\n").replace("\0", "\ufffd")


def _parsed_spans(src: str) -> Iterator[Span]:
    """Protected spans found by markdown-it: blocks from token line maps, inline from rules."""
    md = _parser()
    env: dict[str, Any] = {}
    tokens: list[Token] = []
    md.block.parse(src, md, env, tokens)
    lines = _Lines(src)
    row: list[Token] | None = None  # the cells of the table row being read
    row_line = 0
    for token in tokens:
        kind, where = token.type, token.map
        if kind == "tr_close" and row is not None:
            yield from _row_spans(md, env, src, lines, row_line, row)
            row = None
        elif where is None:
            continue
        elif kind in _WHOLE_BLOCKS:
            yield lines.span(*where)
        elif kind == "html_block":
            yield from _html_spans(src, lines.span(*where))
        elif kind == "table_open":
            yield lines.span(where[0] + 1, where[0] + 2)  # the |---|:---:| row
        elif kind == "footnote_reference_open":
            yield from _footnote_label(src, lines.span(where[0], where[0] + 1))
        elif kind == "tr_open":
            row, row_line = [], where[0]
        elif kind == "inline" and row is not None:
            row.append(token)
        elif kind == "inline" and token.content:
            offsets = _prose_offsets(token.content, src, lines, where[0])
            if offsets is None:  # the content does not line up with the source: keep it all
                yield lines.span(*where)
            else:
                yield from _inline_spans(md, env, token, offsets)


def _html_spans(src: str, block: Span) -> Iterator[Span]:
    """An HTML block: raw-text blocks whole, otherwise its tags and comments, not its words."""
    start, end = block
    if _RAW_HTML.match(src, start, end):
        yield block
        return
    for match in _HTML_TAG.finditer(src, start, end):
        yield match.span()


def _footnote_label(src: str, line: Span) -> Iterator[Span]:
    """The `[^label]:` opening a footnote definition; its text stays prose."""
    match = _FOOTNOTE_LABEL.search(src, *line)
    if match:
        yield match.span()


def _row_spans(
    md: MarkdownIt,
    env: dict[str, Any],
    src: str,
    lines: _Lines,
    line_number: int,
    cells: Sequence[Token],
) -> Iterator[Span]:
    """A table row: pipes and padding protected, cell words prose (a row whose cells cannot be
    placed is protected whole)."""
    row = lines.span(line_number, line_number + 1)
    body_start = env.get(_ROW_STARTS, {}).get(line_number)
    placed = None if body_start is None else _cell_offsets(src, body_start, row[1], cells)
    if placed is None:
        yield row
        return
    at = row[0]
    for cell, (start, end), offsets in placed:
        yield at, start
        yield from _inline_spans(md, env, cell, offsets)
        at = end
    yield at, row[1]


def _cell_offsets(
    src: str, start: int, end: int, cells: Sequence[Token]
) -> list[tuple[Token, Span, list[int]]] | None:
    """Each cell of a row with its content's range and the source offset of each content
    character, found by splitting on unescaped pipes as markdown-it does (it drops the `\\`
    of an escaped pipe from the content). None when a cell does not match its content."""
    end = start + len(src[start:end].rstrip())
    pipes = [i for i in range(start, end) if src[i] == "|" and (i == start or src[i - 1] != "\\")]
    bounds = [start - 1, *pipes, end]
    segments = [(a + 1, b) for a, b in pairwise(bounds)]
    if segments and segments[0][0] == segments[0][1]:
        segments.pop(0)
    if segments and segments[-1][0] == segments[-1][1]:
        segments.pop()
    placed = []
    for cell, (a, b) in zip(cells, segments, strict=False):
        text = src[a:b]
        a += len(text) - len(text.lstrip())
        b = max(a, b - (len(text) - len(text.rstrip())))
        offsets = [i for i in range(a, b) if not src.startswith("\\|", i)]
        if "".join(src[i] for i in offsets) != cell.content:
            return None
        placed.append((cell, (a, b), offsets))
    return placed


def _prose_offsets(content: str, src: str, lines: _Lines, first: int) -> list[int] | None:
    """The source offset of each character of a paragraph's or heading's inline content.

    markdown-it joins the block's lines without their container prefixes (`> `, list indent)
    and trims the whole, so each content line is the end of its source line; tabs expanded
    into spaces at a line's start map to the tab. None when a line does not match.
    """
    rows = content.split("\n")
    offsets: list[int] = []
    for i, row in enumerate(rows):
        if first + i >= lines.count:
            return None
        line_start, line_end = lines.span(first + i, first + i + 1)
        source = src[line_start:line_end]
        core = row.lstrip(" ")
        if i == len(rows) - 1:  # the trimmed end of the block
            found = source.rfind(core)
            if found < 0:
                return None
            stop = found + len(core)
        elif source.endswith(core):
            stop = len(source)
        else:
            return None
        begin = line_start + stop - len(core)
        offsets += [begin] * (len(row) - len(core))
        offsets += range(begin, line_start + stop)
        if i < len(rows) - 1:
            offsets.append(line_end)  # the newline joining two content lines
    return offsets


def _inline_spans(
    md: MarkdownIt, env: dict[str, Any], token: Token, offsets: Sequence[int]
) -> Iterator[Span]:
    """Protected spans of one inline token: its parser marks, mapped onto the source."""
    for mark in _inline_marks(md, env, token):
        for start, end in _mark_ranges(token.content, mark):
            if start < end:
                yield offsets[start], offsets[end - 1] + 1


def _inline_marks(md: MarkdownIt, env: dict[str, Any], token: Token) -> list[_Mark]:
    """Run markdown-it's inline parser on one token, collecting what the recorded rules match."""
    marks: list[_Mark] = []
    env[_RECORDS] = (token.content, marks)
    md.inline.parse(token.content, md, env, [])
    return marks


def _mark_ranges(content: str, mark: _Mark) -> Iterator[Span]:
    """A mark's protected ranges: a link keeps its text as prose unless the text is its label."""
    if mark.rule not in _LINKS or mark.label_end < 0:
        yield mark.start, mark.end
        return
    tail = content[mark.label_end : mark.end]
    if tail in ("]", "][]"):  # [label] and [label][]: the text names the link definition
        yield mark.start, mark.end
        return
    yield mark.start, mark.start + (2 if mark.rule == "image" else 1)
    yield mark.label_end, mark.end


def _text_spans(text: str, parsed: Sequence[Span]) -> Iterator[Span]:
    """Liquid, kramdown IALs and bare URLs in the parser's text, never starting inside `parsed`."""
    at = 0
    while match := _TEXT_PROTECTED.search(text, at):
        holder = _holder(parsed, match.start())
        if holder is not None:  # inside code or a link target: look again after it
            at = holder[1]
            continue
        yield match.span()
        at = match.end()


# --- the parser ----------------------------------------------------------------------------


@cache
def _parser() -> MarkdownIt:
    """markdown-it for Jekyll posts, its rules wrapped to record where protected constructs lie."""
    md = (
        MarkdownIt("commonmark", {"inline_definitions": True})
        .enable("table")
        .use(front_matter_plugin)
        .use(footnote_plugin)
        # Prices like "$5 and $10" stay prose: math needs no space or digit next to its `$`.
        .use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    )
    md.block.ruler.before("front_matter", "toml_front_matter", _toml_front_matter)
    inline_rules = dict(
        zip(md.inline.ruler.get_active_rules(), md.inline.ruler.getRules(""), strict=True)
    )
    for name in _RECORDED_INLINE & inline_rules.keys():
        md.inline.ruler.at(name, _recording_inline(name, inline_rules[name]))
    block_rules = dict(
        zip(md.block.ruler.get_active_rules(), md.block.ruler.getRules(""), strict=True)
    )
    md.block.ruler.at("table", _recording_table(block_rules["table"]))
    return md


def _recording_inline(
    name: str, rule: Callable[[StateInline, bool], bool]
) -> Callable[[StateInline, bool], bool]:
    """An inline rule that also records the range it matched in the token being parsed."""

    def recording(state: StateInline, silent: bool) -> bool:
        start = state.pos
        matched = rule(state, silent)
        records = state.env.get(_RECORDS)
        # A nested parse (an inline footnote's text) has its own source: not recorded.
        if matched and not silent and records is not None and records[0] is state.src:
            records[1].append(_Mark(name, start, state.pos, _label_end(state, name, start)))
        return matched

    return recording


def _label_end(state: StateInline, name: str, start: int) -> int:
    """Where a matched link's or image's text ends, found as markdown-it's link rules find it."""
    if name == "link":
        return state.md.helpers.parseLinkLabel(state, start, True)
    if name == "image":
        return state.md.helpers.parseLinkLabel(state, start + 1, False)
    return -1


def _recording_table(
    rule: Callable[[StateBlock, int, int, bool], bool],
) -> Callable[[StateBlock, int, int, bool], bool]:
    """The table rule, also recording where each row starts after its container prefix."""

    def recording(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        matched = rule(state, start, end, silent)
        if matched and not silent:
            starts = state.env.setdefault(_ROW_STARTS, {})
            for line in range(start, state.line):
                starts[line] = state.bMarks[line] + state.tShift[line]
        return matched

    return recording


def _toml_front_matter(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """Hugo-style TOML front matter between `+++` lines at the top of the post."""

    def line(number: int) -> str:
        return state.src[state.bMarks[number] : state.eMarks[number]].rstrip()

    if start != 0 or line(0) != "+++":
        return False
    close = next((n for n in range(1, end) if line(n) == "+++"), None)
    if close is None:
        return False
    if silent:
        return True
    token = state.push("front_matter", "", 0)
    token.map = [0, close + 1]
    token.block = True
    token.hidden = True
    state.line = close + 1
    return True


# --- helpers -------------------------------------------------------------------------------


class _Lines:
    """Line starts of a text split on "\\n" only, as markdown-it splits it."""

    def __init__(self, text: str) -> None:
        self.length = len(text)
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self.count = len(self.starts)

    def span(self, first: int, stop: int) -> Span:
        """Lines [first, stop) as a span, without the last line's newline."""
        stop = min(max(stop, first + 1), self.count)
        end = self.starts[stop] - 1 if stop < self.count else self.length
        return self.starts[min(first, self.count - 1)], end


def _merge(spans: Iterable[Span]) -> tuple[Span, ...]:
    """Sorted spans with overlapping and touching ones joined, empty ones dropped."""
    merged: list[Span] = []
    for start, end in sorted(s for s in spans if s[0] < s[1]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def _holder(spans: Sequence[Span], at: int) -> Span | None:
    """The span of sorted, merged `spans` holding offset `at`, if any."""
    i = bisect_right(spans, (at, float("inf"))) - 1
    return spans[i] if i >= 0 and spans[i][0] <= at < spans[i][1] else None


def _inside(spans: Sequence[Span], at: int) -> bool:
    return _holder(spans, at) is not None


def _touches(spans: Sequence[Span], start: int, end: int) -> bool:
    """Whether the changed range [start, end) reaches a span; an insertion must fall inside one."""
    if start == end:
        return any(s < start < e for s, e in _near(spans, start))
    return any(s < end and start < e for s, e in _near(spans, start, end))


def _near(spans: Sequence[Span], start: int, end: int | None = None) -> Sequence[Span]:
    """The spans that may meet [start, end]: from the last starting at or before `start`."""
    first = max(bisect_right(spans, (start, float("inf"))) - 1, 0)
    last = bisect_right(spans, (end if end is not None else start, float("inf")))
    return spans[first:last]


def _placeholder(number: int) -> str:
    return f"{OPEN}{number}{CLOSE}"


def _placeholder_problems(reply: str, masked: Masked) -> list[str]:
    """What is wrong with the reply's placeholders, one readable line per problem."""
    count = len(masked.pieces)
    problems = [
        f"{m.group()} is not a placeholder of this post"
        for m in _PLACEHOLDER.finditer(reply)
        if int(m.group(1)) >= count
    ]
    valid = {i for m in _PLACEHOLDER.finditer(reply) for i in range(*m.span())}
    stray = next((m.start() for m in _BRACKET.finditer(reply) if m.start() not in valid), None)
    if stray is not None:
        problems.append(
            f"a placeholder was altered near {reply[max(stray - 16, 0) : stray + 16]!r}"
        )
    found = [int(m.group(1)) for m in _PLACEHOLDER.finditer(reply) if int(m.group(1)) < count]
    seen = Counter(found)
    problems += [
        f"{_placeholder(n)} is missing from the reply" for n in range(count) if n not in seen
    ]
    problems += [
        f"{_placeholder(n)} appears {times} times in the reply"
        for n, times in sorted(seen.items())
        if times > 1
    ]
    if not problems:
        misplaced = next((pair for pair in enumerate(found) if pair[0] != pair[1]), None)
        if misplaced:
            expected, got = misplaced
            problems.append(
                f"{_placeholder(got)} comes before {_placeholder(expected)} in the reply: "
                "placeholders must keep their order"
            )
        problems += [
            f"{_placeholder(n)} must stay alone on its own line"
            for n in _alone_on_line(masked.text)
            if n not in _alone_on_line(reply)
        ]
    return problems


def keeps_placeholders(old: str, new: str) -> bool:
    """Whether `new` (a model's version of masked text `old`) has the same placeholders, in
    order, with each that is a whole line of `old` still a whole line."""
    return placeholders(old) == placeholders(new) and _alone_on_line(old) <= _alone_on_line(new)


def _alone_on_line(text: str) -> set[int]:
    """Placeholders that are a whole line of `text` (code blocks, kramdown lines, ...)."""
    return {int(m.group(1)) for m in re.finditer(f"^{_PLACEHOLDER.pattern}$", text, re.MULTILINE)}


def _changed_ranges(
    original: str, new: str, old_spans: Sequence[Span], new_spans: Sequence[Span]
) -> Iterator[Span]:
    """Ranges of `original` that differ in `new`: a diff of lines, then of words within them."""
    old_lines, new_lines = _line_offsets(original), _line_offsets(new)
    a, b = _cut(original, old_lines), _cut(new, new_lines)
    # Only the middle that differs is diffed: edits are local, and posts can be long.
    same = 0
    while same < min(len(a), len(b)) and a[same] == b[same]:
        same += 1
    tail = 0
    while tail < min(len(a), len(b)) - same and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    matcher = SequenceMatcher(None, a[same : len(a) - tail], b[same : len(b) - tail], False)
    for tag, i1, i2, j1, j2 in (
        (tag, i1 + same, i2 + same, j1 + same, j2 + same)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ):
        if tag == "replace":
            old_words = _words(original, old_lines[i1], old_lines[i2], old_spans)
            new_words = _words(new, new_lines[j1], new_lines[j2], new_spans)
            yield from _changed_words(original, old_words, new, new_words, old_lines[i2])
        elif tag != "equal":
            yield old_lines[i1], old_lines[i2]


def _changed_words(
    original: str, old_words: list[Span], new: str, new_words: list[Span], stop: int
) -> Iterator[Span]:
    matcher = SequenceMatcher(
        None, [original[s:e] for s, e in old_words], [new[s:e] for s, e in new_words], False
    )
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag != "equal":
            start = old_words[i1][0] if i1 < len(old_words) else stop
            yield start, old_words[i2 - 1][1] if i2 > i1 else start


def _line_offsets(text: str) -> list[int]:
    """Start of each line (split after "\\n") and the text's end."""
    return [0, *(m.end() for m in re.finditer("\n", text) if m.end() < len(text)), len(text)]


def _cut(text: str, bounds: list[int]) -> list[str]:
    return [text[a:b] for a, b in pairwise(bounds)]


def _words(text: str, start: int, end: int, spans: Sequence[Span]) -> list[Span]:
    """Diff tokens of text[start:end], split at every protected span's edge."""
    edges = sorted({start, end, *(x for s, e in _near(spans, start, end) for x in (s, e))})
    cuts = [x for x in edges if start <= x <= end]
    return [
        (m.start(), m.end()) for a, b in pairwise(cuts) for m in _DIFF_TOKEN.finditer(text, a, b)
    ]
