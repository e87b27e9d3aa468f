"""Extracting diffs from model replies and parsing them tolerantly."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixer.patch import FilePatch, Hunk, PatchRejected, extract_diff, parse_diff
from fixer.patch.parse import split_lines

SIMPLE = """\
--- a/pkg/mod.py
+++ b/pkg/mod.py
@@ -1,3 +1,3 @@
 def f():
-    return 1
+    return 2
"""


def test_split_lines_splits_on_newline_only() -> None:
    text = "a\x0bb\u2028c\r\nd\ne"
    assert split_lines(text) == [("a\x0bb\u2028c", "\r\n"), ("d", "\n"), ("e", "")]
    assert split_lines("") == []
    assert split_lines("\n") == [("", "\n")]


def test_parse_simple_file_patch() -> None:
    [patch] = parse_diff(SIMPLE)
    assert patch == FilePatch(
        "pkg/mod.py",
        "pkg/mod.py",
        (Hunk((" def f():", "-    return 1", "+    return 2"), 1, 1),),
    )
    hunk = patch.hunks[0]
    assert hunk.old_lines == ("def f():", "    return 1")
    assert hunk.new_lines == ("def f():", "    return 2")
    assert (hunk.old_count, hunk.new_count) == (2, 2)
    assert patch.path == "pkg/mod.py" and not patch.is_new


@pytest.mark.parametrize(
    "at_line",
    ["@@ @@", "@@ ... @@", "@@ -1000,7 +1000,9 @@", "@@@ -1 +1 @@@", "@@"],
)
def test_hunk_numbers_missing_or_wrong_parse_by_body(at_line: str) -> None:
    [patch] = parse_diff(f"{at_line}\n a\n-b\n+c\n d\n")
    assert patch.path is None
    assert patch.hunks[0].lines == (" a", "-b", "+c", " d")


def test_numbers_and_header_are_kept_as_hints() -> None:
    [patch] = parse_diff("--- x\n+++ x\n@@ -12,2 +12 @@ class Foo:\n-a\n-b\n+c\n")
    hunk = patch.hunks[0]
    assert (hunk.old_start, hunk.new_start, hunk.header) == (12, 12, "class Foo:")


def test_counts_that_do_not_match_the_body_are_ignored() -> None:
    [patch] = parse_diff("--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n d\n e\n")
    assert patch.hunks[0].lines == (" a", "-b", "+c", " d", " e")


def test_blank_context_line_without_its_space() -> None:
    [patch] = parse_diff("@@ @@\n a\n\n-b\n+c\n")
    assert patch.hunks[0].lines == (" a", " ", "-b", "+c")


def test_hunk_ends_at_prose_and_trailing_blank_lines_are_dropped() -> None:
    [patch] = parse_diff("@@ @@\n a\n-b\n+c\n\nThis renames b.\n")
    assert patch.hunks[0].lines == (" a", "-b", "+c")


def test_bullet_after_a_complete_hunk_is_not_a_removed_line() -> None:
    [patch] = parse_diff("@@ -1,2 +1,2 @@\n a\n-b\n+c\n\n- renamed b to c\n")
    assert patch.hunks[0].lines == (" a", "-b", "+c")


def test_removed_sql_comment_is_not_a_file_header() -> None:
    diff = "--- a/q.sql\n+++ b/q.sql\n@@ -1,2 +1,2 @@\n--- old note\n+++ new note\n select 1;\n"
    [patch] = parse_diff(diff)
    assert patch.hunks[0].lines == ("--- old note", "+++ new note", " select 1;")


def test_several_files_git_headers_index_lines_and_timestamps() -> None:
    diff = (
        "diff --git a/one.py b/one.py\n"
        "index 83db48f..bf269f4 100644\n"
        "--- a/one.py\t2024-05-01 10:00:00.000000000 +0200\n"
        "+++ b/one.py\t2024-05-01 10:01:00.000000000 +0200\n"
        "@@ -1 +1 @@\n-a\n+b\n"
        "diff --git a/two.py b/two.py\n"
        "--- ./two.py 2024-05-01 10:00:00\n"
        "+++ ./two.py 2024-05-01 10:00:00\n"
        "@@ -5 +5 @@\n-c\n+d\n"
    )
    one, two = parse_diff(diff)
    assert (one.old_path, one.new_path, one.hunks[0].lines) == ("one.py", "one.py", ("-a", "+b"))
    assert (two.old_path, two.new_path, two.hunks[0].lines) == ("two.py", "two.py", ("-c", "+d"))


def test_paths_without_prefixes_and_single_sided_prefix() -> None:
    [plain] = parse_diff("--- src/a.py\n+++ src/a.py\n@@ @@\n-x\n+y\n")
    assert plain.path == "src/a.py"
    [mixed] = parse_diff("--- a/src/a.py\n+++ src/a.py\n@@ @@\n-x\n+y\n")
    assert (mixed.old_path, mixed.new_path) == ("src/a.py", "src/a.py")
    [quoted] = parse_diff('--- "a/caf\\303\\251 x.py"\n+++ "b/caf\\303\\251 x.py"\n@@ @@\n-x\n+y\n')
    assert quoted.path == "café x.py"


def test_an_octal_escape_beyond_a_byte_is_read_as_its_digits_not_a_crash() -> None:
    # Found by the fuzz target: "\\777" made bytearray.append raise ValueError.
    [patch] = parse_diff('--- "a/\\777x"\n+++ "b/\\777x"\n@@ @@\n-x\n+y\n')
    assert patch.path == "777x"


def test_hunks_of_one_file_in_several_blocks_are_merged_and_duplicates_dropped() -> None:
    block = "--- a/x\n+++ b/x\n@@ -9 +9 @@\n-c\n+d\n"
    [patch] = parse_diff(SIMPLE.replace("pkg/mod.py", "x") + block + block)
    assert [h.lines for h in patch.hunks] == [
        (" def f():", "-    return 1", "+    return 2"),
        ("-c", "+d"),
    ]


def test_no_newline_markers() -> None:
    [patch] = parse_diff(
        "@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n+b\n\\ No newline at end of file\n"
    )
    hunk = patch.hunks[0]
    assert hunk.lines == ("-a", "+a", "+b")
    assert hunk.old_missing_newline and hunk.new_missing_newline
    [context] = parse_diff("@@ -1 +1 @@\n-a\n+b\n z\n\\ No newline at end of file\n")
    assert context.hunks[0].old_missing_newline and context.hunks[0].new_missing_newline


def test_crlf_diff_text_is_read_like_lf() -> None:
    [patch] = parse_diff(SIMPLE.replace("\n", "\r\n"))
    assert patch.hunks[0].lines == (" def f():", "-    return 1", "+    return 2")


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ("diff --git a/x b/x\ndeleted file mode 100644\n--- a/x\n+++ /dev/null\n", "deletion"),
        ("diff --git a/x b/y\nsimilarity index 90%\nrename from x\nrename to y\n", "rename"),
        ("diff --git a/x b/x\nold mode 100644\nnew mode 100755\n", "mode change"),
        ("diff --git a/x b/x\nGIT binary patch\nliteral 5\n", "binary patch"),
        ("diff --git a/x b/y\ncopy from x\ncopy to y\n", "copy"),
        ("--- a/x\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n", "deletion"),
        ("--- a/x\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n", "rename"),
    ],
)
def test_unsupported_changes_are_flagged(headers: str, reason: str) -> None:
    patches = parse_diff(headers)
    assert patches[0].unsupported == reason


def test_new_file() -> None:
    diff = "diff --git a/n.py b/n.py\nnew file mode 100644\n--- /dev/null\n+++ b/n.py\n"
    [patch] = parse_diff(diff + "@@ -0,0 +1,2 @@\n+a\n+b\n")
    assert patch.is_new and patch.old_path is None and patch.path == "n.py"
    assert patch.unsupported is None
    assert patch.hunks[0].old_start == 0


def test_nothing_to_parse_is_refused() -> None:
    with pytest.raises(PatchRejected, match="no diff found") as caught:
        parse_diff("I could not find anything to fix.")
    assert isinstance(caught.value, ValueError)


# --- extract_diff


def test_extract_fenced_diff_with_prose() -> None:
    reply = f"Here is the fix:\n\n```diff\n{SIMPLE}```\n\nThis returns 2 now.\n"
    assert extract_diff(reply) == SIMPLE


def test_extract_joins_several_blocks_and_skips_code_blocks() -> None:
    second = "--- a/x\n+++ b/x\n@@ @@\n-c\n+d\n"
    reply = (
        f"First:\n```patch\n{SIMPLE}```\nThe full file now reads:\n```python\ndef f():\n"
        f"    return 2\n```\nAnd:\n```\n{second}```\n"
    )
    assert extract_diff(reply) == SIMPLE + second


def test_extract_keeps_markdown_fences_inside_the_diff() -> None:
    diff = "--- a/post.md\n+++ b/post.md\n@@ @@\n ```\n-print( 1)\n+print(1)\n ```\n"
    assert extract_diff(f"Fixed:\n```diff\n{diff}```\nDone.") == diff


def test_extract_longer_fence_and_tilde_fence() -> None:
    assert extract_diff(f"````diff\n{SIMPLE}````") == SIMPLE
    assert extract_diff(f"~~~udiff\n{SIMPLE}~~~\n") == SIMPLE


def test_extract_bare_diff_with_prose_before_and_after() -> None:
    reply = f"Sure, here it is.\n{SIMPLE}\nLet me know if you need more."
    assert extract_diff(reply) == SIMPLE


def test_extract_diff_block_without_at_line_gets_one() -> None:
    extracted = extract_diff("```diff\n-    return 1\n+    return 2\n```")
    assert extracted == "@@ @@\n-    return 1\n+    return 2\n"
    assert parse_diff(extracted)[0].hunks[0].lines == ("-    return 1", "+    return 2")


def test_a_diff_block_of_headers_only_is_refused_not_a_crash() -> None:
    # Found by the fuzz target: an IndexError looking for the hunk after the headers.
    assert extract_diff("```diff\n--- x\n+++ x\n```\n") == "--- x\n+++ x\n"
    with pytest.raises(PatchRejected, match="no diff found"):
        parse_diff(extract_diff("```diff\n--- x\n+++ x\n```\n"))


def test_extract_unclosed_fence_runs_to_the_end() -> None:
    assert extract_diff(f"```diff\n{SIMPLE}") == SIMPLE


RST_DOCSTRING = (
    '--- a/m.py\n+++ b/m.py\n@@ -1,5 +1,5 @@\n """\n-    m.name\n+    m.other\n'
    "     ~~~~~~\n \n     Lexers.\n"
)


def test_extract_reads_a_tilde_context_line_of_a_bare_diff_as_context() -> None:
    # The reST underline "    ~~~~~~" is written " " + the line: no fence inside a hunk.
    assert extract_diff(RST_DOCSTRING) == RST_DOCSTRING
    assert extract_diff(f"Here:\n\n{RST_DOCSTRING}\nDone.") == RST_DOCSTRING
    [patch] = parse_diff(extract_diff(RST_DOCSTRING))
    assert patch.hunks[0].lines[3] == "     ~~~~~~"


def test_extract_keeps_tilde_context_lines_inside_fenced_blocks() -> None:
    assert extract_diff(f"```diff\n{RST_DOCSTRING}```\n") == RST_DOCSTRING
    assert extract_diff(f"~~~diff\n{RST_DOCSTRING}~~~\n") == RST_DOCSTRING


def test_extract_finds_a_fence_after_a_bare_hunk() -> None:
    reply = f"{RST_DOCSTRING}Also:\n```diff\n{SIMPLE}```\n"
    assert extract_diff(reply) == SIMPLE


def test_extract_returns_empty_without_a_diff() -> None:
    assert extract_diff("No changes needed.\n```python\nprint(1)\n```") == ""
    assert extract_diff("") == ""


def test_a_backtick_in_the_info_string_means_no_fence() -> None:
    from fixer.patch import extract_diff

    reply = "```" + " " * 40_000 + "x`\n--- a/x\n+++ b/x\n@@ @@\n-a\n+b\n"
    # Not a fence (CommonMark): the diff is read as bare text after it.
    assert extract_diff(reply).startswith("--- a/x\n")


# Cut-off replies: a provider may say "stop" about a reply it cut

FENCED = "Here is the fix:\n\n```diff\n" + SIMPLE.replace("-1,3 +1,3", "-1,2 +1,2") + "```\n"


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        (FENCED[: FENCED.index("-    return 1")], "1 old and 1 new lines where"),
        (FENCED[: FENCED.index("+    return 2") + 8], "middle of a line"),
        ("```diff\n--- a/m.py\n+++ b/m.py\n@@ @@\n import os\n+from sympy.", "middle of a line"),
        ("--- a/m.py\n+++ b/m.py\n@@ @@\n import os\n+from sympy.\n", "from sympy."),
        ("--- a/m.py\n+++ b/m.py\n@@ @@\n x = 1\n+y = f(a,\n", "f(a,"),
        ("--- a/m.py\n+++ b/m.py\n@@ @@\n x = 1\n+path = os.path.\n", "os.path."),
    ],
    ids=["short-counts", "mid-line", "mid-line-no-counts", "dotted-name", "open-call", "attr"],
)
def test_a_reply_cut_at_its_end_is_seen(reply: str, why: str) -> None:
    from fixer.patch import cut_off

    found = cut_off(reply)
    assert found is not None and why in found


@pytest.mark.parametrize(
    "reply",
    [
        FENCED,
        FENCED.removesuffix("```\n"),  # the fence left open, but every line is there
        SIMPLE.rstrip("\n"),  # a bare diff without its final newline
        FENCED.replace("@@ -1,2 +1,2 @@", "@@ -1,9 +1,9 @@"),  # wrong counts, fence closed
        FENCED + "\nThis fixes the off-by-one.",
        "--- a/m.py\n+++ b/m.py\n@@ @@\n import os\n+from sympy.abc import x, y\n",
        "--- a/post.md\n+++ b/post.md\n@@ @@\n # Title\n+This ends a sentence.\n",
        "No diff at all.",
    ],
    ids=["complete", "open-fence", "bare", "bad-counts", "prose-after", "import", "prose", "none"],
)
def test_a_complete_reply_is_not_called_cut_off(reply: str) -> None:
    from fixer.patch import cut_off

    assert cut_off(reply) is None


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_cut_inside_the_last_hunk_of_a_fenced_reply_is_seen(data) -> None:
    from fixer.patch import cut_off

    body_start = FENCED.index("@@ -1,2")
    body_start = FENCED.index("\n", body_start) + 1
    body_end = FENCED.index("```\n", body_start) - 1  # the last line's newline
    at = data.draw(st.integers(body_start, body_end - 1))
    assert cut_off(FENCED[:at]) is not None, repr(FENCED[:at])


def test_a_closing_fence_indented_by_a_space_closes_the_block() -> None:
    reply = "```diff\n" + SIMPLE + " ```\n\nThis returns 2 now.\n"
    assert extract_diff(reply) == SIMPLE


def test_a_fence_line_of_a_markdown_diff_stays_a_context_line() -> None:
    diff = "--- a/post.md\n+++ b/post.md\n@@ @@\n ```\n-x = 1\n+x = 2\n ```\n"
    assert extract_diff(f"```diff\n{diff}```\n") == diff  # " ```" then the real closing fence
    inner = "--- a/post.md\n+++ b/post.md\n@@ @@\n ```\n-x = 1\n+x = 2\n ```\n more\n"
    assert extract_diff(f"```diff\n{inner}```\n") == inner  # " ```" then diff lines


@pytest.mark.parametrize("token", ["<|im_end|>", "<|endoftext|>", "</s>", "<|eot_id|>\n"])
def test_special_tokens_at_the_end_of_a_reply_are_not_diff_lines(token: str) -> None:
    from fixer.patch import apply_patch, cut_off

    reply = SIMPLE.removesuffix("\n") + token
    assert extract_diff(reply).endswith("+    return 2\n")
    assert apply_patch("def f():\n    return 1\n", reply) == "def f():\n    return 2\n"
    assert cut_off("```diff\n" + SIMPLE + "```" + token) is None


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from("`~\nx "), max_size=30))
def test_a_fence_at_a_line_start_is_found_without_a_regex_over_every_line(text: str) -> None:
    from fixer.patch.extract import _has_margin_fence

    assert _has_margin_fence(text) == bool(re.search(r"^(?:```|~~~)", text, re.MULTILINE))


def test_a_plain_diff_with_backticks_inside_lines_is_taken_whole() -> None:
    diff = SIMPLE + "@@ -9 +9 @@\n-x = '```'\n+```` and ~~~~\n"
    assert extract_diff(diff) == diff
    assert extract_diff(diff + "```diff\n" + SIMPLE + "```\n") == SIMPLE
