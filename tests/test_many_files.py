"""Many files in one run: requests of files grouped under a budget, sent a few at once, each
standing alone (one failing never costs the others)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixer.agents import FIX
from fixer.grouping import PER_FILE_TOKENS, group_files, request_budget
from fixer.prompts import NO_CHANGES
from fixer.tokens import estimate_tokens
from tests.fakeserver import FakeProvider
from tests.helpers import clean_env, make_repo, run_fixer


def test_small_files_share_a_request_and_a_big_one_is_alone() -> None:
    sizes = {"a.py": 100, "b.py": 100, "big.py": 5_000, "c.py": 100, "d.py": 100}
    assert group_files(sizes, 300) == [["a.py", "b.py"], ["big.py"], ["c.py", "d.py"]]
    # The same files in the same order make the same requests: caches keep hitting.
    assert group_files(dict(sizes), 300) == group_files(sizes, 300)


def test_no_budget_is_one_request_and_no_files_none() -> None:
    assert group_files({"b.py": 10, "a.py": 10}, 0) == [["b.py", "a.py"]]
    assert group_files({}, 100) == []
    assert group_files({"a.py": 0}, 1) == [["a.py"]]  # alone over the budget, never dropped


def test_a_request_stays_under_the_threshold_and_what_one_reply_can_write() -> None:
    assert request_budget({"longContextThreshold": 60_000}, 32_768, 1_000) == 31_768
    assert request_budget({"longContextThreshold": 8_000}, 32_768, 1_000) == 7_000
    assert request_budget({"longContextThreshold": 0}, 4_000, 1_000) == 3_000
    assert request_budget({}, 100, 1_000) == 1  # rules past the budget: one file a request


def test_the_progress_line_says_what_is_done_and_the_time_left() -> None:
    from fixer.session import progress_line

    assert progress_line((2, 8), (7, 30), 12_345, "~$0.01", 10.0) == (
        "2 of 8 requests done (7 of 30 files), 12,345 tokens, ~$0.01 so far, about 30 s left"
    )
    assert progress_line((8, 8), (30, 30), 50_000, "~$0.04", 41.25).endswith(
        "~$0.04 so far, in 41.2 s"
    )


def module(k: int) -> str:
    return "".join(f"value_{k}_{i} = {i}\n" for i in range(40))


def fix_of(name: str, k: int) -> str:
    return f"--- a/{name}\n+++ b/{name}\n@@ -1 +1 @@\n-value_{k}_0 = 0\n+value_{k}_0 = 100\n"


NAMES = [f"m{k}.py" for k in range(6)]


def two_a_request(tmp_path: Path, fake_config: Path, **settings: object) -> tuple[Path, Path]:
    """A repository of six modules, and a config that asks them two a request."""
    repo = make_repo(tmp_path / "repo", {n: module(k) for k, n in enumerate(NAMES)})
    size = estimate_tokens(module(0)) + PER_FILE_TOKENS
    config = json.loads(fake_config.read_text())
    # Room for two files a request, beside the fix agent's rules.
    config["Router"]["longContextThreshold"] = estimate_tokens(FIX.rules) + 2 * size + 10
    config["fixer"] = {"concurrency": 2, "retry": {"attempts": 1}, **settings}
    config["Pricing"] = {"fake,cheap-model": {"input": 1, "output": 2, "currency": "USD"}}
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return repo, path


def test_six_files_in_three_requests_two_at_a_time_one_failing(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    names = NAMES
    repo, path = two_a_request(tmp_path, fake_provider_config)
    for first in (0, 4):
        reply = fix_of(names[first], first) + fix_of(names[first + 1], first + 1)
        fake_provider.reply(reply, asked=f"m{first}.py", together=2)
    fake_provider.reply(status=400, error="bad request: m2 and m3", asked="m2.py")
    env = clean_env(tmp_path / "home")
    result = run_fixer("--yes", "--config", str(path), *names, cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert len(fake_provider.requests) == 3 and fake_provider.peak_in_flight == 2
    sent = [json.dumps(r.body) for r in fake_provider.requests]
    assert sorted(sum(f"{n}" in s for n in names) for s in sent) == [2, 2, 2]
    for k, name in enumerate(names):
        changed = (repo / name).read_text() != module(k)
        assert changed == (k not in (2, 3)), name
    assert "m2.py, m3.py: " in result.stderr and "bad request: m2 and m3" in result.stderr
    # Each request done is said on stderr, the failed one too.
    assert "fixer: asking 6 files in 3 requests, about " in result.stderr
    said = [line for line in result.stderr.splitlines() if " requests done (" in line]
    assert [line.split(" requests done")[0] for line in said] == [
        "fixer: 1 of 3",
        "fixer: 2 of 3",
        "fixer: 3 of 3",
    ]
    assert said[-1].startswith("fixer: 3 of 3 requests done (6 of 6 files), ")


def test_a_run_over_the_threshold_is_refused_before_sending_and_force_sends_it(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    repo, path = two_a_request(tmp_path, fake_provider_config, confirm_above=0.0001)
    env = clean_env(tmp_path / "home")
    refused = run_fixer("--yes", "--config", str(path), *NAMES, cwd=repo, env=env)
    assert refused.returncode == 5, refused.stderr
    assert "this run sends 6 files in 3 requests, about " in refused.stderr
    assert "over fixer.confirm_above ($0.0001). Nothing was sent: --force" in refused.stderr
    assert fake_provider.requests == []
    fake_provider.reply(NO_CHANGES)
    sent = run_fixer("--yes", "--force", "--config", str(path), *NAMES, cwd=repo, env=env)
    assert sent.returncode == 0, sent.stderr
    assert "fixer: asking 6 files in 3 requests, about " in sent.stderr
    assert len(fake_provider.requests) == 3


@pytest.mark.anyio
async def test_the_review_screen_asks_before_a_run_over_the_threshold(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    from fixer.tui.dialogs import ConfirmScreen
    from tests.test_tui import review_app, reviewing

    _, path = two_a_request(tmp_path / "made", fake_provider_config, confirm_above=0.0001)
    fake_provider.reply(NO_CHANGES)
    files = {name: module(k) for k, name in enumerate(NAMES)}
    _, app = review_app(tmp_path, None, files=files, config=path)
    async with reviewing(app) as pilot:
        assert isinstance(app.screen, ConfirmScreen) and not fake_provider.requests
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert len(fake_provider.requests) == 3


@pytest.mark.anyio
async def test_esc_stops_the_requests_not_answered_and_keeps_the_finished_files(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    from fixer.tui.review_screen import ReviewScreen
    from tests.test_tui import review_app, reviewing

    _, path = two_a_request(tmp_path / "made", fake_provider_config, concurrency=1)
    fake_provider.reply(fix_of("m0.py", 0) + fix_of("m1.py", 1), asked="m0.py")
    fake_provider.reply(NO_CHANGES, asked="m2.py", delay_s=30)  # still asking when Esc comes
    files = {name: module(k) for k, name in enumerate(NAMES)}
    _, app = review_app(tmp_path, None, files=files, config=path)
    async with reviewing(app, wait=False) as pilot:
        while len(fake_provider.requests) < 2:
            await pilot.pause(0.05)
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.review is not None
        assert [h.name for h in screen.review.hunks] == ["m0.py", "m1.py"]
        notes = "\n".join(screen.proposal.notes)
        assert "m2.py, m3.py: not answered, the run was stopped" in notes
        assert "m4.py, m5.py: not answered, the run was stopped" in notes
    assert len(fake_provider.requests) == 2  # the third request was never sent


def test_ctrl_c_headless_writes_nothing_though_a_request_was_answered(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    import signal
    import subprocess
    import time

    from tests.helpers import FIXER

    repo, path = two_a_request(tmp_path, fake_provider_config, concurrency=1)
    fake_provider.reply(fix_of("m0.py", 0) + fix_of("m1.py", 1), asked="m0.py")
    fake_provider.reply(NO_CHANGES, asked="m2.py", delay_s=30)
    args = [str(FIXER), "--yes", "--config", str(path), *NAMES]
    env = clean_env(tmp_path / "home")
    with subprocess.Popen(
        args, cwd=repo, env=env, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as fixer:
        deadline = time.monotonic() + 30
        while len(fake_provider.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(fake_provider.requests) == 2, "the second request never arrived"
        fixer.send_signal(signal.SIGINT)
        _, stderr = fixer.communicate(timeout=30)
    assert fixer.returncode == 130, stderr
    # --yes would write what it got: an interrupted run writes nothing at all.
    assert all((repo / name).read_text() == module(k) for k, name in enumerate(NAMES))


@pytest.mark.anyio
async def test_the_review_fills_as_requests_answer_and_early_decisions_stay(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    from fixer.review import Decision
    from tests.test_tui import review_app, reviewing

    _, path = two_a_request(tmp_path / "made", fake_provider_config, concurrency=1)
    fake_provider.reply(fix_of("m0.py", 0) + fix_of("m1.py", 1), asked="m0.py")
    fake_provider.reply(NO_CHANGES, asked="m2.py", delay_s=1.5)
    fake_provider.reply(fix_of("m4.py", 4) + fix_of("m5.py", 5), asked="m4.py")
    files = {name: module(k) for k, name in enumerate(NAMES)}
    _, app = review_app(tmp_path, None, files=files, config=path)
    async with reviewing(app, wait=False) as pilot:
        screen = app.screen
        while screen.review is None:  # the first request's files, while the next is asked
            await pilot.pause(0.05)
        assert [h.name for h in screen.review.hunks] == ["m0.py", "m1.py"]
        assert screen.asking_since is not None and not screen.can_act("commit")
        await pilot.pause(0.2)
        assert listed(app) == [
            ("✓0", "m0.py"),
            ("✓0", "m1.py"),
            ("asking", "m2.py"),
            ("asking", "m3.py"),
            ("waiting", "m4.py"),
            ("waiting", "m5.py"),
        ]
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        review = screen.review
        assert [h.name for h in review.hunks] == ["m0.py", "m1.py", "m4.py", "m5.py"]
        assert review.decisions[0] is Decision.ACCEPTED  # decided before the rest came
        assert review.decisions[1:] == [Decision.PENDING] * 3
        assert screen.can_act("commit")
        assert [n for s, n in listed(app) if s == "no"] == ["m2.py", "m3.py"]  # no changes
    assert len(fake_provider.requests) == 3


def listed(app: object) -> list[tuple[str, str]]:
    """The file list's rows: the first word of each (its counts or its state), and its file."""
    from fixer.tui.file_list import FileList

    files = app.screen.query_one(FileList)  # type: ignore[attr-defined]
    rows = [str(files.get_option_at_index(k).prompt) for k in range(files.option_count)]
    return [(row.split()[0], row.split()[-1]) for row in rows]


@pytest.mark.anyio
async def test_a_failed_request_says_so_in_the_file_list(
    tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    from tests.test_tui import review_app, reviewing

    _, path = two_a_request(tmp_path / "made", fake_provider_config, concurrency=1)
    fake_provider.reply(fix_of("m0.py", 0) + fix_of("m1.py", 1), asked="m0.py")
    fake_provider.reply(status=400, error="bad request", asked="m2.py")
    fake_provider.reply(NO_CHANGES, asked="m4.py")
    files = {name: module(k) for k, name in enumerate(NAMES)}
    _, app = review_app(tmp_path, None, files=files, config=path)
    async with reviewing(app) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert ("failed", "m2.py") in listed(app) and ("failed", "m3.py") in listed(app)
        assert ("no", "m4.py") in listed(app)
