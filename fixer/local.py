"""Offline "models": ruff for Python, codespell and Harper for prose; they answer with a diff too.

Each tool rewrites a copy of the text; the reply is the diff between Source.text and that copy,
so the session reviews local fixes exactly like a model's. Line endings are kept as they are.
"""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from fixer.known_words import code_words, in_repository, path_words
from fixer.patch import diff_hunks, format_diff
from fixer.patch.parse import split_lines
from fixer.sources import Source

if TYPE_CHECKING:
    from fixer.proofread import Fix

PYTHON_SUFFIXES = frozenset({".py", ".pyi"})
PROSE_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".rst", ""})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
PROSE_TOOLS = ("codespell", "harper")
TOOL_TIMEOUT_S = 60
CODESPELL_FOUND = 65  # EX_DATAERR: misspellings remain (ambiguous ones are never written)


@dataclass(frozen=True)
class LocalReply:
    """What the local tools propose: one unified diff over all files, and one note per tool run."""

    text: str
    notes: tuple[str, ...]


def propose_local(sources: Sequence[Source]) -> LocalReply:
    """Run ruff on Python files and codespell on prose; answer with a diff like a model would."""
    prose = [source for source in sources if source.text and _suffix(source) in PROSE_SUFFIXES]
    spelled = dict(zip((s.name for s in prose), spell_prose(prose), strict=True)) if prose else {}
    diffs: list[str] = []
    notes: list[str] = []
    for source in sources:
        fixed, note = spelled.get(source.name) or _propose_one(source)
        if source.bom and not fixed.startswith("\ufeff"):
            fixed = "\ufeff" + fixed  # a tool that drops the BOM must not propose removing it
        diffs.append(unified_diff(source.text, fixed, source.name))
        notes.append(note)
    return LocalReply(text="".join(diffs), notes=tuple(notes))


def spell_prose(sources: Sequence[Source]) -> list[tuple[str, str]]:
    """codespell's fixes of each text, and a note per text (see correct_prose)."""
    return [(c.text, c.notes[0]) for c in correct_prose(sources, ("codespell",))]


@dataclass(frozen=True)
class Corrected:
    """A text as the offline prose checkers corrected it, a note per checker, and Harper's
    fixes (each one's kind of correction labels its hunk)."""

    text: str
    notes: tuple[str, ...]
    fixes: tuple[Fix, ...] = ()


def correct_prose(
    sources: Sequence[Source],
    tools: Collection[str] = PROSE_TOOLS,
    *,
    dialect: str | None = None,
    words: frozenset[str] = frozenset(),
) -> list[Corrected]:
    """Each text corrected by codespell, then Harper (`tools` names which). A Markdown file's
    code, links, front matter and markup are masked first, so only its prose is ever changed;
    Harper never changes a known word (`words`, the post's code, the repository's identifiers)."""
    from fixer.markdown import MaskError, mask, unmask

    masks = [mask(s.text) if _suffix(s) in MARKDOWN_SUFFIXES else None for s in sources]
    copies = [replace(s, text=m.text) if m else s for s, m in zip(sources, masks, strict=True)]
    # A word of a post's code is a known word: prose names code without backticks too.
    known = [words | code_words(m.pieces if m else ()) for m in masks]
    spelled = (
        _spelled(copies, frozenset().union(*known))
        if "codespell" in tools
        else [(c.text, "") for c in copies]
    )
    corrected = []
    for source, masked, mine, (text, note) in zip(sources, masks, known, spelled, strict=True):
        notes = [note] if "codespell" in tools else []
        found: tuple[Fix, ...] = ()
        if "harper" in tools:
            text, found, told = _harper(source, text, dialect, mine)
            notes.append(told)
        try:
            corrected.append(Corrected(unmask(text, masked) if masked else text, (*notes,), found))
        except MaskError:  # neither tool touches ⟦n⟧; should one, nothing is proposed
            kept = tuple(f"{n.split(':', 1)[0]}: {source.name} left as is ({n})" for n in notes)
            corrected.append(Corrected(source.text, kept))
    return corrected


def _harper(
    source: Source, text: str, dialect: str | None, words: frozenset[str]
) -> tuple[str, tuple[Fix, ...], str]:
    """Harper's precise fixes of one (masked) text, the text with them made, and a note."""
    from fixer import proofread

    if not proofread.available():
        return text, (), f"harper: not installed, {source.name} left to codespell"

    root = _project_root(source)

    def known(candidates: set[str], starts: bool) -> set[str]:
        told = candidates & words
        # At a sentence's start, only a name the repository's files bear ("fixer"): "the"
        # is in its code's comments too.
        if starts:
            return told | (candidates & path_words(root))
        return told | in_repository(candidates - told, root, [source.name])

    deadline = time.monotonic() + proofread.SECONDS
    found = tuple(proofread.fixes(text, dialect, known, deadline))
    note = f"harper: {_fixes(len(found), source.name)}"
    if time.monotonic() > deadline:
        note += (
            f"; stopped after {proofread.SECONDS:g} s (too many words it does not know), "
            "the rest left as is"
        )
    return proofread.apply(text, found), found, note


def _propose_one(source: Source) -> tuple[str, str]:
    """Fixed text and a note for a file codespell does not handle."""
    if not source.text:
        return source.text, f"nothing to fix in {source.name}: it is empty"
    if _suffix(source) in PYTHON_SUFFIXES:
        return _ruff(source)
    return source.text, f"no local fixer for {source.name}"


def _suffix(source: Source) -> str:
    return PurePosixPath(source.name).suffix.lower()


def unified_diff(old: str, new: str, name: str) -> str:
    """A git-applicable unified diff from old to new ("" when equal), each line's ending kept."""
    return format_diff(name, diff_hunks(old, new)) if old != new else ""


def _ruff(source: Source) -> tuple[str, str]:
    """Apply ruff's safe fixes, then format; a syntax error skips formatting, keeping the fixes."""
    ruff = _ruff_bin()
    if ruff is None:
        return source.text, f"ruff: not installed, {source.name} left as is"
    stdin = ["--stdin-filename", str(source.path), "-"]
    cwd = source.path.parent
    status, checked, err = _run(
        [ruff, "check", "--fix-only", "--exit-zero", *stdin], cwd, source.text
    )
    if status != 0:
        return source.text, f"ruff: check failed on {source.name}: {_first_line(err)}"
    count = sum(int(n) for n in re.findall(r"Fixed (\d+) error", err))
    summary = _fixes(count, source.name)
    status, formatted, err = _run([ruff, "format", *stdin], cwd, checked)
    if status != 0:
        return checked, f"ruff: {summary}; not formatted: {_first_line(err)}"
    if formatted == checked:
        return formatted, f"ruff: {summary}"
    if count == 0:
        return formatted, f"ruff: reformatted {source.name} (no lint fixes)"
    return formatted, f"ruff: {summary}, reformatted"


def _ruff_bin() -> str | None:
    """Prefer the binary shipped with the ruff package; fall back to ruff on PATH."""
    try:
        from ruff.__main__ import find_ruff_bin

        return str(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        return shutil.which("ruff")


def _spelled(sources: Sequence[Source], known: frozenset[str]) -> list[tuple[str, str]]:
    """codespell's fixes, but for known words: the user's, the posts' code's, and (asked only
    of the words it changed, then run again without them) the repository's identifiers."""
    spelled = _codespell(sources, known)
    changed = {
        word.casefold()
        for source, (text, _) in zip(sources, spelled, strict=True)
        for old, _ in _word_changes(source.text, text)
        for word in old
    }
    names = [source.name for source in sources]
    also = in_repository(changed - known, _project_root(sources[0]), names) if changed else set()
    return _codespell(sources, known | also) if also else spelled


def _codespell(sources: Sequence[Source], known: frozenset[str]) -> list[tuple[str, str]]:
    """Let codespell write its unambiguous fixes into temp copies (one run), then read them back."""
    with tempfile.TemporaryDirectory(prefix="fixer-codespell-") as tmp:
        copies = [_copy(source, Path(tmp, str(i))) for i, source in enumerate(sources)]
        ignored = Path(tmp, "known-words.txt")
        ignored.write_text("".join(f"{word}\n" for word in sorted(known)), encoding="utf-8")
        # The project root as cwd lets the user's codespell config (ignore-words-list...) apply.
        argv = [sys.executable, "-m", "codespell_lib", "-w", "-i", "0", "--check-hidden"]
        argv += ["-I", str(ignored), *copies]
        status, _, err = _run(argv, _project_root(sources[0]), "")
        if status not in (0, CODESPELL_FOUND):
            note = f"codespell: failed ({_first_line(err)})"
            return [(source.text, f"{note}, {source.name} left as is") for source in sources]
        return [_read_back(source, copy) for source, copy in zip(sources, copies, strict=True)]


def _copy(source: Source, directory: Path) -> str:
    directory.mkdir()
    copy = directory / PurePosixPath(source.name).name
    copy.write_bytes(source.text.encode("utf-8"))
    return str(copy)


def _read_back(source: Source, copy: str) -> tuple[str, str]:
    fixed = Path(copy).read_bytes().decode("utf-8")
    return fixed, f"codespell: {_fixes(_changed_words(source.text, fixed), source.name)}"


def _changed_words(old: str, new: str) -> int:
    """Count word-level changes, so a note says "2 fixes" for two words on one line."""
    return len(_word_changes(old, new))


def _word_changes(old: str, new: str) -> list[tuple[list[str], list[str]]]:
    """The words codespell replaced, and by what, one pair per change."""
    # codespell edits within lines, so comparing changed lines pairwise is exact and cheap.
    changes = []
    for a, b in zip(split_lines(old), split_lines(new), strict=False):
        if a == b:
            continue
        before, after = a[0].split(), b[0].split()
        matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
        changes += [
            (before[i1:i2], after[j1:j2])
            for tag, i1, i2, j1, j2 in matcher.get_opcodes()
            if tag != "equal"
        ]
    return changes


def _fixes(count: int, name: str) -> str:
    if count == 0:
        return f"nothing to fix in {name}"
    return f"{count} fix{'' if count == 1 else 'es'} in {name}"


def _project_root(source: Source) -> Path:
    return source.path.parents[len(PurePosixPath(source.name).parts) - 1]


def _run(argv: list[str], cwd: Path, text: str) -> tuple[int, str, str]:
    """Run a tool with text on stdin; bytes in and out so CRLF line endings survive."""
    try:
        done = subprocess.run(
            argv, input=text.encode("utf-8"), capture_output=True, cwd=cwd, timeout=TOOL_TIMEOUT_S
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 1, "", str(exc)
    return done.returncode, _text(done.stdout), _text(done.stderr)


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _first_line(text: str) -> str:
    """The tool's first non-empty stderr line, without its "error: " prefix, for a note."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "no message")
    return line.removeprefix("error: ")
