"""What a model call cost: usage normalised per provider, a dated price table, exact money.

Providers report usage in different shapes; `parse_usage` turns each into cache-hit, cache-miss
and output tokens (output includes reasoning, which every provider bills as output). Prices are
per million tokens, from the table shipped in `fixer/data/prices.json` or the config's `Pricing`.
Money is `Decimal` in one currency and never a float; a price fixer does not know is unknown,
never zero. Pure: the only thing read is the bundled price table.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from importlib import resources
from types import MappingProxyType
from typing import Any

CURRENCIES = frozenset(
    {"USD", "CNY", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "HKD", "SGD", "INR", "KRW"}
)
CONFIG_SOURCE = "the config's Pricing"
XAI_TICKS_PER_USD_EXPONENT = 10  # xAI: 1 USD = 10**10 ticks
PRICING_EXAMPLE = (
    '{"deepseek,deepseek-chat": '
    '{"input": 1, "input_cache_hit": 0.1, "output": 2, "currency": "CNY"}}'
)
_CENT = Decimal("0.01")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RATE_KEYS = ("input", "input_cache_hit", "output")
_PRICE_KEYS = (*_RATE_KEYS, "currency", "tiers", "source", "read_on", "note")
_ALIAS_KEYS = ("same_as", "note")
_TIER_KEYS = (*_RATE_KEYS, "name", "days", "utc", "above_prompt_tokens")


@dataclass(frozen=True)
class Money:
    """An exact amount in one currency; adding two currencies is an error, not a conversion."""

    amount: Decimal
    currency: str  # ISO code: "USD", "CNY", ...

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, Decimal | int):
            raise TypeError(f"money is a Decimal, never {type(self.amount).__name__}")
        if not Decimal(self.amount).is_finite():
            raise ValueError(f"money must be finite, not {self.amount}")
        object.__setattr__(self, "amount", Decimal(self.amount))

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}: keep them apart")
        return Money(self.amount + other.amount, self.currency)

    def __radd__(self, other: object) -> Money:
        # sum() starts from the int 0; any other left operand is a mistake.
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    def __str__(self) -> str:
        return format_money(self)


def format_money(money: Money | None, *, estimated: bool = False) -> str:
    """Money as people read it: "$3.44", "9.05 CNY", "~$0.0012" for an estimate, or "unknown".

    Amounts under a cent keep two significant digits, so a cheap call does not show as $0.00.
    """
    if money is None:
        return "unknown"
    sign = "-" if money.amount < 0 else ""
    digits = _amount_text(abs(money.amount))
    shown = f"{sign}${digits}" if money.currency == "USD" else f"{sign}{digits} {money.currency}"
    return f"~{shown}" if estimated else shown


def _amount_text(amount: Decimal) -> str:
    if amount == 0 or amount >= _CENT:
        return f"{amount.quantize(_CENT, ROUND_HALF_UP):f}"
    two_digits = Decimal(1).scaleb(amount.adjusted() - 1)
    rounded = amount.quantize(two_digits, ROUND_HALF_UP)
    if rounded >= _CENT:
        return f"{rounded.quantize(_CENT):f}"
    return f"{rounded.normalize():f}"


@dataclass(frozen=True)
class Usage:
    """One call's tokens as the provider reported them; None where it did not say.

    `output` includes `reasoning`; `provider_cost` is the provider's own bill when it sends one.
    """

    cache_hit: int | None
    cache_miss: int | None
    output: int | None
    reasoning: int | None
    provider_cost: Money | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def prompt_tokens(self) -> int | None:
        """All input tokens, hits and misses; None when the provider gave no prompt size."""
        if self.cache_miss is None:
            return None
        return (self.cache_hit or 0) + self.cache_miss


def parse_usage(raw: Mapping[str, Any]) -> Usage:
    """Normalise a provider's usage object (or a chunk carrying one) from any known shape.

    DeepSeek splits the prompt into prompt_cache_hit/miss_tokens; OpenAI, OpenRouter, xAI and
    Mistral give prompt_tokens_details.cached_tokens inside prompt_tokens. xAI leaves reasoning
    out of completion_tokens and Gemini leaves thinking out: both show as total_tokens above
    prompt + completion, and that excess is billed output. Values of the wrong type are ignored.
    """
    nested = raw.get("usage")
    usage: Mapping[str, Any] = nested if isinstance(nested, Mapping) else raw
    prompt_details = _mapping(usage.get("prompt_tokens_details"))
    hit = _first(
        _count(usage.get("prompt_cache_hit_tokens")), _count(prompt_details.get("cached_tokens"))
    )
    prompt = _count(usage.get("prompt_tokens"))
    miss = _count(usage.get("prompt_cache_miss_tokens"))
    if miss is None and prompt is not None:
        miss = max(prompt - (hit or 0), 0)
    output, reasoning = _output_tokens(usage, None if miss is None else (hit or 0) + miss)
    return Usage(hit, miss, output, reasoning, _provider_cost(usage), dict(raw))


def _output_tokens(usage: Mapping[str, Any], prompt: int | None) -> tuple[int | None, int | None]:
    """Billed output tokens and the reasoning among them, thinking left out of completion too."""
    completion = _count(usage.get("completion_tokens"))
    reasoning = _count(_mapping(usage.get("completion_tokens_details")).get("reasoning_tokens"))
    total = _count(usage.get("total_tokens"))
    if total is None or prompt is None or total < prompt + (completion or 0):
        return completion, reasoning
    if completion is None:
        return total - prompt, reasoning
    unreported = total - prompt - completion
    if unreported and reasoning is None:
        reasoning = unreported
    return completion + unreported, reasoning


def _provider_cost(usage: Mapping[str, Any]) -> Money | None:
    """xAI's cost_in_usd_ticks, else OpenRouter's cost (plus the upstream bill for BYOK keys)."""
    ticks = _count(usage.get("cost_in_usd_ticks"))
    if ticks is not None:
        return Money(Decimal(ticks).scaleb(-XAI_TICKS_PER_USD_EXPONENT), "USD")
    cost = _decimal(usage.get("cost"), strings=False)
    if cost is None:
        return None
    if usage.get("is_byok") is True:
        upstream = _mapping(usage.get("cost_details")).get("upstream_inference_cost")
        cost += _decimal(upstream, strings=False) or 0
    return Money(cost, "USD")


@dataclass(frozen=True)
class Tier:
    """A price replacing the base one while it applies: at set UTC times, or for long prompts."""

    name: str
    input: Decimal
    input_cache_hit: Decimal | None
    output: Decimal
    days: tuple[int, ...] = ()  # weekdays, Monday = 0, in UTC; () = every day
    windows: tuple[tuple[time, time], ...] = ()  # UTC [start, end); end < start wraps midnight
    above_prompt_tokens: int | None = None  # applies when the prompt is longer than this

    @property
    def timed(self) -> bool:
        """Whether the tier depends on the time of the call rather than on the prompt's size."""
        return self.above_prompt_tokens is None

    def decidable(self, at: datetime | None, prompt_tokens: int | None) -> bool:
        """Whether what is known about the call is enough to tell if this tier applies."""
        return at is not None if self.timed else prompt_tokens is not None

    def applies(self, at: datetime | None, prompt_tokens: int | None) -> bool:
        """Whether a call at `at` with a prompt of `prompt_tokens` tokens pays this tier's price."""
        if not self.timed:
            return prompt_tokens is not None and prompt_tokens > (self.above_prompt_tokens or 0)
        if at is None:
            return False
        moment = _utc(at)
        if self.days and moment.weekday() not in self.days:
            return False
        now = moment.time().replace(tzinfo=None)
        return not self.windows or any(_within(now, start, end) for start, end in self.windows)


def _within(now: time, start: time, end: time) -> bool:
    return start <= now < end if start < end else now >= start or now < end


@dataclass(frozen=True)
class Price:
    """A model's price per million tokens: input (cache miss), cached input, output; and its source.

    `input_cache_hit` None means no cache discount is known, so hits are billed as input.
    """

    key: str  # "provider,model"
    currency: str
    input: Decimal
    input_cache_hit: Decimal | None
    output: Decimal
    source: str  # the URL the price was read from, or CONFIG_SOURCE
    read_on: date | None  # None for a price from the config
    tiers: tuple[Tier, ...] = ()
    note: str = ""

    def settled(self, at: datetime | None = None, prompt_tokens: int | None = None) -> Price:
        """This price with every tier that can be decided from `at` and `prompt_tokens` decided."""
        decided = tuple(tier for tier in self.tiers if tier.decidable(at, prompt_tokens))
        chosen = next((tier for tier in decided if tier.applies(at, prompt_tokens)), None)
        rest = tuple(tier for tier in self.tiers if tier not in decided)
        if chosen is None:
            return replace(self, tiers=rest)
        return replace(
            self,
            input=chosen.input,
            input_cache_hit=chosen.input_cache_hit,
            output=chosen.output,
            tiers=rest,
        )


class PriceTable:
    """Prices by "provider,model", found even when the user named their provider differently."""

    def __init__(self, prices: Mapping[str, Price]) -> None:
        self.prices: Mapping[str, Price] = MappingProxyType(dict(prices))
        by_model: dict[str, list[Price]] = {}
        for key, price in prices.items():
            by_model.setdefault(key.split(",", 1)[1], []).append(price)
        self._unique_models = {
            model: found[0] for model, found in by_model.items() if len(found) == 1
        }

    def find(self, provider: str, model: str, at: datetime | None = None) -> Price | None:
        """The price for a call, time-of-day tiers decided when `at` is given; None when unknown.

        Tries "provider,model", then the model alone when only one provider lists it, and for an
        OpenRouter-style "vendor/model" id, "vendor,model" and then the part after the slash.
        """
        provider, model = provider.strip().lower(), model.strip().lower()
        vendor, _, short = model.rpartition("/")
        candidates = [self.prices.get(f"{provider},{model}"), self._unique_models.get(model)]
        if vendor:
            candidates += [self.prices.get(f"{vendor},{short}"), self._unique_models.get(short)]
        price = next((found for found in candidates if found is not None), None)
        return price.settled(at=at) if price is not None and at is not None else price


def load_prices(pricing: Mapping[str, Price] | None = None) -> PriceTable:
    """The built-in price table with the config's parsed `Pricing` (see parse_pricing) on top."""
    return PriceTable({**_built_in_prices(), **(pricing or {})})


def parse_pricing(section: Any) -> tuple[dict[str, Price], list[str]]:
    """The config's `Pricing` as prices, invalid entries skipped, and a sentence per problem.
    The built-in table is read only when there is a `Pricing` (its aliases may name one)."""
    if section is None:
        return {}, []
    return _parse_table(section, "Pricing", _built_in_prices())


def currency_code(value: Any) -> str | None:
    """The one rule for a currency the config names (a price's, the Budget's): a code fixer
    knows, in any case, spaces around allowed; None for anything else."""
    if not isinstance(value, str):
        return None
    code = value.strip().upper()
    return code if code in CURRENCIES else None


@functools.cache
def _built_in_prices() -> Mapping[str, Price]:
    text = (resources.files("fixer") / "data" / "prices.json").read_text(encoding="utf-8")
    data = json.loads(text, parse_float=Decimal)
    prices, problems = _parse_table(data["prices"], "the built-in price table", {})
    if problems:
        raise ValueError("fixer's built-in price table is broken: " + "; ".join(problems))
    return MappingProxyType(prices)


@dataclass(frozen=True)
class Cost:
    """What a call cost, whether that is fixer's estimate, and its split by token type.

    `money` None means unknown (no price); `parts` is empty when the split is not known,
    e.g. when the provider reported only its total.
    """

    money: Money | None
    estimated: bool
    parts: Mapping[str, Decimal] = field(default_factory=dict)  # cache_hit, cache_miss, output

    def __str__(self) -> str:
        return format_money(self.money, estimated=self.estimated)


def cost_of(
    usage: Usage | None,
    price: Price | None,
    *,
    at: datetime | None = None,
    estimated_prompt_tokens: int | None = None,
    estimated_output_tokens: int | None = None,
) -> Cost:
    """A call's cost: the provider's own figure when it sent one, else its tokens at `price`.

    With no usage (a stream cut before its last chunk) the cost is an estimate from fixer's own
    token counts, the prompt billed as cache misses; it is never zero when tokens were sent.
    Time-of-day tiers apply only when `at`, the time of the call, is given.
    """
    if usage is None:
        if estimated_prompt_tokens is None:
            return Cost(None, True)
        return estimate_cost(estimated_prompt_tokens, estimated_output_tokens or 0, price, at=at)
    if usage.provider_cost is not None:
        return Cost(usage.provider_cost, False)
    hit, miss, output, estimated = usage.cache_hit or 0, usage.cache_miss, usage.output, False
    if miss is None and estimated_prompt_tokens is not None:
        miss, estimated = max(estimated_prompt_tokens - hit, 0), True
    if output is None and estimated_output_tokens is not None:
        output, estimated = estimated_output_tokens, True
    if price is None or miss is None or output is None:
        return Cost(None, estimated)
    return _priced(hit, miss, output, price.settled(at, hit + miss), estimated)


def estimate_cost(
    prompt_tokens: int, output_tokens: int, price: Price | None, *, at: datetime | None = None
) -> Cost:
    """The most a call should cost before it is sent: the whole prompt billed as cache misses."""
    if price is None:
        return Cost(None, True)
    return _priced(0, prompt_tokens, output_tokens, price.settled(at, prompt_tokens), True)


def _priced(hit: int, miss: int, output: int, price: Price, estimated: bool) -> Cost:
    hit_rate = price.input if price.input_cache_hit is None else price.input_cache_hit
    parts = {
        "cache_hit": _per_million(hit, hit_rate),
        "cache_miss": _per_million(miss, price.input),
        "output": _per_million(output, price.output),
    }
    total = Money(sum(parts.values(), Decimal(0)), price.currency)
    return Cost(total, estimated, MappingProxyType(parts))


def _per_million(tokens: int, rate: Decimal) -> Decimal:
    return (Decimal(tokens) * rate).scaleb(-6)


# Reading price tables: the bundled JSON and the config's Pricing share one parser, so the
# built-in table obeys exactly the rules a user's override is checked against.


def _parse_table(
    section: Any, where: str, known: Mapping[str, Price]
) -> tuple[dict[str, Price], list[str]]:
    """The valid prices of a {"provider,model": entry} object, and a sentence per problem."""
    if section is None:
        return {}, []
    if not isinstance(section, Mapping):
        return {}, [f"{where} must be an object like {PRICING_EXAMPLE}, not {_kind(section)}"]
    problems: list[str] = []
    prices: dict[str, Price] = {}
    aliases: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for raw_key, entry in section.items():
        key, name = _price_key(raw_key), f"{where}[{raw_key!r}]"
        if key is None:
            problems.append(
                f'{name}: a key must be "provider,model", like "deepseek,deepseek-chat"'
            )
        elif not isinstance(entry, Mapping):
            problems.append(f'{name} must be an object like {{"input": 1, "output": 2}}')
        elif "same_as" in entry:
            aliases[key] = (name, entry)
        elif (price := _parse_price(key, entry, name, problems)) is not None:
            prices[key] = price
    targets = {**known, **prices}  # an alias names a price, never another alias
    for key, (name, entry) in aliases.items():
        alias = _parse_alias(key, entry, name, targets, problems)
        if alias is not None:
            prices[key] = alias
    return prices, problems


def _price_key(raw_key: Any) -> str | None:
    if not isinstance(raw_key, str):
        return None
    provider, comma, model = (part.strip().lower() for part in raw_key.partition(","))
    return f"{provider},{model}" if comma and provider and model and "," not in model else None


def _parse_alias(
    key: str, entry: Mapping[str, Any], name: str, known: Mapping[str, Price], problems: list[str]
) -> Price | None:
    before = len(problems)
    problems += _unknown_keys(entry, _ALIAS_KEYS, name)
    target = _price_key(entry["same_as"])
    if target is None or target not in known:
        problems.append(f"{name}.same_as must name a price in the table, not {entry['same_as']!r}")
    note = _text(entry, "note", name, problems)
    if len(problems) > before or target is None:
        return None
    return replace(known[target], key=key, note=note or known[target].note)


def _parse_price(
    key: str, entry: Mapping[str, Any], name: str, problems: list[str]
) -> Price | None:
    before = len(problems)
    problems += _unknown_keys(entry, _PRICE_KEYS, name)
    rates = _parse_rates(entry, name, problems)
    written = entry.get("currency", "USD")
    currency = currency_code(written)
    if currency is None:
        known = ", ".join(sorted(CURRENCIES))
        problems.append(f"{name}.currency must be a known currency ({known}), not {written!r}")
    tiers = _parse_tiers(entry.get("tiers", []), name, problems)
    source = _text(entry, "source", name, problems) or CONFIG_SOURCE
    read_on = _read_on(entry.get("read_on"), name, problems)
    note = _text(entry, "note", name, problems)
    if len(problems) > before or rates is None or currency is None:
        return None
    return Price(key, currency, *rates, source, read_on, tiers, note)


def _parse_rates(
    entry: Mapping[str, Any], name: str, problems: list[str]
) -> tuple[Decimal, Decimal | None, Decimal] | None:
    """input, input_cache_hit (optional, may be null) and output, each a price >= 0."""
    input_price = _rate(entry, "input", name, problems)
    output_price = _rate(entry, "output", name, problems)
    cache_hit_price = None
    if entry.get("input_cache_hit") is not None:
        cache_hit_price = _rate(entry, "input_cache_hit", name, problems)
    if input_price is None or output_price is None:
        return None
    return input_price, cache_hit_price, output_price


def _rate(entry: Mapping[str, Any], rate: str, name: str, problems: list[str]) -> Decimal | None:
    if rate not in entry:
        problems.append(f"{name} has no {rate} price")
        return None
    amount = _decimal(entry[rate], strings=True)
    if amount is None:
        problems.append(
            f"{name}.{rate} must be a price per million tokens >= 0, not {entry[rate]!r}"
        )
    return amount


def _parse_tiers(raw: Any, name: str, problems: list[str]) -> tuple[Tier, ...]:
    if not isinstance(raw, list):
        problems.append(f"{name}.tiers must be a list of tier objects, not {_kind(raw)}")
        return ()
    tiers = tuple(
        _parse_tier(item, f"{name}.tiers[{index}]", problems) for index, item in enumerate(raw)
    )
    found = tuple(tier for tier in tiers if tier is not None)
    if len({tier.timed for tier in found}) > 1:
        problems.append(f"{name}.tiers must all depend on the time or all on the prompt size")
    return found


def _parse_tier(raw: Any, name: str, problems: list[str]) -> Tier | None:
    if not isinstance(raw, Mapping):
        problems.append(f"{name} must be an object, not {_kind(raw)}")
        return None
    before = len(problems)
    problems += _unknown_keys(raw, _TIER_KEYS, name)
    rates = _parse_rates(raw, name, problems)
    timed, sized = "days" in raw or "utc" in raw, "above_prompt_tokens" in raw
    if timed == sized:
        problems.append(
            f"{name} must apply on days/utc windows or above_prompt_tokens, one of them"
        )
    days = _parse_days(raw.get("days", []), name, problems)
    windows = _parse_windows(raw.get("utc", []), name, problems)
    above = _count(raw.get("above_prompt_tokens")) if sized else None
    if sized and not above:
        problems.append(f"{name}.above_prompt_tokens must be a positive number of tokens")
    label = _text(raw, "name", name, problems)
    if len(problems) > before or rates is None:
        return None
    return Tier(label or "tier", *rates, days, windows, above)


def _parse_days(raw: Any, name: str, problems: list[str]) -> tuple[int, ...]:
    if not (isinstance(raw, list) and all(day in _DAYS for day in raw)):
        problems.append(f"{name}.days must be a list of {', '.join(_DAYS)}, not {raw!r}")
        return ()
    return tuple(sorted({_DAYS.index(day) for day in raw}))


def _parse_windows(raw: Any, name: str, problems: list[str]) -> tuple[tuple[time, time], ...]:
    windows = [_window(item) for item in raw] if isinstance(raw, list) else [None]
    if None in windows:
        example = '[["01:00", "04:00"], ["16:30", "00:30"]]'
        problems.append(f"{name}.utc must be UTC windows like {example}, not {raw!r}")
        return ()
    return tuple(window for window in windows if window is not None)


def _window(raw: Any) -> tuple[time, time] | None:
    if not (isinstance(raw, list) and len(raw) == 2 and all(isinstance(t, str) for t in raw)):
        return None
    try:
        start, end = (time.fromisoformat(text) for text in raw)
    except ValueError:
        return None
    return (start, end) if start != end and not (start.tzinfo or end.tzinfo) else None


def _read_on(raw: Any, name: str, problems: list[str]) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        problems.append(f"{name}.read_on must be a date like 2026-11-29, not {raw!r}")
        return None


def _text(entry: Mapping[str, Any], key: str, name: str, problems: list[str]) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str):
        problems.append(f"{name}.{key} must be text, not {value!r}")
        return ""
    return value


def _unknown_keys(entry: Mapping[str, Any], known: tuple[str, ...], name: str) -> list[str]:
    return [
        f"{name} has an unknown key {key!r} (known: {', '.join(known)})"
        for key in entry
        if key not in known
    ]


def _decimal(value: Any, *, strings: bool) -> Decimal | None:
    """A non-negative finite amount, exactly: a float becomes the decimal it was written as."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    if isinstance(value, str) and not strings:
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and amount >= 0 else None


def _count(value: Any) -> int | None:
    """A token count: a non-negative whole number, else None (strings and bools included)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value) if value >= 0 else None


def _first(*values: int | None) -> int | None:
    return next((value for value in values if value is not None), None)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a time for pricing must be timezone-aware, not {moment!r}")
    return moment.astimezone(UTC)
