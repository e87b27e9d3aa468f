"""Text made safe for a terminal: control characters shown as symbols, never sent as commands.

File names, model replies and diffs come from outside; an escape sequence in any of them must be
seen (␛[2J), not obeyed (clear the screen). Pure, no imports beyond the standard library.
"""

from __future__ import annotations

import re

BOM = "\ufeff"
CONTINUATION = "\u2063"  # grammar mode's sentence view: this line goes on the line above
# C0 controls and DEL, and the C1 controls (\x9b is CSI on some terminals).
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_CONTROL_KEEPING_NEWLINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _symbol(match: re.Match[str]) -> str:
    char = match[0]
    if char >= "\x80":
        return "\ufffd"  # C1 has no control picture
    return "␡" if char == "\x7f" else chr(0x2400 + ord(char))  # the Control Pictures block


def printable(text: str) -> str:
    """One line with control characters as their symbols (␛ for ESC), the BOM as a space and
    a sentence view's continuation mark as "…".

    One character in, one character out, so positions in the text stay valid.
    """
    text = text.replace(BOM, " ") if BOM in text else text
    text = text.replace(CONTINUATION, "…") if CONTINUATION in text else text
    return _CONTROL.sub(_symbol, text)


def printable_lines(text: str) -> str:
    """Like printable, keeping the line breaks of a message; CRLF counts as a line break."""
    text = text.replace("\r\n", "\n").replace(BOM, " ")
    return _CONTROL_KEEPING_NEWLINES.sub(_symbol, text)
