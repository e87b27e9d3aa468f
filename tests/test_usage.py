"""`fixer usage`: the report from the ledger, the worked DeepSeek example, the real command."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from fixer.ledger import Call, Ledger, ledger_path
from fixer.usage import TYPES, grand_total, parse_day, render_table, summarize
from tests.helpers import clean_env, run_fixer

MILLION = Decimal(1_000_000)
# DeepSeek's prices in CNY per million tokens: cache hit, cache miss, output.
HIT_PRICE, MISS_PRICE, OUTPUT_PRICE = Decimal("0.1"), Decimal("1"), Decimal("2")
DAY = datetime(2025, 3, 1, tzinfo=UTC)
# One day of DeepSeek use, 946,816 hit, 2,753,752 miss and 3,100,977 output tokens in all.
TOKENS = [
    (400_000, 1_000_000, 1_500_000),
    (300_000, 1_000_000, 1_000_000),
    (246_816, 753_752, 600_977),
]


def deepseek_call(hour: int, hit: int, miss: int, output: int) -> Call:
    """A DeepSeek call priced per token type with Decimal, as the ledger receives it."""
    costs = (
        hit * HIT_PRICE / MILLION,
        miss * MISS_PRICE / MILLION,
        output * OUTPUT_PRICE / MILLION,
    )
    return Call(
        at=DAY + timedelta(hours=hour),
        agent="fix",
        scenario="default",
        provider="deepseek",
        model="deepseek-chat",
        cache_hit=hit,
        cache_miss=miss,
        output=output,
        reasoning=None,
        cost=sum(costs, Decimal(0)),
        currency="CNY",
        estimated=False,
        latency_s=2.0,
        outcome="proposed",
        cost_cache_hit=costs[0],
        cost_cache_miss=costs[1],
        cost_output=costs[2],
    )


DEEPSEEK_DAY = [deepseek_call(hour, *tokens) for hour, tokens in enumerate(TOKENS, start=8)]
USD_CALL = replace(
    DEEPSEEK_DAY[0],
    provider="openrouter",
    model="openai/gpt-5-mini",
    cache_hit=0,
    cache_miss=1000,
    output=200,
    cost=Decimal("0.00065"),
    currency="USD",
    cost_cache_hit=None,  # OpenRouter reports the call's total only
    cost_cache_miss=None,
    cost_output=None,
)


def record(env: dict[str, str], calls: list[Call]) -> Path:
    """Record `calls` into the ledger the environment points at."""
    path = ledger_path(env)
    with Ledger(path) as ledger:
        for call in calls:
            ledger.record(call)
    return path


def row(table: str, name: str) -> list[str]:
    """The cells of the first table row named `name`, split on runs of two spaces."""
    line = next(line for line in table.splitlines() if line.strip().startswith(name))
    return [cell.strip() for cell in line.strip().split("  ") if cell.strip()]


def test_the_deepseek_day_costs_9_05_cny_through_the_ledger(tmp_path: Path) -> None:
    with Ledger(tmp_path / "ledger.db") as ledger:
        for call in DEEPSEEK_DAY:
            ledger.record(call)
        calls = ledger.calls()
    table = render_table(summarize(calls, "day"), grand_total(calls), "day")
    assert "2025-03-01 · 3 calls · cache hit ratio 25.6%" in table  # 946,816 / 3,700,568
    assert row(table, "Type") == ["Type", "Tokens", "Cost (CNY)"]
    # Cells are rounded to the cent by fixer.cost.format_money; the JSON keeps exact amounts.
    assert row(table, "input (cache hit)") == ["input (cache hit)", "946,816", "0.09 CNY"]
    assert row(table, "input (cache miss)") == ["input (cache miss)", "2,753,752", "2.75 CNY"]
    assert row(table, "output") == ["output", "3,100,977", "6.20 CNY"]
    assert row(table, "total") == ["total", "6,801,545", "9.05 CNY"]
    [day] = summarize(calls, "day")
    exact = {name: day.lines[name].costs["CNY"].amount for name in (*TYPES, "total")}
    assert {name: amount.quantize(Decimal("0.0001")) for name, amount in exact.items()} == {
        "input (cache hit)": Decimal("0.0947"),
        "input (cache miss)": Decimal("2.7538"),
        "output": Decimal("6.2020"),
        "total": Decimal("9.0504"),
    }
    assert "~" not in table and "unknown" not in table


def test_currencies_keep_their_own_columns(tmp_path: Path) -> None:
    calls = [*DEEPSEEK_DAY, USD_CALL]
    table = render_table(summarize(calls, "provider"), grand_total(calls), "provider")
    assert row(table, "Type") == ["Type", "Tokens", "Cost (CNY)", "Cost (USD)"]
    blocks = table.split("\n\n")
    deepseek = next(block for block in blocks if block.startswith("deepseek"))
    openrouter = next(block for block in blocks if block.startswith("openrouter"))
    assert row(deepseek, "total")[2:] == ["9.05 CNY", "-"]
    # A provider's total cannot be split by type: the per-type cost is unknown, the total is not.
    assert row(openrouter, "input (cache miss)") == ["input (cache miss)", "1,000", "-", "unknown"]
    assert row(openrouter, "total")[2:] == ["-", "$0.00065"]
    grand = next(block for block in blocks if block.startswith("all ·"))
    assert row(grand, "total") == ["total", "6,802,745", "9.05 CNY", "$0.00065"]


def test_estimates_are_marked_and_unpriced_calls_are_unknown() -> None:
    estimated = replace(USD_CALL, estimated=True)
    unpriced = replace(USD_CALL, cost=None, currency=None, at=USD_CALL.at + timedelta(days=1))
    calls = [estimated, USD_CALL, unpriced]
    table = render_table(summarize(calls, "day"), grand_total(calls), "day")
    first, second = (block for block in table.split("\n\n") if block.startswith("2025-03-0"))
    assert row(first, "total")[-2:] == ["~$0.0013", "-"]
    assert row(second, "total")[-2:] == ["-", "unknown"]
    assert row(table, "Type")[-1] == "Cost (no price)"
    assert "~ the sum includes estimated costs" in table
    assert "unknown: no price, or a provider's total that cannot be split by type" in table


def test_a_local_tool_costs_nothing_and_shows_no_cost_column() -> None:
    local = replace(USD_CALL, provider="local", model="ruff", cost=Decimal(0), currency=None)
    calls = [*DEEPSEEK_DAY, local]
    table = render_table(summarize(calls, "model"), grand_total(calls), "model")
    assert row(table, "Type") == ["Type", "Tokens", "Cost (CNY)"]
    ruff = next(block for block in table.split("\n\n") if block.startswith("local,ruff"))
    assert row(ruff, "total") == ["total", "1,200", "-"]


def test_reasoning_tokens_are_shown_as_part_of_the_output() -> None:
    call = replace(DEEPSEEK_DAY[0], reasoning=1_200_000)
    table = render_table(summarize([call], "agent"), grand_total([call]), "agent")
    assert row(table, "of which reasoning") == ["of which reasoning", "1,200,000"]
    names = [line.strip().split("  ")[0] for line in table.splitlines() if line.startswith("  ")]
    assert names[1:6] == [
        "input (cache hit)",
        "input (cache miss)",
        "output",
        "of which reasoning",
        "total",
    ]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2025-02-28", date(2025, 2, 28)),
        ("today", date(2025, 3, 10)),
        ("yesterday", date(2025, 3, 9)),
        ("0d", date(2025, 3, 10)),
        ("7d", date(2025, 3, 3)),
    ],
)
def test_days_are_iso_or_relative_to_today(text: str, day: date) -> None:
    assert parse_day(text, today=date(2025, 3, 10)) == day


@pytest.mark.parametrize("text", ["2025-02-30", "20250301", "2025-W09-6", "last week", "7"])
def test_other_day_forms_are_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="YYYY-MM-DD, today, yesterday or Nd"):
        parse_day(text, today=date(2025, 3, 10))


def test_the_command_prints_json_with_exact_amounts(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    record(env, [*DEEPSEEK_DAY, USD_CALL])
    result = run_fixer("usage", "--json", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["by"] == "day" and report["ledger"] == str(ledger_path(env))
    [day] = report["groups"]
    assert (day["key"], day["calls"]) == ("2025-03-01", 4)
    rows = {row["type"]: row for row in day["rows"]}
    assert rows["input (cache hit)"]["tokens"] == 946_816
    hit_costs = rows["input (cache hit)"]["costs"]
    assert {"currency": "CNY", "amount": "0.0946816", "estimated": False, "unknown": False} in (
        hit_costs
    )
    totals = {cost["currency"]: cost["amount"] for cost in rows["total"]["costs"]}
    assert totals == {"CNY": "9.0503876", "USD": "0.00065"}  # never added together
    assert day["cache_hit_ratio"] == pytest.approx(946_816 / (946_816 + 2_753_752 + 1000))


def test_the_command_prints_the_table_and_until_includes_its_day(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    last_moment = DAY + timedelta(days=1) - timedelta(microseconds=1)
    record(
        env,
        [
            *DEEPSEEK_DAY,
            replace(USD_CALL, at=last_moment),
            replace(USD_CALL, at=DAY + timedelta(days=1)),
        ],
    )
    result = run_fixer(
        "usage", "--since", "2025-03-01", "--until", "2025-03-01", cwd=tmp_path, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "2025-03-01 · 4 calls" in result.stdout
    assert "2025-03-02" not in result.stdout
    assert row(result.stdout, "total") == ["total", "6,802,745", "9.05 CNY", "$0.00065"]
    by_model = run_fixer("usage", "--by", "model", "--json", cwd=tmp_path, env=env)
    keys = [group["key"] for group in json.loads(by_model.stdout)["groups"]]
    assert keys == ["deepseek,deepseek-chat", "openrouter,openai/gpt-5-mini"]


def test_the_command_without_a_ledger_says_so_and_creates_nothing(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    result = run_fixer("usage", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "Nothing recorded yet" in result.stdout and str(ledger_path(env)) in result.stdout
    assert not ledger_path(env).exists()


def test_the_command_on_a_corrupt_ledger_exits_1_naming_the_file(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    path = ledger_path(env)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00garbage, not SQLite\n" * 500)
    result = run_fixer("usage", cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert str(path) in result.stderr and "move it aside" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_command_refuses_a_bad_day_with_exit_2(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    result = run_fixer("usage", "--since", "March", cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert "'March' is not a day" in result.stderr
    backwards = run_fixer("usage", "--since", "today", "--until", "3d", cwd=tmp_path, env=env)
    assert backwards.returncode == 2 and "is after --until" in backwards.stderr


def test_the_report_imports_only_the_standard_library() -> None:
    """`fixer usage` must stay as fast to start as `fixer --help`."""
    code = (
        "import json, sys, fixer.usage, fixer.ledger, fixer.cost\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules}"
        " - set(sys.stdlib_module_names))))"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout)) <= {"fixer", "__main__", "_distutils_hack"}
