"""Cheap first, stronger when needed, every call priced and in the ledger: the real command."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from decimal import Decimal

from fixer.ledger import Call, Ledger, ledger_path
from tests.helpers import git
from tests.shop import GOOD, Shop

BROKEN = "--- a/calc.py\n+++ b/calc.py\n@@ -5 +5 @@\n-value_5 = 555\n+value_5 = 50\n"
# Prices per million tokens, so that the fake's token counts cost something visible.
PRICING = {
    "fake,cheap-model": {"input": 1, "input_cache_hit": 0.1, "output": 2, "currency": "USD"},
    "fake,strong-model": {"input": 10, "output": 20, "currency": "USD"},
}


def usage(tokens_in: int, tokens_out: int, hit: int = 0) -> dict[str, object]:
    return {
        "prompt_tokens": tokens_in,
        "completion_tokens": tokens_out,
        "prompt_tokens_details": {"cached_tokens": hit},
    }


def test_garbage_then_a_broken_diff_escalates_and_the_ledger_has_every_call(shop: Shop) -> None:
    shop.provider.reply("I think the code is fine!", usage=usage(1000, 20))
    shop.provider.reply(BROKEN, usage=usage(1200, 40, hit=1000))
    shop.provider.reply(GOOD, usage=usage(1000, 30))
    result = shop.fixer(
        "--yes",
        config=shop.configured(
            Pricing=PRICING,
        ),
    )
    assert result.returncode == 0, result.stderr
    models = [r.body["model"] for r in shop.provider.requests]
    assert models == ["cheap-model", "cheap-model", "strong-model"]
    assert "value_5 = 50\n" in (shop.repo / "calc.py").read_text()
    assert "moved up to fake,strong-model" in result.stderr
    # Every call is in the summary, priced from the config's Pricing, each model on its line.
    assert "model: fake,cheap-model; 2 calls" in result.stdout
    assert "model: fake,strong-model; 1 call" in result.stdout
    calls = shop.calls()
    assert [(c.model, c.outcome.split(":")[0]) for c in calls] == [
        ("cheap-model", "the diff"),
        ("cheap-model", "no hunk of the diff could be applied"),
        ("strong-model", "1 hunk"),
    ]
    # cheap: 1000 miss + 20 out, then 200 miss + 1000 hit + 40 out; strong: 1000 + 30 out.
    assert [c.cost for c in calls] == [Decimal("0.00104"), Decimal("0.00038"), Decimal("0.0106")]
    assert calls[1].cache_hit == 1000 and calls[1].cache_miss == 200
    assert (calls[2].hunks_proposed, calls[2].hunks_accepted, calls[2].hunks_rejected) == (1, 1, 0)
    assert all(c.currency == "USD" and not c.estimated for c in calls)


def test_a_call_over_budget_is_not_sent(shop: Shop) -> None:
    config = shop.configured(Pricing=PRICING, Budget={"per_run": 0.000001, "currency": "USD"})
    result = shop.fixer("--yes", config=config)
    assert result.returncode == 5
    assert "not sent: this call to fake,cheap-model would cost about $" in result.stderr
    assert "--force" in result.stderr
    assert shop.provider.requests == []
    shop.provider.reply(GOOD, usage=usage(100, 10))
    forced = shop.fixer("--yes", "--force", config=config)  # sent anyway
    assert forced.returncode == 0, forced.stderr
    assert len(shop.provider.requests) == 1


def test_the_day_budget_counts_earlier_runs_from_the_ledger(shop: Shop) -> None:
    earlier = Call(
        datetime.now(UTC), "fix", "default", "fake", "cheap-model", 0, 10, 10, None,
        Decimal("0.50"), "USD", False, 1.0, "1 hunk",
    )  # fmt: skip
    with Ledger(ledger_path(shop.env)) as ledger:  # an earlier run today spent $0.50
        ledger.record(earlier)
    result = shop.fixer("--print", config=shop.configured(Pricing=PRICING, Budget={"per_day": 0.5}))
    assert result.returncode == 5
    assert "today (UTC) has spent $0.50 of the Budget's $0.50" in result.stderr
    assert shop.provider.requests == []


def test_a_day_budget_with_an_unreadable_ledger_sends_nothing(shop: Shop) -> None:
    ledger = ledger_path(shop.env)
    ledger.parent.mkdir(parents=True, exist_ok=True)
    ledger.write_bytes(b"this is not a database" * 100)
    result = shop.fixer("--print", config=shop.configured(Pricing=PRICING, Budget={"per_day": 5}))
    assert result.returncode == 5, result.stderr
    assert "today's spend cannot be read from the ledger" in result.stderr
    assert "--force" in result.stderr and shop.provider.requests == []
    shop.provider.reply(GOOD, usage=usage(100, 10))
    forced = shop.fixer(
        "--print", "--force", config=shop.configured(Pricing=PRICING, Budget={"per_day": 5})
    )
    assert forced.returncode == 0, forced.stderr
    assert len(shop.provider.requests) == 1


def test_the_estimate_is_said_before_each_call(shop: Shop) -> None:
    shop.provider.reply(GOOD, usage=usage(100, 10))
    result = shop.fixer(
        "--print",
        config=shop.configured(
            Pricing=PRICING,
        ),
    )
    assert result.returncode == 0, result.stderr
    assert "fixer: asking fake,cheap-model, about $0.0" in result.stderr
    assert git(shop.repo, "status", "--porcelain") == ""


def test_an_unknown_price_is_unknown_never_zero(shop: Shop) -> None:
    shop.provider.reply(GOOD, usage=usage(100, 10))
    config = json.loads(shop.config.read_text())
    config["Budget"] = {"per_run": 1}
    path = shop.tmp / "budget.json"
    path.write_text(json.dumps(config))
    result = shop.fixer("--yes", config=path)
    assert result.returncode == 0, result.stderr
    assert "cost: unknown (no price known)" in result.stdout
    assert "fixer: asking fake,cheap-model, price unknown" in result.stderr
    # Sent, but the Budget could not count it: said once, after the run.
    assert result.stderr.count("the Budget did not count the calls to fake,cheap-model") == 1


def test_estimates_learn_from_the_tokens_the_provider_reported(shop: Shop) -> None:
    config = shop.configured(
        Pricing=PRICING,
    )
    said = []
    for _ in range(2):  # the provider counts 10 prompt tokens where fixer estimates hundreds
        shop.provider.reply(GOOD, usage=usage(10, 10))
        result = shop.fixer("--print", config=config)
        assert result.returncode == 0, result.stderr
        said.append(Decimal(result.stderr.split("about $")[1].split()[0]))
    first, second = shop.calls()
    # The ledger keeps fixer's own estimate, so the ratio it learns stays true...
    assert first.estimated_prompt_tokens == second.estimated_prompt_tokens > 100
    # ...and the second call's estimated cost is scaled by reported / estimated.
    assert said[1] < said[0] / 5


def test_a_refused_call_costs_nothing(shop: Shop) -> None:
    shop.provider.reply(status=401, error="bad key")
    result = shop.fixer(
        "--print",
        config=shop.configured(
            Pricing=PRICING,
        ),
    )
    assert result.returncode == 1
    (call,) = shop.calls()
    assert call.outcome.startswith("failed:") and call.cost == 0 and not call.estimated


def test_calls_sent_at_once_share_the_budget(shop: Shop) -> None:
    # cheap and strong priced alike; the budget holds one call's estimate, not two.
    config = json.loads(
        shop.configured(
            Pricing=PRICING,
        ).read_text()
    )
    config["Pricing"]["fake,strong-model"] = PRICING["fake,cheap-model"]
    config["Budget"] = {"per_run": 0.0008}
    path = shop.tmp / "budget.json"
    path.write_text(json.dumps(config))
    shop.provider.reply(GOOD, usage=usage(10, 10))
    result = shop.fixer("--print", "--compare", "default,think", config=path)
    assert len(shop.provider.requests) == 1, result.stderr
    assert "would cost about" in result.stderr  # the other call, refused, is named


def test_a_broken_ledger_is_said_once_and_the_fix_goes_on(shop: Shop) -> None:
    with Ledger(ledger_path(shop.env)):
        pass  # a ledger whose table is then lost: it opens, but no row can be written
    with sqlite3.connect(ledger_path(shop.env)) as db:
        db.execute("DROP TABLE calls")
    shop.provider.reply(GOOD, usage=usage(10, 10))
    result = shop.fixer("--yes")
    assert result.returncode == 0, result.stderr
    assert "value_5 = 50\n" in (shop.repo / "calc.py").read_text()
    assert result.stderr.count("Later calls were not recorded.") == 1
