"""Recomputed hunks, exact application, splitting, git-style formatting and apply_patch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixer.patch import (
    Hunk,
    PatchRejected,
    apply_hunks,
    apply_patch,
    apply_placements,
    diff_hunks,
    format_diff,
    split_hunk,
)
from fixer.patch.locate import Placement

# Texts from a small alphabet so that lines repeat, endings mix and final newlines vary.
_LINE = st.text(alphabet="ab ", max_size=3)
_ENDING = st.sampled_from(["\n", "\r\n"])
TEXTS = st.builds(
    lambda lines, endings, last: (
        "".join(line + ending for line, ending in zip(lines, endings, strict=False)) + last
    ),
    st.lists(_LINE, max_size=12),
    st.lists(_ENDING, min_size=12, max_size=12),
    st.sampled_from(["", "a", "b "]),
)
LF_TEXTS = TEXTS.map(lambda text: text.replace("\r", ""))


def numbered(count: int) -> str:
    return "".join(f"line {n}\n" for n in range(1, count + 1))


@settings(max_examples=200, deadline=None)
@given(TEXTS, TEXTS, st.integers(min_value=0, max_value=3))
def test_apply_hunks_of_diff_hunks_gives_the_new_text_exactly(
    old: str, new: str, context: int
) -> None:
    hunks = diff_hunks(old, new, context)
    assert apply_hunks(old, hunks) == new
    assert apply_hunks(old, []) == old
    assert (hunks == []) == (old == new)


@settings(max_examples=200, deadline=None)
@given(TEXTS, TEXTS)
def test_split_pieces_apply_like_the_whole_hunk(old: str, new: str) -> None:
    pieces = [piece for hunk in diff_hunks(old, new) for piece in split_hunk(hunk)]
    assert apply_hunks(old, pieces) == new


@settings(max_examples=200, deadline=None)
@given(LF_TEXTS, LF_TEXTS)
def test_formatted_diff_applies_through_the_model_path(old: str, new: str) -> None:
    # format_diff's text, parsed and located like a model's reply, rebuilds the new text.
    hunks = diff_hunks(old, new)
    if hunks:
        assert apply_patch(old, format_diff("f.txt", hunks)) == new


def test_diff_hunks_has_real_numbers_and_groups_like_git() -> None:
    old = numbered(30)
    new = old.replace("line 5\n", "five\n").replace("line 12\n", "twelve\n")
    new = new.replace("line 25\n", "")
    first, second = diff_hunks(old, new)
    assert (first.old_start, first.old_count, first.new_start, first.new_count) == (2, 14, 2, 14)
    assert first.lines[3:5] == ("-line 5", "+five")
    assert (second.old_start, second.old_count, second.new_start, second.new_count) == (
        22,
        7,
        22,
        6,
    )
    assert diff_hunks(old, new, context=0)[0].lines == ("-line 5", "+five")
    assert all(end == "\n" for end in first.endings)


def test_diff_hunks_sees_line_endings_and_final_newline() -> None:
    [hunk] = diff_hunks("a\r\nb", "a\nb\n")
    assert hunk.lines == ("-a", "-b", "+a", "+b")
    assert hunk.old_missing_newline and not hunk.new_missing_newline
    [insert] = diff_hunks("", "x\n")
    assert (insert.old_start, insert.new_start, insert.lines) == (0, 1, ("+x",))


def test_apply_hunks_applies_a_subset_and_checks_the_file() -> None:
    old = numbered(30)
    new = old.replace("line 5\n", "five\n").replace("line 25\n", "")
    first, second = diff_hunks(old, new)
    assert apply_hunks(old, [second]) == old.replace("line 25\n", "")
    with pytest.raises(PatchRejected, match=r"line 5 should be 'line 5' but the file has 'V'"):
        apply_hunks(old.replace("line 5\n", "V\n"), [first])
    with pytest.raises(PatchRejected, match="no @@ line number"):
        apply_hunks(old, [Hunk(("-line 5", "+five"))])


def test_apply_hunks_accepts_hand_made_hunks_without_endings() -> None:
    hunk = Hunk((" a", "-b", "+B"), old_start=1, new_start=1)
    assert apply_hunks("a\r\nb\r\nc\r\n", [hunk]) == "a\r\nB\r\nc\r\n"


def test_split_hunk_like_git_add_p() -> None:
    old = "a\nb\nc\nd\ne\n"
    [hunk] = diff_hunks(old, "A\nb\nc\nD\ne\n")
    first, second = split_hunk(hunk)
    assert (first.lines, first.old_start, first.new_start) == (("-a", "+A", " b", " c"), 1, 1)
    assert (second.lines, second.old_start, second.new_start) == (
        (" b", " c", "-d", "+D", " e"),
        2,
        2,
    )
    assert apply_hunks(old, [second]) == "a\nb\nc\nD\ne\n"
    assert apply_hunks(old, [first]) == "A\nb\nc\nd\ne\n"
    assert split_hunk(first) == [first]


def test_split_keeps_missing_newline_on_the_last_piece() -> None:
    [hunk] = diff_hunks("a\nb\nc", "A\nb\nC")
    first, second = split_hunk(hunk)
    assert not first.old_missing_newline and second.old_missing_newline
    assert second.new_missing_newline
    assert apply_hunks("a\nb\nc", [second]) == "a\nb\nC"


def test_format_diff_text() -> None:
    old = numbered(10)
    new = old.replace("line 2\n", "two\n").replace("line 9\n", "nine\n")
    hunks = diff_hunks(old, new, context=1)
    text = format_diff("src/x.py", hunks[1:])
    assert text == (
        "diff --git a/src/x.py b/src/x.py\n--- a/src/x.py\n+++ b/src/x.py\n"
        "@@ -8,3 +8,3 @@\n line 8\n-line 9\n+nine\n line 10\n"
    )
    assert format_diff("x", []) == ""
    no_newline = format_diff("x", diff_hunks("a", "b"))
    assert no_newline.endswith(
        "@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n"
    )


def _git(repo: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["git", *args],
        cwd=repo,
        input=None if stdin is None else stdin.encode(),
        capture_output=True,
        check=False,
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty git repository whose config cannot rewrite line endings."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    path = tmp_path / "repo"
    path.mkdir()
    assert _git(path, "init", "-q").returncode == 0
    return path


def _git_applied(repo: Path, name: str, old: str | None, patch: str) -> str:
    """The file after `git apply` of `patch`, checked first with `git apply --check`."""
    target = repo / name
    if old is not None:
        target.write_bytes(old.encode())
    check = _git(repo, "apply", "--check", "-", stdin=patch)
    assert check.returncode == 0, check.stderr.decode()
    assert _git(repo, "apply", "-", stdin=patch).returncode == 0
    return target.read_bytes().decode()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (numbered(20), numbered(20).replace("line 7\n", "seven\nseven b\n")),
        ("a\nb\nc", "a\nB\nc"),
        ("a\nb\nc", "a\nb\nc\n"),
        ("a\nb\nc\n", "a\nb"),
        ("one\r\ntwo\r\nthree\r\n", "one\r\n2\r\nthree\r\n"),
        ("one\r\ntwo\r\nthree", "one\ntwo\r\nthree\r\n"),
        ("x\n", ""),
    ],
)
def test_git_apply_accepts_format_diff(repo: Path, old: str, new: str) -> None:
    assert _git_applied(repo, "f.txt", old, format_diff("f.txt", diff_hunks(old, new))) == new


def test_git_apply_accepts_a_subset_of_hunks_and_split_pieces(repo: Path) -> None:
    old = numbered(40)
    new = old.replace("line 3\n", "3\n").replace("line 20\n", "20\n").replace("line 36\n", "")
    new = new.replace("line 22\n", "22\n")
    first, middle, last = diff_hunks(old, new)
    subset = [first, last]
    expected = apply_hunks(old, subset)
    assert _git_applied(repo, "f.txt", old, format_diff("f.txt", subset)) == expected
    pieces = split_hunk(middle)
    assert len(pieces) == 2
    both = _git_applied(repo, "f.txt", old, format_diff("f.txt", [*pieces, last]))
    assert both == apply_hunks(old, [*pieces, last])
    second_only = _git_applied(repo, "f.txt", old, format_diff("f.txt", pieces[1:]))
    assert second_only == old.replace("line 22\n", "22\n")


def test_git_apply_accepts_new_file_and_odd_path(repo: Path) -> None:
    new = "print('hi')\n"
    patch = format_diff("dir name/new.py", diff_hunks("", new), new_file=True)
    assert patch.startswith("diff --git a/dir name/new.py b/dir name/new.py\nnew file mode")
    assert _git_applied(repo, "dir name/new.py", None, patch) == new
    quoted = format_diff('we"ird.txt', diff_hunks("a\n", "b\n"))
    assert '--- "a/we\\"ird.txt"' in quoted
    assert _git_applied(repo, 'we"ird.txt', "a\n", quoted) == "b\n"


def test_apply_placements_keeps_untouched_bytes_and_bom() -> None:
    text = "\ufeffa\r\nb\nc\r\n"
    placements = [Placement(1, 1, 2, ("B",)), Placement(2, 3, 3, ("d",))]
    assert apply_placements(text, placements) == "\ufeffa\r\nB\r\nc\r\nd\r\n"
    with pytest.raises(PatchRejected, match="overlaps another hunk"):
        apply_placements(text, [Placement(1, 0, 2, ()), Placement(2, 1, 2, ())])


def test_apply_patch_from_a_chatty_reply() -> None:
    reply = (
        "The bug is in `f`.\n\n```diff\n--- a/m.py\n+++ b/m.py\n@@ -40,3 +40,3 @@\n"
        " def f():\n-    return 1\n+    return 2\n```\nHope this helps!"
    )
    fixed = apply_patch("x = 0\ndef f():\n    return 1\n", reply)
    assert fixed == "x = 0\ndef f():\n    return 2\n"


def test_apply_patch_is_all_or_nothing_and_names_the_hunk() -> None:
    diff = "@@ @@\n-line 2\n+two\n@@ @@\n-line 99\n+ninety-nine\n"
    with pytest.raises(PatchRejected) as caught:
        apply_patch(numbered(5), diff)
    refusal = caught.value
    assert isinstance(refusal, ValueError)
    assert refusal.hunk == 2
    assert str(refusal).startswith("hunk 2: ")
    assert "'line 99' is not in the file" in str(refusal)


def test_apply_patch_raises_already_applied() -> None:
    with pytest.raises(PatchRejected, match="already applied") as caught:
        apply_patch("a\ntwo\nc\n", "@@ @@\n a\n-b\n+two\n c\n")
    assert caught.value.already_applied


def test_apply_patch_prefers_a_real_failure_over_already_applied() -> None:
    diff = "@@ @@\n a\n-b\n+two\n c\n@@ @@\n-zzz\n+y\n"
    with pytest.raises(PatchRejected) as caught:
        apply_patch("a\ntwo\nc\n", diff)
    assert caught.value.hunk == 2 and not caught.value.already_applied
    assert "hunks 1 were refused too" in caught.value.reason


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ("Looks fine to me.", "no diff found"),
        (
            "--- a/x\n+++ b/x\n@@ @@\n-a\n+b\n--- a/y\n+++ b/y\n@@ @@\n-a\n+b\n",
            r"names 2 files \(x, y\)",
        ),
        ("--- a/x\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n", "a deletion cannot be applied"),
        ("```diff\n-    # ... existing code ...\n+    pass\n```", "stands for code left out"),
    ],
)
def test_apply_patch_refusals(reply: str, message: str) -> None:
    with pytest.raises(PatchRejected, match=message):
        apply_patch("a\n", reply)


def test_nothing_is_ever_applied_at_a_wrong_place() -> None:
    text = "".join(f"block {n}\n    x = 1\n    y = 2\n" for n in range(4))
    for hint in (None, 4, 20):
        at = "@@ @@" if hint is None else f"@@ -{hint},2 +{hint},2 @@"
        with pytest.raises(PatchRejected, match="occur 4 times"):
            apply_patch(text, f"{at}\n     x = 1\n-    y = 2\n+    y = 3\n")
    # With a hint right on a copy, that copy and no other changes.
    changed = apply_patch(text, "@@ -8,2 +8,2 @@\n     x = 1\n-    y = 2\n+    y = 3\n")
    assert changed.count("y = 3") == 1 and changed.index("y = 3") > changed.index("block 2")


def test_diff_hunks_stays_minimal_on_a_file_of_repeated_blocks() -> None:
    # difflib alone is quadratic here, and with autojunk it marks thousands of lines changed.
    block = [f"    item_{n % 50} = load({n % 7})" if n % 4 else "" for n in range(300)]
    old_lines = block * 8
    new_lines = [line + " # checked" if k % 250 == 3 else line for k, line in enumerate(old_lines)]
    old, new = "\n".join(old_lines) + "\n", "\n".join(new_lines) + "\n"
    hunks = diff_hunks(old, new)
    assert len(hunks) == 10
    assert sum(1 for hunk in hunks for line in hunk.lines if line[0] != " ") == 20
    assert apply_hunks(old, hunks) == new


def test_the_diff_engine_imports_nothing_heavy() -> None:
    code = "import sys, fixer.patch; print(sorted({'textual', 'git', 'rich'} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_a_big_file_where_every_line_changes_gets_hunks_as_small_as_gits(tmp_path) -> None:
    """Only the blank lines stay: git interleaves the changes around them; so must fixer
    (difflib's autojunk made this one giant hunk of every - then every +)."""
    old = "".join(f"value_{i} = {i}\n" + ("\n" if i % 3 == 0 else "") for i in range(2000))
    new = "".join(f"value_{i} = {i + 1}\n" + ("\n\n" if i % 3 == 0 else "") for i in range(2000))
    hunks = diff_hunks(old, new)
    (tmp_path / "a").write_text(old)
    (tmp_path / "b").write_text(new)
    git_diff = subprocess.run(
        ["git", "diff", "--no-index", "--no-color", "a", "b"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    ).stdout
    git_lines = sum(
        1 for line in git_diff.splitlines() if line[:1] in "+- " and line[:3] not in ("---", "+++")
    )
    ours = sum(len(h.lines) for h in hunks)
    assert ours <= git_lines * 1.05, (ours, git_lines)
    assert apply_hunks(old, hunks) == new
    assert any(" " in "".join(line[0] for line in h.lines).strip(" ") for h in hunks)  # s splits
