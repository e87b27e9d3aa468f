"""Which hunks change code, not only comments and docstrings: the docs agent's guard.

Each side of a file is cut once into its code items, comments and docstrings left out, each item
with the lines it spans; an item belongs to every hunk whose lines it touches, or to the gap
between hunks. A hunk changes code when its items differ between the two sides; a gap whose items
differ (a hunk opened a string that swallows what follows) blames the hunk before it. One pass
over each side, however many hunks: a 40,000-line file with 1,000 hunks stays linear.

What counts as code:
- Python (when both sides parse): tokenize's tokens without comments, blank lines and docstrings
  (the first statement string of a module, class or function, found by ast); indentation counts
  as structure (INDENT/DEDENT), never its width, so a docstring's re-indent passes.
- Other languages: Pygments' tokens without Comment.* (but preprocessor lines and shebangs, which
  are code) and String.Doc. Whitespace between tokens does not count, except a line's indentation
  (it is syntax in YAML, Makefiles, ...); a string's whitespace always counts.
- A file Pygments knows no language for (or plain text): every hunk changes "code", since fixer
  cannot tell its comments from the rest.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Hashable, Sequence
from typing import NamedTuple

from pygments.lexer import Lexer
from pygments.lexers import PythonLexer, get_lexer_for_filename
from pygments.lexers.special import TextLexer
from pygments.token import Comment, String, Text
from pygments.util import ClassNotFound

from fixer.patch import Hunk
from fixer.patch.apply import apply_hunks
from fixer.patch.errors import quote

PYTHON_SUFFIXES = (".py", ".pyi", ".pyw")
_RUNS = re.compile(r"\s+|\S+")
_COMMENT_CODE = (Comment.Preproc, Comment.PreprocFile, Comment.Hashbang)
_HAS_DOCSTRING = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")  # the fields holding statements


class Item(NamedTuple):
    """One piece of code and the 0-based lines it starts and ends on."""

    first: int
    last: int
    key: Hashable
    text: str  # as the reason quotes it


class Span(NamedTuple):
    """A hunk's lines on one side, 0-based, half-open; an empty span is a point between lines."""

    start: int
    end: int


def code_changes(name: str, original: str, hunks: Sequence[Hunk]) -> list[str | None]:
    """For each hunk of `original` (recomputed hunks, in order), why it changes code, or None."""
    if not hunks:
        return []
    new = apply_hunks(original, hunks)
    old_spans, new_spans = spans(hunks)
    python = name.lower().endswith(PYTHON_SUFFIXES)
    parsed = python_items(original) if python else None
    fresh = python_items(new) if parsed is not None else None
    old_items, new_items = parsed, fresh
    if old_items is None or new_items is None:
        lexer = PythonLexer(stripnl=False, ensurenl=True) if python else lexer_for(name)
        if lexer is None:
            why = f"fixer cannot tell comments from code in {name} (Pygments knows no language)"
            return [why] * len(hunks)
        old_items, new_items = lexed_items(original, lexer), lexed_items(new, lexer)
    reasons = blame(assign(old_items, old_spans), assign(new_items, new_spans), len(hunks))
    if parsed is not None and fresh is None and all(r is None for r in reasons):
        broken = _parse_error(new)
        if broken is not None:  # else tokenize failed where ast did not: the lexer judged it
            return [f"the file no longer parses as Python ({broken})"] * len(hunks)
    return reasons


def spans(hunks: Sequence[Hunk]) -> tuple[list[Span], list[Span]]:
    """Each hunk's lines in the original and in the new text."""
    old, new = [], []
    shift = 0
    for hunk in hunks:
        start = hunk.old_index
        assert start is not None  # recomputed hunks always carry their real numbers
        old.append(Span(start, start + hunk.old_count))
        new.append(Span(start + shift, start + shift + hunk.new_count))
        shift += hunk.new_count - hunk.old_count
    return old, new


class Assigned(NamedTuple):
    """One side's items: those of each hunk, and those of each gap (gap k is before hunk k)."""

    hunks: list[list[Item]]
    gaps: list[list[Item]]


def assign(items: Sequence[Item], hunk_spans: Sequence[Span]) -> Assigned:
    """Each item to every hunk whose lines it touches, or to the gap it lies in (one sweep)."""
    out = Assigned([[] for _ in hunk_spans], [[] for _ in range(len(hunk_spans) + 1)])
    before = 0  # the hunks that end before the current item begins
    for item in items:
        while before < len(hunk_spans) and _ends_before(hunk_spans[before], item.first):
            before += 1
        k = before
        while k < len(hunk_spans) and hunk_spans[k].start <= item.last:
            out.hunks[k].append(item)
            k += 1
        if k == before:
            out.gaps[before].append(item)
    return out


def _ends_before(span: Span, line: int) -> bool:
    # An empty span (an insertion before line `start`) touches the items that cross it.
    return span.end <= line if span.end > span.start else span.start <= line


def blame(old: Assigned, new: Assigned, count: int) -> list[str | None]:
    """Why each hunk changes code: its own items differ, or those of the gap after it do."""
    reasons: list[str | None] = [_differs(a, b) for a, b in zip(old.hunks, new.hunks, strict=True)]
    for k, (a, b) in enumerate(zip(old.gaps, new.gaps, strict=True)):
        why = _differs(a, b)
        if why is not None and reasons[max(k - 1, 0)] is None:
            reasons[max(k - 1, 0)] = f"{why}, after it"
    return reasons[:count]


def _differs(old: Sequence[Item], new: Sequence[Item]) -> str | None:
    if [i.key for i in old] == [i.key for i in new]:
        return None
    for a, b in zip(old, new, strict=False):
        if a.key != b.key:
            change = f"{quote(a.text)} → {quote(b.text)}"
            return f"it changes code, not only comments and docstrings: {change}"
    longer, verb = (old, "removes") if len(old) > len(new) else (new, "adds")
    extra = longer[min(len(old), len(new))]
    return f"it {verb} code, not only comments and docstrings: {quote(extra.text)}"


def python_items(text: str) -> list[Item] | None:
    """Python's code tokens without comments and docstrings; None when the text does not parse."""
    docstrings = _docstrings(text)
    if docstrings is None:
        return None
    items: list[Item] = []
    ds = 0
    skip_newline = False
    ended = 0  # the line of the last statement's end
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            kind = tok.type
            if kind in (tokenize.COMMENT, tokenize.NL, tokenize.ENDMARKER):
                continue
            row, col = tok.start
            if kind == tokenize.STRING:
                at = (row, len(tok.line[:col].encode()))
                while ds < len(docstrings) and docstrings[ds][1] <= at:
                    ds += 1
                if ds < len(docstrings) and docstrings[ds][0] <= at:
                    skip_newline = True
                    continue
            if kind == tokenize.NEWLINE and skip_newline:
                skip_newline = False
                continue
            skip_newline = False
            if kind in (tokenize.INDENT, tokenize.DEDENT):
                # Where the block opens or closes: at the end of the statement before it, not on
                # the next statement's line, which a docstring or comment put before it moves.
                items.append(Item(ended, ended, (kind, ""), tokenize.tok_name[kind]))
                continue
            if kind == tokenize.NEWLINE:
                ended = row - 1
                items.append(Item(ended, ended, (kind, ""), "a line break"))
                continue
            items.append(Item(row - 1, tok.end[0] - 1, (kind, tok.string), tok.string))
    except (tokenize.TokenError, SyntaxError):
        return None
    return items


Position = tuple[int, int]  # (1-based line, UTF-8 byte column), as ast numbers them


def _docstrings(text: str) -> list[tuple[Position, Position]] | None:
    """Where each docstring starts and ends, in order; None when the text does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    found = []
    # Only statements hold docstrings, so only statement lists are walked, never expressions.
    blocks: list[ast.AST] = [tree]
    while blocks:
        node = blocks.pop()
        body = getattr(node, "body", None)
        if isinstance(node, _HAS_DOCSTRING) and body:
            first = body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
                and first.end_lineno is not None
                and first.end_col_offset is not None
            ):
                start = (first.lineno, first.col_offset)
                found.append((start, (first.end_lineno, first.end_col_offset)))
        for field in _BLOCKS:
            inner = getattr(node, field, None)
            if isinstance(inner, list):
                blocks += inner
    return sorted(found)


def _parse_error(text: str) -> str | None:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        return f"{error.__class__.__name__}: {error}"
    return None


def lexer_for(name: str) -> Lexer | None:
    """The Pygments lexer of a file name, or None when it knows none but plain text."""
    try:
        lexer = get_lexer_for_filename(name, stripnl=False, ensurenl=True)
    except ClassNotFound:
        return None
    return None if isinstance(lexer, TextLexer) else lexer


def lexed_items(text: str, lexer: Lexer) -> list[Item]:
    """Pygments' code tokens without comments and doc strings; whitespace only as indentation:
    each line's code begins with an item of its indentation (a blank or comment line has none)."""
    items: list[Item] = []
    line = 0
    indent: str | None = ""  # before the line's first code: its indentation so far
    indenting = True  # a comment ends the indentation: what follows it on the line does not count
    # Pygments turns "\r\n" into "\n" (the same lines) but a lone "\r" into "\n" (one more).
    for kind, value in lexer.get_tokens(text.replace("\r\n", "\n").replace("\r", "\x85")):
        if (kind in Comment and kind not in _COMMENT_CODE) or kind in String.Doc:
            line += value.count("\n")
            if value.endswith("\n"):  # a line comment that takes its line break
                indent, indenting = "", True
            elif "\n" in value:
                indent, indenting = "", False
            elif indent is not None:
                indenting = False
            continue
        for run in _RUNS.findall(value) if kind in Text else [value]:
            if run.isspace():
                line += run.count("\n")
                if "\n" in run:
                    indent, indenting = run.rsplit("\n", 1)[1], True
                elif indent is not None and indenting:
                    indent += run
                continue
            if indent is not None:
                items.append(Item(line, line, ("indent", indent), f"indentation {indent!r}"))
                indent = None
            last = line + run.count("\n")
            items.append(Item(line, last, (kind, run), run))
            line = last
    return items
