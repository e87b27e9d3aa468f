"""The scoreboard: how good each model has been in your own use, from the ledger's calls.

Beside tokens and cost, a set of calls scores: replies with no usable diff, hunks proposed,
accepted and rejected, the accept rate, the test pass rate where `--test` ran, and the cost per
accepted hunk, per currency (never added across currencies). `score` is a pure function over
`Call`s; the rest renders it. Its own module because `fixer usage` (usage.py) would pass 400 lines
with it; standard library only, like the ledger.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from fixer.errors import ConfigError
from fixer.ledger import Call
from fixer.printable import printable

# The Router scenarios --compare takes by name, as `fixer config` shows them.
SCENARIOS = ("default", "think", "background", "longContext")
# The outcome of a reviewed reply: "3 hunks", "no changes", each maybe followed by ", tests: ...";
# "proposed" is the ledger's first wording. Anything else that is not a failure is a reply
# whose diff could not be used (the NoDiffError's reason).
_USABLE = re.compile(r"(\d+ hunks?|no changes|proposed)(, |$)")


class Reply(StrEnum):
    """What became of one call's reply."""

    USABLE = "usable"
    NO_DIFF = "no usable diff"
    FAILED = "failed"  # no reply: the provider or the network failed
    CANCELLED = "cancelled"


def reply_of(call: Call) -> Reply:
    """Which kind of reply the call got, read from its ledger outcome."""
    if call.outcome.startswith("failed"):
        return Reply.FAILED
    if call.outcome == "cancelled":
        return Reply.CANCELLED
    return Reply.USABLE if _USABLE.match(call.outcome) else Reply.NO_DIFF


@dataclass(frozen=True)
class Spent:
    """What the calls in one currency cost, and the hunks of theirs that were accepted."""

    currency: str | None  # None: free calls of the offline fixers, or an unknown price
    amount: Decimal
    accepted: int
    estimated: bool  # some cost in the sum is fixer's estimate
    unknown: bool  # some call had no known cost: the sum is incomplete

    @property
    def per_accepted_hunk(self) -> Decimal | None:
        """The cost of one accepted hunk; None when none was accepted or a cost is unknown."""
        return None if self.unknown or not self.accepted else self.amount / self.accepted


@dataclass(frozen=True)
class Score:
    """The figures of a set of calls."""

    calls: int
    tokens: int  # cache hit + cache miss + output, as reported
    no_diff: int  # replies with no usable diff
    proposed: int
    accepted: int
    rejected: int
    tests: Mapping[str, int]  # runs of the test command by verdict: "pass", "fail", "timeout"
    tests_s: float  # the time those runs took, in all
    spent: tuple[Spent, ...]  # per currency, sorted, None last

    @property
    def no_diff_rate(self) -> float | None:
        """Replies with no usable diff as a fraction of all calls."""
        return self.no_diff / self.calls if self.calls else None

    @property
    def accept_rate(self) -> float | None:
        """Accepted hunks over decided ones (accepted + rejected); None before any decision."""
        decided = self.accepted + self.rejected
        return self.accepted / decided if decided else None

    @property
    def test_runs(self) -> int:
        return sum(self.tests.values())

    @property
    def test_pass_rate(self) -> float | None:
        """Passing runs over all runs of the test command; None where `--test` never ran."""
        return self.tests.get("pass", 0) / self.test_runs if self.test_runs else None

    @property
    def tests_mean_s(self) -> float | None:
        return self.tests_s / self.test_runs if self.test_runs else None


def score(calls: Iterable[Call]) -> Score:
    """The scoreboard figures of `calls`."""
    calls = list(calls)
    tests: dict[str, int] = {}
    for call in calls:
        if call.tests is not None:
            tests[call.tests] = tests.get(call.tests, 0) + 1
    return Score(
        calls=len(calls),
        tokens=sum((c.cache_hit or 0) + (c.cache_miss or 0) + (c.output or 0) for c in calls),
        no_diff=sum(reply_of(c) is Reply.NO_DIFF for c in calls),
        proposed=sum(c.hunks_proposed for c in calls),
        accepted=sum(c.hunks_accepted or 0 for c in calls),
        rejected=sum(c.hunks_rejected or 0 for c in calls),
        tests=dict(sorted(tests.items())),
        tests_s=sum(c.tests_s or 0.0 for c in calls if c.tests is not None),
        spent=_spent(calls),
    )


def _spent(calls: list[Call]) -> tuple[Spent, ...]:
    """The calls' cost and accepted hunks per currency; a free call with no currency (a local
    tool) counts as free, a call with no known cost makes its currency's sum unknown."""
    by_currency: dict[str | None, list[Call]] = {}
    for call in calls:
        by_currency.setdefault(call.currency, []).append(call)
    order = sorted(c for c in by_currency if c is not None) + [None] * (None in by_currency)
    return tuple(
        Spent(
            currency=currency,
            amount=sum((c.cost or Decimal(0) for c in by_currency[currency]), Decimal(0)),
            accepted=sum(c.hunks_accepted or 0 for c in by_currency[currency]),
            estimated=any(c.estimated and c.cost for c in by_currency[currency]),
            unknown=any(c.cost is None for c in by_currency[currency]),
        )
        for currency in order
    )


def _money(spent: Spent, amount: Decimal | None, missing: str) -> str:
    """One currency's amount as text: "$0.0012", "~9.05 CNY", "free", or `missing` for None."""
    from fixer.cost import Money, format_money

    if amount is None:
        return missing
    if spent.currency is None:
        return "free"
    return format_money(Money(amount, spent.currency), estimated=spent.estimated)


def _percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.1%}"


def cost_text(board: Score) -> str:
    """What the calls cost, each currency apart: "$0.003 + 0.05 CNY"; "-" for no calls."""
    amounts = [_money(s, None if s.unknown else s.amount, "unknown") for s in board.spent]
    return " + ".join(amounts) or "-"


def per_hunk_text(board: Score) -> str:
    """The cost per accepted hunk, each currency apart; "n/a" when none was accepted."""
    shown = [_money(s, s.per_accepted_hunk, "n/a") for s in board.spent if s.accepted or s.unknown]
    return ", ".join(shown) if any(s != "n/a" for s in shown) else "n/a"


def figures(board: Score) -> list[tuple[str, str]]:
    """The scoreboard as (figure, value) rows of text, in the order the reports show them."""
    decided = board.accepted + board.rejected
    tests = board.tests
    test_detail = ", ".join(f"{count} {verdict}" for verdict, count in tests.items())
    mean = board.tests_mean_s
    return [
        ("no usable diff", f"{_percent(board.no_diff_rate)} ({board.no_diff} of {board.calls})"),
        ("hunks proposed", f"{board.proposed:,}"),
        ("hunks accepted", f"{board.accepted:,}"),
        ("hunks rejected", f"{board.rejected:,}"),
        ("accept rate", f"{_percent(board.accept_rate)} ({board.accepted} of {decided})"),
        (
            "test pass rate",
            f"{_percent(board.test_pass_rate)} ({test_detail})" if tests else "n/a (no --test)",
        ),
        ("test time", "n/a" if mean is None else f"{mean:.1f} s a run"),
        ("cost per accepted hunk", per_hunk_text(board)),
    ]


def score_json(board: Score) -> dict[str, Any]:
    """Every figure as JSON: counts as numbers, rates as fractions, amounts as exact strings."""
    return {
        "calls": board.calls,
        "tokens": board.tokens,
        "no_usable_diff": board.no_diff,
        "no_usable_diff_rate": board.no_diff_rate,
        "hunks_proposed": board.proposed,
        "hunks_accepted": board.accepted,
        "hunks_rejected": board.rejected,
        "accept_rate": board.accept_rate,
        "tests": dict(board.tests),
        "test_pass_rate": board.test_pass_rate,
        "tests_s": board.tests_s,
        "tests_mean_s": board.tests_mean_s,
        "costs": [
            {
                "currency": s.currency,
                "amount": None if s.unknown else str(s.amount),
                "accepted": s.accepted,
                "per_accepted_hunk": _exact(s.per_accepted_hunk),
                "estimated": s.estimated,
            }
            for s in board.spent
        ],
    }


def _exact(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


@dataclass(frozen=True)
class Compared:
    """One name of --compare: what the user wrote and the `provider,model` it stands for."""

    name: str
    route: str  # "provider,model", or "local" for the offline fixers

    def matches(self, call: Call) -> bool:
        if self.route == "local":
            return call.provider == "local"
        return f"{call.provider},{call.model}" == self.route


def compare_names(text: str, router: Callable[[], Mapping[str, Any]]) -> list[Compared]:
    """The names of `--compare`: Router scenarios and `provider,model` pairs, comma-separated.

    A word that is a scenario stands for its route in `router()` (the config's Router, read only
    when needed); any other word starts a `provider,model` pair, so a word followed by a scenario
    or by nothing is an unknown scenario (ConfigError, exit 2).
    """
    items = [item.strip() for item in text.split(",") if item.strip()]
    named: list[Compared] = []
    k = 0
    while k < len(items):
        item = items[k]
        if item in SCENARIOS:
            named.append(Compared(item, _scenario_route(router(), item)))
            k += 1
        elif k + 1 < len(items) and items[k + 1] not in SCENARIOS:
            named.append(Compared(f"{item},{items[k + 1]}", f"{item},{items[k + 1]}"))
            k += 2
        else:
            raise ConfigError(
                f"--compare: {item!r} is not a Router scenario ({', '.join(SCENARIOS)}) nor the "
                "provider of a provider,model pair"
            )
    if len({c.route for c in named}) < 2:
        shown = ", ".join(f"{c.name} ({c.route})" for c in named) or "nothing"
        raise ConfigError(f"--compare needs at least two different models, not {shown}")
    return named


def _scenario_route(router: Mapping[str, Any], scenario: str) -> str:
    """A scenario's route as `fixer config` shows it: think falls back to default, default to
    the offline fixers; another scenario that is not set is an error."""
    value = router.get(scenario)
    if not value and scenario == "think":
        return _scenario_route(router, "default")
    if not value and scenario == "default":
        return "local"
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"--compare: Router.{scenario} is not set (see `fixer config`)")
    provider, _, model = (part.strip() for part in value.partition(","))
    return "local" if provider == "local" else f"{provider},{model}"


def compare(calls: Sequence[Call], named: Sequence[Compared]) -> list[tuple[Compared, Score]]:
    """Each compared name with the score of its calls."""
    return [(c, score(call for call in calls if c.matches(call))) for c in named]


def render_compare(columns: list[tuple[Compared, Score]], title: str) -> str:
    """One column per model, one row per figure; a name with no calls is said on its own line."""
    found = [(c, board) for c, board in columns if board.calls]
    missing = [
        f"{printable(c.name)}: no calls in that time" for c, board in columns if not board.calls
    ]
    if not found:
        return "\n".join([title, "", *missing])
    heads = [printable(c.name if c.name == c.route else f"{c.name} ({c.route})") for c, _ in found]
    rows = [
        ["calls", *(f"{board.calls:,}" for _, board in found)],
        ["tokens", *(f"{board.tokens:,}" for _, board in found)],
        ["cost", *(cost_text(board) for _, board in found)],
    ]
    boards = [figures(board) for _, board in found]
    rows += [[name, *(column[k][1] for column in boards)] for k, (name, _) in enumerate(boards[0])]
    table = [["", *heads], *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(heads) + 1)]
    lines = [
        ("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))).rstrip()
        for row in table
    ]
    return "\n".join([title, "", *lines, *(["", *missing] if missing else [])])


def compare_json(columns: list[tuple[Compared, Score]], bounds: Mapping[str, Any]) -> str:
    """The comparison as JSON: each name, its route, whether it had calls, every figure."""
    report = {
        **bounds,
        "compare": [
            {"name": c.name, "route": c.route, "found": bool(board.calls), **score_json(board)}
            for c, board in columns
        ],
    }
    return json.dumps(report, indent=2, ensure_ascii=False)
