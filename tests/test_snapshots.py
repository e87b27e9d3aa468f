"""Pixels of the review screen: every bundled theme at 120x40 and 80x24, changed words marked.

Update the SVGs under tests/__snapshots__/ with `pytest tests/test_snapshots.py --snapshot-update`
after a deliberate change, and look at them before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fixer.review import build_review
from fixer.session import Job, Proposal
from fixer.testoutcome import TestOutcome
from fixer.tui.app import ReviewApp
from tests.helpers import make_repo, run_of

CODE = '''"""Prices of a small shop."""

TAX_RATE = 0.2


def price(amount, quantity):
    """The price with tax, for `quantity` items."""
    total = amount * quantity
    return total * (1 + TAX_RATE)


def label(name):
    return f"{name}: on sale"
'''
NOTES = "# Notes\n\nThe shop opens at nine.\nIt closes at six.\n"
DIFF = """--- a/shop.py
+++ b/shop.py
@@ -6,4 +6,4 @@
 def price(amount, quantity):
     \"\"\"The price with tax, for `quantity` items.\"\"\"
-    total = amount * quantity
+    total = round(amount * quantity, 2)
     return total * (1 + TAX_RATE)
@@ -12,2 +12,3 @@
 def label(name):
+    \"\"\"A shelf label.\"\"\"
     return f"{name}: on sale"
--- a/notes.md
+++ b/notes.md
@@ -3,2 +3,2 @@
-The shop opens at nine.
+The shop opens at nine o'clock.
 It closes at six.
"""


def review_app(tmp_path: Path, theme: str) -> ReviewApp:
    repo = make_repo(tmp_path / "repo", {"shop.py": CODE, "notes.md": NOTES})
    # A user theme folder of their own must not change the pixels.
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    run = run_of(Job((repo / "shop.py", repo / "notes.md"), diff_text=DIFF), env)
    app = ReviewApp(run, theme=theme, env=env)
    return app


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
@pytest.mark.parametrize("theme", ["dark", "light", "ansi"])
def test_review_screen(snap_compare, tmp_path: Path, theme: str, size: tuple[int, int]) -> None:
    # y accepts the first hunk, so a decision mark shows too.
    assert snap_compare(review_app(tmp_path, theme), press=["y"], terminal_size=size)


def test_side_by_side(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(review_app(tmp_path, "dark"), press=["v"], terminal_size=(120, 40))


def test_a_wide_terminal_opens_side_by_side(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(review_app(tmp_path, "dark"), press=["y"], terminal_size=(200, 50))


def review_app_with_tests(tmp_path: Path) -> ReviewApp:
    """A proposal whose tests failed, with a note on its second hunk."""
    repo = make_repo(tmp_path / "repo", {"shop.py": CODE, "notes.md": NOTES})
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    run = run_of(Job((repo / "shop.py", repo / "notes.md"), diff_text=DIFF), env)
    review = build_review(DIFF, {"shop.py": CODE, "notes.md": NOTES})
    review.write_note(1, "a docstring, yes, but say what a label holds")
    output = "\x1b[31mFAILED\x1b[0m tests/test_shop.py::test_price - assert 2.4 == 2.41\n"
    tests = TestOutcome("pytest -q", 1, 3.2, output * 30)
    return ReviewApp(run, Proposal(review, run.sources, None, tests=tests), theme="dark", env=env)


def test_a_note_in_a_title_and_the_tests_in_the_status_line(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(review_app_with_tests(tmp_path), press=["y"], terminal_size=(120, 40))


def test_the_test_output(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(review_app_with_tests(tmp_path), press=["T"], terminal_size=(80, 24))
