"""Cheap first, stronger when needed, every call priced and in the ledger: the real command."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from fixer.ledger import Ledger, ledger_path
from tests.fakeserver import FakeProvider
from tests.helpers import clean_env, git, make_repo, run_fixer

LINES = "".join(f"value_{i} = {i}\n" for i in range(1, 31))
GOOD = "--- a/calc.py\n+++ b/calc.py\n@@ -5 +5 @@\n-value_5 = 5\n+value_5 = 50\n"
BROKEN = "--- a/calc.py\n+++ b/calc.py\n@@ -5 +5 @@\n-value_5 = 555\n+value_5 = 50\n"
# Prices per million tokens, so that the fake's token counts cost something visible.
PRICING = {
    "fake,cheap-model": {"input": 1, "input_cache_hit": 0.1, "output": 2, "currency": "USD"},
    "fake,strong-model": {"input": 10, "output": 20, "currency": "USD"},
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", {"calc.py": LINES})


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return clean_env(tmp_path / "home")


def config_file(tmp_path: Path, fake_provider_config: Path, **extra: object) -> Path:
    """The fake provider's config with prices and whatever else a test needs."""
    config = json.loads(fake_provider_config.read_text())
    config.update(Pricing=PRICING, **extra)
    path = tmp_path / "priced.json"
    path.write_text(json.dumps(config))
    return path


def usage(tokens_in: int, tokens_out: int, hit: int = 0) -> dict[str, object]:
    return {
        "prompt_tokens": tokens_in,
        "completion_tokens": tokens_out,
        "prompt_tokens_details": {"cached_tokens": hit},
    }


def test_garbage_then_a_broken_diff_escalates_and_the_ledger_has_every_call(
    tmp_path: Path,
    repo: Path,
    env: dict[str, str],
    fake_provider: FakeProvider,
    fake_provider_config: Path,
) -> None:
    fake_provider.reply("I think the code is fine!", usage=usage(1000, 20))
    fake_provider.reply(BROKEN, usage=usage(1200, 40, hit=1000))
    fake_provider.reply(GOOD, usage=usage(1000, 30))
    config = config_file(tmp_path, fake_provider_config)
    result = run_fixer("--yes", "--config", str(config), "calc.py", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert [r.body["model"] for r in fake_provider.requests] == [
        "cheap-model",
        "cheap-model",
        "strong-model",
    ]
    assert "value_5 = 50\n" in (repo / "calc.py").read_text()
    assert "moved up to fake,strong-model" in result.stderr
    # Every call is in the summary, priced from the config's Pricing, each model on its line.
    # cheap: 1000 miss + 20 out, then 200 miss + 1000 hit + 40 out = 0.00130 USD; strong: 0.0106.
    assert "model: fake,cheap-model; 2 calls" in result.stdout
    assert "model: fake,strong-model; 1 call" in result.stdout
    with Ledger(ledger_path(env)) as ledger:
        calls = ledger.calls()
    assert [(c.model, c.outcome.split(":")[0]) for c in calls] == [
        ("cheap-model", "the diff"),
        ("cheap-model", "no hunk of the diff could be applied"),
        ("strong-model", "1 hunk"),
    ]
    assert [c.cost for c in calls] == [Decimal("0.00104"), Decimal("0.00038"), Decimal("0.0106")]
    assert calls[1].cache_hit == 1000 and calls[1].cache_miss == 200
    assert (calls[2].hunks_proposed, calls[2].hunks_accepted, calls[2].hunks_rejected) == (1, 1, 0)
    assert all(c.currency == "USD" and not c.estimated for c in calls)


def test_a_call_over_budget_is_not_sent(
    tmp_path: Path,
    repo: Path,
    env: dict[str, str],
    fake_provider: FakeProvider,
    fake_provider_config: Path,
) -> None:
    config = config_file(
        tmp_path, fake_provider_config, Budget={"per_run": 0.000001, "currency": "USD"}
    )
    result = run_fixer("--yes", "--config", str(config), "calc.py", cwd=repo, env=env)
    assert result.returncode == 5
    assert "not sent: this call to fake,cheap-model would cost about $" in result.stderr
    assert "--force" in result.stderr
    assert fake_provider.requests == []
    # --force sends it anyway.
    fake_provider.reply(GOOD, usage=usage(100, 10))
    forced = run_fixer("--yes", "--force", "--config", str(config), "calc.py", cwd=repo, env=env)
    assert forced.returncode == 0, forced.stderr
    assert len(fake_provider.requests) == 1


def test_the_day_budget_counts_earlier_runs_from_the_ledger(
    tmp_path: Path,
    repo: Path,
    env: dict[str, str],
    fake_provider: FakeProvider,
    fake_provider_config: Path,
) -> None:
    from fixer.ledger import Call

    with Ledger(ledger_path(env)) as ledger:  # an earlier run today spent $0.50
        ledger.record(
            Call(
                datetime.now(UTC),
                "fix",
                "default",
                "fake",
                "cheap-model",
                0,
                10,
                10,
                None,
                Decimal("0.50"),
                "USD",
                False,
                1.0,
                "1 hunk",
            )
        )
    config = config_file(tmp_path, fake_provider_config, Budget={"per_day": 0.5})
    result = run_fixer("--print", "--config", str(config), "calc.py", cwd=repo, env=env)
    assert result.returncode == 5
    assert "today (UTC) has spent $0.50 of the Budget's $0.50" in result.stderr
    assert fake_provider.requests == []


def test_the_estimate_is_said_before_each_call(
    tmp_path: Path,
    repo: Path,
    env: dict[str, str],
    fake_provider: FakeProvider,
    fake_provider_config: Path,
) -> None:
    fake_provider.reply(GOOD, usage=usage(100, 10))
    config = config_file(tmp_path, fake_provider_config)
    result = run_fixer("--print", "--config", str(config), "calc.py", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert "fixer: asking fake,cheap-model, about $0.0" in result.stderr
    assert git(repo, "status", "--porcelain") == ""


def test_an_unknown_price_is_unknown_never_zero(
    repo: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    fake_provider.reply(GOOD, usage=usage(100, 10))
    result = run_fixer("--yes", "--config", str(fake_provider_config), "calc.py", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert "cost: unknown (no price known)" in result.stdout
    assert "fixer: asking fake,cheap-model, price unknown" in result.stderr


def test_estimates_learn_from_the_tokens_the_provider_reported(
    tmp_path: Path,
    repo: Path,
    env: dict[str, str],
    fake_provider: FakeProvider,
    fake_provider_config: Path,
) -> None:
    config = config_file(tmp_path, fake_provider_config)
    said = []
    for _ in range(2):  # the provider counts 10 prompt tokens where fixer estimates hundreds
        fake_provider.reply(GOOD, usage=usage(10, 10))
        result = run_fixer("--print", "--config", str(config), "calc.py", cwd=repo, env=env)
        assert result.returncode == 0, result.stderr
        said.append(Decimal(result.stderr.split("about $")[1].split()[0]))
    with Ledger(ledger_path(env)) as ledger:
        first, second = ledger.calls()
    # The ledger keeps fixer's own estimate, so the ratio it learns stays true...
    assert first.estimated_prompt_tokens == second.estimated_prompt_tokens > 100
    # ...and the second call's estimated cost is scaled by reported / estimated.
    assert said[1] < said[0] / 5


def test_a_refused_call_costs_nothing(
    tmp_path: Path,
    repo: Path,
    env: dict[str, str],
    fake_provider: FakeProvider,
    fake_provider_config: Path,
) -> None:
    fake_provider.reply(status=401, error="bad key")
    config = config_file(tmp_path, fake_provider_config)
    result = run_fixer("--print", "--config", str(config), "calc.py", cwd=repo, env=env)
    assert result.returncode == 1
    with Ledger(ledger_path(env)) as ledger:
        (call,) = ledger.calls()
    assert call.outcome.startswith("failed:") and call.cost == 0 and not call.estimated


def test_calls_sent_at_once_share_the_budget(
    tmp_path: Path,
    repo: Path,
    env: dict[str, str],
    fake_provider: FakeProvider,
    fake_provider_config: Path,
) -> None:
    # cheap and strong priced alike; the budget holds one call's estimate, not two.
    pricing = {**PRICING, "fake,strong-model": PRICING["fake,cheap-model"]}
    config = json.loads(fake_provider_config.read_text())
    config.update(Pricing=pricing, Budget={"per_run": 0.0008})
    path = tmp_path / "budget.json"
    path.write_text(json.dumps(config))
    fake_provider.reply(GOOD, usage=usage(10, 10))
    result = run_fixer(
        "--print",
        "--compare",
        "default,think",
        "--config",
        str(path),
        "calc.py",
        cwd=repo,
        env=env,
    )
    assert len(fake_provider.requests) == 1, result.stderr
    assert "would cost about" in result.stderr  # the other call, refused, is named


def test_a_broken_ledger_is_said_once_and_the_fix_goes_on(
    tmp_path: Path,
    repo: Path,
    env: dict[str, str],
    fake_provider: FakeProvider,
    fake_provider_config: Path,
) -> None:
    import sqlite3

    with Ledger(ledger_path(env)):
        pass  # a ledger whose table is then lost: it opens, but no row can be written
    with sqlite3.connect(ledger_path(env)) as db:
        db.execute("DROP TABLE calls")
    fake_provider.reply(GOOD, usage=usage(10, 10))
    result = run_fixer("--yes", "--config", str(fake_provider_config), "calc.py", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert "value_5 = 50\n" in (repo / "calc.py").read_text()
    assert result.stderr.count("Later calls were not recorded.") == 1
