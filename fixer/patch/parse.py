"""Tolerant parsing of unified diffs into FilePatch / Hunk, and the line conventions they rely on.

Models write diffs with wrong @@ numbers, no numbers, wrong counts, missing headers, blank
context lines without their leading space. The parser reads the body and trusts nothing else;
locate.py decides where each hunk really goes.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property

from fixer.patch.errors import PatchRejected, quote

BOM = "\ufeff"

# One line as (text, ending): ending is "\r\n", "\n" or "" (last line without final newline).
Line = tuple[str, str]


def split_lines(text: str) -> list[Line]:
    """Split on "\\n" only (never str.splitlines, which also splits on \\x0b, \\u2028, ...)."""
    pieces = text.split("\n")
    lines = [(p[:-1], "\r\n") if p.endswith("\r") else (p, "\n") for p in pieces[:-1]]
    if pieces[-1]:
        lines.append((pieces[-1], ""))
    return lines


def join_lines(lines: list[Line]) -> str:
    """The text of `lines`, each with its own ending."""
    return "".join([text + ending for text, ending in lines])


def dominant_ending(lines: list[Line]) -> str:
    """The ending new lines take: CRLF when most lines end with it, else LF."""
    crlf = sum(1 for _, ending in lines if ending == "\r\n")
    lf = sum(1 for _, ending in lines if ending == "\n")
    return "\r\n" if crlf > lf else "\n"


def side_index(start: int | None, count: int) -> int | None:
    """The 0-based index where one side of a hunk begins, from its @@ number.

    git numbers an empty side by the line before it (0 at the top of the file).
    """
    if start is None:
        return None
    return start - 1 if count else start


@dataclass(frozen=True)
class Hunk:
    """One hunk: tagged lines (' ', '-', '+') without line endings, and where it claims to go."""

    lines: tuple[str, ...]
    old_start: int | None = None  # 1-based; for an empty old side, the line before (0: top)
    new_start: int | None = None
    old_missing_newline: bool = False  # "\ No newline at end of file" after the last old line
    new_missing_newline: bool = False
    header: str = ""  # text after the closing @@ (function context)
    # The real ending of each line, parallel to `lines`, when the hunk was recomputed from texts
    # (diff_hunks); () when parsed from a model, whose new lines then take the file's ending.
    endings: tuple[str, ...] = ()
    # Which appearance of its file in the reply the hunk comes from: a model that writes the
    # change again further down (a second draft) means the later one where they overlap.
    draft: int = 0

    # Cached: the hunk is immutable, and placing it reads these again and again.
    @cached_property
    def old_lines(self) -> tuple[str, ...]:
        return tuple([line[1:] for line in self.lines if line[0] != "+"])

    @cached_property
    def new_lines(self) -> tuple[str, ...]:
        return tuple([line[1:] for line in self.lines if line[0] != "-"])

    @property
    def old_count(self) -> int:
        return len(self.old_lines)

    @property
    def old_index(self) -> int | None:
        """0-based index of the old side's first line, from its @@ number (None without one)."""
        return side_index(self.old_start, self.old_count)

    @property
    def new_index(self) -> int | None:
        return side_index(self.new_start, self.new_count)

    @property
    def new_count(self) -> int:
        return len(self.new_lines)


@dataclass(frozen=True)
class FilePatch:
    """The hunks for one file, with its paths (None for /dev/null or when the diff named none)."""

    old_path: str | None
    new_path: str | None
    hunks: tuple[Hunk, ...]
    unsupported: str | None = None  # "deletion", "rename", "mode change", "binary patch", "copy"

    @property
    def path(self) -> str | None:
        return self.new_path if self.new_path is not None else self.old_path

    @property
    def is_new(self) -> bool:
        return self.old_path is None and self.new_path is not None


_NUMBERED = re.compile(r"^@@+ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@+ ?(.*)$")
_HEADER_TEXT = re.compile(r"^@@+[^@]*@@+ ?(.*)$")
# One whitespace before the date, not \s+: a path of 40,000 spaces must not backtrack
# quadratically; the spaces before the date are stripped after.
_TIMESTAMP = re.compile(
    r"\s\d{4}-\d\d-\d\d(?:[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?(?: ?[+-]\d{4}| ?Z)?$"
)
_UNSUPPORTED_HEADERS = (
    ("deleted file mode", "deletion"),
    ("rename from", "rename"),
    ("rename to", "rename"),
    ("similarity index", "rename"),
    ("copy from", "copy"),
    ("copy to", "copy"),
    ("old mode", "mode change"),
    ("new mode", "mode change"),
    ("GIT binary patch", "binary patch"),
    ("Binary files", "binary patch"),
)
# An ed script ("12c", text, ".") or a normal diff ("12c12", "< old", "---", "> new") or the
# "***************" of a context diff: no @@ hunks to place, so they are refused by name.
_OTHER_DIFF = re.compile(r"^(?:\d+(?:,\d+)?[acd](?:\d+(?:,\d+)?)?|\*{15})$")
_C_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "r": "\r"}


def _unquote(path: str) -> str:
    """Undo git's C-style quoting of a path ("a/caf\\303\\251.txt")."""
    if not (len(path) >= 2 and path[0] == path[-1] == '"'):
        return path
    out = bytearray()
    body, i = path[1:-1], 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if re.match(r"[0-3][0-7]{2}", body[i + 1 : i + 4]):  # one byte: \000 to \377
                out.append(int(body[i + 1 : i + 4], 8))
                i += 4
                continue
            out += _C_ESCAPES.get(nxt, nxt).encode()
            i += 2
            continue
        out += char.encode()
        i += 1
    return out.decode("utf-8", errors="replace")


def _raw_path(header_rest: str) -> str | None:
    """The path on a ---/+++ line, without timestamp; None for /dev/null."""
    path = header_rest.split("\t", 1)[0].rstrip()
    stamp = _TIMESTAMP.search(path)
    path = _unquote(path[: stamp.start()].rstrip() if stamp else path)
    return None if path == "/dev/null" else path


def _strip_prefix(path: str | None, prefixed: bool) -> str | None:
    """Drop "./" always, and the a/ or b/ prefix when the diff uses them."""
    if path is None:
        return None
    if path.startswith("./"):
        path = path[2:]
    if prefixed and path[:2] in ("a/", "b/"):
        path = path[2:]
    return path


def _paths(old: str | None, new: str | None) -> tuple[str | None, str | None]:
    """Both paths without prefixes: a/ b/ count as prefixes when every named side has one."""
    named = [p.removeprefix("./") for p in (old, new) if p is not None]
    prefixed = bool(named) and all(p[:2] in ("a/", "b/") for p in named)
    if not prefixed and len(named) == 2 and named[0][:2] in ("a/", "b/"):
        prefixed = named[0][2:] == named[1]  # "--- a/x" with "+++ x"
    if not prefixed and len(named) == 2 and named[1][:2] in ("a/", "b/"):
        prefixed = named[1][2:] == named[0]
    return _strip_prefix(old, prefixed), _strip_prefix(new, prefixed)


def _git_line_paths(rest: str) -> tuple[str | None, str | None]:
    """The two paths of "diff --git a/x b/x", split where both halves name the same file."""
    rest = rest.strip()
    if rest.startswith('"'):
        end = rest.find('" ', 1)
        if end > 0:
            return _paths(_unquote(rest[: end + 1]), _unquote(rest[end + 2 :]))
    for match in re.finditer(r" (?=b/)", rest):
        old, new = rest[: match.start()], rest[match.end() :]
        if old[2:] == new[2:]:
            return _paths(old, new)
    old, _, new = rest.partition(" ")
    return _paths(old or None, new or None)


@dataclass
class _Section:
    """A file being parsed."""

    old_path: str | None = None
    new_path: str | None = None
    unsupported: str | None = None
    is_new: bool = False
    has_paths: bool = False
    hunks: list[Hunk] | None = None

    def file_patch(self) -> FilePatch:
        unsupported = self.unsupported
        old, new = self.old_path, self.new_path
        if self.is_new:
            old = None
        if unsupported is None and self.has_paths:
            if new is None and old is not None:
                unsupported = "deletion"
            elif old is not None and new is not None and old != new:
                unsupported = "rename"
        return FilePatch(old, new, tuple(self.hunks or ()), unsupported)


def _names_one_file(minus: str, plus: str) -> bool:
    """Whether a ---/+++ pair reads as file headers: one file, /dev/null, or a/ and b/ paths."""
    old, new = _raw_path(minus[4:]), _raw_path(plus[4:])
    if old is None or new is None or (old.startswith("a/") and new.startswith("b/")):
        return True
    return _paths(old, new)[0] == _paths(old, new)[1]


_PLAIN = frozenset(" +-")  # first characters of the lines a hunk body simply runs on with


def _stops(lines: list[str]) -> list[int]:
    """The indices of the lines where a hunk body needs a decision: all but context, added and
    removed lines, and "--- " lines (a file header, or a removed "-- x" line)."""
    return [k for k, line in enumerate(lines) if line[:1] not in _PLAIN or line[:4] == "--- "]


class _Seen:
    """How many old and new lines a growing hunk body holds, counted only when asked."""

    def __init__(self, body: list[str]) -> None:
        self.body = body
        self.counted = self.added = self.removed = 0

    def met(self, counts: tuple[int, int] | None) -> bool:
        """Whether the @@ counts are known and the body holds as many lines as they say."""
        if counts is None:
            return False
        for line in self.body[self.counted :]:
            self.added += line[0] == "+"
            self.removed += line[0] == "-"
        self.counted = len(self.body)
        return self.counted - self.added >= counts[0] and self.counted - self.removed >= counts[1]


def _parse_hunk(lines: list[str], i: int, stops: list[int]) -> tuple[Hunk | None, int]:
    """The hunk whose @@ line is lines[i], and the index of the first line after it.

    The body runs to the next @@, "diff " or file header line, or to a line no hunk line can
    be; with @@ counts, a blank line once they are met ends it too (prose comes next). Runs of
    context, added and removed lines are taken whole, up to the next line in `stops`.
    """
    numbered = _NUMBERED.match(lines[i])
    counts = None
    starts: tuple[int | None, int | None] = (None, None)
    if numbered:
        old_start, old_count, new_start, new_count, header = numbered.groups()
        counts = (int(old_count or 1), int(new_count or 1))
        starts = (int(old_start), int(new_start))
    else:
        plain = _HEADER_TEXT.match(lines[i])
        header = plain.group(1) if plain else ""
    body: list[str] = []
    seen = _Seen(body)
    bare = 0  # how many lines at the end of body were written as an empty line, not as " "
    old_missing = new_missing = False
    i += 1
    while i < len(lines):
        k = bisect_left(stops, i)
        stop = stops[k] if k < len(stops) else len(lines)
        if stop > i:
            body += lines[i:stop]
            bare = 0
            i = stop
            continue
        line = lines[i]
        if line[:4] == "--- ":
            # A file header, else a removed "-- x" line followed by an added "++ y" line, as in
            # SQL or Lua, or a removed "-- x" line alone.
            header_pair = i + 1 < len(lines) and lines[i + 1].startswith("+++ ")
            ends = counts is None or seen.met(counts) or _names_one_file(line, lines[i + 1])
            if header_pair and ends:
                break
            body.append(line)
            bare = 0
        elif not line:
            if seen.met(counts):
                break  # the counts are met and a blank line follows: prose comes next
            body.append(" ")  # a blank context line written without its space
            bare += 1
        elif line[0] == "\\":
            last_tag = body[-1][0] if body else " "
            old_missing = old_missing or last_tag in " -"
            new_missing = new_missing or last_tag in " +"
            bare = 0
        else:
            break  # "@@", "diff ", prose: not a hunk line
        i += 1
    if bare:
        # Trailing empty lines are the gap before prose; dropping edge context is harmless.
        del body[len(body) - bare :]
    if not body:
        return None, i
    return Hunk(tuple(body), *starts, old_missing, new_missing, header.strip()), i


def other_diff_line(lines: list[str]) -> str | None:
    """The first line marking an ed script, a normal or a context diff; None for other text."""
    if any(line.startswith("@@") for line in lines):
        return None
    return next((line for line in lines if _OTHER_DIFF.match(line)), None)


def _merge(patches: list[FilePatch]) -> list[FilePatch]:
    """One FilePatch per file: several blocks naming the same file share its hunks, in order."""
    merged: dict[tuple[str | None, str | None, str | None], FilePatch] = {}
    drafts: Counter[tuple[str | None, str | None, str | None]] = Counter()
    for patch in patches:
        key = (patch.old_path, patch.new_path, patch.unsupported)
        hunks = tuple(dict.fromkeys(patch.hunks))  # a hunk written twice is one change
        if key in merged:
            # A hunk repeated in a second block is the same hunk, not a second change.
            drafts[key] += 1
            earlier = {replace(h, draft=0) for h in merged[key].hunks}
            extra = tuple(replace(h, draft=drafts[key]) for h in hunks if h not in earlier)
            merged[key] = FilePatch(*key[:2], merged[key].hunks + extra, key[2])
        else:
            merged[key] = replace(patch, hunks=hunks)
    return list(merged.values())


def parse_diff(diff_text: str) -> list[FilePatch]:
    """Every file patch in `diff_text`, hunks parsed by their body; refuse when there is none."""
    lines = diff_text.split("\n")
    if "\r" in diff_text:
        lines = [line.removesuffix("\r") for line in lines]
    stops = _stops(lines)
    sections: list[_Section] = []
    current: _Section | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("diff --git "):
            current = _Section()
            current.old_path, current.new_path = _git_line_paths(line[len("diff --git ") :])
            current.has_paths = True
            sections.append(current)
        elif line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            if current is None or current.hunks is not None:
                current = _Section()
                sections.append(current)
            old, new = _raw_path(line[4:]), _raw_path(lines[i + 1][4:])
            current.old_path, current.new_path = _paths(old, new)
            current.has_paths = True
            i += 1
        elif line.startswith("@@"):
            hunk, i = _parse_hunk(lines, i, stops)
            if current is None:
                current = _Section()
                sections.append(current)
            current.hunks = [*(current.hunks or []), *([hunk] if hunk else [])]
            continue
        elif current is not None and current.hunks is None:
            if line.startswith("new file mode"):
                current.is_new = True
            for prefix, reason in _UNSUPPORTED_HEADERS:
                if line.startswith(prefix):
                    current.unsupported = reason
        i += 1
    patches = [s.file_patch() for s in sections if s.hunks or s.unsupported is not None or s.is_new]
    if not any(p.hunks or p.unsupported for p in patches):
        other = other_diff_line(lines)
        if other is not None:
            raise PatchRejected(
                "the diff is an ed script, a normal or a context diff "
                f"(line {quote(other)}), which cannot be applied; answer with a unified diff: "
                "---/+++ headers and @@ hunks"
            )
        raise PatchRejected("no diff found: expected a unified diff with @@ hunks")
    return _merge(patches)
