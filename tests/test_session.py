"""The session's safety rules, in process, against real files and repositories."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from fixer.errors import NoDiffError
from fixer.review import NEW_FILE
from fixer.session import Job, write_and_commit
from tests.helpers import clean_env, git, make_repo, run_of

TEXT = "a = 1\nb = 2\nc = 3\n"
DIFF = "--- a/m.py\n+++ b/m.py\n@@ -1,3 +1,3 @@\n a = 1\n-b = 2\n+b = 20\n c = 3\n"


def proposal_for(repo: Path, diff: str = DIFF):
    run = run_of(Job((repo / "m.py",), diff_text=diff), clean_env(repo.parent / "home"))
    return run.workspace, asyncio.run(run.propose(None))


def test_file_changed_on_disk_since_read_is_not_written_nor_committed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"m.py": TEXT})
    workspace, proposal = proposal_for(repo)
    proposal.review.accept_all()
    (repo / "m.py").write_text("a = 1\nb = 2\nc = 4\n")
    outcome = write_and_commit(proposal, workspace, "Change b")
    assert outcome.written == () and outcome.commit is None
    assert "changed on disk" in outcome.refused[0]
    assert (repo / "m.py").read_text() == "a = 1\nb = 2\nc = 4\n"
    assert git(repo, "log", "--format=%s") == "initial\n"


def test_every_hunk_refused_is_no_usable_diff(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"m.py": TEXT})
    with pytest.raises(NoDiffError, match="could be applied"):
        # Both edges wrong: what is left (one removed line) cannot pin the hunk.
        proposal_for(repo, DIFF.replace(" a = 1", " a = 111").replace(" c = 3", " c = 999"))


def test_new_file_proposed_inside_the_repo_is_flagged(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"m.py": TEXT})
    diff = DIFF + "--- /dev/null\n+++ b/pkg/new.py\n@@ -0,0 +1,1 @@\n+x = 1\n"
    workspace, proposal = proposal_for(repo, diff)
    flags = [h.flag for h in proposal.review.hunks]
    assert flags == [None, NEW_FILE]
    proposal.review.decide(1, proposal.review.decisions[0].ACCEPTED)
    outcome = write_and_commit(proposal, workspace, "Add pkg/new.py")
    assert (repo / "pkg/new.py").read_text() == "x = 1\n"
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["pkg/new.py"]
    assert outcome.commit


def test_headless_paths_do_not_import_textual() -> None:
    code = (
        "import sys\n"
        "from fixer import cli, session, review, patch, config, router, llm, sources\n"
        "try:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
        "bad = [m for m in ('textual', 'git') if m in sys.modules]\n"
        "print(bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"
