"""The Review: decisions, undo, accept-all, and building it from a model's reply."""

from __future__ import annotations

import pytest

from fixer.patch import PatchRejected
from fixer.review import Decision, build_review, unsafe_path_reason

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
    assert [h.flag for h in review.hunks] == [None, None, "new file"]
    assert review.accept_all() == 2
    assert review.decisions[2] is Decision.PENDING
    assert review.counts("new.py")[Decision.PENDING] == 1


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
