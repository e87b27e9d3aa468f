"""Reading and writing a user's file safely: encoding, BOM, line endings, fingerprint, refusals.

A Source is the exact text fixer showed the model; write_source refuses to write if the bytes on
disk are no longer the ones that text came from, so a concurrent edit is never overwritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from fixer.errors import InputError, WriteRefused

MAX_BYTES = 1_048_576
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
    data = _read_bytes(path, resolved)
    return Source(
        path=resolved,
        name=name,
        text=_decode(path, data),
        fingerprint=_sha256(data),
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


def write_source(source: Source, new_text: str) -> None:
    """Atomically replace the file with new_text, refusing if it changed since it was read."""
    data = _encode(source, new_text)
    _check_unchanged(source)
    if not source.exists:
        _make_parent(source)
    mode = source.path.stat().st_mode & 0o7777 if source.exists else None
    tmp = _write_temp(source, data, mode)
    try:
        os.replace(tmp, source.path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise WriteRefused(f"{source.name}: could not replace it ({exc.strerror}).") from exc
    _fsync_dir(source.path.parent)


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


def _read_bytes(path: Path, resolved: Path) -> bytes:
    """Read at most MAX_BYTES + 1 bytes, turning OS errors and huge files into InputError."""
    try:
        with resolved.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_BYTES:
                raise InputError(_too_large(path, size))
            data = handle.read(MAX_BYTES + 1)
    except PermissionError as exc:
        raise InputError(f"{path}: permission denied. Check the file's permissions.") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror}).") from exc
    if len(data) > MAX_BYTES:  # the file grew after fstat
        raise InputError(_too_large(path, len(data)))
    return data


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


def _check_unchanged(source: Source) -> None:
    """Compare the bytes on disk with the fingerprint taken at read time (content, not mtime)."""
    if not source.exists:
        if source.path.exists() or source.path.is_symlink():
            raise WriteRefused(
                f"{source.name} was created on disk since fixer planned it; nothing written to it."
            )
        return
    try:
        current = source.path.read_bytes()
    except FileNotFoundError as exc:
        raise WriteRefused(
            f"{source.name} was deleted since fixer read it; nothing written to it."
        ) from exc
    except OSError as exc:
        raise WriteRefused(
            f"{source.name}: cannot read it back ({exc.strerror}); nothing written to it."
        ) from exc
    if _sha256(current) != source.fingerprint:
        raise WriteRefused(
            f"{source.name} changed on disk since fixer read it; nothing written to it."
        )


def _make_parent(source: Source) -> None:
    try:
        source.path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteRefused(f"{source.name}: cannot create its directory ({exc.strerror}).") from exc


def _write_temp(source: Source, data: bytes, mode: int | None) -> Path:
    """Write data to a new temp file beside the target, fsynced, with the target's mode."""
    tmp = source.path.with_name(f".{source.path.name}.fixer-{secrets.token_hex(4)}.tmp")
    try:
        # 0o666 lets the umask decide a new file's mode, as any editor would.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise WriteRefused(
            f"{source.name}: cannot write in {tmp.parent} ({exc.strerror})."
        ) from exc
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
            raise WriteRefused(
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
