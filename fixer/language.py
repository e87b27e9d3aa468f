"""What language a post is written in, and for English which dialect: from its front matter's
`lang` (or `dialect`), else from its most common words. Pure and cheap: a few regexes.

The offline correctors (codespell, Harper) only know English words: on a French post they would
"correct" exemple into example, so they run only on a post told English here.
"""

from __future__ import annotations

import re

ENGLISH = "en"
FRENCH = "fr"
CHINESE = "zh"
# Harper's dialects, by the names a config or front matter uses for them.
DIALECTS = ("american", "british", "australian", "canadian", "indian")
_REGIONS = {"us": "american", "gb": "british", "uk": "british", "au": "australian"}
_REGIONS |= {"ca": "canadian", "in": "indian"}

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n((?:.*\r?\n)*?)(?:---|\.\.\.)[ \t]*\r?$", re.M)
_KEY = re.compile(r"^(lang|language|locale|dialect):[ \t]*['\"]?([\w-]+)", re.MULTILINE)
_ENGLISH = re.compile(r"\b(?:the|and|is|of|to|with|that|it)\b", re.IGNORECASE)
_FRENCH = re.compile(r"\b(?:le|la|les|des|est|et|une|pour|avec|que)\b", re.IGNORECASE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def _front_matter(text: str) -> dict[str, str]:
    found = _FRONT_MATTER.match(text)
    if not found:
        return {}
    return {key: value.lower() for key, value in _KEY.findall(found.group(1))}


def post_language(text: str) -> str:
    """The post's language as a short code ("en", "fr", "zh", ...): its front matter's `lang`
    when it has one, else English, French or Chinese by its words and characters."""
    told = _front_matter(text)
    for key in ("lang", "language", "locale"):
        if key in told:
            return re.split(r"[-_]", told[key])[0]
    if len(_CJK.findall(text)) > len(text) // 20:
        return CHINESE
    return ENGLISH if len(_ENGLISH.findall(text)) >= len(_FRENCH.findall(text)) else FRENCH


def is_english(text: str) -> bool:
    return post_language(text) == ENGLISH


def post_dialect(text: str, default: str | None = None) -> str | None:
    """The English dialect a post asks for: front matter `dialect: british`, or a region in its
    `lang` (en-GB, en_AU); else `default` (the config's; None: not told, any dialect's spelling
    is right)."""
    told = _front_matter(text)
    if told.get("dialect") in DIALECTS:
        return told["dialect"]
    for key in ("lang", "language", "locale"):
        parts = re.split(r"[-_]", told.get(key, ""))
        if len(parts) > 1 and parts[1] in _REGIONS:
            return _REGIONS[parts[1]]
    return default
