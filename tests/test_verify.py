"""Fixes the tests have seen before you decide: `--test` end to end with the real `fixer`, a
real git repository holding a small Python package with pytest tests, and the fake provider."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest

from fixer.ledger import Ledger, ledger_path
from tests.fakeserver import FakeProvider
from tests.helpers import clean_env, git, gone, make_repo, run_fixer

CALC = "def add(a, b):\n    return a - b\n\n\ndef double(a):\n    return a * 2\n"
TESTS = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
FIXED = CALC.replace("return a - b", "return a + b")
GOOD = (
    "--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a - b\n"
    "+    return a + b\n"
)
# A change that applies but leaves the test failing.
WRONG = GOOD.replace("+    return a + b", "+    return b - a")
PYTEST = f"{shlex.quote(sys.executable)} -m pytest -x -q -p no:cacheprovider"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "shop", {"calc.py": CALC, "test_calc.py": TESTS})


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = clean_env(tmp_path / "home")
    (tmp_path / "tmp").mkdir()
    env["TMPDIR"] = str(tmp_path / "tmp")  # where scratch copies go: checked empty after
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # the user's tree keeps only what it had
    return env


def fixer(repo: Path, env: dict[str, str], config: Path, *args: str):
    return run_fixer(*args, "--config", str(config), "calc.py", cwd=repo, env=env)


def with_fixer(config: Path, tmp: Path, section: dict[str, object]) -> Path:
    """The config with `section` as its "fixer" object."""
    path = tmp / "with-fixer.json"
    path.write_text(json.dumps(json.loads(config.read_text()) | {"fixer": section}))
    return path


def leftovers(env: dict[str, str]) -> list[Path]:
    return list(Path(env["TMPDIR"]).iterdir())


def ledger_tests(env: dict[str, str]) -> list[tuple[str, str | None]]:
    with Ledger(ledger_path(env)) as ledger:
        return [(c.model, c.tests) for c in ledger.calls()]


def test_a_failing_test_the_model_fixes_passes_before_anything_is_written(
    shop: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    fake_provider.reply(GOOD)
    done = fixer(shop, env, fake_provider_config, "--yes", "--test", PYTEST)
    assert done.returncode == 0, done.stderr
    assert "tests: pass" in done.stderr
    (request,) = fake_provider.requests
    asked = request.body["messages"][-1]["content"]
    # The failure went into the prompt after the files, its assertion kept.
    assert asked.index("<<<END FILE>>>") < asked.index("The tests fail on the files as they are")
    assert "assert" in asked and "-1" in asked  # pytest's `assert -1 == 5`
    assert (shop / "calc.py").read_text() == FIXED
    assert git(shop, "status", "--porcelain") == ""
    assert ledger_tests(env) == [("cheap-model", "pass")]
    assert leftovers(env) == []


def test_a_fix_that_leaves_the_test_failing_goes_back_once_then_up_the_ladder(
    shop: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    fake_provider.reply(WRONG)
    fake_provider.reply(WRONG)
    fake_provider.reply(GOOD)
    done = fixer(shop, env, fake_provider_config, "--yes", "--test", PYTEST)
    assert done.returncode == 0, done.stderr
    models = [r.body["model"] for r in fake_provider.requests]
    assert models == ["cheap-model", "cheap-model", "strong-model"]
    again = fake_provider.requests[1].body["messages"][-1]["content"]
    assert (
        "With your diff applied, the tests still fail" in again and "makes the tests pass" in again
    )
    # The next rung starts afresh: the first model's test failure is no part of its request.
    assert "With your diff applied" not in str(fake_provider.requests[2].body["messages"])
    assert "asked again with the test failure" in done.stderr and "moved up to" in done.stderr
    assert ledger_tests(env) == [
        ("cheap-model", "fail"),
        ("cheap-model", "fail"),
        ("strong-model", "pass"),
    ]
    assert (shop / "calc.py").read_text() == FIXED
    assert leftovers(env) == []


def test_yes_writes_nothing_when_the_tests_fail_on_every_proposal_and_force_writes(
    shop: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    fake_provider.reply(WRONG)
    before = (shop / "calc.py").read_bytes()
    refused = fixer(shop, env, fake_provider_config, "--yes", "--test", PYTEST)
    assert refused.returncode == 6, refused.stderr
    assert "nothing was written" in refused.stderr and "assert" in refused.stderr
    assert (shop / "calc.py").read_bytes() == before
    assert git(shop, "status", "--porcelain") == ""
    assert len(fake_provider.requests) == 4  # each rung asked again once: none passed
    forced = fixer(shop, env, fake_provider_config, "--yes", "--force", "--test", PYTEST)
    assert forced.returncode == 0, forced.stderr
    assert "written and committed anyway" in forced.stderr
    assert (shop / "calc.py").read_text() == CALC.replace("return a - b", "return b - a")
    assert leftovers(env) == []


def test_yes_tests_again_the_accepted_part_when_it_is_not_the_whole_proposal(
    shop: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    # The fix needs a new module; --yes never takes a new file (flagged), so the hunks it
    # takes are tested again without it, and fail.
    uses = GOOD.replace("+    return a + b", "+    from plus import plus\n+    return plus(a, b)")
    uses = uses.replace("@@ -1,2 +1,2 @@", "@@ -1,2 +1,3 @@")
    new = "--- /dev/null\n+++ b/plus.py\n@@ -0,0 +1,2 @@\n+def plus(a, b):\n+    return a + b\n"
    fake_provider.reply(uses + new)
    done = fixer(shop, env, fake_provider_config, "--yes", "--test", PYTEST)
    assert "tests: pass" in done.stderr and "with every proposed hunk" in done.stderr
    assert done.returncode == 6, done.stderr
    assert "tests: fail" in done.stderr and "on the accepted hunks" in done.stderr
    assert (shop / "calc.py").read_text() == CALC and not (shop / "plus.py").exists()
    assert leftovers(env) == []


def test_a_test_command_that_hangs_is_killed_at_the_time_limit(
    shop: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    fake_provider.reply(GOOD)
    args = ("--yes", "--test", "sleep 30", "--test-timeout", "0.5", "--think")
    done = fixer(shop, env, fake_provider_config, *args)
    assert done.returncode == 6, done.stderr
    assert "killed after" in done.stderr and "time limit" in done.stderr
    assert (shop / "calc.py").read_text() == CALC
    assert leftovers(env) == []


def test_print_shows_the_test_outcome_and_writes_nothing(
    shop: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    fake_provider.reply(GOOD)
    printed = fixer(shop, env, fake_provider_config, "--print", "--test", PYTEST)
    assert printed.returncode == 0, printed.stderr
    assert "+    return a + b" in printed.stdout and "tests: pass" in printed.stderr
    assert (shop / "calc.py").read_text() == CALC


def test_the_config_names_the_default_command_and_no_test_skips_it(
    shop: Path,
    env: dict[str, str],
    fake_provider: FakeProvider,
    fake_provider_config: Path,
    tmp_path: Path,
) -> None:
    config = with_fixer(fake_provider_config, tmp_path, {"test": PYTEST, "test_timeout_s": 60})
    fake_provider.reply(GOOD)
    done = fixer(shop, env, config, "--print")
    assert "tests: pass" in done.stderr
    skipped = fixer(shop, env, config, "--print", "--no-test")
    assert skipped.returncode == 0 and "tests:" not in skipped.stderr
    assert "The tests fail" not in fake_provider.requests[-1].body["messages"][-1]["content"]


def test_an_agent_s_own_test_command_is_run_and_test_overrides_it(
    shop: Path,
    env: dict[str, str],
    fake_provider: FakeProvider,
    fake_provider_config: Path,
    tmp_path: Path,
) -> None:
    agents = {"tested": {"prompt": "You fix Python.", "test": PYTEST}}
    config = with_fixer(fake_provider_config, tmp_path, {"agents": agents})
    fake_provider.reply(GOOD)
    done = fixer(shop, env, config, "--print", "--agent", "tested")
    assert done.returncode == 0 and "tests: pass" in done.stderr
    failing = fixer(shop, env, config, "--print", "--agent", "tested", "--test", "false")
    assert "tests: fail (exit 1" in failing.stderr


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        ({"test": ""}, '"fixer.test" must be a command'),
        ({"test_timeout_s": 0}, '"fixer.test_timeout_s" must be a number of seconds above 0'),
        ({"test_timeout_s": "soon"}, '"fixer.test_timeout_s" must be a number of seconds'),
    ],
)
def test_config_check_says_what_is_wrong_with_the_test_settings(
    tmp_path: Path, env: dict[str, str], setting: dict[str, object], says: str
) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"fixer": setting}))
    checked = run_fixer("config", "--check", "--config", str(config), cwd=tmp_path, env=env)
    assert checked.returncode == 2 and says in checked.stderr


def test_test_outside_git_is_refused_before_anything_is_sent(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    folder = tmp_path / "loose"
    folder.mkdir()
    (folder / "calc.py").write_text(CALC)
    done = fixer(folder, env, fake_provider_config, "--yes", "--test", "true")
    assert done.returncode == 2 and "--test needs a git repository" in done.stderr
    assert fake_provider.requests == []
    bad = fixer(folder, env, fake_provider_config, "--yes", "--test-timeout", "-1")
    assert bad.returncode == 2 and "a number of seconds above 0" in bad.stderr


# The commit gate in the review screen.

USES_PLUS = (
    "--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,3 @@\n def add(a, b):\n-    return a - b\n"
    "+    from plus import plus\n+    return plus(a, b)\n"
    "--- /dev/null\n+++ b/plus.py\n@@ -0,0 +1,2 @@\n+def plus(a, b):\n+    return a + b\n"
)


@pytest.mark.anyio
async def test_a_subset_that_fails_where_the_whole_passed_is_committed_only_when_confirmed(
    shop: Path, env: dict[str, str]
) -> None:
    from textual.widgets import Label, Static

    from fixer.session import Job
    from fixer.tui.app import ReviewApp
    from fixer.tui.commit_screen import CommitScreen
    from fixer.tui.dialogs import RiskyConfirmScreen
    from tests.helpers import run_of

    job = Job((shop / "calc.py",), diff_text=USES_PLUS, test=PYTEST)
    run = run_of(job, env)
    app = ReviewApp(run, route=None, env=env)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        tests = app.screen.proposal.tests
        assert tests is not None and tests.passed  # every hunk: the new module included
        await pilot.press("y", "n", "c")  # the calc.py hunk without plus.py
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CommitScreen)
        said = str(screen.query_one("#tests", Label).content)
        assert said.startswith("tests: fail") and "with the hunks to commit" in said
        await pilot.press("enter")
        assert isinstance(app.screen, RiskyConfirmScreen)
        await pilot.press("enter")  # Enter says no: a second Enter never commits
        assert app.screen is screen and (shop / "calc.py").read_text() == CALC
        await pilot.press("enter", "y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Press Enter or Esc to leave" in str(screen.query_one("#done", Static).content)
    assert "from plus import plus" in (shop / "calc.py").read_text()
    assert not (shop / "plus.py").exists()
    assert git(shop, "status", "--porcelain") == ""
    assert leftovers(env) == []


def test_ctrl_c_during_a_test_run_kills_it_and_removes_the_scratch_copy(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    import signal
    import subprocess
    import time

    from tests.helpers import FIXER

    # `here` is ignored by git: it is in the repository, not in the scratch copy, so the run
    # before asking passes at once and the run on the proposal hangs, saying its pid.
    pid_file = tmp_path / "pid"
    repo = make_repo(tmp_path / "hang", {"calc.py": CALC, ".gitignore": "here\n"})
    (repo / "here").write_text("")
    command = f"test -f here || sh -c 'echo $$ > {shlex.quote(str(pid_file))}; exec sleep 60'"
    fake_provider.reply(GOOD)
    args = ["--yes", "--test", command, "--config", str(fake_provider_config), "calc.py"]
    with subprocess.Popen([str(FIXER), *args], cwd=repo, env=env, stderr=subprocess.PIPE) as run:
        deadline = time.monotonic() + 30  # a guard against hanging, not a timed assertion
        while not (pid_file.exists() and pid_file.read_text().strip()):
            assert run.poll() is None, f"fixer ended first ({run.returncode}): {run.stderr.read()}"
            assert time.monotonic() < deadline, "the tests never started in the scratch copy"
            time.sleep(0.05)
        sleeper = int(pid_file.read_text())
        assert leftovers(env)  # the scratch copy, while the tests run in it
        run.send_signal(signal.SIGINT)
        _, stderr = run.communicate(timeout=30)
    assert run.returncode == 130, stderr
    assert gone(sleeper), stderr
    assert leftovers(env) == [], stderr
    assert (repo / "calc.py").read_text() == CALC


def test_a_run_before_asking_that_was_cancelled_runs_anew(shop: Path, env: dict[str, str]) -> None:
    import asyncio
    import contextlib

    from fixer.verify import Verifier

    flag = shop.parent / "ran-once"
    command = f"test -f {shlex.quote(str(flag))} || {{ touch {shlex.quote(str(flag))}; sleep 30; }}"
    verifier = Verifier(command, shop, env, 60)

    async def esc_then_again() -> bool:
        first = asyncio.ensure_future(verifier.before())
        while not flag.exists():
            await asyncio.sleep(0.02)
        first.cancel()  # Esc while the tests run before asking
        with contextlib.suppress(asyncio.CancelledError):
            await first
        return (await verifier.before()).passed  # r: asked again, the tests run again

    assert asyncio.run(esc_then_again())


@pytest.mark.anyio
async def test_after_r_the_whole_review_is_tested_again(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    from fixer.session import Job
    from fixer.tui.app import ReviewApp
    from tests.helpers import run_of

    lines = "".join(f"value_{i} = {i}\n" for i in range(1, 11))
    repo = make_repo(tmp_path / "two", {"calc.py": lines, "other.py": lines})

    def hunk(name: str, new: str) -> str:
        return (
            f"--- a/{name}\n+++ b/{name}\n@@ -4,3 +4,3 @@\n value_4 = 4\n-value_5 = 5\n"
            f"+value_5 = {new}\n value_6 = 6\n"
        )

    fake_provider.reply(hunk("calc.py", "50") + hunk("other.py", "'fixed'"))
    fake_provider.reply(hunk("calc.py", "55"))  # r on calc.py: alone, the tests fail
    job = Job((repo / "calc.py", repo / "other.py"), config_path=fake_provider_config)
    run = run_of(Job(job.paths, config_path=job.config_path, test="grep -q fixed other.py"), env)
    app = ReviewApp(run, route=run.route(), env=env)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        first = screen.proposal.tests
        assert first is not None and first.passed
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        # The file asked again alone failed (and went back once); with the other file's hunk,
        # the review as it now is passes, and the status line says so.
        assert [r.body["model"] for r in fake_provider.requests][1:] == ["strong-model"] * 2
        assert "value_5 = 55" in screen.proposal.review.hunks[0].hunk.new_lines
        again = screen.proposal.tests
        assert again is not None and again is not first and again.passed
        assert "tests: pass" in str(screen.query_one("#status").render())
    assert (repo / "calc.py").read_text() == lines  # nothing written: the review was left
    assert leftovers(env) == []


@pytest.mark.anyio
async def test_the_status_line_says_the_tests_run_before_asking(
    shop: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    import time

    from fixer.session import Job
    from fixer.tui.app import ReviewApp
    from tests.helpers import run_of

    go = shop.parent / "go"
    command = f"while [ ! -f {shlex.quote(str(go))} ]; do sleep 0.02; done"
    fake_provider.reply(GOOD)
    job = Job((shop / "calc.py",), config_path=fake_provider_config, test=command)
    run = run_of(job, env)
    app = ReviewApp(run, route=run.route(), env=env)
    async with app.run_test(size=(120, 40)) as pilot:
        deadline = time.monotonic() + 10  # a guard against hanging, not a timed assertion
        while "running the tests before asking" not in str(
            app.screen.query_one("#status").render()
        ):
            assert time.monotonic() < deadline, "the status never said the tests run"
            await pilot.pause(0.05)
        assert fake_provider.requests == []  # nothing is asked before they end
        go.touch()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(fake_provider.requests) == 1
        assert app.screen.proposal.tests is not None and app.screen.proposal.tests.passed


def test_the_help_names_the_test_flags_without_loading_what_runs_them() -> None:
    import subprocess

    code = (
        "import sys, fixer.cli; text = fixer.cli.build_parser().format_help(); "
        "print(sorted({'asyncio', 'textual', 'git', 'httpx'} & set(sys.modules)), "
        "'--test-timeout' in text, 'default 120' in text)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["[]", "True", "True"]
