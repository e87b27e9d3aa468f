"""A note on a hunk (m) in the Review, and what goes back to the model asked again (r): the
hunks the user rejected and the notes they wrote, after the files."""

from __future__ import annotations

from dataclasses import dataclass

from fixer import prompts
from fixer.agents import FIX, GRAMMAR
from fixer.patch import apply_patch
from fixer.printable import printable, printable_lines, without_escapes
from fixer.review import Decision, HunkFeedback, Review, build_review, merge_reviews
from fixer.tui.layout import NOTE_WIDTH, StatusPart, fit_status, note_title, styled_spans

ORIGINAL = "".join(f"line {i}\n" for i in range(1, 41))
TWO = (
    "--- a/app.py\n+++ b/app.py\n@@ -3 +3 @@\n-line 3\n+line three\n"
    "@@ -30 +30 @@\n-line 30\n+line thirty\n"
)
# One hunk with two changes and context between them: it splits in two.
SPLITTABLE = (
    "--- a/app.py\n+++ b/app.py\n@@ -3,3 +3,3 @@\n-line 3\n+line three\n line 4\n-line 5\n"
    "+line five\n"
)


def review_of(diff: str = TWO, originals: dict[str, str] | None = None) -> Review:
    return build_review(diff, originals or {"app.py": ORIGINAL})


@dataclass(frozen=True)
class File:
    name: str
    text: str


# -- the note in the Review --------------------------------------------------------------------


def test_a_note_is_one_line_an_empty_one_removes_it_and_each_change_undoes() -> None:
    review = review_of()
    assert review.hunk_notes == ["", ""]
    review.write_note(1, "  too clever:\n keep   the loop  ")
    assert review.hunk_notes == ["", "too clever: keep the loop"]
    review.write_note(1, "too clever: keep the loop")  # the same note: no undo step
    review.write_note(1, "   ")
    assert review.hunk_notes == ["", ""]
    assert review.undo() and review.hunk_notes == ["", "too clever: keep the loop"]
    assert review.undo() and review.hunk_notes == ["", ""]
    assert not review.can_undo


def test_notes_and_decisions_undo_in_the_order_they_were_made() -> None:
    review = review_of()
    review.decide(0, Decision.REJECTED)
    review.write_note(0, "wrong line")
    review.decide(1, Decision.ACCEPTED)
    review.undo()
    assert review.decisions == [Decision.REJECTED, Decision.PENDING]
    assert review.hunk_notes == ["wrong line", ""]
    review.undo()
    assert review.hunk_notes == ["", ""] and review.decisions[0] is Decision.REJECTED


def test_a_note_follows_its_hunk_through_a_split_and_an_edit() -> None:
    review = review_of(SPLITTABLE)
    review.write_note(0, "only the first change")
    assert review.split(0) == 2
    # The note was on the whole change: both pieces keep it, pending as split pieces are.
    assert review.hunk_notes == ["only the first change"] * 2
    assert review.edit(1, ["line 5 edited"]) == 1
    assert review.hunk_notes == ["only the first change"] * 2
    assert review.decisions == [Decision.PENDING, Decision.ACCEPTED]
    review.undo()
    review.undo()
    assert review.hunks == review_of(SPLITTABLE).hunks
    assert review.hunk_notes == ["only the first change"]


def test_asking_again_for_a_file_drops_its_notes_and_keeps_the_other_files() -> None:
    originals = {"a.py": ORIGINAL, "b.py": ORIGINAL}
    both = (
        "--- a/a.py\n+++ b/a.py\n@@ -3 +3 @@\n-line 3\n+line three\n"
        "--- a/b.py\n+++ b/b.py\n@@ -5 +5 @@\n-line 5\n+line five\n"
        "@@ -20 +20 @@\n-line 20\n+line twenty\n"
    )
    review = build_review(both, originals)
    review.write_note(0, "a's note")
    review.write_note(2, "b's note")
    again = build_review(
        "--- a/a.py\n+++ b/a.py\n@@ -3 +3 @@\n-line 3\n+line 3 fixed\n"
        "@@ -30 +30 @@\n-line 30\n+line thirty\n",
        {"a.py": ORIGINAL},
    )
    assert review.replace_file("a.py", again) == 2
    # a.py's hunks are new (its note went to the model); b.py's note moved down with its hunk.
    assert review.hunk_notes == ["", "", "", "b's note"]
    review.undo()
    assert review.hunk_notes == ["a's note", "", "b's note"]


# -- what goes back to the model ---------------------------------------------------------------


def test_the_feedback_holds_the_rejected_and_the_noted_hunks_of_the_files_asked() -> None:
    originals = {"a.py": ORIGINAL, "b.py": ORIGINAL}
    diff = TWO.replace("app.py", "a.py") + (
        "--- a/b.py\n+++ b/b.py\n@@ -5 +5 @@\n-line 5\n+line five\n"
    )
    review = build_review(diff, originals)
    review.decide(0, Decision.REJECTED)
    review.write_note(1, "good, but name it 30")
    review.decide(2, Decision.REJECTED)  # another file: not asked again
    [rejected, noted] = review.feedback(["a.py"])
    assert (rejected.rejected, rejected.note) == (True, "")
    assert (noted.rejected, noted.note) == (False, "good, but name it 30")
    # Each is a diff of its one hunk that applies to the file as it is.
    assert apply_patch(ORIGINAL, rejected.diff) == ORIGINAL.replace("line 3\n", "line three\n")
    assert "+line thirty" in noted.diff and "line three" not in noted.diff
    assert review.feedback(["b.py"])[0].rejected
    assert build_review(diff, originals).feedback(["a.py", "b.py"]) == []


def test_the_rejected_hunks_of_either_compared_model_go_back() -> None:
    same = "--- a/app.py\n+++ b/app.py\n@@ -3 +3 @@\n-line 3\n+line three\n"
    cheap = same + "@@ -20 +20 @@\n-line 20\n+line twenty\n"
    strong = same + "@@ -20 +20 @@\n-line 20\n+line 20 (fixed)\n"
    review = merge_reviews({"p,cheap": review_of(cheap), "p,strong": review_of(strong)})
    review.decide(1, Decision.REJECTED)
    review.decide(2, Decision.REJECTED)
    diffs = [f.diff for f in review.feedback(["app.py"])]
    assert len(diffs) == 2
    assert "+line twenty" in diffs[0] and "+line 20 (fixed)" in diffs[1]


def test_a_sentence_hunk_goes_back_as_a_diff_of_the_files_lines() -> None:
    post = "# Title\n\nThis sentense is first. The second one is fine.\n"
    review = GRAMMAR.review(
        "--- a/post.md\n+++ b/post.md\n@@ -3 +3 @@\n-This sentense is first. The second one is "
        "fine.\n+This sentence is first. The second one is fine.\n",
        {"post.md": File("post.md", post)},
        lambda _name: None,
    )
    review.decide(0, Decision.REJECTED)
    [rejected] = review.feedback(["post.md"])
    assert "-This sentense is first. The second one is fine." in rejected.diff
    assert "+This sentence is first. The second one is fine." in rejected.diff


def test_review_feedback_words_the_rejected_hunks_and_the_notes() -> None:
    assert prompts.review_feedback([]) == ""
    diff = "--- a/a.py\n+++ b/a.py\n@@ -3 +3 @@\n-line 3\n+line three\n"
    text = prompts.review_feedback(
        [HunkFeedback("a.py", diff, True, ""), HunkFeedback("a.py", diff, False, "keep it short")]
    )
    assert "Do not propose again a change they rejected" in text
    assert f"Rejected by the user\n<<<HUNK>>>\n{diff}<<<END HUNK>>>" in text
    assert f"Not rejected, with the user's note: keep it short\n<<<HUNK>>>\n{diff}" in text
    huge = HunkFeedback("a.py", "+x\n" * 50_000, True, "")
    clipped = prompts.review_feedback([huge] * 10)
    assert len(clipped) < prompts.FEEDBACK_LIMIT + 200 and "characters left out" in clipped


def test_the_feedback_comes_after_the_files_and_the_request_keeping_the_prefix() -> None:
    files = {"a.py": File("a.py", "x = 1\n")}
    plain = FIX.messages(files, "fix it")
    told = FIX.messages(files, "fix it", "The user reviewed an earlier proposal.\n")
    assert told[0] == plain[0]
    assert told[1]["content"].startswith(plain[1]["content"])
    assert told[1]["content"].endswith("\n\nThe user reviewed an earlier proposal.\n")
    assert FIX.messages(files, "fix it", "") == plain
    masked = GRAMMAR.messages({"p.md": File("p.md", "Hi.\n")}, None, "told\n")
    assert masked[1]["content"].endswith("\ntold\n")


# -- what reaches the terminal -----------------------------------------------------------------


def test_a_note_in_a_title_is_printable_and_a_long_one_is_cut() -> None:
    hostile = "ok\x1b[2J\u202eevil\u2066 \x07"
    shown = note_title(hostile)
    assert "\x1b" not in shown and "\u202e" not in shown and "\u2066" not in shown
    assert shown.startswith("ok␛[2J")
    long = note_title("word " * 40)
    assert len(long) == NOTE_WIDTH and long.endswith("…")
    wide = note_title("字" * 40)  # two columns each
    assert wide.endswith("…") and len(wide) == NOTE_WIDTH // 2


def test_bidi_controls_are_shown_never_obeyed() -> None:
    trojan = "if access_level != 'user\u202e \u2066// admin\u2069 \u2066':"
    for shown in (printable(trojan), printable_lines(trojan)):
        assert len(shown) == len(trojan)
        assert not any("\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069" for c in shown)


def test_colours_of_a_commands_output_are_dropped_and_other_escapes_shown() -> None:
    output = "\x1b[31mFAILED\x1b[0m test_x\n\x1b]8;;http://x\x07link\x1b]8;;\x07 \x1bc\r\ndone\n"
    shown = printable_lines(without_escapes(output))
    assert shown == "FAILED test_x\nlink ␛c\ndone\n"


def test_a_styled_status_part_is_found_whole_or_short() -> None:
    parts = [
        StatusPart("fixer", 0),
        StatusPart("tests: fail (exit 1, 2.0 s)", 4, "tests: fail", "$error"),
        StatusPart("cost: $0.01", 5),
    ]
    wide = fit_status(parts, 200)
    [(start, end, style)] = styled_spans(parts, wide)
    assert wide[start:end] == "tests: fail (exit 1, 2.0 s)" and style == "$error"
    narrow = fit_status(parts, 36)
    [(start, end, _)] = styled_spans(parts, narrow)
    assert narrow[start:end] == "tests: fail"
    assert styled_spans(parts, fit_status(parts, 12)) == []
