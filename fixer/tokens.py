"""Token estimates without a tokenizer: what the router, the Caller and the post sections size
prompts with, before a provider reports the real counts."""

from __future__ import annotations

import math
import re

# Scripts where one character is about one token: Han, kana, Hangul, CJK and fullwidth punctuation.
_CJK = re.compile(
    "[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
    "\U00020000-\U0003134f]"
)


def estimate_tokens(text: str) -> int:
    """A download-free token estimate, marked as such wherever it is shown.

    Heuristic: ~4 characters per token for ASCII (English and code), 1 token per CJK character
    (Han, kana, Hangul), and ~2 characters per token for other non-ASCII scripts.
    """
    ascii_chars = len(text.encode("ascii", "ignore"))
    cjk_chars = len(_CJK.findall(text))
    other_chars = len(text) - ascii_chars - cjk_chars
    return math.ceil(ascii_chars / 4 + cjk_chars + other_chars / 2)
