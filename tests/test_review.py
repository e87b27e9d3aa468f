"""The Review: decisions, undo, accept-all, and building it from a model's reply."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fixer.patch import PatchRejected, apply_patch, diff_hunks
from fixer.review import (
    MODELS_DIFFER,
    NEW_FILE,
    Decision,
    FileChange,
    Flag,
    FlagKind,
    Review,
    ReviewHunk,
    build_review,
    merge_reviews,
    unsafe_path_reason,
)
from fixer.router import Route, Scenario

ORIGINAL = "".join(f"line {i}\n" for i in range(1, 41))

TWO_HUNKS = """Here is the fix:

```diff
--- a/app.py
+++ b/app.py
@@ -2,3 +2,3 @@
 line 2
-line 3
+line three
 line 4
@@ -30,3 +30,3 @@
 line 30
-line 31
+line thirty-one
 line 32
```
Hope this helps.
"""


def review_of(reply: str = TWO_HUNKS, originals: dict[str, str] | None = None):
    return build_review(reply, originals or {"app.py": ORIGINAL})


def test_reply_becomes_hunks_with_real_line_numbers() -> None:
    review = review_of()
    assert [h.hunk.old_start for h in review.hunks] == [1, 28]
    assert all(d is Decision.PENDING for d in review.decisions)
    assert review.refusals == ()


def test_accepting_one_hunk_writes_only_that_hunk() -> None:
    review = review_of()
    review.decide(0, Decision.REJECTED)
    review.decide(1, Decision.ACCEPTED)
    text = review.new_texts()["app.py"]
    assert "line thirty-one\n" in text
    assert "line 3\n" in text and "line three" not in text


def test_nothing_accepted_means_nothing_to_write() -> None:
    review = review_of()
    review.decide(0, Decision.REJECTED)
    assert review.new_texts() == {}


def test_undo_takes_back_the_last_decision_as_a_whole() -> None:
    review = review_of()
    review.decide(0, Decision.ACCEPTED)
    review.decide_rest_of_file(1, Decision.REJECTED)
    assert review.undo()
    assert review.decisions == [Decision.ACCEPTED, Decision.PENDING]
    assert review.undo()
    assert review.decisions == [Decision.PENDING, Decision.PENDING]
    assert not review.undo()


def test_reject_rest_of_file_decides_later_pending_hunks_only() -> None:
    review = review_of()
    review.decide(1, Decision.ACCEPTED)
    review.decide_rest_of_file(0, Decision.REJECTED)
    assert review.decisions == [Decision.REJECTED, Decision.ACCEPTED]


def test_accept_all_skips_flagged_new_files() -> None:
    reply = TWO_HUNKS.replace(
        "```\nHope", "--- /dev/null\n+++ b/new.py\n@@ -0,0 +1 @@\n+x = 1\n```\nHope"
    )
    review = build_review(reply, {"app.py": ORIGINAL}, may_create=lambda name: None)
    assert [h.flag for h in review.hunks] == [None, None, NEW_FILE]
    assert review.accept_all() == 2
    assert review.decisions[2] is Decision.PENDING
    assert review.counts_by_file()["new.py"][Decision.PENDING] == 1


def test_hunks_for_other_files_are_refused() -> None:
    reply = TWO_HUNKS.replace("a/app.py", "a/other.py").replace("b/app.py", "b/other.py")
    review = build_review(reply, {"app.py": ORIGINAL, "lib.py": "x\n"})
    assert review.hunks == ()
    assert "not one of the selected files" in str(review.refusals[0])


def test_diff_without_headers_goes_to_the_single_selected_file() -> None:
    reply = "@@ -2,3 +2,3 @@\n line 2\n-line 3\n+line three\n line 4\n"
    review = build_review(reply, {"src/app.py": ORIGINAL})
    assert [h.name for h in review.hunks] == ["src/app.py"]


def test_model_dropping_leading_directories_still_targets_the_selected_file() -> None:
    review = build_review(TWO_HUNKS, {"src/app.py": ORIGINAL})
    assert {h.name for h in review.hunks} == {"src/app.py"}


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/etc/passwd", "absolute"), ("../x.py", ".."), (".git/config", ".git"), ("a/../../b", "..")],
)
def test_unsafe_paths_are_refused(path: str, reason: str) -> None:
    assert reason in (unsafe_path_reason(path) or "")
    reply = f"--- a/{path}\n+++ b/{path}\n@@ -1 +1 @@\n-a\n+b\n"
    review = build_review(reply, {"app.py": "a\n"})
    assert review.hunks == () and review.refusals


def test_new_file_refused_without_permission() -> None:
    reply = "--- /dev/null\n+++ b/new.py\n@@ -0,0 +1 @@\n+x = 1\n"
    review = build_review(reply, {"app.py": ORIGINAL})
    assert review.hunks == ()
    assert "not asked to create" in str(review.refusals[0])


def test_reply_without_diff_raises() -> None:
    with pytest.raises(PatchRejected):
        build_review("I think the code looks fine!", {"app.py": ORIGINAL})


def test_as_diff_of_accepted_hunks_only() -> None:
    review = review_of()
    review.decide(1, Decision.ACCEPTED)
    diff = review.as_diff(only_accepted=True)
    assert "line thirty-one" in diff and "line three" not in diff
    assert diff.startswith("diff --git a/app.py b/app.py\n")


# Split, edit and their undo.


def review_between(original: str, proposed: str, name: str = "app.py", new_file: bool = False):
    """A review of the hunks turning `original` into `proposed`, as build_review makes them."""
    flag = NEW_FILE if new_file else None
    hunks = tuple(ReviewHunk(name, h, flag) for h in diff_hunks(original, proposed))
    return Review((FileChange(name, original, new_file),), hunks)


SPLITTABLE = ORIGINAL.replace("line 3\n", "line three\n").replace("line 6\n", "line six\n")


def test_split_makes_pending_pieces_that_apply_alone() -> None:
    review = review_between(ORIGINAL, SPLITTABLE)
    review.decide(0, Decision.REJECTED)
    assert review.can_split(0)
    assert review.split(0) == 2
    assert review.decisions == [Decision.PENDING, Decision.PENDING]
    assert [h.hunk.lines[2:4] for h in review.hunks] == [
        ("-line 3", "+line three"),
        ("-line 6", "+line six"),
    ]
    review.decide(0, Decision.REJECTED)
    review.decide(1, Decision.ACCEPTED)
    assert review.new_texts() == {"app.py": ORIGINAL.replace("line 6\n", "line six\n")}


def test_split_keeps_name_and_flag() -> None:
    review = review_between("", "a\n\nb\nc\nd\ne\nf\n", "new.py", new_file=True)
    assert not review.can_split(0)  # only added lines: one change block
    review = review_between(ORIGINAL, SPLITTABLE)
    careful = Flag(FlagKind.REWRITE, "careful")
    review.hunks = tuple(ReviewHunk(h.name, h.hunk, careful) for h in review.hunks)
    review.split(0)
    assert [(h.name, h.flag) for h in review.hunks] == [("app.py", careful)] * 2


def test_hunk_that_cannot_split_stays_and_leaves_no_undo_step() -> None:
    review = review_of()
    review.decide(0, Decision.ACCEPTED)
    before = review.hunks
    assert not review.can_split(0)
    assert review.split(0) == 1
    assert review.hunks is before and review.decisions[0] is Decision.ACCEPTED
    assert review.undo() and not review.can_undo  # only the decision was a step


def test_undo_after_split_restores_hunks_and_decisions_exactly() -> None:
    review = review_between(ORIGINAL, SPLITTABLE.replace("line 30\n", "line thirty\n"))
    review.decide(0, Decision.ACCEPTED)
    review.decide(1, Decision.REJECTED)
    hunks, decisions = review.hunks, list(review.decisions)
    review.split(0)
    review.decide(1, Decision.REJECTED)
    assert len(review.hunks) == 3
    assert review.undo()
    assert review.undo()
    assert review.hunks == hunks and review.decisions == decisions
    assert isinstance(review.hunks, tuple)


def test_edit_replaces_the_new_side_and_accepts_it() -> None:
    review = review_of()
    new_side = ["line 1", "line 2", "line three", "line 4", "line 5", "line 6"]
    assert list(review.hunks[0].hunk.new_lines) == new_side
    assert review.edit(0, [line.replace("three", "3 fixed") for line in new_side]) == 1
    edited = review.hunks[0].hunk
    assert edited.lines[1:5] == (" line 2", "-line 3", "+line 3 fixed", " line 4")
    assert (edited.old_start, edited.new_start) == (1, 1)
    assert review.decisions == [Decision.ACCEPTED, Decision.PENDING]
    assert review.new_texts() == {"app.py": ORIGINAL.replace("line 3\n", "line 3 fixed\n")}
    assert "+line 3 fixed\n" in review.as_diff(only_accepted=True)


def test_edit_can_give_several_hunks() -> None:
    proposed = ORIGINAL.replace("line 5\n", "five\n").replace("line 11\n", "eleven\n")
    review = review_between(ORIGINAL, proposed)
    [hunk] = review.hunks
    assert (hunk.hunk.old_start, hunk.hunk.old_count) == (2, 13)
    # Both changes taken back, the first and last lines changed: too far apart for one hunk.
    new_side = [f"line {i}" for i in range(2, 15)]
    new_side[0], new_side[-1:] = "two", ["line 14", "line 14 and a half"]
    assert review.edit(0, new_side) == 2
    # The second one has no context after it: line 15 lies outside the hunk's lines.
    assert [(h.hunk.old_start, h.hunk.old_count) for h in review.hunks] == [(2, 4), (12, 3)]
    assert review.decisions == [Decision.ACCEPTED] * 2
    expected = ORIGINAL.replace("line 2\n", "two\n").replace(
        "line 14\n", "line 14\nline 14 and a half\n"
    )
    assert review.new_texts() == {"app.py": expected}


def test_edit_of_one_split_piece_applies_with_its_neighbour() -> None:
    review = review_between(ORIGINAL, SPLITTABLE)
    review.split(0)
    first, second = (h.hunk.new_lines for h in review.hunks)
    assert set(first) & set(second) == {"line 4", "line 5"}  # the context the pieces share
    edited = [line.replace("three", "3!") for line in first] + ["inserted"]
    assert review.edit(0, edited) == 1
    review.decide(1, Decision.ACCEPTED)
    expected = (
        ORIGINAL.replace("line 3\n", "line 3!\n")
        .replace("line 5\n", "line 5\ninserted\n")
        .replace("line 6\n", "line six\n")
    )
    assert review.new_texts() == {"app.py": expected}
    # The edit's context stays inside the piece's lines: it ends where the next piece changes.
    edit = review.hunks[0].hunk
    assert edit.old_start + edit.old_count - 1 == 5
    # The accepted part as a diff: the edit and the piece next to it form one hunk there.
    diff = review.as_diff(only_accepted=True)
    assert diff.count("@@ -") == 1
    assert apply_patch(ORIGINAL, diff) == expected


def test_edit_giving_back_the_original_lines_drops_the_hunk() -> None:
    review = review_of()
    old_side = list(review.hunks[0].hunk.old_lines)
    assert review.edit(0, old_side) == 0
    assert [h.hunk.old_start for h in review.hunks] == [28]
    assert review.decisions == [Decision.PENDING]
    review.accept_all()
    assert review.new_texts() == {"app.py": ORIGINAL.replace("line 31\n", "line thirty-one\n")}


def test_undo_after_edit_restores_hunks_and_decisions_exactly() -> None:
    review = review_of()
    review.decide(1, Decision.REJECTED)
    hunks, decisions = review.hunks, list(review.decisions)
    review.edit(0, ["only this"])
    review.edit(1, list(review.hunks[1].hunk.old_lines))  # dropped
    assert len(review.hunks) == 1
    assert review.undo() and review.undo()
    assert review.hunks == hunks and review.decisions == decisions
    assert review.undo() and not review.can_undo
    assert review.decisions == [Decision.PENDING, Decision.PENDING]
    assert not review.undo()


def test_undo_history_mixes_every_kind_of_step() -> None:
    review = review_between(ORIGINAL, SPLITTABLE.replace("line 30\n", "line thirty\n"))
    snapshots = []
    for step in (
        lambda: review.split(0),
        lambda: review.decide(0, Decision.ACCEPTED),
        lambda: review.edit(1, ["x"]),
        lambda: review.accept_all(),
        lambda: review.decide_rest_of_file(0, Decision.REJECTED),
    ):
        snapshots.append((review.hunks, list(review.decisions)))
        step()
    for hunks, decisions in reversed(snapshots):
        assert review.undo()
        assert (review.hunks, review.decisions) == (hunks, decisions)
    assert not review.can_undo


def test_crlf_file_edit_keeps_crlf() -> None:
    original = ORIGINAL.replace("\n", "\r\n")
    review = review_between(original, original.replace("line 3\r\n", "line three\r\n"))
    new_side = list(review.hunks[0].hunk.new_lines)
    review.edit(0, [*new_side[:3], "added", *new_side[3:]])
    expected = original.replace("line 3\r\n", "line three\r\nadded\r\n")
    assert review.new_texts() == {"app.py": expected}


def test_lf_lines_in_a_crlf_file_keep_their_bytes() -> None:
    original = "a\r\nb\nc\r\nd\r\n"
    review = review_between(original, "a\r\nb\nC\r\nd\r\n")
    review.edit(0, ["a", "b", "C!", "d"])
    assert review.new_texts() == {"app.py": "a\r\nb\nC!\r\nd\r\n"}


def test_edit_at_the_end_of_a_file_without_final_newline_keeps_none() -> None:
    original = "a\nb\nc"
    review = review_between(original, "a\nb\nC")
    assert review.hunks[0].hunk.new_missing_newline
    review.edit(0, ["a", "b", "C", "D"])
    assert review.new_texts() == {"app.py": "a\nb\nC\nD"}


def test_edit_keeps_a_final_newline_the_hunk_adds() -> None:
    review = review_between("x = 1", "x = 1\n")
    review.edit(0, ["x = 2"])
    assert review.new_texts() == {"app.py": "x = 2\n"}


def test_edit_keeps_the_bom_whether_the_editor_kept_it_or_not() -> None:
    original = "\ufeffa\nb\nc\n"
    review = review_between(original, "\ufeffA\nb\nc\n")
    assert review.hunks[0].hunk.new_lines[0] == "\ufeffA"
    for first in ("\ufeffA!", "A!"):
        review.edit(0, [first, "b", "c"])
        assert review.new_texts() == {"app.py": "\ufeffA!\nb\nc\n"}
        review.undo()
    review.edit(0, [])
    assert review.new_texts() == {"app.py": "\ufeff\n"}  # the BOM stays on a first line


def test_edit_of_a_new_file() -> None:
    review = review_between("", "x = 1\ny = 2\n", "new.py", new_file=True)
    assert review.edit(0, ["x = 1", "y = 3", "z = 4"]) == 1
    assert review.hunks[0].flag is NEW_FILE
    assert review.decisions == [Decision.ACCEPTED]
    assert review.new_texts() == {"new.py": "x = 1\ny = 3\nz = 4\n"}
    assert review.as_diff().startswith("diff --git a/new.py b/new.py\nnew file mode")


@pytest.mark.parametrize("index", [-1, 2, 99])
def test_index_out_of_range_is_a_clear_error(index: int) -> None:
    review = review_of()
    for operation in (review.split, review.can_split, lambda i: review.edit(i, ["x"])):
        with pytest.raises(ValueError, match=f"there is no hunk {index}: the review has 2"):
            operation(index)
    assert not review.can_undo


def test_thousands_of_hunks_and_steps_keep_small_undo_steps() -> None:
    original = "".join(f"{i}\n" for i in range(16_000))
    proposed = "".join(f"{i}{'!' if i % 8 == 0 else ''}\n" for i in range(16_000))
    review = review_between(original, proposed)
    assert len(review.hunks) == 2_000
    for i in range(0, 2_000, 20):
        review.edit(i, [*review.hunks[i].hunk.new_lines, "x"])
    for i in range(2_000):
        review.decide(i, Decision.REJECTED if i % 2 else Decision.ACCEPTED)
    # A decision records one index, a split or edit the one hunk it replaced: nothing per hunk.
    sizes = [len(step) if isinstance(step, list) else 1 for step in review._history]
    assert len(sizes) == 2_100 and max(sizes) == 1
    text = review.new_texts()["app.py"]
    assert text.count("x\n") == 100 and text.count("!") == 1_000
    while review.undo():
        pass
    assert review.hunks == review_between(original, proposed).hunks


LINE_TEXTS = st.sampled_from(["a", "b", "c", ""])
FILES = st.lists(LINE_TEXTS, max_size=10)


@settings(max_examples=300, deadline=None)
@given(
    old=FILES,
    new=FILES,
    ending=st.sampled_from(["\n", "\r\n"]),
    final_newline=st.booleans(),
    bom=st.booleans(),
    choice=st.data(),
)
def test_edit_then_accept_all_replaces_exactly_the_hunk_region(
    old: list[str],
    new: list[str],
    ending: str,
    final_newline: bool,
    bom: bool,
    choice: st.DataObject,
) -> None:
    def text(lines: list[str]) -> str:
        body = ending.join(lines) + (ending if lines and final_newline else "")
        return ("\ufeff" if bom else "") + body

    if not final_newline:  # a last line without newline holds something: "" would be no line
        old, new = ([*lines[:-1], lines[-1] or "z"] if lines else [] for lines in (old, new))
    # A file holding only a BOM is one line without a newline; it would need its own rule here.
    assume(not bom or (old and new))
    if "\n" not in text(old) + text(new):
        ending = "\n"  # no line has an ending to follow: edited lines take LF
    review = review_between(text(old), text(new))
    assume(review.hunks)
    index = choice.draw(st.integers(0, len(review.hunks) - 1))
    if choice.draw(st.booleans()):
        review.split(index)
        index = choice.draw(st.integers(0, len(review.hunks) - 1))
    hunk = review.hunks[index].hunk
    edited = choice.draw(st.lists(LINE_TEXTS, min_size=1, max_size=6))
    start = hunk.new_start - 1 if hunk.new_count else hunk.new_start
    before = (review.hunks, list(review.decisions))
    review.edit(index, edited)
    accepted_others = review.accept_all()
    expected = [*new[:start], *edited, *new[start + hunk.new_count :]]
    assert review.new_texts().get("app.py", text(old)) == text(expected)
    if accepted_others:
        review.undo()
    review.undo()
    assert (review.hunks, review.decisions) == before


# --- a file asked again (r), and several models compared (--compare) --------------------------


def test_replace_file_keeps_the_other_files_and_their_decisions() -> None:
    originals = {"a.py": ORIGINAL, "b.py": ORIGINAL}
    both = (
        "--- a/a.py\n+++ b/a.py\n@@ -3 +3 @@\n-line 3\n+line three\n"
        "--- a/b.py\n+++ b/b.py\n@@ -5 +5 @@\n-line 5\n+line five\n"
    )
    review = build_review(both, originals)
    review.decide(0, Decision.REJECTED)
    review.decide(1, Decision.ACCEPTED)
    again = build_review(
        "--- a/a.py\n+++ b/a.py\n@@ -3 +3 @@\n-line 3\n+line 3 fixed\n"
        "@@ -30 +30 @@\n-line 30\n+line thirty\n",
        {"a.py": ORIGINAL},
    )
    assert review.replace_file("a.py", again) == 2
    assert [h.name for h in review.hunks] == ["a.py", "a.py", "b.py"]
    assert review.decisions == [Decision.PENDING, Decision.PENDING, Decision.ACCEPTED]
    assert review.undo()  # one step puts the old hunks and decisions back
    assert review.hunks == build_review(both, originals).hunks
    assert review.decisions == [Decision.REJECTED, Decision.ACCEPTED]


def test_extend_adds_a_later_requests_files_pending_and_keeps_the_decisions() -> None:
    review = build_review(
        "--- a/a.py\n+++ b/a.py\n@@ -3 +3 @@\n-line 3\n+line three\n", {"a.py": ORIGINAL}
    )
    review.decide(0, Decision.ACCEPTED)
    later = build_review(
        "--- a/b.py\n+++ b/b.py\n@@ -5 +5 @@\n-line 5\n+line five\n", {"b.py": ORIGINAL}
    )
    assert review.extend(later) == 1
    assert [f.name for f in review.files] == ["a.py", "b.py"]
    assert review.decisions == [Decision.ACCEPTED, Decision.PENDING]
    assert review.extend(later) == 0  # a file already in the review is not added twice
    assert review.undo() and review.decisions == [Decision.PENDING, Decision.PENDING]
    assert not review.undo()  # the hunks that came later are no step to take back


def test_undoing_a_file_asked_again_gives_it_back_its_earlier_route() -> None:
    review = review_of()
    assert review.file("app.py").route is None  # the proposal's route
    stronger = Route("p", "strong", Scenario.THINK, "Escalation")
    strongest = Route("p", "strongest", Scenario.THINK, "Escalation")
    review.decide(0, Decision.ACCEPTED)
    review.replace_file("app.py", review_of(), stronger)
    review.decide(0, Decision.REJECTED)
    review.replace_file("app.py", review_of(), strongest)
    assert review.file("app.py").route == strongest
    review.undo()
    assert review.file("app.py").route == stronger and review.decisions[0] is Decision.REJECTED
    review.undo()  # the decision
    review.undo()
    assert review.file("app.py").route is None and review.decisions[0] is Decision.ACCEPTED


def compared():
    same = "--- a/app.py\n+++ b/app.py\n@@ -3 +3 @@\n-line 3\n+line three\n"
    cheap = same + "@@ -20 +20 @@\n-line 20\n+line twenty\n"
    strong = same + "@@ -20 +20 @@\n-line 20\n+line 20 (fixed)\n"
    return merge_reviews({"p,cheap": review_of(cheap), "p,strong": review_of(strong)})


def test_compared_models_agreeing_give_one_hunk_naming_both() -> None:
    review = compared()
    assert [(h.source, h.flag) for h in review.hunks] == [
        (("p,cheap", "p,strong"), None),
        (("p,cheap",), MODELS_DIFFER),
        (("p,strong",), MODELS_DIFFER),
    ]
    # Accept-all takes only what the models agree on.
    assert review.accept_all() == 1


def test_taking_one_models_hunk_rejects_the_others_for_the_same_lines() -> None:
    review = compared()
    review.decide(2, Decision.ACCEPTED)
    assert review.decisions == [Decision.PENDING, Decision.REJECTED, Decision.ACCEPTED]
    assert "line 20 (fixed)" in review.new_texts()["app.py"]
    review.undo()  # one step: both come back
    assert review.decisions == [Decision.PENDING] * 3


def test_taking_a_rival_after_an_accepted_hunk_rejects_the_first() -> None:
    review = compared()
    review.decide(1, Decision.ACCEPTED)
    review.decide(2, Decision.ACCEPTED)  # changed my mind: the other model's version
    assert review.decisions == [Decision.PENDING, Decision.REJECTED, Decision.ACCEPTED]
    assert "line 20 (fixed)" in review.new_texts()["app.py"]  # never two versions at once


def test_a_file_asked_again_that_needs_no_change_keeps_its_text() -> None:
    review = review_of()
    assert review.replace_file("app.py", Review((), ())) == 0
    assert review.hunks == () and review.file("app.py").original == ORIGINAL
    review.undo()
    assert len(review.hunks) == 2
