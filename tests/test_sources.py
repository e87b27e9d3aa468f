"""Reading and writing users' files: refusals, exact round trips, stale-write refusal, atomicity."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from fixer.errors import InputError, WriteRefused
from fixer.sources import (
    MAX_BYTES,
    Source,
    new_source,
    prepare_write,
    read_source,
    relative_name,
)


def write_source(source: Source, new_text: str) -> None:
    """One file written as a run writes it: prepared beside it, then moved into place."""
    prepare_write(source, new_text).apply()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    return project


def refusal(path: Path, root: Path) -> str:
    with pytest.raises(InputError) as caught:
        read_source(path, root)
    assert caught.value.exit_code == 2
    return str(caught.value)


def test_reads_text_with_name_and_fingerprint(root: Path) -> None:
    (root / "pkg").mkdir()
    path = root / "pkg" / "app.py"
    path.write_bytes(b"print('hi')\n")
    source = read_source(path, root)
    assert source.path == path.resolve()
    assert source.name == "pkg/app.py"
    assert source.text == "print('hi')\n"
    assert not source.bom
    assert source.exists
    assert len(source.fingerprint) == 64


def test_refuses_missing_file(root: Path) -> None:
    assert "no such file" in refusal(root / "nope.txt", root)


def test_refuses_directory(root: Path) -> None:
    (root / "docs").mkdir()
    assert "is a directory" in refusal(root / "docs", root)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_refuses_unreadable_file(root: Path) -> None:
    path = root / "secret.txt"
    path.write_text("hidden\n")
    path.chmod(0)
    assert "permission denied" in refusal(path, root)


def test_refuses_binary_file(root: Path) -> None:
    path = root / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    message = refusal(path, root)
    assert "binary" in message
    assert "offset 8" in message


def test_refuses_invalid_utf8(root: Path) -> None:
    path = root / "latin1.txt"
    path.write_bytes("café\n".encode("latin-1"))
    message = refusal(path, root)
    assert "not valid UTF-8" in message
    assert "0xe9" in message


def test_refuses_huge_file_naming_size_and_limit(root: Path) -> None:
    path = root / "big.txt"
    path.write_bytes(b"a" * (MAX_BYTES + 1))
    message = refusal(path, root)
    assert f"{MAX_BYTES + 1:,}" in message
    assert f"{MAX_BYTES:,}" in message


def test_accepts_file_of_exactly_the_limit(root: Path) -> None:
    path = root / "edge.txt"
    path.write_bytes(b"a" * MAX_BYTES)
    assert len(read_source(path, root).text) == MAX_BYTES


def test_refuses_path_outside_root(root: Path) -> None:
    outside = root.parent / "elsewhere.txt"
    outside.write_text("x\n")
    assert "outside" in refusal(outside, root)
    assert "outside" in refusal(root / ".." / "elsewhere.txt", root)


def test_refuses_symlink_leading_outside_root(root: Path) -> None:
    outside = root.parent / "target.txt"
    outside.write_text("x\n")
    link = root / "link.txt"
    link.symlink_to(outside)
    message = refusal(link, root)
    assert "symlink" in message
    assert str(outside.resolve()) in message


def test_symlink_inside_root_names_the_real_file(root: Path) -> None:
    (root / "real.md").write_text("text\n")
    (root / "alias.md").symlink_to(root / "real.md")
    source = read_source(root / "alias.md", root)
    assert source.name == "real.md"
    write_source(source, "new\n")
    assert (root / "alias.md").is_symlink()
    assert (root / "real.md").read_text() == "new\n"


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbfline one\r\nline two\r\n",
        b"mixed\r\nendings\nno final newline",
        "unicode \u2028 separator\x0c form feed\n".encode(),
    ],
)
def test_round_trip_is_byte_for_byte(root: Path, raw: bytes) -> None:
    path = root / "doc.txt"
    path.write_bytes(raw)
    source = read_source(path, root)
    assert source.bom == raw.startswith(b"\xef\xbb\xbf")
    write_source(source, source.text)
    assert path.read_bytes() == raw


def test_bom_and_crlf_kept_on_edit(root: Path) -> None:
    path = root / "notes.txt"
    path.write_bytes(b"\xef\xbb\xbfteh\r\nend\r\n")
    source = read_source(path, root)
    assert source.text == "\ufeffteh\r\nend\r\n"
    write_source(source, source.text.replace("teh", "the"))
    assert path.read_bytes() == b"\xef\xbb\xbfthe\r\nend\r\n"


def test_write_refused_when_content_changed_with_same_size_and_mtime(root: Path) -> None:
    path = root / "app.py"
    path.write_text("x = 1\n")
    source = read_source(path, root)
    before = path.stat()
    path.write_text("x = 2\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    with pytest.raises(WriteRefused) as caught:
        write_source(source, "x = 3\n")
    assert "app.py changed on disk since fixer read it; nothing written to it" in str(caught.value)
    assert caught.value.exit_code == 4
    assert path.read_text() == "x = 2\n"


def test_write_refused_when_file_deleted(root: Path) -> None:
    path = root / "gone.txt"
    path.write_text("x\n")
    source = read_source(path, root)
    path.unlink()
    with pytest.raises(WriteRefused, match=r"gone\.txt"):
        write_source(source, "y\n")
    assert not path.exists()


def test_write_keeps_mode_and_leaves_no_temp_file(root: Path) -> None:
    path = root / "run.sh"
    path.write_text("echo hi\n")
    path.chmod(0o751)
    write_source(read_source(path, root), "echo hello\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert path.read_text() == "echo hello\n"
    assert [p.name for p in root.iterdir()] == ["run.sh"]


def test_failed_write_leaves_file_and_no_temp_file(root: Path) -> None:
    path = root / "app.py"
    path.write_text("x = 1\n")
    source = read_source(path, root)
    with pytest.raises(WriteRefused):
        write_source(source, "bad \udc80 surrogate\n")
    assert path.read_text() == "x = 1\n"
    assert [p.name for p in root.iterdir()] == ["app.py"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in read-only directories")
def test_unwritable_directory_refuses_without_temp_file(root: Path) -> None:
    path = root / "app.py"
    path.write_text("x = 1\n")
    source = read_source(path, root)
    root.chmod(0o555)
    try:
        with pytest.raises(WriteRefused):
            write_source(source, "x = 2\n")
    finally:
        root.chmod(0o755)
    assert [p.name for p in root.iterdir()] == ["app.py"]


def test_new_source_then_write_creates_file_and_directories(root: Path) -> None:
    source = new_source(root / "tests" / "test_new.py", root)
    assert (source.exists, source.text, source.fingerprint) == (False, "", "")
    assert source.name == "tests/test_new.py"
    write_source(source, "def test_x():\n    pass\n")
    assert (root / "tests" / "test_new.py").read_text() == "def test_x():\n    pass\n"


def test_new_source_refused_if_created_meanwhile(root: Path) -> None:
    source = new_source(root / "new.md", root)
    (root / "new.md").write_text("someone else\n")
    with pytest.raises(WriteRefused, match=r"new\.md"):
        write_source(source, "fixer\n")
    assert (root / "new.md").read_text() == "someone else\n"


@pytest.mark.parametrize(
    "name",
    [
        ".git/config",
        "sub/.git/hooks/x",
        ".GIT/x",
        "a/.Git/hooks/pre-commit",
        "../outside.py",
        "exists.py",
    ],
)
def test_new_source_refusals(root: Path, name: str) -> None:
    (root / "exists.py").write_text("")
    with pytest.raises(InputError):
        new_source(root / name, root)


@pytest.mark.parametrize("name", [".git/config", ".GIT/config"])
def test_a_file_inside_git_is_never_edited(root: Path, name: str) -> None:
    (root / name).parent.mkdir(exist_ok=True)
    (root / name).write_text("[core]\n")
    with pytest.raises(InputError, match=r"inside \.git"):
        read_source(root / name, root)


def test_new_source_under_a_file_is_refused(root: Path) -> None:
    (root / "file.txt").write_text("")
    with pytest.raises(InputError, match="not a directory"):
        new_source(root / "file.txt" / "child.txt", root)


def test_relative_name(root: Path) -> None:
    assert relative_name(root / "a" / "b.py", root) == "a/b.py"
    with pytest.raises(InputError):
        relative_name(root.parent / "x.py", root)


def test_refuses_named_pipe(root: Path) -> None:
    fifo = root / "pipe"
    os.mkfifo(fifo)
    assert "not a regular file" in refusal(fifo, root)


def test_a_read_only_file_is_refused_even_for_root(root: Path) -> None:
    path = root / "frozen.py"
    path.write_text("x = 1\n")
    path.chmod(0o444)
    source = read_source(path, root)
    with pytest.raises(WriteRefused, match=r"frozen\.py is read-only \(mode 0444\).*chmod u\+w"):
        write_source(source, "x = 2\n")
    assert path.read_text() == "x = 1\n"
    assert [p.name for p in root.iterdir()] == ["frozen.py"]


def test_a_symlink_swapped_in_after_reading_is_refused(root: Path) -> None:
    path = root / "app.py"
    path.write_text("x = 1\n")
    source = read_source(path, root)
    (root / "elsewhere.py").write_text("x = 1\n")  # the same bytes: the hash check passes
    path.unlink()
    path.symlink_to(root / "elsewhere.py")
    with pytest.raises(WriteRefused, match="replaced by a symlink since fixer read it"):
        write_source(source, "x = 2\n")
    assert path.is_symlink() and (root / "elsewhere.py").read_text() == "x = 1\n"


def test_a_file_replaced_by_another_with_the_same_bytes_is_refused(root: Path) -> None:
    path = root / "app.py"
    path.write_text("x = 1\n")
    source = read_source(path, root)
    (root / "other.py").write_text("x = 1\n")
    os.link(root / "other.py", root / "swap.py")
    os.replace(root / "swap.py", path)  # app.py is now a hard link to other.py
    with pytest.raises(WriteRefused, match="replaced by another file"):
        write_source(source, "x = 2\n")
    assert (root / "other.py").read_text() == "x = 1\n" and path.read_text() == "x = 1\n"


def test_a_hard_link_made_after_reading_is_refused(root: Path) -> None:
    path = root / "app.py"
    path.write_text("x = 1\n")
    source = read_source(path, root)
    os.link(path, root / "twin.py")
    with pytest.raises(WriteRefused, match=r"gained or lost a hard link .*1 names, now 2"):
        write_source(source, "x = 2\n")
    assert (root / "twin.py").read_text() == "x = 1\n" and path.read_text() == "x = 1\n"


def test_a_file_hard_linked_before_reading_is_written_with_a_note(root: Path) -> None:
    path = root / "app.py"
    path.write_text("x = 1\n")
    os.link(path, root / "twin.py")
    pending = prepare_write(read_source(path, root), "x = 2\n")
    assert pending.note == (
        "app.py has 2 hard links: only this name has the new text, the other name keeps the old one"
    )
    pending.apply()
    assert path.read_text() == "x = 2\n" and (root / "twin.py").read_text() == "x = 1\n"
