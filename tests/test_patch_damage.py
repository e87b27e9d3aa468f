"""Diffs damaged the way models damage them: applied exactly, or refused, never misplaced."""

from __future__ import annotations

import importlib
import random
import re
import sysconfig
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixer.patch import (
    PatchRejected,
    apply_patch,
    diff_hunks,
    format_diff,
    locate_hunks,
    parse_diff,
    refusal_feedback,
)

# Lines from a small alphabet, so that lines and whole blocks repeat, with indentation,
# whitespace-only lines and trailing whitespace.
_LINE = st.one_of(
    st.sampled_from(["", "a", "b", " a", "  b", "\ta", "a ", "  ", "x = 1", "    return x"]),
    st.text(alphabet="ab \t", max_size=4),
)
_LINES = st.lists(_LINE, max_size=40)


@st.composite
def _texts(draw: st.DrawFn) -> tuple[str, str]:
    """An old text and a new one: unrelated, or the old one with a few lines edited."""
    old = draw(_LINES)
    if draw(st.booleans()):  # repeated blocks: context that occurs more than once
        old = draw(st.lists(_LINE, min_size=1, max_size=6)) * draw(st.integers(2, 5))
    if draw(st.integers(min_value=0, max_value=4)) == 0:
        new = draw(_LINES)
    else:
        new = []
        actions = st.sampled_from(["keep"] * 12 + ["drop", "replace", "insert"])
        for line in old:
            action = draw(actions)
            if action == "insert":
                new.append(draw(_LINE))
            if action != "drop":
                new.append(draw(_LINE) if action == "replace" else line)
    ends = draw(st.sampled_from([("\n", "\n"), ("", "\n"), ("\n", ""), ("", "")]))
    return (
        "\n".join(old) + (ends[0] if old else ""),
        "\n".join(new) + (ends[1] if new else ""),
    )


_AT = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@", re.MULTILINE)
_BODY = re.compile(r"^[ +-](?!-- |\+\+ )", re.MULTILINE)


def _hunks(diff: str) -> tuple[str, list[list[str]]]:
    """The header of a diff and the lines of each hunk (its @@ line first)."""
    head, *pieces = re.split(r"(?m)^(?=@@ )", diff)
    return head, [piece.splitlines() for piece in pieces]


def _join(head: str, hunks: list[list[str]]) -> str:
    return head + "".join(line + "\n" for hunk in hunks for line in hunk)


def _per_hunk(change: Callable[[list[str], st.DrawFn], list[str]]) -> Callable:
    def damage(diff: str, draw: st.DrawFn) -> str:
        head, hunks = _hunks(diff)
        return _join(head, [change(hunk, draw) for hunk in hunks])

    return damage


def _numbers_off_by_hundreds(diff: str, draw: st.DrawFn) -> str:
    shift = draw(st.integers(min_value=100, max_value=900))
    return _AT.sub(
        lambda m: f"@@ -{int(m[1]) + shift}{m[2] or ''} +{int(m[3]) + shift}{m[4] or ''} @@", diff
    )


def _wrong_counts(diff: str, draw: st.DrawFn) -> str:
    counts = st.integers(min_value=1, max_value=9)
    return _AT.sub(lambda m: f"@@ -{m[1]},{draw(counts)} +{m[3]},{draw(counts)} @@", diff)


@_per_hunk
def _trailing_whitespace(hunk: list[str], draw: st.DrawFn) -> list[str]:
    suffixes = st.sampled_from(["", " ", "\t", "  "])
    return [
        hunk[0],
        *(
            " " + line[1:].rstrip() + draw(suffixes) if line.startswith(" ") else line
            for line in hunk[1:]
        ),
    ]


@_per_hunk
def _reindented(hunk: list[str], draw: st.DrawFn) -> list[str]:
    """The whole hunk indented more, or its common indentation removed, as models do."""
    texts = [line[1:] for line in hunk[1:] if line[:1] in " -+" and line[1:]]
    if not any(line[:1] in " -" and line[1:].strip() for line in hunk[1:]):
        return hunk  # no old line shows the file's indentation: the damage cannot be undone
    common = texts[0][: len(texts[0]) - len(texts[0].lstrip())]
    while not all(text.startswith(common) for text in texts):
        common = common[:-1]
    if common and common not in texts and draw(st.booleans()):
        cut, prefix = len(common), ""
    else:
        cut, prefix = 0, draw(st.sampled_from([" ", "  ", "    ", "\t"]))
    return [
        hunk[0],
        *(
            line[0] + prefix + line[1 + cut :] if line[:1] in " -+" and line[1:] else line
            for line in hunk[1:]
        ),
    ]


@_per_hunk
def _dropped_edge_context(hunk: list[str], draw: st.DrawFn) -> list[str]:
    """Leading and trailing context left out; the @@ numbers follow (they are hints only)."""
    body = hunk[1:]
    lead = next((k for k, line in enumerate(body) if not line.startswith(" ")), len(body))
    trail = next((k for k, line in enumerate(body[::-1]) if not line.startswith(" ")), 0)
    top = draw(st.integers(min_value=0, max_value=lead))
    bottom = len(body) - draw(st.integers(min_value=0, max_value=trail))
    at = _AT.match(hunk[0])
    assert at is not None
    moved = f"@@ -{int(at[1]) + top}{at[2] or ''} +{int(at[3]) + top}{at[4] or ''} @@"
    return [moved, *body[top:bottom]]


def _no_numbers(diff: str, draw: st.DrawFn) -> str:
    return _AT.sub("@@ @@", diff)


def _no_headers(diff: str, draw: st.DrawFn) -> str:
    _, hunks = _hunks(diff)
    return _join("", hunks)


def _fenced_with_prose(diff: str, draw: st.DrawFn) -> str:
    return f"Here is the fix.\n\n```diff\n{diff}```\n\nThis keeps `a` unchanged.\n"


def _bare_blank_context(diff: str, draw: st.DrawFn) -> str:
    return re.sub(r"(?m)^ $", "", diff)


def _hunks_reversed(diff: str, draw: st.DrawFn) -> str:
    head, hunks = _hunks(diff)
    return _join(head, hunks[::-1])


def _crlf_diff(diff: str, draw: st.DrawFn) -> str:
    return diff.replace("\n", "\r\n")


# Damage that loses nothing: the result must be the new text.
LOSSLESS = {
    "stripped headers": _no_headers,
    "fences and prose": _fenced_with_prose,
    "wrong counts": _wrong_counts,
    "hunks in reverse order": _hunks_reversed,
    "CRLF diff for an LF file": _crlf_diff,
}
# Damage that can make a hunk ambiguous or unplaceable: the new text, or a refusal.
LOSSY = {
    "numbers off by hundreds": _numbers_off_by_hundreds,
    "no numbers": _no_numbers,
    "blank context without its space": _bare_blank_context,
    "trailing whitespace changed": _trailing_whitespace,
    "re-indented hunk": _reindented,
    "dropped edge context": _dropped_edge_context,
}


def _applied_or_refused(old: str, diff: str) -> str | None:
    try:
        return apply_patch(old, diff)
    except PatchRejected:
        return None


@settings(max_examples=150, deadline=None)
@given(_texts())
def test_the_diff_of_a_to_b_applied_to_a_gives_b(texts: tuple[str, str]) -> None:
    old, new = texts
    hunks = diff_hunks(old, new)
    if hunks:
        assert apply_patch(old, format_diff("f.py", hunks)) == new


@pytest.mark.parametrize("kind", sorted(LOSSLESS))
@settings(max_examples=100, deadline=None)
@given(texts=_texts(), data=st.data())
def test_lossless_damage_still_gives_b(
    kind: str, texts: tuple[str, str], data: st.DataObject
) -> None:
    old, new = texts
    hunks = diff_hunks(old, new)
    if hunks:
        assert apply_patch(old, LOSSLESS[kind](format_diff("f.py", hunks), data.draw)) == new


@pytest.mark.parametrize("kind", sorted(LOSSY))
@settings(max_examples=150, deadline=None)
@given(texts=_texts(), data=st.data())
def test_damage_gives_b_or_a_refusal_never_other_text(
    kind: str, texts: tuple[str, str], data: st.DataObject
) -> None:
    old, new = texts
    hunks = diff_hunks(old, new)
    if hunks:
        result = _applied_or_refused(old, LOSSY[kind](format_diff("f.py", hunks), data.draw))
        assert result in (new, None)


@settings(max_examples=150, deadline=None)
@given(_texts())
def test_an_lf_diff_applied_to_a_crlf_file_gives_b_with_crlf(texts: tuple[str, str]) -> None:
    old, new = texts
    hunks = diff_hunks(old, new)
    if hunks and "\n" in old:
        crlf = apply_patch(old.replace("\n", "\r\n"), format_diff("f.py", hunks))
        assert crlf == new.replace("\n", "\r\n")


# --- each kind of damage on realistic code

PY = (
    "class Cart:\n"
    "    def total(self):\n"
    "        if self.items:\n"
    "            return sum(self.items)\n"
    "        return 0\n"
    "\n"
    "    def count(self):\n"
    "        return len(self.items)\n"
)
PY_FIXED = PY.replace("return sum(self.items)", "return sum(i.price for i in self.items)")


@pytest.mark.parametrize("indent", ["", "  ", "            ", "\t"])
def test_a_hunk_reindented_as_a_whole_gets_the_files_indentation(indent: str) -> None:
    body = [
        " if self.items:",
        "-    return sum(self.items)",
        "+    return sum(i.price for i in self.items)",
        " return 0",
    ]
    diff = "@@ -3,3 +3,3 @@\n" + "".join(f"{line[0]}{indent}{line[1:]}\n" for line in body)
    assert apply_patch(PY, diff) == PY_FIXED


def test_reindented_added_lines_keep_their_relative_indentation() -> None:
    diff = "@@ @@\n def count(self):\n-    return len(self.items)\n+    if not self.items:\n"
    diff += "+        return 0\n+    return len(self.items)\n"
    assert apply_patch(PY, diff).endswith(
        "    def count(self):\n        if not self.items:\n            return 0\n"
        "        return len(self.items)\n"
    )


GO = "func f(x int) int {\n\tif x > 0 {\n\t\treturn x\n\t}\n\treturn 0\n}\n"


def test_spaces_for_a_file_indented_with_tabs_follow_the_file() -> None:
    diff = "@@ @@\n     if x > 0 {\n-        return x\n+        log(x)\n+        return x + 1\n"
    assert apply_patch(GO, diff) == GO.replace("\t\treturn x\n", "\t\tlog(x)\n\t\treturn x + 1\n")


def test_tabs_for_a_file_indented_with_spaces_follow_the_file() -> None:
    diff = "@@ @@\n \tdef total(self):\n \t\tif self.items:\n-\t\t\treturn sum(self.items)\n"
    diff += "+\t\t\treturn sum(i.price for i in self.items)\n"
    assert apply_patch(PY, diff) == PY_FIXED


def test_tab_damage_on_one_context_line_is_recovered() -> None:
    diff = "@@ @@\n    if x > 0 {\n-\t\treturn x\n+\t\treturn -x\n \t}\n"
    assert apply_patch(GO, diff) == GO.replace("return x\n", "return -x\n")


def test_tab_width_that_the_old_lines_cannot_decide_is_refused() -> None:
    # Every old line is at one level: 4 spaces may be one tab or two, and the + line differs.
    text = "func f() {\n\t\ta()\n\t\tb()\n}\n"
    diff = "@@ @@\n     a()\n+        c()\n     b()\n"
    with pytest.raises(PatchRejected, match="do not match the file"):
        apply_patch(text, diff)


def test_the_same_block_at_two_indentations_is_ambiguous_without_numbers() -> None:
    text = (
        "def f():\n    x = 1\n    y = 2\n\nclass C:\n    def f():\n        x = 1\n        y = 2\n"
    )
    diff = "@@ @@\n x = 1\n-y = 2\n+y = 3\n"
    with pytest.raises(PatchRejected, match="occur 2 times, at lines 2-3 and 7-8"):
        apply_patch(text, diff)
    # An exact copy elsewhere does not win over the re-indented place the number points at.
    placed = apply_patch(text, "@@ -7,2 +7,2 @@\n     x = 1\n-    y = 2\n+    y = 3\n")
    assert placed.endswith("        x = 1\n        y = 3\n") and "    y = 2\n\n" in placed


def test_indentation_that_differs_line_by_line_is_refused() -> None:
    diff = "@@ @@\n   if self.items:\n-            return sum(self.items)\n+  return 1\n"
    with pytest.raises(PatchRejected, match="indentation differs") as caught:
        apply_patch(PY, diff)
    assert "        if self.items:" in caught.value.nearby


def test_trailing_whitespace_damage_on_context_lines() -> None:
    text = "a = 1  \nb = 2\nc = 3\t\n"
    diff = "@@ @@\n a = 1\n-b = 2\n+b = 20\n c = 3  \n"
    assert apply_patch(text, diff) == "a = 1  \nb = 20\nc = 3\t\n"


def numbered(count: int) -> str:
    return "".join(f"line {n}\n" for n in range(1, count + 1))


def test_numbers_off_by_hundreds() -> None:
    diff = "@@ -730,3 +730,3 @@\n line 29\n-line 30\n+thirty\n line 31\n"
    assert apply_patch(numbered(40), diff) == numbered(40).replace("line 30\n", "thirty\n")


def test_a_constant_offset_in_all_numbers_is_learnt_from_the_hunks_that_are_unique() -> None:
    # Hunk 2's context occurs 3 times; its number is 20 too high, like hunk 1's.
    text = numbered(10) + "x\ny\n" + numbered(2).replace("line", "row") + "x\ny\nx\ny\n"
    diff = "@@ -22,2 +22,2 @@\n line 2\n-line 3\n+three\n@@ -37,2 +37,2 @@\n x\n-y\n+Y\n"
    assert apply_patch(text, diff) == text.replace("line 3\n", "three\n").replace(
        "x\ny\nx\ny\n", "x\ny\nx\nY\n"
    )


def test_extra_and_missing_blank_lines_at_the_edges() -> None:
    text = "import os\ndef f():\n    return os.sep\n"
    extra = "@@ @@\n\n def f():\n-    return os.sep\n+    return os.linesep\n\n"
    assert apply_patch(text, extra) == text.replace("os.sep", "os.linesep")
    missing = "def a():\n    pass\n\n\ndef b():\n    pass\n"
    diff = "@@ @@\n def a():\n     pass\n+\n+def between():\n+    pass\n"
    assert apply_patch(missing, diff) == missing.replace(
        "    pass\n\n", "    pass\n\ndef between():\n    pass\n\n", 1
    )


def test_dropped_context_at_both_edges() -> None:
    assert apply_patch(PY, "@@ @@\n-        return 0\n+        return None\n") == PY.replace(
        "return 0", "return None"
    )


def test_duplicates_are_never_all_replaced() -> None:
    text = "x = 1\nprint(x)\n" * 3
    with pytest.raises(PatchRejected, match="occur 3 times, at lines 1-2, 3-4 and 5-6"):
        apply_patch(text, "@@ @@\n x = 1\n-print(x)\n+print(x + 1)\n")


def test_already_applied_hunks_are_reported_not_applied_twice() -> None:
    with pytest.raises(PatchRejected, match="already applied") as caught:
        apply_patch(
            PY_FIXED,
            "@@ @@\n-            return sum(self.items)\n"
            "+            return sum(i.price for i in self.items)\n",
        )
    assert caught.value.already_applied


@pytest.mark.parametrize(
    ("reply", "what"),
    [
        ("2c2\n< a\n---\n> b\n", "'2c2'"),
        ("```diff\n2c\nb\n.\n```\n", "'2c'"),
        ("*** x\n--- x\n***************\n*** 1 ****\n! a\n--- 1 ----\n! b\n", "'\\*{15}'"),
    ],
)
def test_ed_scripts_normal_and_context_diffs_are_refused_by_name(reply: str, what: str) -> None:
    with pytest.raises(PatchRejected, match=f"ed script, a normal or a context diff .line {what}"):
        parse_diff(reply)
    with pytest.raises(PatchRejected, match="answer with a unified diff"):
        apply_patch("a\n", reply)


@pytest.mark.parametrize(
    "headers",
    [
        "diff --git a/x b/x\ndeleted file mode 100644\n--- a/x\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n",
        "diff --git a/x b/y\nrename from x\nrename to y\n",
        "diff --git a/x b/x\nold mode 100644\nnew mode 100755\n",
        "diff --git a/x b/x\nGIT binary patch\nliteral 5\n",
    ],
)
def test_deletions_renames_modes_and_binary_patches_are_refused(headers: str) -> None:
    assert parse_diff(headers)[0].unsupported
    with pytest.raises(PatchRejected, match="cannot be applied"):
        apply_patch("a\n", headers)


def test_crlf_bom_and_no_final_newline_keep_their_bytes_under_damage() -> None:
    text = "\ufeffclass Cart:\r\n    def total(self):\r\n        return 0\r\n\r\n    x = 1"
    diff = (
        "```diff\n@@ -90 +90 @@\n def total(self):\n-    return 0\n+    return 1\n+    # done\n```"
    )
    assert apply_patch(text, diff) == text.replace("return 0\r\n", "return 1\r\n        # done\r\n")


def test_invented_context_is_refused_naming_it_with_the_nearest_real_lines() -> None:
    diff = (
        "@@ -3 +3 @@\n         if self.items:\n-            return sum(self.item)\n+            0\n"
    )
    with pytest.raises(PatchRejected) as caught:
        apply_patch(PY, diff)
    refusal = caught.value
    assert "'            return sum(self.item)' is not in the file" in refusal.reason
    assert "            return sum(self.items)" in refusal.nearby


def test_refusal_feedback_is_one_message_for_the_model() -> None:
    [patch] = parse_diff(
        "--- a/app.py\n+++ b/app.py\n@@ -3 +3 @@\n line 2\n-line x\n+y\n@@ @@\n a\n-b\n+two\n"
    )
    _, refusals = locate_hunks(numbered(8) + "a\ntwo\n", patch)
    message = refusal_feedback(refusals)
    assert message.splitlines()[0] == "Your diff could not be applied:"
    assert "- hunk 1 of app.py: its context and removed lines do not match" in message
    assert "'line x' is not in the file" in message and "\n      line 2\n" in message
    assert "- hunk 2 of app.py: it is already applied" in message and "leave it out" in message
    assert message.endswith("copying every context and removed line exactly from the file.")
    only_applied = refusal_feedback(refusals[1:])
    assert "Send" not in only_applied


# Real files on which the benchmark once failed, rebuilt with its own builders and seed.
BENCH = Path(__file__).resolve().parents[1] / "bench"
BENCH_SEED = 20260
SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])


def _bench_case(monkeypatch: pytest.MonkeyPatch, path: str, kind: str) -> tuple[str, str, str]:
    """(diff, original, expected) of the benchmark's case for `path` damaged as `kind`."""
    monkeypatch.syspath_prepend(str(BENCH))
    damage = importlib.import_module("patch_damage")
    source = SITE_PACKAGES / path
    if not source.exists():
        pytest.skip(f"{path} is not installed")
    case = damage.make_case(path, source.read_text(), random.Random(f"{BENCH_SEED}:{path}"))
    damaged = damage.KINDS[kind](case, random.Random(f"{BENCH_SEED}:{path}:{kind}"))
    return damaged.diff, damaged.original, damaged.expected


@pytest.mark.parametrize(
    "path",
    [
        "pygments/lexers/asc.py",
        "pygments/styles/monokai.py",
        "pygments/lexers/zig.py",
        "pygments/lexers/tact.py",
    ],
)
def test_a_rst_underline_of_tildes_in_context_is_no_fence(
    monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    diff, original, expected = _bench_case(monkeypatch, path, "clean")
    assert any(line.startswith("     ~~~") for line in diff.splitlines())
    assert apply_patch(original, diff) == expected


@pytest.mark.parametrize(
    "path", ["pygments/lexers/rebol.py", "pygments/lexers/javascript.py", "textual/visual.py"]
)
def test_numbers_off_by_hundreds_on_repeated_context_refuse_without_crashing(
    monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    diff, original, expected = _bench_case(monkeypatch, path, "off by 100-400")
    try:
        assert apply_patch(original, diff) == expected
    except PatchRejected as refusal:
        assert "occur" in refusal.reason


# Rescaled indentation: every level halved or doubled, mapped back when the map is proven


def rescaled(text: str, scale: float) -> str:
    """`text` with every line's leading spaces multiplied by `scale`."""
    out = []
    for line in text.splitlines(keepends=True):
        spaces = len(line) - len(line.lstrip(" "))
        out.append(" " * int(spaces * scale) + line[spaces:])
    return "".join(out)


HUNK_BODY = (
    "     def total(self):\n"
    "         if self.items:\n"
    "-            return sum(self.items)\n"
    "+            prices = [i.price for i in self.items]\n"
    "+            if not prices:\n"
    "+                return 0\n"
    "+            return sum(prices)\n"
    "         return 0\n"
)
RESCALED_FIX = PY.replace(
    "            return sum(self.items)\n",
    "            prices = [i.price for i in self.items]\n            if not prices:\n"
    "                return 0\n            return sum(prices)\n",
)


@pytest.mark.parametrize("scale", [0.5, 2.0], ids=["halved", "doubled"])
def test_a_hunk_with_every_level_rescaled_gets_the_files_levels(scale: float) -> None:
    # "                return 0" is at a level the old lines never show: the map places it.
    diff = "@@ @@\n" + "".join(
        line[0] + rescaled(line[1:], scale) for line in HUNK_BODY.splitlines(keepends=True)
    )
    assert apply_patch(PY, diff) == RESCALED_FIX


def test_a_rescaled_file_takes_the_model_lines_at_its_own_scale() -> None:
    two_space = rescaled(PY, 0.5)  # the file indents by 2, the model wrote 4
    assert apply_patch(two_space, "@@ @@\n" + HUNK_BODY) == rescaled(RESCALED_FIX, 0.5)


@pytest.mark.parametrize(
    "body",
    [
        # Levels 1 and 3 for the file's 8 and 12: no ratio of indent sizes maps them.
        "@@ @@\n  if self.items:\n-   return sum(self.items)\n+   return 1\n",
        # Halved, but a + line at an odd level the map cannot place.
        "@@ @@\n  def total(self):\n    if self.items:\n-      return sum(self.items)\n+     x\n",
    ],
    ids=["no-scale", "half-level"],
)
def test_a_rescaling_that_is_not_proven_is_refused(body: str) -> None:
    with pytest.raises(PatchRejected):
        apply_patch(PY, body)
