"""Placing a model's hunks in the real file, or refusing them with a useful reason."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fixer.patch import (
    FilePatch,
    Hunk,
    PatchRejected,
    Placement,
    apply_placements,
    diff_hunks,
    format_diff,
    locate,
    locate_hunks,
    parse_diff,
)


def numbered(count: int) -> str:
    """A file of distinct lines "line 1" ... "line N"."""
    return "".join(f"line {n}\n" for n in range(1, count + 1))


def place(text: str, diff: str) -> tuple[list[Placement], list[PatchRejected]]:
    [patch] = parse_diff(diff)
    return locate_hunks(text, patch)


def placed_text(text: str, diff: str) -> str:
    placements, refusals = place(text, diff)
    assert refusals == []
    return apply_placements(text, placements)


# Three identical blocks: a hunk showing only this much context is ambiguous.
REPEATED = "".join(f"def f{n}():\n    x = 1\n    return x\n\n" for n in range(3))
AMBIGUOUS_BODY = "     x = 1\n-    return x\n+    return -x\n"


@pytest.mark.parametrize("at_line", ["@@ -4,3 +4,3 @@", "@@ -400,3 +400,3 @@", "@@ @@"])
def test_hunk_is_placed_by_its_lines_whatever_its_numbers(at_line: str) -> None:
    placements, refusals = place(numbered(10), f"{at_line}\n line 5\n-line 6\n+line six\n line 7\n")
    assert refusals == []
    assert placements == [Placement(1, 5, 6, ("line six",))]


def test_context_dropped_at_the_edges_is_fine() -> None:
    assert placed_text(numbered(4), "@@ @@\n-line 3\n+line three\n") == numbered(4).replace(
        "line 3", "line three"
    )


def test_duplicate_context_without_hint_is_refused_listing_the_places() -> None:
    placements, [refusal] = place(REPEATED, "@@ @@\n" + AMBIGUOUS_BODY)
    assert placements == []
    assert refusal.hunk == 1
    assert "occur 3 times, at lines 2-3, 6-7 and 10-11" in refusal.reason
    assert "no @@ line number" in refusal.reason


def test_duplicate_context_is_placed_where_the_hint_is_clearly_nearest() -> None:
    # The hint (line 9) is off by one, but the block at line 10 is still the unique nearest.
    text = placed_text(REPEATED, "@@ -9,2 +9,2 @@\n" + AMBIGUOUS_BODY)
    assert text == REPEATED.replace("return x", "return -x").replace("return -x", "return x", 2)


def test_duplicate_context_with_a_tied_hint_is_refused() -> None:
    # Line 4 is as far from the block at line 2 as from the block at line 6.
    placements, [refusal] = place(REPEATED, "@@ -4,2 +4,2 @@\n" + AMBIGUOUS_BODY)
    assert placements == []
    assert "does not single one out" in refusal.reason


def test_far_hint_that_is_only_slightly_nearer_is_refused() -> None:
    _, [refusal] = place(REPEATED, "@@ -40,2 +40,2 @@\n" + AMBIGUOUS_BODY)
    assert "does not single one out" in refusal.reason


def test_hunk_order_from_numbers_resolves_duplicates() -> None:
    text = "x\ny\na\nunique\nb\nx\ny\nc\n"
    # The second hunk's number is far off, but it comes after the first: only line 6 fits.
    diff = "@@ -4,2 +4,2 @@\n-unique\n+UNIQUE\n b\n@@ -70,2 +70,2 @@\n x\n-y\n+Y\n"
    assert placed_text(text, diff) == "x\ny\na\nUNIQUE\nb\nx\nY\nc\n"


def test_numbers_contradicting_the_only_places_are_refused_not_a_crash() -> None:
    # The unique hunk lands at line 4 and says @@ 90; the repeated one says @@ 10, so the
    # numbers put it before line 4, where neither copy (lines 6 and 9) is.
    text = "a\nb\nc\nunique\nd\nx\ny\ne\nx\ny\nf\n"
    diff = "@@ -90 +90 @@\n-unique\n+UNIQUE\n@@ -10,2 +10,2 @@\n x\n-y\n+Y\n"
    placements, [refusal] = place(text, diff)
    assert [p.hunk for p in placements] == [1]
    assert refusal.hunk == 2
    assert "occur 2 times, at lines 6-7 and 9-10" in refusal.reason


def test_hunks_in_any_order_are_sorted_by_place() -> None:
    diff = "@@ -8 +8 @@\n-line 8\n+eight\n@@ -2 +2 @@\n-line 2\n+two\n"
    placements, refusals = place(numbered(9), diff)
    assert refusals == []
    assert [(p.hunk, p.start) for p in placements] == [(2, 1), (1, 7)]


def test_trailing_whitespace_differences_keep_the_real_bytes() -> None:
    text = "a = 1   \nb = 2\t\nc = 3\n"
    diff = "@@ @@\n a = 1\n-b = 2\n+b = 20\n c = 3\n"
    assert placed_text(text, diff) == "a = 1   \nb = 20\nc = 3\n"
    # Context kept between two changes also keeps its bytes.
    diff2 = "@@ @@\n-a = 1\n+a = 10\n b = 2\n-c = 3\n+c = 30\n"
    assert placed_text(text, diff2) == "a = 10\nb = 2\t\nc = 30\n"


def test_blank_context_lines_without_space_match_blank_and_whitespace_lines() -> None:
    text = "def f():\n    pass\n    \ndef g():\n    pass\n"
    diff = "@@ @@\n     pass\n\n def g():\n-    pass\n+    return 1\n"
    assert placed_text(text, diff) == "def f():\n    pass\n    \ndef g():\n    return 1\n"


@pytest.mark.parametrize(
    "elision",
    ["    # ... existing code ...", "    // rest unchanged", "    ...", "/* ... */", "    # …"],
)
def test_elided_context_is_refused_naming_the_line(elision: str) -> None:
    diff = f"@@ @@\n def f():\n {elision}\n-    return 1\n+    return 2\n"
    placements, [refusal] = place("def f():\n    a = 0\n    return 1\n", diff)
    assert placements == []
    assert repr(elision[1:] if elision.startswith(" ") else elision).strip("'") in str(refusal)
    assert "left out" in refusal.reason


def test_elided_added_line_is_refused_but_an_ellipsis_body_is_not() -> None:
    text = "class P:\n    def f(self):\n        return 1\n"
    elided = "@@ @@\n class P:\n-    def f(self):\n-        return 1\n+# ... rest of the code ...\n"
    _, [refusal] = place(text, elided)
    assert "rest of the code" in refusal.reason
    stub = "@@ @@\n class P:\n     def f(self):\n-        return 1\n+        ...\n"
    assert placed_text(text, stub) == "class P:\n    def f(self):\n        ...\n"


def test_a_real_ellipsis_line_in_the_file_is_context_not_an_elision() -> None:
    text = "class P(Protocol):\n    def f(self) -> int:\n        ...\n"
    diff = "@@ @@\n     def f(self) -> int:\n         ...\n+    def g(self) -> int: ...\n"
    assert placed_text(text, diff).endswith("        ...\n    def g(self) -> int: ...\n")


def test_missing_context_names_the_first_absent_line_and_shows_nearby() -> None:
    text = numbered(40)
    diff = "@@ -20,4 +20,4 @@\n line 20\n line 21\n-line 2x\n+line 22!\n line 23\n"
    placements, [refusal] = place(text, diff)
    assert placements == []
    assert "'line 2x' is not in the file" in refusal.reason
    assert refusal.nearby == tuple(f"line {n}" for n in range(18, 26))
    message = str(refusal)
    assert message.startswith("hunk 1: ") and "    line 21" in message


def test_lines_present_but_not_together_are_refused() -> None:
    _, [refusal] = place(numbered(9), "@@ @@\n line 2\n-line 7\n+seven\n")
    assert "not together in this order" in refusal.reason


def test_fuzzy_nearby_when_no_line_matches_exactly() -> None:
    text = "alpha\nbeta\ndef compute_total(items):\n    return sum(items)\ngamma\n"
    diff = "@@ @@\n def compute_totals(items):\n-    return sum(item)\n+    return 0\n"
    _, [refusal] = place(text, diff)
    assert "def compute_total(items):" in refusal.nearby


def test_already_applied_hunk_is_flagged() -> None:
    text = "a\nb\nNEW\nc\n"
    placements, [refusal] = place(text, "@@ @@\n b\n-old\n+NEW\n c\n")
    assert placements == []
    assert refusal.already_applied
    assert "already applied" in refusal.reason and "lines 2-4" in refusal.reason


def test_pure_insertion_without_context_is_refused_except_into_an_empty_file() -> None:
    diff = "@@ @@\n+import os\n"
    _, [refusal] = place("x = 1\n", diff)
    assert "no context lines" in refusal.reason
    assert placed_text("", diff) == "import os\n"
    assert placed_text("", "@@ -0,0 +1,2 @@\n+a\n+b\n\\ No newline at end of file\n") == "a\nb"


def test_insertion_at_zero_goes_to_the_top() -> None:
    assert placed_text("x = 1\n", "@@ -0,0 +1 @@\n+import os\n") == "import os\nx = 1\n"


def test_new_file_diff_for_an_existing_file_is_refused() -> None:
    diff = "--- /dev/null\n+++ b/x.py\n@@ -0,0 +1 @@\n+y = 2\n"
    _, [refusal] = place("x = 1\n", diff)
    assert "creates the file" in refusal.reason and refusal.path == "x.py"


def test_overlapping_hunks_refuse_the_later_one() -> None:
    diff = "@@ @@\n line 2\n-line 3\n+three\n@@ @@\n-line 3\n+THREE\n line 4\n"
    placements, [refusal] = place(numbered(5), diff)
    assert [p.hunk for p in placements] == [1]
    assert refusal.hunk == 2 and "overlaps hunk 1" in refusal.reason


def test_a_hunk_written_twice_in_one_block_is_one_change() -> None:
    hunk = "@@ -3 +3 @@\n-line 3\n+three\n"
    placements, refusals = place(numbered(5), "--- a/f\n+++ b/f\n" + hunk * 3)
    assert refusals == [] and [p.new_lines for p in placements] == [("three",)]


def test_hunks_sharing_only_context_are_both_placed() -> None:
    diff = "@@ @@\n-line 1\n+one\n line 2\n@@ @@\n line 2\n-line 3\n+three\n"
    assert placed_text(numbered(3), diff) == "one\nline 2\nthree\n"


def test_hunk_changing_nothing_is_refused() -> None:
    _, [refusal] = place(numbered(3), "@@ @@\n line 1\n line 2\n")
    assert "changes nothing" in refusal.reason


def test_bom_is_ignored_for_matching_and_kept() -> None:
    text = "\ufeffline 1\nline 2\n"
    assert placed_text(text, "@@ @@\n-line 1\n+first\n line 2\n") == "\ufefffirst\nline 2\n"


def test_crlf_file_gets_crlf_new_lines_and_keeps_untouched_bytes() -> None:
    text = "a\r\nb\r\nc\r\nd\n"
    assert placed_text(text, "@@ @@\n a\n-b\n+B\n+B2\n c\n") == "a\r\nB\r\nB2\r\nc\r\nd\n"


def test_final_newline_absent_stays_absent_unless_the_diff_says_so() -> None:
    text = "a\nb"
    assert placed_text(text, "@@ @@\n a\n-b\n+c\n") == "a\nc"
    assert placed_text(text, "@@ @@\n b\n+c\n") == "a\nb\nc"
    explicit = "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n"
    assert placed_text(text, explicit) == "a\nc\n"
    remove = "@@ -1,2 +1,2 @@\n a\n-b\n+c\n\\ No newline at end of file\n"
    assert placed_text("a\nb\n", remove) == "a\nc"


def test_placements_come_from_file_patch_without_paths() -> None:
    patch = FilePatch(None, None, (Hunk(("-line 2", "+two")),))
    placements, refusals = locate_hunks(numbered(3), patch)
    assert refusals == [] and placements == [Placement(1, 1, 2, ("two",))]


# Hostile input: the right answer, and refusals a terminal can take (speed is in bench/)


def test_a_header_padded_with_spaces_still_names_its_file() -> None:
    diff = f"--- a/x.py{' ' * 40_000}2024-01-01 10:00:00 +0100\n+++ b/x.py\n@@ @@\n-a\n+b\n"
    [patch] = parse_diff(diff)
    assert patch.path == "x.py"


def test_comment_lines_of_spaces_or_stars_are_new_code_not_elisions() -> None:
    for line in ("# " + " " * 40_000 + "x", "/* " + "*" * 40_000 + " */", "// ... " + " " * 9):
        assert placed_text("a\n", f"@@ @@\n-a\n+{line}\n") == line + "\n"


def test_a_huge_line_is_quoted_short_in_a_refusal() -> None:
    huge = "y" * 4_000_000
    _, [refusal] = place("a\n", f"@@ @@\n-{huge}\n+b\n")
    assert len(str(refusal)) < 1_000
    assert "(4,000,000 characters)" in refusal.reason


def test_the_nearest_lines_of_a_refusal_are_cut_to_a_readable_width() -> None:
    text = "start\n" + "x" * 100_000 + " marker\nend\n"
    _, [refusal] = place(text, "@@ @@\n start\n-nothing marker\n+b\n")
    assert len(str(refusal)) < 1_000 and "start" in str(refusal)


def test_many_refused_hunks_are_counted_not_listed_one_by_one() -> None:
    from fixer.patch import apply_patch

    hunks = "".join(f"@@ @@\n-gone {n}\n+new {n}\n" for n in range(500))
    with pytest.raises(PatchRejected) as refused:
        apply_patch(numbered(10), "--- a/x\n+++ b/x\n" + hunks)
    assert "hunks 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 489 more were refused too" in str(
        refused.value
    )


# Context-only hunks and second drafts: left out on purpose, never a reason to refuse a file

CONTEXT_ONLY = (
    "@@ -1,2 +1,2 @@\n line 1\n line 2\n@@ -5,3 +5,3 @@\n line 5\n-line 6\n+six\n line 7\n"
)


def test_a_context_only_hunk_is_dropped_and_the_rest_applies() -> None:
    from fixer.patch import apply_patch
    from fixer.review import build_review

    placements, [dropped] = place(numbered(9), CONTEXT_ONLY)
    assert dropped.ignored == "dropped: context lines only" and dropped.harmless
    assert len(placements) == 1
    expected = numbered(9).replace("line 6\n", "six\n")
    assert apply_patch(numbered(9), "--- a/x\n+++ b/x\n" + CONTEXT_ONLY) == expected
    review = build_review("--- a/x\n+++ b/x\n" + CONTEXT_ONLY, {"x": numbered(9)})
    assert len(review.hunks) == 1 and review.refusals[0].ignored  # the review agrees


FIRST_DRAFT = "@@ @@\n line 4\n-line 5\n+five\n line 6\n"
SECOND_DRAFT = "@@ @@\n line 4\n-line 5\n+FIVE = 5\n line 6\n"
OTHER_FIX = "@@ @@\n line 18\n-line 19\n+nineteen\n"


def drafts_reply(*blocks: str) -> str:
    fenced = [f"```diff\n--- a/x\n+++ b/x\n{block}```\n" for block in blocks]
    return "Here is the fix:\n\n" + "\nWait, a better version:\n\n".join(fenced)


def test_a_second_draft_of_the_same_change_wins_and_the_first_is_noted() -> None:
    from fixer.patch import apply_patch
    from fixer.review import build_review

    reply = drafts_reply(FIRST_DRAFT + OTHER_FIX, SECOND_DRAFT)
    expected = numbered(20).replace("line 5\n", "FIVE = 5\n").replace("line 19\n", "nineteen\n")
    assert apply_patch(numbered(20), reply) == expected
    review = build_review(reply, {"x": numbered(20)})
    assert len(review.hunks) == 2  # the later draft's hunk and the fix it did not repeat
    (replaced,) = review.refusals
    assert replaced.ignored == "replaced by a later draft" and replaced.hunk == 1
    assert "later draft" in replaced.reason


def test_overlapping_hunks_of_one_draft_are_still_refused() -> None:
    _, [refusal] = place(numbered(10), FIRST_DRAFT + SECOND_DRAFT)
    assert "overlaps hunk 1" in refusal.reason and not refusal.ignored


def test_a_draft_repeated_word_for_word_is_one_change() -> None:
    from fixer.patch import apply_patch

    reply = drafts_reply(FIRST_DRAFT, FIRST_DRAFT)
    assert apply_patch(numbered(10), reply) == numbered(10).replace("line 5\n", "five\n")


# Loose matches: certain placements of hunks with one line that is not the file's

BLOCKS = "".join(f"def f{n}(x):\n    y = x + {n}\n    return y * {n}\n\n" for n in range(1, 6))


def test_an_invented_first_context_line_does_not_sink_the_hunk() -> None:
    diff = "@@ @@\n # the second function\n def f2(x):\n-    y = x + 2\n+    y = x - 2\n"
    diff += "     return y * 2\n"
    placements, refusals = place(BLOCKS, diff)
    assert refusals == [] and "'# the second function'" in placements[0].note
    assert apply_placements(BLOCKS, placements) == BLOCKS.replace("x + 2", "x - 2")


def test_a_misremembered_last_context_line_does_not_sink_the_hunk() -> None:
    diff = "@@ @@\n def f3(x):\n-    y = x + 3\n+    y = x - 3\n     return y + 3\n"
    placements, refusals = place(BLOCKS, diff)
    assert refusals == [] and "which is not the file's" in placements[0].note
    assert apply_placements(BLOCKS, placements) == BLOCKS.replace("x + 3", "x - 3")


def test_an_inner_context_line_one_word_off_keeps_the_files_line() -> None:
    diff = "@@ @@\n def f4(x):\n     y = x + 44\n-    return y * 4\n+    return y * 40\n \n"
    placements, refusals = place(BLOCKS, diff)
    assert refusals == [] and "'    y = x + 4' in the file" in placements[0].note
    text = apply_placements(BLOCKS, placements)
    assert text == BLOCKS.replace("return y * 4\n", "return y * 40\n")  # y = x + 4 kept


@pytest.mark.parametrize(
    "diff",
    [
        # The kept lines occur in two blocks: which one the model meant is not certain.
        "@@ @@\n invented\n-    y = x + 1\n+    y = 0\n",
        # A removed line that is not the file's is never loosened.
        "@@ @@\n def f2(x):\n-    y = x + 22\n+    y = x - 2\n     return y * 2\n",
        # Two context lines off.
        "@@ @@\n def f2(z):\n     y = x + 20\n-    return y * 2\n+    return 0\n",
        # One word off from the same line of two near-duplicate blocks.
        "@@ @@\n def g(x):\n     y = x + 9\n-    return y\n+    return -y\n",
    ],
    ids=["two-places", "removed-line", "two-lines-off", "near-duplicates"],
)
def test_a_loose_match_that_is_not_certain_is_refused(diff: str) -> None:
    text = (
        BLOCKS
        + "def g(x):\n    y = x + 1\n    return y\n\ndef g(x):\n    y = x + 2\n    return y\n"
    )
    placements, refusals = place(text, diff)
    assert placements == [] and len(refusals) == 1


# --- the shortcut for hunks at their @@ numbers


@st.composite
def repeated_blocks(draw: st.DrawFn) -> tuple[str, str]:
    """A file that repeats one block a few times, and the file with a few lines changed."""
    line = st.sampled_from(["a", "b", "    a", ""])
    block = draw(st.lists(line, min_size=1, max_size=4))
    old = block * draw(st.integers(2, 5)) + draw(st.lists(line, max_size=3))
    new = list(old)
    for k in draw(st.lists(st.integers(0, len(old) - 1), min_size=1, max_size=3)):
        new[k] = draw(st.sampled_from(["new", "b", "a"]))
    if draw(st.booleans()):
        new.insert(draw(st.integers(0, len(new))), "added")
    return "".join(f"{text}\n" for text in old), "".join(f"{text}\n" for text in new)


@settings(max_examples=150, deadline=None)
@given(repeated_blocks(), st.integers(1, 3))
def test_hunks_at_their_numbers_are_placed_where_the_search_would(
    texts: tuple[str, str], context: int
) -> None:
    # Most hunks' old lines occur at several places (over half the examples), so the search's
    # choice among them (hint, order, nearest) is what the shortcut must agree with.
    old, new = texts
    hunks = diff_hunks(old, new, context)
    assume(hunks and all(hunk.old_count for hunk in hunks))
    [patch] = parse_diff(format_diff("x", hunks))
    file = locate._File(old)
    shortcut = locate._at_numbers(file, patch.hunks)
    assert shortcut is not None
    assert (shortcut, []) == locate._located(file, patch)


def test_a_hunk_off_its_number_leaves_the_whole_file_to_the_search() -> None:
    # Hunk 1 shows the model numbers 10 lines short; hunk 2's block is at its number and 12
    # lines further: the offset hunk 1 proves points there, as only the search can tell.
    text = numbered(20) + "x\ny\n" + numbered(10) + "x\ny\n"
    diff = "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n line 11\n-line 12\n+twelve\n"
    diff += "@@ -21,2 +21,2 @@\n x\n-y\n+z\n"
    file = locate._File(text)
    assert locate._at_numbers(file, parse_diff(diff)[0].hunks) is None
    placements, refusals = place(text, diff)
    assert refusals == [] and [p.start for p in placements] == [11, 33]


def test_versions_of_one_hunk_are_placed_alike_and_only_the_first_is_taken() -> None:
    # Three versions of one change at one @@ number: the order of the hunks leaves them one
    # place (after hunk 1). The first version goes there; the others overlap it and are refused.
    text = "c\nd\nc\nd\na\nb\nc\nb\nb\na\nd\nb\na\n"
    versions = "".join(f"@@ -6,2 +6,2 @@\n c\n-d\n+{new}\n" for new in ("X1", "X2", "Y2"))
    diff = f"--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n c\n-d\n+X0\n{versions}"
    placements, refusals = locate_hunks(text, parse_diff(diff)[0])
    assert [(p.hunk, p.start) for p in placements] == [(1, 1), (2, 3)]
    assert [r.hunk for r in refusals] == [3, 4]
    assert all("overlaps hunk 2" in str(r) for r in refusals)
