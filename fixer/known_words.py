"""Known words: jargon, names and identifiers that an offline checker must not "correct".

A word is known when it appears in the post's own code (its code blocks, inline code, links),
in the repository's identifiers (its tracked files other than prose), or in the user's word
list, $XDG_CONFIG_HOME/fixer/words.txt (one word per line, # for comments). Measured before
this: Harper alone turned CSDN into CSON and XORing into Boring.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

from fixer.xdg import base_dir

WORDS_FILE = "words.txt"
MOST_WORD_FILE_BYTES = 1_000_000
GREP_TIMEOUT_S = 10
# Files whose words are prose, not identifiers: a misspelling in another post is still one.
PROSE_FILES = ("*.md", "*.markdown", "*.txt", "*.rst", "*.html", "*.htm", "*.adoc")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def words_file(env: Mapping[str, str]) -> Path:
    return base_dir(env, "XDG_CONFIG_HOME", ".config") / "fixer" / WORDS_FILE


def read_words(path: Path) -> tuple[frozenset[str], str | None]:
    """The words of a word list (casefolded), and why it could not be read when it could not;
    no file is no words, not a problem."""
    try:
        if path.stat().st_size > MOST_WORD_FILE_BYTES:
            return frozenset(), f"{path} is over {MOST_WORD_FILE_BYTES:,} bytes: not read"
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return frozenset(), None
    except (OSError, UnicodeDecodeError) as error:
        return frozenset(), f"{path} could not be read ({error})"
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(line.casefold() for line in lines if line), None


def words_in(texts: Iterable[str]) -> frozenset[str]:
    """Every word of the texts, casefolded; an identifier's parts count too (parse_args and
    fooBar give parse, args, foo, bar)."""
    found: set[str] = set()
    for text in texts:
        for word in _WORD.findall(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)):
            found.add(word.casefold())
        found.update(w.casefold() for w in re.findall(r"\w+", text))
    return frozenset(found)


def in_repository(words: set[str], root: Path, posts: Collection[str]) -> set[str]:
    """Which of `words` appear as whole words in the repository's tracked files that are not
    prose (nor the posts being corrected): one `git grep`, one pass over the tree."""
    if not words or not (root / ".git").exists():
        return set()
    patterns = [arg for word in sorted(words) for arg in ("-e", word)]
    excluded = [f":(exclude,glob)**/{glob}" for glob in PROSE_FILES]
    argv = ["git", "grep", "-I", "-h", "-o", "-w", "-i", "-F", *patterns, "--", ".", *excluded]
    argv += [f":(exclude,literal){post}" for post in posts]
    try:
        done = subprocess.run(argv, cwd=root, capture_output=True, timeout=GREP_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired):
        return set()  # no repository words: the check stays as strict as without them
    found = done.stdout.decode("utf-8", errors="replace").split()
    return {word.casefold() for word in found} & words
