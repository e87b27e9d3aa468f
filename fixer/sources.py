"""Reading and writing a user's file safely: encoding, BOM, line endings, fingerprint, refusals.

A Source is the exact text fixer showed the model; prepare_write refuses to write if the bytes on
disk are no longer the ones that text came from, so a concurrent edit is never overwritten.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import os
import re
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from fixer.errors import InputError, WriteFailed, WriteRefused

MAX_BYTES = 1_048_576
# What a text file never holds: NUL (git and grep would call the file binary), and lone
# surrogates, which are not Unicode at all (a reply's JSON may escape half a character as
# "\ud800"), so UTF-8 cannot write them.
NOT_TEXT = re.compile("[\x00\ud800-\udfff]")
# Git and grep use the same heuristic: a NUL byte near the start means binary.
BINARY_PROBE_BYTES = 8192


@dataclass(frozen=True)
class Source:
    """One file as fixer read it: the text the model sees and what is needed to write it back."""

    path: Path
    name: str
    text: str  # the whole file decoded, a UTF-8 BOM included, so printed diffs match its bytes
    fingerprint: str
    exists: bool = True
    # (device, inode, link count) when read: a file swapped or linked meanwhile is not written.
    identity: tuple[int, int, int] | None = None

    @property
    def bom(self) -> bool:
        return self.text.startswith("\ufeff")


def relative_name(path: Path, root: Path) -> str:
    """Return path as a posix name relative to root (how the model and the diff name it)."""
    resolved, base = path.resolve(), root.resolve()
    if not resolved.is_relative_to(base):
        raise InputError(f"{path} is outside {base}: fixer only edits files inside the project.")
    return resolved.relative_to(base).as_posix()


def read_source(path: Path, root: Path) -> Source:
    """Read a UTF-8 text file inside root, refusing anything fixer cannot safely edit."""
    resolved = _resolve_inside(path, root)
    if not resolved.exists():
        raise InputError(f"{path}: no such file. Check the path and try again.")
    if resolved.is_dir():
        raise InputError(f"{path} is a directory: name the files inside it instead.")
    if not resolved.is_file():
        raise InputError(f"{path} is not a regular file (device, socket or pipe): fixer skips it.")
    name = relative_name(resolved, root)
    if in_git_dir(name):
        raise InputError(f"{name}: fixer never edits files inside .git.")
    data, identity = _read_bytes(path, resolved)
    return Source(
        path=resolved,
        name=name,
        text=_decode(path, data),
        fingerprint=_sha256(data),
        identity=identity,
    )


def in_git_dir(name: str) -> bool:
    """Whether a relative path is inside a .git folder, in any case: on a case-insensitive
    filesystem (macOS, Windows) `.GIT/x` is `.git/x`."""
    return any(part.lower() == ".git" for part in Path(name).parts)


def new_source(path: Path, root: Path) -> Source:
    """Describe a file the model proposes to create: inside root, outside .git, not existing."""
    resolved = _resolve_inside(path, root)
    name = relative_name(resolved, root)
    if in_git_dir(name):
        raise InputError(f"{name}: fixer never creates files inside .git.")
    if resolved.exists() or resolved.is_symlink():
        raise InputError(f"{name} already exists: fixer only creates new files.")
    blocker = next((p for p in resolved.parents if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        raise InputError(f"{name}: cannot create it, {blocker} is a file, not a directory.")
    return Source(path=resolved, name=name, text="", fingerprint="", exists=False)


@dataclass(frozen=True)
class PendingWrite:
    """A file's new content, checked and written beside it, not yet in its place: a run writes
    every file's temp first, so a full disk leaves every file as it was."""

    source: Source
    tmp: Path
    note: str | None = None  # what the user should know about the write (hard links)

    def apply(self) -> None:
        """Move the new content into place (one rename: the file is never half written)."""
        try:
            os.replace(self.tmp, self.source.path)
        except OSError as exc:
            self.discard()
            raise WriteRefused(
                f"{self.source.name}: could not replace it ({exc.strerror})."
            ) from exc
        _fsync_dir(self.source.path.parent)

    def discard(self) -> None:
        self.tmp.unlink(missing_ok=True)


def prepare_write(source: Source, new_text: str) -> PendingWrite:
    """Check the file may be replaced with new_text (unchanged since read, still the same file,
    writable) and write that text beside it. WriteFailed when the disk fails the write."""
    data = _encode(source, new_text)
    note = _check_unchanged(source)
    if not source.exists:
        _make_parent(source)
    mode = source.path.stat().st_mode & 0o7777 if source.exists else None
    return PendingWrite(source, _write_temp(source, data, mode), note)


# Files that usually hold keys or passwords: never sent to a provider without a yes (--force).
SECRET_NAMES = (
    ".env",
    ".env.*",
    "*.pem",
    "*.key",
    "id_rsa*",
    "id_dsa*",
    "id_ecdsa*",
    "id_ed25519*",
    ".netrc",
    ".pgpass",
    "*.p12",
    "*.pfx",
    "credentials.json",
)


def looks_secret(name: str) -> bool:
    """Whether a file's name says it likely holds secrets (keys, passwords, certificates)."""
    base = Path(name).name.lower()
    return any(fnmatch.fnmatchcase(base, pattern) for pattern in SECRET_NAMES)


def not_text(text: str) -> str | None:
    """Why text cannot go into a UTF-8 text file (a NUL, a lone surrogate), or None."""
    found = NOT_TEXT.search(text)
    if found is None:
        return None
    if found.group() == "\0":
        return "it holds a NUL byte, and fixer writes text files only"
    return (
        f"it holds U+{ord(found.group()):04X}, half of a character (a lone surrogate), which "
        "is not valid Unicode and cannot be written as UTF-8"
    )


def _resolve_inside(path: Path, root: Path) -> Path:
    """Resolve path and refuse it when it, or the symlink it is, leads outside root."""
    base = root.resolve()
    absolute = Path(os.path.abspath(path))
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop on Python 3.11
        raise InputError(f"{path}: cannot resolve it ({exc}).") from exc
    if resolved.is_relative_to(base):
        return resolved
    if absolute.is_relative_to(base) or absolute.is_relative_to(root.absolute()):
        raise InputError(
            f"{path} is a symlink to {resolved}, outside {base}: fixer only edits files inside "
            "the project. Name the real file if you mean it."
        )
    raise InputError(f"{path} is outside {base}: fixer only edits files inside the project.")


def _read_bytes(path: Path, resolved: Path) -> tuple[bytes, tuple[int, int, int]]:
    """Read at most MAX_BYTES + 1 bytes, and the file's identity, turning OS errors and huge
    files into InputError."""
    try:
        with resolved.open("rb") as handle:
            found = os.fstat(handle.fileno())
            if found.st_size > MAX_BYTES:
                raise InputError(_too_large(path, found.st_size))
            data = handle.read(MAX_BYTES + 1)
    except PermissionError as exc:
        raise InputError(f"{path}: permission denied. Check the file's permissions.") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror}).") from exc
    if len(data) > MAX_BYTES:  # the file grew after fstat
        raise InputError(_too_large(path, len(data)))
    return data, _identity(found)


def _identity(found: os.stat_result) -> tuple[int, int, int]:
    return (found.st_dev, found.st_ino, found.st_nlink)


def _too_large(path: Path, size: int) -> str:
    return (
        f"{path} is {size:,} bytes, larger than fixer's limit of {MAX_BYTES:,} bytes. "
        "Split it or name a smaller file."
    )


def _decode(path: Path, data: bytes) -> str:
    """Decode UTF-8 (a BOM stays as U+FEFF), refusing binary data with the offset that shows it."""
    nul = data.find(b"\0", 0, BINARY_PROBE_BYTES)
    if nul >= 0:
        raise InputError(f"{path} looks binary (NUL byte at offset {nul}): fixer edits text only.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start
        raise InputError(
            f"{path} is not valid UTF-8 (byte 0x{data[offset]:02x} at offset {offset}): "
            "fixer edits UTF-8 text only. Convert it to UTF-8 first."
        ) from exc


def _encode(source: Source, text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise WriteRefused(
            f"{source.name}: the new text is not valid Unicode ({exc.reason})."
        ) from exc


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_unchanged(source: Source) -> str | None:
    """Compare the bytes on disk with the fingerprint taken at read time (content, not mtime),
    and the file itself with the one read; refuse a read-only file. Returns a note to show."""
    if not source.exists:
        if source.path.exists() or source.path.is_symlink():
            raise WriteRefused(
                f"{source.name} was created on disk since fixer planned it; nothing written to it."
            )
        return None
    try:
        found = os.lstat(source.path)
        current = source.path.read_bytes()
    except FileNotFoundError as exc:
        raise WriteRefused(
            f"{source.name} was deleted since fixer read it; nothing written to it."
        ) from exc
    except OSError as exc:
        raise WriteRefused(
            f"{source.name}: cannot read it back ({exc.strerror}); nothing written to it."
        ) from exc
    note = _check_same_file(source, found)
    if _sha256(current) != source.fingerprint:
        raise WriteRefused(
            f"{source.name} changed on disk since fixer read it; nothing written to it."
        )
    return note


def _check_same_file(source: Source, found: os.stat_result) -> str | None:
    """Refuse a file that is read-only, or is no longer the file fixer read: fixer writes by
    renaming a new file over the name, which would replace a symlink swapped in (the content
    check reads through it) and split a hard link made meanwhile, both silently.

    A file hard-linked already when read is written, with a note: its other names keep the old
    text (as with any editor that saves by rename)."""
    if stat.S_ISLNK(found.st_mode):
        raise WriteRefused(
            f"{source.name} was replaced by a symlink since fixer read it; nothing written to it. "
            "Run fixer again on the file you mean."
        )
    # Root may write anything: the mode bits say what the user meant.
    if not found.st_mode & 0o222 or not os.access(source.path, os.W_OK):
        raise WriteRefused(
            f"{source.name} is read-only (mode {stat.S_IMODE(found.st_mode):04o}); nothing "
            f"written to it. Make it writable (chmod u+w {source.name}) and run fixer again."
        )
    if source.identity is None:
        return None
    device, inode, links = source.identity
    if (found.st_dev, found.st_ino) != (device, inode):
        raise WriteRefused(
            f"{source.name} was replaced by another file since fixer read it; nothing written "
            "to it. Run fixer again."
        )
    if found.st_nlink != links:
        raise WriteRefused(
            f"{source.name} gained or lost a hard link since fixer read it ({links} names, now "
            f"{found.st_nlink}); nothing written to it, which would split the link. Run fixer "
            "again."
        )
    if links > 1:
        return (
            f"{source.name} has {links} hard links: only this name has the new text, "
            + ("the other name keeps" if links == 2 else f"the {links - 1} other names keep")
            + " the old one"
        )
    return None


def _make_parent(source: Source) -> None:
    try:
        source.path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteFailed(f"{source.name}: cannot create its directory ({exc.strerror}).") from exc


def _write_temp(source: Source, data: bytes, mode: int | None) -> Path:
    """Write data to a new temp file beside the target, fsynced, with the target's mode."""
    tmp = source.path.with_name(f".{source.path.name}.fixer-{secrets.token_hex(4)}.tmp")
    try:
        # 0o666 lets the umask decide a new file's mode, as any editor would.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise WriteFailed(f"{source.name}: cannot write in {tmp.parent} ({exc.strerror}).") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
    except BaseException as exc:
        tmp.unlink(missing_ok=True)  # never leave a temp file behind, whatever went wrong
        if isinstance(exc, OSError):
            raise WriteFailed(
                f"{source.name}: writing failed ({exc.strerror}); unchanged."
            ) from exc
        raise
    return tmp


def _fsync_dir(directory: Path) -> None:
    """Persist the rename itself; some filesystems refuse to open directories, which is fine."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
