"""Cost: usage as each provider reports it, the price table, exact money and how it reads."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixer.cost import (
    CONFIG_SOURCE,
    CURRENCIES,
    Money,
    PriceTable,
    Usage,
    cost_of,
    estimate_cost,
    format_money,
    load_prices,
    parse_pricing,
    parse_usage,
)

PRICES_JSON = Path(__file__).resolve().parent.parent / "fixer" / "data" / "prices.json"
MONDAY = datetime(2026, 11, 30, tzinfo=UTC)  # a weekday, for DeepSeek's peak hours
SATURDAY = datetime(2026, 11, 28, tzinfo=UTC)


def table_for(pricing: Any) -> PriceTable:
    """The price table a config with this `Pricing` gets."""
    return load_prices(parse_pricing(pricing)[0])


def pricing_problems(pricing: Any) -> list[str]:
    """What `fixer config --check` says about this `Pricing`."""
    return parse_pricing(pricing)[1]


# The last streamed chunk of a reply, as each provider sends it with include_usage on.
DEEPSEEK_CHAT_CHUNK = {
    "id": "5f1a6c2e-0c4b-4f7e-9a55-3f0d2b8e7c11",
    "object": "chat.completion.chunk",
    "created": 1764400000,
    "model": "deepseek-chat",
    "system_fingerprint": "fp_ffc7281d48_prod0820_fp8_kvcache",
    "choices": [{"index": 0, "delta": {"content": ""}, "logprobs": None, "finish_reason": "stop"}],
    "usage": {
        "prompt_tokens": 1200,
        "completion_tokens": 300,
        "total_tokens": 1500,
        "prompt_tokens_details": {"cached_tokens": 1024},
        "prompt_cache_hit_tokens": 1024,
        "prompt_cache_miss_tokens": 176,
    },
}
DEEPSEEK_REASONER_CHUNK = {
    "id": "a0d3e1f4-77b2-4c1e-8d0a-5b6c7d8e9f00",
    "object": "chat.completion.chunk",
    "created": 1764400100,
    "model": "deepseek-reasoner",
    "choices": [{"index": 0, "delta": {"content": ""}, "logprobs": None, "finish_reason": "stop"}],
    "usage": {
        "prompt_tokens": 64,
        "completion_tokens": 870,
        "total_tokens": 934,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 812},
        "prompt_cache_hit_tokens": 0,
        "prompt_cache_miss_tokens": 64,
    },
}
OPENAI_CHUNK = {
    "id": "chatcmpl-CZk2xQ1p7yT3vJ9sN4bR6uW8aE0dF",
    "object": "chat.completion.chunk",
    "created": 1764400200,
    "model": "gpt-5-mini-2025-08-07",
    "service_tier": "default",
    "system_fingerprint": None,
    "choices": [],
    "usage": {
        "prompt_tokens": 2006,
        "completion_tokens": 300,
        "total_tokens": 2306,
        "prompt_tokens_details": {"cached_tokens": 1920, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 192,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    },
}
OPENROUTER_CHUNK = {
    "id": "gen-1764400300-k3Jd9sLq2Wm8Xv4Tz7Ba",
    "provider": "Google",
    "model": "google/gemini-2.5-flash",
    "object": "chat.completion.chunk",
    "created": 1764400300,
    "choices": [
        {
            "index": 0,
            "delta": {"role": "assistant", "content": ""},
            "finish_reason": "stop",
            "native_finish_reason": "STOP",
            "logprobs": None,
        }
    ],
    "usage": {
        "prompt_tokens": 194,
        "completion_tokens": 2,
        "total_tokens": 196,
        "cost": 0.0000632,
        "is_byok": False,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "cost_details": {
            "upstream_inference_cost": None,
            "upstream_inference_prompt_cost": 0.0000582,
            "upstream_inference_completions_cost": 0.000005,
        },
        "completion_tokens_details": {"reasoning_tokens": 0, "image_tokens": 0},
    },
}
XAI_CHUNK = {
    "id": "3c9e2b71-5d4a-4e0f-b8c6-1a2b3c4d5e6f",
    "object": "chat.completion.chunk",
    "created": 1764400400,
    "model": "grok-4.20-0309-reasoning",
    "choices": [],
    "usage": {
        "prompt_tokens": 10120,
        "completion_tokens": 1499,
        "total_tokens": 14428,  # = prompt + completion + reasoning: reasoning comes on top
        "prompt_tokens_details": {
            "text_tokens": 10120,
            "audio_tokens": 0,
            "image_tokens": 0,
            "cached_tokens": 128,
        },
        "completion_tokens_details": {
            "reasoning_tokens": 2809,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
        "num_sources_used": 0,
        "cost_in_usd_ticks": 232856000,
    },
    "system_fingerprint": "fp_3a1c7e5b9d",
}
GEMINI_CHUNK = {
    "choices": [
        {"delta": {"content": "36.", "role": "assistant"}, "finish_reason": "stop", "index": 0}
    ],
    "created": 1764400500,
    "id": "kO0qacqvLs2Nz7IP8pGr0Ag",
    "model": "gemini-2.5-flash",
    "object": "chat.completion.chunk",
    # 405 thinking tokens are in total_tokens only: 20 + 198 + 405 = 623.
    "usage": {"completion_tokens": 198, "prompt_tokens": 20, "total_tokens": 623},
}
MISTRAL_CHUNK = {
    "id": "f2c1e0d9b8a74c3e9d1f0a2b3c4d5e6f",
    "object": "chat.completion.chunk",
    "created": 1764400600,
    "model": "mistral-large-2411",
    "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "stop", "logprobs": None}],
    "usage": {"prompt_tokens": 297, "total_tokens": 771, "completion_tokens": 474},
}
MISTRAL_CACHED_CHUNK = {
    "id": "0a1b2c3d4e5f46a7b8c9d0e1f2a3b4c5",
    "object": "chat.completion.chunk",
    "created": 1764400700,
    "model": "mistral-small-latest",
    "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "stop", "logprobs": None}],
    "usage": {
        "prompt_tokens": 1013,
        "total_tokens": 1038,
        "completion_tokens": 25,
        "prompt_tokens_details": {"cached_tokens": 1008},
    },
}


@pytest.mark.parametrize(
    ("chunk", "expected"),
    [
        (DEEPSEEK_CHAT_CHUNK, (1024, 176, 300, None)),
        (DEEPSEEK_REASONER_CHUNK, (0, 64, 870, 812)),
        (OPENAI_CHUNK, (1920, 86, 300, 192)),
        (OPENROUTER_CHUNK, (0, 194, 2, 0)),
        (XAI_CHUNK, (128, 9992, 1499 + 2809, 2809)),
        (GEMINI_CHUNK, (None, 20, 198 + 405, 405)),
        (MISTRAL_CHUNK, (None, 297, 474, None)),
        (MISTRAL_CACHED_CHUNK, (1008, 5, 25, None)),
    ],
    ids=[
        "deepseek",
        "deepseek-reasoner",
        "openai",
        "openrouter",
        "xai",
        "gemini",
        "mistral",
        "mistral-cached",
    ],
)
def test_each_provider_shape_becomes_hits_misses_and_billed_output(
    chunk: dict[str, Any], expected: tuple[int | None, ...]
) -> None:
    usage = parse_usage(chunk)
    assert (usage.cache_hit, usage.cache_miss, usage.output, usage.reasoning) == expected
    assert usage.prompt_tokens == chunk["usage"]["prompt_tokens"]
    # The bare usage object reads the same as the chunk that carries it.
    assert parse_usage(chunk["usage"]) == Usage(*expected, usage.provider_cost, chunk["usage"])


def test_openrouter_cost_is_the_bill_and_wins_over_the_price_table() -> None:
    usage = parse_usage(OPENROUTER_CHUNK)
    assert usage.provider_cost == Money(Decimal("0.0000632"), "USD")
    price = load_prices().find("openrouter", "google/gemini-2.5-flash")
    assert price is not None and price.key == "google,gemini-2.5-flash"
    cost = cost_of(usage, price)
    assert (cost.money, cost.estimated, dict(cost.parts)) == (usage.provider_cost, False, {})
    assert str(cost) == "$0.000063"


def test_openrouter_byok_adds_what_the_upstream_provider_billed_your_key() -> None:
    usage = dict(OPENROUTER_CHUNK["usage"])
    usage.update(cost=0.0000032, is_byok=True, cost_details={"upstream_inference_cost": 0.0000632})
    assert parse_usage(usage).provider_cost == Money(Decimal("0.0000664"), "USD")


def test_xai_ticks_are_the_bill_and_the_normalised_tokens_reproduce_it() -> None:
    usage = parse_usage(XAI_CHUNK)
    assert usage.provider_cost == Money(Decimal("0.0232856"), "USD")
    # Priced by hand at xAI's rates, the same tokens give exactly xAI's own figure:
    # reasoning is billed as output, cached tokens sit inside prompt_tokens.
    grok = {
        "xai,grok-4.20-0309-reasoning": {"input": 1.25, "input_cache_hit": 0.20, "output": 2.50}
    }
    price = table_for(grok).find("xai", "grok-4.20-0309-reasoning")
    tokens_only = Usage(usage.cache_hit, usage.cache_miss, usage.output, usage.reasoning)
    assert cost_of(tokens_only, price).money == usage.provider_cost


def test_deepseek_day_costs_9_05_cny_not_the_hand_summed_11_83() -> None:
    pricing = {
        "deepseek,deepseek-chat": {
            "input": 1,
            "input_cache_hit": 0.1,
            "output": 2,
            "currency": "CNY",
        }
    }
    price = table_for(pricing).find("deepseek", "deepseek-chat")
    usage = parse_usage(
        {
            "prompt_cache_hit_tokens": 946_816,
            "prompt_cache_miss_tokens": 2_753_752,
            "completion_tokens": 3_100_977,
        }
    )
    cost = cost_of(usage, price)
    assert cost.money == Money(Decimal("9.0503876"), "CNY")
    assert str(cost) == "9.05 CNY"
    assert {name: part.quantize(Decimal("0.0001")) for name, part in cost.parts.items()} == {
        "cache_hit": Decimal("0.0947"),
        "cache_miss": Decimal("2.7538"),
        "output": Decimal("6.2020"),
    }


def test_mistral_large_2411_costs_3_44_dollars() -> None:
    price = load_prices().find("mistral", "mistral-large-2411")
    usage = parse_usage({"prompt_tokens": 297_429, "completion_tokens": 474_855})
    cost = cost_of(usage, price)
    assert str(cost) == "$3.44"
    assert cost.money == Money(Decimal("3.443988"), "USD")
    rounded = {name: part.quantize(Decimal("0.01")) for name, part in cost.parts.items()}
    assert rounded == {
        "cache_hit": Decimal("0.00"),
        "cache_miss": Decimal("0.59"),
        "output": Decimal("2.85"),
    }


def test_mistral_small_at_twenty_cents_costs_0_48_dollars() -> None:
    price = load_prices().find("mistral", "mistral-small-2409")
    assert price is not None and (price.input, price.output) == (Decimal("0.2"), Decimal("0.6"))
    cost = cost_of(parse_usage({"prompt_tokens": 340_802, "completion_tokens": 681_605}), price)
    assert (cost.money, str(cost)) == (Money(Decimal("0.4771234"), "USD"), "$0.48")


def test_config_pricing_overrides_the_built_in_price_and_adds_new_ones() -> None:
    built_in = load_prices().find("deepseek", "deepseek-flash")
    assert built_in is not None and built_in.currency == "USD" and built_in.read_on is not None
    table = table_for(
        {
            "DeepSeek, deepseek-flash": {"input": "1", "output": 2, "currency": "cny"},
            "ds,my-finetune": {"input": 0.5, "input_cache_hit": 0.05, "output": 1.5},
            "ds,flash-alias": {"same_as": "deepseek,deepseek-v4-pro"},
        }
    )
    override = table.find("deepseek", "deepseek-flash")
    assert override is not None
    assert (override.currency, override.input, override.input_cache_hit, override.output) == (
        "CNY",
        Decimal(1),
        None,  # no cache price given: hits are billed as input, never as free
        Decimal(2),
    )
    assert (override.source, override.read_on, override.tiers) == (CONFIG_SOURCE, None, ())
    added = table.find("ds", "my-finetune")
    assert added is not None and added.currency == "USD"  # the default currency
    alias = table.find("ds", "flash-alias")
    assert alias is not None and alias.input == Decimal("0.66") and alias.key == "ds,flash-alias"


def test_check_pricing_names_every_problem_and_load_skips_only_the_bad_entries() -> None:
    pricing = {
        "deepseek-chat": {"input": 1, "output": 2},
        "a,bad-numbers": {"input": "cheap", "output": -1, "input_cache_hit": True},
        "a,typo": {"input": 1, "outptu": 2},
        "a,rmb": {"input": 1, "output": 2, "currency": "RMB"},
        "a,not-object": 3,
        "a,bad-tier": {
            "input": 1,
            "output": 2,
            "tiers": [
                {"days": ["monday"], "utc": [["25:00", "01:00"]], "input": 1, "output": 2},
                {"input": 1, "output": 2},
            ],
        },
        "a,alias": {"same_as": "nobody,nothing"},
        "a,good": {"input": 1, "output": 2, "read_on": "2026-11-29"},
    }
    problems = pricing_problems(pricing)
    expected = [
        "Pricing['deepseek-chat']: a key must be \"provider,model\"",
        "Pricing['a,bad-numbers'].input must be a price per million tokens >= 0, not 'cheap'",
        "Pricing['a,bad-numbers'].output must be a price per million tokens >= 0, not -1",
        "Pricing['a,bad-numbers'].input_cache_hit must be a price per million tokens >= 0",
        "Pricing['a,typo'] has an unknown key 'outptu'",
        "Pricing['a,typo'] has no output price",
        "Pricing['a,rmb'].currency must be a known currency",
        "Pricing['a,not-object'] must be an object",
        "Pricing['a,bad-tier'].tiers[0].days must be a list of mon, tue",
        "Pricing['a,bad-tier'].tiers[0].utc must be UTC windows",
        "Pricing['a,bad-tier'].tiers[1] must apply on days/utc windows or above_prompt_tokens",
        "Pricing['a,alias'].same_as must name a price in the table, not 'nobody,nothing'",
    ]
    assert len(problems) == len(expected), problems
    for problem, start in zip(problems, expected, strict=True):
        assert problem.startswith(start), (problem, start)
    assert pricing_problems(None) == []
    assert pricing_problems([1, 2]) == [
        'Pricing must be an object like {"deepseek,deepseek-chat": '
        '{"input": 1, "input_cache_hit": 0.1, "output": 2, "currency": "CNY"}}, not list'
    ]
    table = table_for(pricing)
    assert [key for key in table.prices if key.startswith("a,")] == ["a,good"]


def test_an_unknown_price_shows_as_unknown_never_as_zero() -> None:
    table = load_prices()
    assert table.find("acme", "mystery-model") is None
    cost = cost_of(parse_usage(OPENAI_CHUNK), None)
    assert (cost.money, cost.estimated, str(cost)) == (None, False, "unknown")
    assert estimate_cost(1000, 100, None).money is None
    assert format_money(None, estimated=True) == "unknown"
    # A usage without a prompt size cannot be priced either; it is unknown, not partly priced.
    partial = cost_of(parse_usage({"completion_tokens": 10}), table.find("openai", "gpt-5"))
    assert partial.money is None


def test_a_cut_stream_is_an_estimate_from_fixers_own_counts_never_zero() -> None:
    price = load_prices().find("deepseek", "deepseek-flash")
    cost = cost_of(None, price, at=SATURDAY, estimated_prompt_tokens=12_000)
    assert (cost.money, cost.estimated, str(cost)) == (
        Money(Decimal("0.0018"), "USD"),
        True,
        "~$0.0018",
    )
    assert dict(cost.parts) == {
        "cache_hit": Decimal(0),
        "cache_miss": Decimal("0.0018"),
        "output": Decimal(0),
    }
    streamed = cost_of(
        None, price, at=SATURDAY, estimated_prompt_tokens=12_000, estimated_output_tokens=500
    )
    assert str(streamed) == "~$0.0021"
    assert str(cost_of(None, price)) == "unknown"  # nothing sent that fixer counted
    assert cost_of(None, None, estimated_prompt_tokens=12_000).estimated


def test_estimate_before_sending_bills_the_whole_prompt_as_cache_misses() -> None:
    price = load_prices().find("openai", "gpt-4.1-mini")
    cost = estimate_cost(10_000, 2_000, price)
    assert cost.estimated
    assert cost.money == Money(Decimal("0.0072"), "USD")  # 10k x $0.40 + 2k x $1.60 per million


@pytest.mark.parametrize(
    ("at", "tier"),
    [
        (MONDAY + timedelta(hours=1), "peak"),
        (MONDAY + timedelta(hours=3, minutes=59), "peak"),
        (MONDAY + timedelta(hours=4), "off-peak"),
        (MONDAY + timedelta(hours=5), "off-peak"),
        (MONDAY + timedelta(hours=9, minutes=59), "peak"),
        (MONDAY + timedelta(hours=10), "off-peak"),
        (datetime(2026, 11, 30, 10, 30, tzinfo=timezone(timedelta(hours=8))), "peak"),
        (SATURDAY + timedelta(hours=2), "off-peak"),
    ],
)
def test_deepseek_peak_tier_is_picked_by_utc_time_on_weekdays(at: datetime, tier: str) -> None:
    table = load_prices()
    expected = {"peak": Decimal("0.30"), "off-peak": Decimal("0.15")}[tier]
    price = table.find("deepseek", "deepseek-chat", at=at)
    assert price is not None and price.input == expected and price.tiers == ()
    unsettled = table.find("deepseek", "deepseek-flash")
    usage = parse_usage({"prompt_tokens": 1_000_000, "completion_tokens": 0})
    assert cost_of(usage, unsettled, at=at).money == Money(expected, "USD")


def test_a_tier_window_may_wrap_midnight_and_naive_times_are_refused() -> None:
    night = {"utc": [["16:30", "00:30"]], "input": 0.5, "output": 1}
    table = table_for({"cheap,night-owl": {"input": 1, "output": 2, "tiers": [night]}})
    day = datetime(2026, 12, 1, tzinfo=UTC)
    rates = {
        hour_minute: table.find("cheap", "night-owl", at=day + hour_minute).input
        for hour_minute in (timedelta(hours=16, minutes=29), timedelta(hours=23), timedelta())
    }
    assert list(rates.values()) == [Decimal(1), Decimal("0.5"), Decimal("0.5")]
    at_half_past = table.find("cheap", "night-owl", at=day + timedelta(minutes=30))
    assert at_half_past is not None and at_half_past.input == Decimal(1)
    with pytest.raises(ValueError, match="timezone-aware"):
        table.find("cheap", "night-owl", at=datetime(2026, 12, 1, 23))


def test_a_long_prompt_tier_applies_above_its_threshold() -> None:
    price = load_prices().find("google", "gemini-2.5-pro")
    assert estimate_cost(200_000, 0, price).money == Money(Decimal("0.25"), "USD")
    assert estimate_cost(200_001, 0, price).money == Money(Decimal("0.5000025"), "USD")


def test_lookup_finds_a_price_under_the_users_own_provider_name() -> None:
    table = load_prices()
    found = {
        (provider, model): price.key if (price := table.find(provider, model)) else None
        for provider, model in [
            ("ds", "deepseek-chat"),
            ("OpenAI", " GPT-5 "),
            ("openrouter", "openai/gpt-4.1-mini"),
            ("openrouter", "mistralai/mistral-large-2411"),
            ("openrouter", "x-ai/grok-4"),
            ("openrouter", "acme/unheard-of"),
        ]
    }
    assert list(found.values()) == [
        "deepseek,deepseek-chat",
        "openai,gpt-5",
        "openai,gpt-4.1-mini",
        "mistral,mistral-large-2411",
        "xai,grok-4",
        None,
    ]
    shared = PriceTable(
        {key: table.prices["openai,gpt-5"] for key in ("one,shared-model", "two,shared-model")}
    )
    assert shared.find("three", "shared-model") is None  # two providers list it: ambiguous
    assert shared.find("two", "shared-model") is not None


def test_money_refuses_mixed_currencies_and_floats() -> None:
    dollars, yuan = Money(Decimal("1.10"), "USD"), Money(Decimal(2), "CNY")
    with pytest.raises(ValueError, match="cannot add CNY to USD"):
        _ = dollars + yuan
    with pytest.raises(ValueError, match="cannot add"):
        sum([dollars, dollars, yuan])
    assert sum([dollars, dollars]) == Money(Decimal("2.20"), "USD")
    with pytest.raises(TypeError, match="never float"):
        Money(0.1, "USD")  # type: ignore[arg-type]
    assert Money(3, "USD").amount == Decimal(3)


def test_prices_stay_exact_decimals_even_when_the_config_wrote_floats() -> None:
    # 0.1 + 0.2 is 0.30000000000000004 in floats; a price written 0.1 must stay 0.1.
    price = table_for({"a,b": {"input": 0.1, "output": 0.2}}).find("a", "b")
    assert price is not None and (price.input, price.output) == (Decimal("0.1"), Decimal("0.2"))
    cost = cost_of(parse_usage({"prompt_tokens": 1_000_000, "completion_tokens": 1_000_000}), price)
    assert cost.money == Money(Decimal("0.3"), "USD")
    assert all(type(part) is Decimal for part in cost.parts.values())


@pytest.mark.parametrize(
    ("money", "estimated", "shown"),
    [
        (Money(Decimal("3.443988"), "USD"), False, "$3.44"),
        (Money(Decimal("9.0503876"), "CNY"), False, "9.05 CNY"),
        (Money(Decimal("0.0003"), "USD"), False, "$0.0003"),
        (Money(Decimal("0.00123"), "USD"), True, "~$0.0012"),
        (Money(Decimal("0.00999"), "USD"), False, "$0.01"),
        (Money(Decimal("0.005"), "EUR"), False, "0.005 EUR"),
        (Money(Decimal(0), "USD"), False, "$0.00"),
        (Money(Decimal("1234.565"), "USD"), False, "$1234.57"),
    ],
)
def test_format_money(money: Money, estimated: bool, shown: str) -> None:
    assert format_money(money, estimated=estimated) == shown
    if not estimated:
        assert str(money) == shown


def test_junk_in_a_usage_object_is_ignored_not_trusted() -> None:
    usage = parse_usage(
        {
            "prompt_tokens": "1200",
            "completion_tokens": -5,
            "total_tokens": True,
            "prompt_tokens_details": "cached",
            "cost": "0.5",
            "cost_in_usd_ticks": 1.5,
        }
    )
    assert usage == Usage(None, None, None, None, None, usage.raw)
    assert parse_usage({"prompt_tokens": 10.0, "completion_tokens": 2}).cache_miss == 10


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)
USAGE_KEYS = st.sampled_from(
    [
        "prompt_tokens",
        "completion_tokens",
        "total_tokens",
        "prompt_cache_hit_tokens",
        "prompt_cache_miss_tokens",
        "prompt_tokens_details",
        "completion_tokens_details",
        "cost",
        "cost_in_usd_ticks",
        "is_byok",
        "cost_details",
        "usage",
    ]
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # shared, busy machines
@given(st.dictionaries(USAGE_KEYS, JSON_VALUES))
def test_any_usage_json_parses_to_counts_that_are_none_or_natural(raw: dict[str, Any]) -> None:
    usage = parse_usage(raw)
    counts = (usage.cache_hit, usage.cache_miss, usage.output, usage.reasoning)
    assert all(count is None or (type(count) is int and count >= 0) for count in counts)
    cost = usage.provider_cost
    assert cost is None or (cost.currency == "USD" and cost.amount >= 0)


def test_the_built_in_table_is_sourced_dated_and_covers_the_named_models() -> None:
    raw = json.loads(PRICES_JSON.read_text(encoding="utf-8"))
    assert pricing_problems(raw["prices"]) == []  # the same rules a user's Pricing must follow
    prices = load_prices().prices
    for price in prices.values():
        assert price.source.startswith("https://"), price.key
        assert price.read_on is not None and price.currency in CURRENCIES, price.key
    assert {
        "deepseek,deepseek-chat",
        "deepseek,deepseek-reasoner",
        "openai,gpt-5",
        "openai,gpt-5-mini",
        "openai,gpt-5-nano",
        "openai,gpt-4.1",
        "openai,gpt-4.1-mini",
        "openai,gpt-4o-mini",
        "google,gemini-2.5-flash",
        "google,gemini-2.5-pro",
        "mistral,mistral-large-2411",
        "mistral,mistral-small-2409",
    } <= set(prices)
    assert any(key.startswith("xai,") for key in prices)


def test_importing_the_cost_module_loads_neither_textual_nor_httpx() -> None:
    code = (
        "import sys, fixer.cost as cost; cost.load_prices(); "
        "print([name for name in ('textual', 'httpx') if name in sys.modules])"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PRICES_JSON.parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "[]"
