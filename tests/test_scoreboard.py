"""The scoreboard: its figures over `Call`s, `--compare`'s names, and the real `fixer usage` on a
ledger built by real runs of `fixer` against the fake provider."""

from __future__ import annotations

import json
import shlex
import sys
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from fixer.errors import ConfigError
from fixer.ledger import Call
from fixer.scoreboard import (
    Compared,
    Reply,
    compare,
    compare_names,
    figures,
    render_compare,
    reply_of,
    score,
)
from tests.helpers import run_fixer
from tests.shop import GOOD, Shop

AT = datetime(2026, 3, 1, 9, tzinfo=UTC)
BASE = Call(
    at=AT,
    agent="fix",
    scenario="default",
    provider="fake",
    model="model-a",
    cache_hit=0,
    cache_miss=1000,
    output=100,
    reasoning=None,
    cost=Decimal("0.003"),
    currency="USD",
    estimated=False,
    latency_s=1.0,
    outcome="2 hunks",
    hunks_proposed=2,
    hunks_accepted=1,
    hunks_rejected=1,
)
NO_DIFF = replace(
    BASE,
    outcome="the diff: no diff found: expected a unified diff",
    hunks_proposed=0,
    hunks_accepted=None,
    hunks_rejected=None,
)


@pytest.mark.parametrize(
    ("outcome", "reply"),
    [
        ("3 hunks", Reply.USABLE),
        ("1 hunk, tests: pass (0.2 s)", Reply.USABLE),
        ("no changes", Reply.USABLE),
        ("proposed", Reply.USABLE),
        ("no diff", Reply.NO_DIFF),
        ("refused", Reply.NO_DIFF),
        ("every hunk was refused: calc.py: no such lines", Reply.NO_DIFF),
        ("failed: fake answered 503", Reply.FAILED),
        ("cancelled", Reply.CANCELLED),
    ],
)
def test_a_reply_is_read_from_its_ledger_outcome(outcome: str, reply: Reply) -> None:
    assert reply_of(replace(BASE, outcome=outcome)) is reply


def test_the_figures_of_a_model() -> None:
    passed = replace(BASE, tests="pass", tests_s=2.0)
    failed = replace(BASE, tests="fail", tests_s=4.0, hunks_accepted=0, hunks_rejected=2)
    failure = replace(NO_DIFF, outcome="failed: fake answered 503", cost=Decimal(0))
    board = score([passed, failed, NO_DIFF, failure])
    assert (board.calls, board.no_diff, board.no_diff_rate) == (4, 1, 0.25)
    assert (board.proposed, board.accepted, board.rejected) == (4, 1, 3)
    assert board.accept_rate == 0.25  # accepted over decided
    assert board.tests == {"fail": 1, "pass": 1} and board.test_pass_rate == 0.5
    assert (board.tests_s, board.tests_mean_s) == (6.0, 3.0)
    assert board.tokens == 4 * 1100
    [usd] = board.spent
    # Every call's cost counts, the ones whose reply was of no use too: 0.009 for one hunk.
    assert (usd.amount, usd.accepted, usd.per_accepted_hunk) == (
        Decimal("0.009"),
        1,
        Decimal("0.009"),
    )
    shown = dict(figures(board))
    assert shown["no usable diff"] == "25.0% (1 of 4)"
    assert shown["accept rate"] == "25.0% (1 of 4)"
    assert shown["test pass rate"] == "50.0% (1 fail, 1 pass)"
    assert shown["test time"] == "3.0 s a run"
    assert shown["cost per accepted hunk"] == "$0.009"


def test_nothing_decided_tested_or_accepted_is_n_a_never_zero() -> None:
    board = score([NO_DIFF])
    assert board.accept_rate is None and board.test_pass_rate is None
    assert board.spent[0].per_accepted_hunk is None
    shown = dict(figures(board))
    assert shown["accept rate"] == "n/a (0 of 0)"
    assert shown["test pass rate"] == "n/a (no --test)"
    assert shown["cost per accepted hunk"] == "n/a"
    assert score([]).no_diff_rate is None


def test_currencies_are_never_added_and_an_unknown_cost_makes_the_figure_n_a() -> None:
    cny = replace(BASE, provider="deepseek", cost=Decimal("0.05"), currency="CNY", hunks_accepted=2)
    unpriced = replace(BASE, cost=None, currency=None)
    board = score([BASE, cny, unpriced])
    assert [(s.currency, s.amount, s.unknown) for s in board.spent] == [
        ("CNY", Decimal("0.05"), False),
        ("USD", Decimal("0.003"), False),
        (None, Decimal(0), True),
    ]
    assert dict(figures(board))["cost per accepted hunk"] == "0.03 CNY, $0.003, n/a"
    estimated = score([replace(BASE, estimated=True)])
    assert dict(figures(estimated))["cost per accepted hunk"] == "~$0.003"


def test_a_local_tool_is_free_per_hunk() -> None:
    local = replace(BASE, provider="local", model="ruff", cost=Decimal(0), currency=None)
    assert dict(figures(score([local])))["cost per accepted hunk"] == "free"


ROUTER = {"default": "fake,model-a", "think": "fake,model-b", "background": "local"}


def test_compare_names_are_routes_or_router_scenarios() -> None:
    named = compare_names("default,think,fake, model-c", lambda: ROUTER)
    assert named == [
        Compared("default", "fake,model-a"),
        Compared("think", "fake,model-b"),
        Compared("fake,model-c", "fake,model-c"),
    ]
    # Not set, think uses default as `fixer config` says; "local" is the offline fixers.
    assert compare_names("think,background", lambda: {"default": "x,y", "background": "local"}) == [
        Compared("think", "x,y"),
        Compared("background", "local"),
    ]


def test_routes_alone_never_read_the_config() -> None:
    def router() -> dict[str, str]:
        raise AssertionError("the config was read")

    assert [c.route for c in compare_names("a,b,c,d", router)] == ["a,b", "c,d"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("thnk,default", "'thnk' is not a Router scenario"),
        ("default,thnk", "'thnk' is not a Router scenario"),
        ("default,longContext", "Router.longContext is not set"),
        ("default,fake,model-a", "at least two different models"),
        ("default", "at least two different models"),
    ],
)
def test_bad_compare_names_are_config_errors(text: str, said: str) -> None:
    with pytest.raises(ConfigError, match=said):
        compare_names(text, lambda: ROUTER)


def test_a_compared_name_with_no_calls_is_said_on_its_own_line() -> None:
    other = replace(BASE, model="model-b", hunks_accepted=0, hunks_rejected=2)
    named = [Compared("a", "fake,model-a"), Compared("b", "fake,model-b"), Compared("c", "x,y")]
    text = render_compare(compare([BASE, other], named), "Compare")
    header = next(line for line in text.splitlines() if "a (fake,model-a)" in line)
    assert "b (fake,model-b)" in header
    assert any(line.split()[:4] == ["accept", "rate", "50.0%", "(1"] for line in text.splitlines())
    assert text.splitlines()[-1] == "c: no calls in that time"
    assert render_compare(compare([], named), "Compare").count("no calls in that time") == 3


# End to end: a ledger built by real runs of `fixer --yes` against the fake provider.
PASS = f"{shlex.quote(sys.executable)} -c pass"
SIXTH = GOOD.replace("value_5 = 5", "value_6 = 6").replace("value_5 = 50", "value_6 = 60")
SIXTH = SIXTH.replace("@@ -5 +5 @@", "@@ -6 +6 @@")


def scored_config(shop: Shop) -> Path:
    """The fake provider's config with the two models priced and a Router naming them."""
    return shop.configured(
        Router={"default": "fake,model-a", "think": "fake,model-b"},
        Pricing={
            "fake,model-a": {"input": 2, "output": 8, "currency": "USD"},
            "fake,model-b": {"input": 0.2, "output": 0.8, "currency": "USD"},
        },
    )


def build_ledger(shop: Shop, config: Path) -> None:
    """model-a: one good reply, its hunk accepted, tests passing; model-b: a reply with no diff
    (asked twice), then a good one."""
    shop.provider.reply(GOOD)
    assert shop.fixer("--yes", "-m", "fake,model-a", "--test", PASS, config=config).returncode == 0
    shop.provider.reply("I would not change anything.")
    assert shop.fixer("--yes", "-m", "fake,model-b", config=config).returncode == 3
    shop.provider.reply(SIXTH)
    done = shop.fixer("--yes", "-m", "fake,model-b", config=config)
    assert done.returncode == 0, done.stderr


def usage(shop: Shop, *args: str) -> str:
    result = run_fixer("usage", *args, cwd=shop.repo, env=shop.env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def figure(block: str, name: str) -> str:
    """The value of a figure line in a block of the table."""
    line = next(line for line in block.splitlines() if line.strip().startswith(name + "  "))
    return line.strip()[len(name) :].strip()


def test_the_scoreboard_of_real_runs_by_model_and_as_json(shop: Shop) -> None:
    build_ledger(shop, scored_config(shop))
    table = usage(shop, "--by", "model")
    blocks = {block.split(" ·")[0]: block for block in table.split("\n\n")}
    a, b = blocks["fake,model-a"], blocks["fake,model-b"]
    assert "fake,model-a · 1 call" in a and "fake,model-b · 3 calls" in b
    assert figure(a, "no usable diff") == "0.0% (0 of 1)"
    assert figure(b, "no usable diff") == "66.7% (2 of 3)"
    assert figure(a, "hunks accepted") == figure(b, "hunks accepted") == "1"
    assert figure(a, "accept rate") == "100.0% (1 of 1)"
    assert figure(a, "test pass rate") == "100.0% (1 pass)"
    assert figure(b, "test pass rate") == "n/a (no --test)"
    assert figure(a, "cost per accepted hunk").startswith("$")
    report = json.loads(usage(shop, "--by", "model", "--json"))
    scores = {group["key"]: group["score"] for group in report["groups"]}
    a_json, b_json = scores["fake,model-a"], scores["fake,model-b"]
    assert (b_json["calls"], b_json["no_usable_diff"]) == (3, 2)
    assert b_json["no_usable_diff_rate"] == pytest.approx(2 / 3)
    assert (a_json["hunks_proposed"], a_json["hunks_accepted"], a_json["hunks_rejected"]) == (
        1,
        1,
        0,
    )
    assert a_json["accept_rate"] == 1.0 and a_json["tests"] == {"pass": 1}
    assert a_json["test_pass_rate"] == 1.0 and b_json["test_pass_rate"] is None
    assert isinstance(a_json["tests_s"], float)
    [a_cost] = a_json["costs"]
    assert a_cost["currency"] == "USD" and a_cost["accepted"] == 1
    assert Decimal(a_cost["per_accepted_hunk"]) == Decimal(a_cost["amount"]) > 0
    [b_cost] = b_json["costs"]  # three calls for one hunk: the per-hunk cost is all three
    assert Decimal(b_cost["per_accepted_hunk"]) == Decimal(b_cost["amount"])
    assert report["total"]["score"]["calls"] == 4
    by_agent = json.loads(usage(shop, "--by", "agent", "--json"))
    assert [(g["key"], g["score"]["hunks_accepted"]) for g in by_agent["groups"]] == [("fix", 2)]


def test_compare_puts_real_runs_side_by_side(shop: Shop) -> None:
    config = scored_config(shop)
    build_ledger(shop, config)
    text = usage(shop, "--compare", "default,think", "--config", str(config), "--agent", "fix")
    header = next(line for line in text.splitlines() if "default (fake,model-a)" in line)
    assert "think (fake,model-b)" in header
    calls_row = next(line for line in text.splitlines() if line.strip().startswith("calls"))
    assert calls_row.split() == ["calls", "1", "3"]
    report = json.loads(
        usage(shop, "--compare", "fake,model-a,fake,model-b,fake,model-c", "--json")
    )
    found = {c["route"]: (c["found"], c["calls"], c["no_usable_diff"]) for c in report["compare"]}
    assert found == {
        "fake,model-a": (True, 1, 0),
        "fake,model-b": (True, 3, 2),
        "fake,model-c": (False, 0, 0),
    }
    assert text.startswith("Models compared over all recorded calls, agent fix\n")
    missing = usage(shop, "--compare", "fake,model-a,fake,model-c", "--since", "today")
    title = missing.splitlines()[0]  # --since today: the day as a date, --until left open
    assert title.startswith("Models compared over UTC days 20") and title.endswith(" to today")
    assert "fake,model-c: no calls in that time" in missing
    other_agent = usage(shop, "--compare", "fake,model-a,fake,model-b", "--agent", "grammar")
    assert other_agent.count("no calls in that time") == 2
    unknown = run_fixer(
        "usage", "--compare", "default,thnk", "--config", str(config), cwd=shop.repo, env=shop.env
    )
    assert unknown.returncode == 2
    assert "'thnk' is not a Router scenario" in unknown.stderr and "Traceback" not in unknown.stderr
