"""Text made safe for a terminal: control characters shown as symbols, never sent as commands.

File names, model replies and diffs come from outside; an escape sequence in any of them must be
seen (␛[2J), not obeyed (clear the screen). Pure, no imports beyond the standard library.
"""

from __future__ import annotations

import re

BOM = "\ufeff"
CONTINUATION = "\u2063"  # grammar mode's sentence view: this line goes on the line above
# C0 controls and DEL, the C1 controls (\x9b is CSI on some terminals), and the bidi embeddings,
# overrides and isolates, which reorder what follows them on screen ("Trojan Source").
_BIDI = "\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[\\x00-\\x08\\x0a-\\x1f\\x7f-\\x9f{_BIDI}]")
_CONTROL_KEEPING_NEWLINES = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_BIDI}]")
# What a program writes to colour its output (pytest, ruff): CSI sequences such as ESC[31m,
# OSC sequences such as a hyperlink, and the two-character escapes.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]"
)


def _symbol(match: re.Match[str]) -> str:
    char = match[0]
    if char >= "\x80":
        return "\ufffd"  # C1 and the bidi controls have no control picture
    return "␡" if char == "\x7f" else chr(0x2400 + ord(char))  # the Control Pictures block


def printable(text: str) -> str:
    """One line with control characters as their symbols (␛ for ESC; bidi controls as �), the
    BOM as a space and a sentence view's continuation mark as "…".

    One character in, one character out, so positions in the text stay valid.
    """
    text = text.replace(BOM, " ") if BOM in text else text
    text = text.replace(CONTINUATION, "…") if CONTINUATION in text else text
    return _CONTROL.sub(_symbol, text)


def printable_lines(text: str) -> str:
    """Like printable, keeping the line breaks of a message; CRLF counts as a line break."""
    text = text.replace("\r\n", "\n").replace(BOM, " ")
    return _CONTROL_KEEPING_NEWLINES.sub(_symbol, text)


def without_escapes(text: str) -> str:
    """A command's output (the test command's) without its colour and cursor escape sequences,
    to read on screen; it still goes through printable_lines (an escape left is shown as ␛)."""
    return _ESCAPE_SEQUENCE.sub("", text)
