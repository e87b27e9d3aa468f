"""Syntax colours for the hunk view: each side of a file is lexed once, then cut into lines.

Lexing line by line would break multi-line strings and comments, so a side is lexed whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_for_filename
from pygments.lexers.special import TextLexer
from pygments.styles import get_style_by_name
from pygments.token import _TokenType
from pygments.util import ClassNotFound
from rich.style import Style

NO_SYNTAX = "none"
PLAIN = Style()

Run = tuple[Style, str]  # a piece of a line in one style


def lexer_for(name: str) -> Lexer:
    """The Pygments lexer for a file name; plain text when none fits."""
    # stripnl/ensurenl off: the lexer must keep every line, or the numbering would shift.
    try:
        return get_lexer_for_filename(name, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False, ensurenl=False)


def highlight_lines(lines: Sequence[str], name: str, style: str) -> list[list[Run]]:
    """Each line as styled runs, lexed as one text in the Pygments style (or "none")."""
    if style == NO_SYNTAX or not lines:
        return [[(PLAIN, line)] for line in lines]
    result: list[list[Run]] = [[]]
    for token, value in lexer_for(name).get_tokens("\n".join(lines)):
        token_style = _token_style(style, token)
        for n, part in enumerate(value.split("\n")):
            if n:
                result.append([])
            if part:
                result[-1].append((token_style, part))
    if len(result) != len(lines):  # a lexer that rewrote the text: show it plain rather than wrong
        return [[(PLAIN, line)] for line in lines]
    return result


_ANSI = {"gray": "white", "white": "bright_white"}


def _colour(pygments_colour: str | None, ansi: str | None) -> str | None:
    if ansi:  # "ansibrightred" -> "bright_red": the terminal's own palette
        name = ansi.removeprefix("ansi")
        bright = name.startswith("bright")
        base = name.removeprefix("bright")
        base = _ANSI.get(base, base) if not bright else base
        return f"bright_{base}" if bright else base
    return f"#{pygments_colour}" if pygments_colour else None


@cache
def _token_style(style: str, token: _TokenType) -> Style:
    """The foreground of a token (never its background: the diff colours own the background)."""
    found = get_style_by_name(style).style_for_token(token)
    return Style(
        color=_colour(found["color"], found["ansicolor"]),
        bold=found["bold"] or None,
        italic=found["italic"] or None,
        underline=found["underline"] or None,
    )
