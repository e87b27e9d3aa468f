"""Offline "models": ruff for Python, codespell for prose; they answer with a unified diff too.

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
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from fixer.patch import diff_hunks, format_diff
from fixer.patch.parse import split_lines
from fixer.sources import Source

PYTHON_SUFFIXES = frozenset({".py", ".pyi"})
PROSE_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".rst", ""})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
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
    """codespell's fixes of each text, and a note per text. A Markdown file's code, links,
    front matter and markup are masked first, so only its prose is ever spelled."""
    from fixer.markdown import MaskError, mask, unmask

    masks = [mask(s.text) if _suffix(s) in MARKDOWN_SUFFIXES else None for s in sources]
    copies = [replace(s, text=m.text) if m else s for s, m in zip(sources, masks, strict=True)]
    spelled = []
    for source, masked, (fixed, note) in zip(sources, masks, _codespell(copies), strict=True):
        try:
            spelled.append((unmask(fixed, masked) if masked else fixed, note))
        except MaskError:  # codespell never touches ⟦n⟧; should it, nothing is proposed
            spelled.append((source.text, f"codespell: {source.name} left as is ({note})"))
    return spelled


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


def _codespell(sources: Sequence[Source]) -> list[tuple[str, str]]:
    """Let codespell write its unambiguous fixes into temp copies (one run), then read them back."""
    with tempfile.TemporaryDirectory(prefix="fixer-codespell-") as tmp:
        copies = [_copy(source, Path(tmp, str(i))) for i, source in enumerate(sources)]
        # The project root as cwd lets the user's codespell config (ignore-words-list...) apply.
        argv = [sys.executable, "-m", "codespell_lib", "-w", "-i", "0", "--check-hidden", *copies]
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
    # codespell edits within lines, so comparing changed lines pairwise is exact and cheap.
    pairs = zip(split_lines(old), split_lines(new), strict=False)
    return sum(_word_edits(a[0], b[0]) for a, b in pairs if a != b)


def _word_edits(old: str, new: str) -> int:
    matcher = difflib.SequenceMatcher(None, old.split(), new.split(), autojunk=False)
    return sum(tag != "equal" for tag, *_ in matcher.get_opcodes())


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
