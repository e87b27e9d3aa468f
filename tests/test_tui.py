"""The review screen, driven with Textual's Pilot against a real git repository."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fixer.review import Decision
from fixer.session import Job, open_workspace, propose, read_sources, write_and_commit
from fixer.tui.app import ReviewApp
from tests.helpers import git, make_repo

LINES = "".join(f"value_{i} = {i}\n" for i in range(1, 31))
DIFF = """--- a/calc.py
+++ b/calc.py
@@ -4,3 +4,3 @@
 value_4 = 4
-value_5 = 5
+value_5 = 50
 value_6 = 6
@@ -25,3 +25,3 @@
 value_25 = 25
-value_26 = 26
+value_26 = 260
 value_27 = 27
"""


def proposal_in(repo: Path):
    paths = (repo / "calc.py",)
    workspace = open_workspace(paths)
    sources = read_sources(paths, workspace.root)
    return workspace, asyncio.run(propose(Job(paths, diff_text=DIFF), sources, workspace))


async def press(app: ReviewApp, *keys: str) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        for key in keys:
            await pilot.press(key)
        await pilot.pause()


def test_y_n_c_commits_exactly_the_accepted_hunk(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"calc.py": LINES})
    workspace, proposal = proposal_in(repo)
    app = ReviewApp(proposal.review)
    asyncio.run(press(app, "y", "n", "c"))
    assert app.return_value is True
    assert proposal.review.decisions == [Decision.ACCEPTED, Decision.REJECTED]
    outcome = write_and_commit(proposal, workspace, "Raise value_5")
    assert outcome.commit == git(repo, "rev-parse", "HEAD").strip()
    text = (repo / "calc.py").read_text()
    assert "value_5 = 50\n" in text and "value_26 = 26\n" in text
    assert git(repo, "status", "--porcelain") == ""


def test_q_quits_without_writing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"calc.py": LINES})
    _, proposal = proposal_in(repo)
    app = ReviewApp(proposal.review)
    asyncio.run(press(app, "y", "q"))
    assert app.return_value is False
    assert (repo / "calc.py").read_text() == LINES


def test_c_with_nothing_accepted_does_not_leave(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"calc.py": LINES})
    _, proposal = proposal_in(repo)
    app = ReviewApp(proposal.review)
    asyncio.run(press(app, "n", "c"))
    assert app.return_value is None
    assert proposal.review.decisions[0] is Decision.REJECTED
