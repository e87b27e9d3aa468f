"""`fixer usage`: tokens and cost of past calls from the ledger, like a provider's usage console.

Each group (a UTC day, a model, a provider or an agent) shows input (cache hit), input (cache
miss) and output tokens with their cost, a total and the cache hit ratio. Each currency keeps its
own column: CNY is never added to USD. "~" marks a sum that includes an estimate; "unknown" marks
tokens that had no price. Standard library only, like the ledger.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from fixer.ledger import Call, Ledger, ledger_path
from fixer.printable import printable
from fixer.scoreboard import (
    Score,
    compare,
    compare_json,
    compare_names,
    figures,
    render_compare,
    score,
    score_json,
)

TYPES = ("input (cache hit)", "input (cache miss)", "output")
TOTAL = "total"
ALL = "all"  # the grand total group
GROUPINGS: dict[str, Callable[[Call], str]] = {
    "day": lambda call: call.at.astimezone(UTC).date().isoformat(),
    "model": lambda call: f"{call.provider},{call.model}",
    "provider": lambda call: call.provider,
    "agent": lambda call: call.agent,
}
SCORED = ("model", "agent")  # the groupings that show the scoreboard beside tokens and cost
_RELATIVE_DAY = re.compile(r"(\d+)d")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_DAY_HELP = "YYYY-MM-DD, today, yesterday or Nd (N days ago, e.g. 7d); days are UTC days"


@dataclass
class Cell:
    """One cost cell: a sum in one currency, and whether it is estimated or incomplete."""

    amount: Decimal = Decimal(0)
    priced: bool = False  # some call added a known cost
    estimated: bool = False  # some call in the sum had an estimated cost
    unknown: bool = False  # some tokens in this cell had no price


@dataclass
class Line:
    """One type of tokens (or the total) within a group: the count and its cost per currency."""

    tokens: int = 0
    costs: dict[str | None, Cell] = field(default_factory=dict)  # None: no currency known


@dataclass
class Group:
    """The calls sharing one key (a day, a model, ...) summed by token type."""

    key: str
    calls: int = 0
    reasoning: int = 0  # part of the output tokens
    lines: dict[str, Line] = field(
        default_factory=lambda: {name: Line() for name in (*TYPES, TOTAL)}
    )

    @property
    def cache_hit_ratio(self) -> float | None:
        """Cache hit tokens over all input tokens; None when there was no input."""
        hit, miss = (self.lines[name].tokens for name in TYPES[:2])
        return hit / (hit + miss) if hit + miss else None


def _parts(call: Call) -> tuple[tuple[str, int, Decimal | None], ...]:
    """What one call adds to each line: tokens and their cost (None if unknown)."""
    tokens = (call.cache_hit or 0, call.cache_miss or 0, call.output or 0)
    costs: tuple[Decimal | None, ...] = (
        call.cost_cache_hit,
        call.cost_cache_miss,
        call.cost_output,
    )
    if call.cost == 0:  # a free call is free in every part, split or not
        costs = (Decimal(0),) * len(TYPES)
    return (*zip(TYPES, tokens, costs, strict=True), (TOTAL, sum(tokens), call.cost))


def _add(group: Group, call: Call) -> None:
    """Add one call to a group; a free call without a currency (a local tool) shows no cost."""
    group.calls += 1
    group.reasoning += call.reasoning or 0
    for name, tokens, cost in _parts(call):
        line = group.lines[name]
        line.tokens += tokens
        if cost is not None and call.currency is not None:
            cell = line.costs.setdefault(call.currency, Cell())
            cell.amount += cost
            cell.priced = True
            cell.estimated |= call.estimated
        elif tokens and cost != 0:
            line.costs.setdefault(call.currency, Cell()).unknown = True


def _group(calls: Iterable[Call], key_of: Callable[[Call], str]) -> list[Group]:
    """The calls summed into groups by key, in key order."""
    groups: dict[str, Group] = {}
    for call in calls:
        key = key_of(call)
        _add(groups.setdefault(key, Group(key)), call)
    return [groups[key] for key in sorted(groups)]


def summarize(calls: Iterable[Call], by: str) -> list[Group]:
    """The calls grouped by `by` (a GROUPINGS key), groups in key order."""
    return _group(calls, GROUPINGS[by])


def grand_total(calls: Iterable[Call]) -> Group:
    """All calls as one group, named "all"."""
    return next(iter(_group(calls, lambda call: ALL)), Group(ALL))


def parse_day(text: str, today: date) -> date:
    """A day from YYYY-MM-DD, "today", "yesterday" or "Nd" (N days before `today`)."""
    if text in ("today", "yesterday"):
        return today - timedelta(days=text == "yesterday")
    if match := _RELATIVE_DAY.fullmatch(text):
        return today - timedelta(days=int(match[1]))
    try:
        if _ISO_DAY.fullmatch(text):  # fromisoformat alone also takes 20250301 and 2025-W09-6
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{text!r} is not a day: use {_DAY_HELP}")


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of `day`."""
    return datetime.combine(day, time(), UTC)


def add_period(parser: argparse.ArgumentParser, today: date) -> None:
    """The --since and --until options of a report from the ledger."""
    as_day = lambda text: parse_day(text, today)  # noqa: E731 - argparse wants a callable
    parser.add_argument("--since", type=as_day, metavar="DAY", help=f"from DAY on; {_DAY_HELP}")
    parser.add_argument("--until", type=as_day, metavar="DAY", help="up to and including DAY (UTC)")


def period(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> tuple[datetime | None, datetime | None]:
    """The times a report covers, since <= at < until, from --since and --until (whole days)."""
    if args.since and args.until and args.since > args.until:
        parser.error(f"--since {args.since} is after --until {args.until}")
    since = day_start(args.since) if args.since else None
    until = day_start(args.until + timedelta(days=1)) if args.until else None  # inclusive day
    return since, until


def period_json(
    env: Mapping[str, str], since: datetime | None, until: datetime | None
) -> dict[str, Any]:
    """Where a JSON report came from: the ledger file and the times it covers."""
    return {
        "ledger": str(ledger_path(env)),
        "since": since and since.isoformat(),
        "until": until and until.isoformat(),
    }


def build_usage_parser(today: date) -> argparse.ArgumentParser:
    """The `fixer usage` options; relative days count back from `today`."""
    parser = argparse.ArgumentParser(
        prog="fixer usage",
        description="Tokens and cost of past model calls, from the usage ledger, grouped like a "
        "provider's usage console. Each currency has its own column; '~' marks sums that "
        "include estimates, 'unknown' tokens that had no price.",
    )
    add_period(parser, today)
    parser.add_argument(
        "--by", choices=tuple(GROUPINGS), default="day", help="how to group calls (default: day)"
    )
    parser.add_argument(
        "--compare",
        metavar="A,B[,...]",
        help="put models side by side: provider,model pairs or Router scenarios "
        "(default, think, background, longContext)",
    )
    parser.add_argument("--agent", metavar="NAME", help="only the calls of this agent")
    parser.add_argument(
        "--config", type=Path, metavar="PATH", help="the config whose Router --compare reads"
    )
    parser.add_argument("--json", action="store_true", help="print JSON; amounts as strings")
    return parser


def _money(currency: str | None, cell: Cell | None) -> str:
    """A cost cell as text: "9.05 CNY", "~$0.0012", "$1.20 + unknown", "unknown" or "-"."""
    from fixer.cost import Money, format_money

    if cell is None:
        return "-"
    parts = []
    if cell.priced and currency is not None:
        parts.append(format_money(Money(cell.amount, currency), estimated=cell.estimated))
    if cell.unknown:
        parts.append("unknown")
    return " + ".join(parts)


def _currencies(groups: Iterable[Group]) -> list[str | None]:
    """Every currency in the report, sorted, the no-currency column last."""
    seen = {
        currency for group in groups for line in group.lines.values() for currency in line.costs
    }
    return sorted(c for c in seen if c is not None) + ([None] if None in seen else [])


def _heading(group: Group) -> str:
    """A group's title line: its key, how many calls, the cache hit ratio."""
    ratio = group.cache_hit_ratio
    shown = "n/a" if ratio is None else f"{ratio:.1%}"
    calls = f"{group.calls} call{'s' * (group.calls != 1)}"
    return f"{printable(group.key)} · {calls} · cache hit ratio {shown}"


def _rows(group: Group, currencies: list[str | None]) -> list[list[str]]:
    """A group's table rows: type, tokens, one cost cell per currency."""
    rows = [
        [name, f"{line.tokens:,}", *(_money(c, line.costs.get(c)) for c in currencies)]
        for name, line in group.lines.items()
    ]
    if group.reasoning:
        reasoning = ["  of which reasoning", f"{group.reasoning:,}", *[""] * len(currencies)]
        rows.insert(len(TYPES), reasoning)
    return rows


def _align(row: list[str], widths: list[int]) -> str:
    """One row: the first column left-aligned, numbers right-aligned."""
    cells = [
        row[0].ljust(widths[0]),
        *(cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True)),
    ]
    return ("  " + "  ".join(cells)).rstrip()


def _legend(groups: list[Group], currencies: list[str | None]) -> list[str]:
    """Footnotes for the marks that appear in the table."""
    cells = [
        cell for group in groups for line in group.lines.values() for cell in line.costs.values()
    ]
    notes = []
    if any(cell.estimated for cell in cells):
        notes.append("~ the sum includes estimated costs")
    if None in currencies or any(cell.unknown for cell in cells):
        notes.append("unknown: no price, or a provider's total that cannot be split by type")
    return notes


def render_table(
    groups: list[Group], total: Group, by: str, scores: Mapping[str, Score] | None = None
) -> str:
    """The report as aligned text: a block per group, the grand total when there are several;
    with `scores` (by group key), each block ends with its scoreboard figures."""
    blocks = [*groups, total] if len(groups) > 1 else groups
    currencies = _currencies(blocks)
    header = ["Type", "Tokens", *(f"Cost ({c or 'no price'})" for c in currencies)]
    tables = [(_heading(group), _rows(group, currencies)) for group in blocks]
    widths = [
        max(len(row[i]) for _, rows in tables for row in [header, *rows])
        for i in range(len(header))
    ]
    lines = [f"Usage by {by}{' (UTC days)' if by == 'day' else ''}"]
    for group, (heading, rows) in zip(blocks, tables, strict=True):
        lines += ["", heading, *(_align(row, widths) for row in [header, *rows])]
        if scores is not None:
            lines += _figure_lines(scores[group.key])
    return "\n".join([*lines, "", *_legend(blocks, currencies)]).rstrip()


def _figure_lines(board: Score) -> list[str]:
    """A group's scoreboard under its table, one figure a line."""
    rows = figures(board)
    width = max(len(name) for name, _ in rows)
    return [f"  {name.ljust(width)}  {value}" for name, value in rows]


def _group_json(group: Group) -> dict[str, Any]:
    """A group as plain JSON values; amounts are exact decimal strings."""
    return {
        "key": group.key,
        "calls": group.calls,
        "cache_hit_ratio": group.cache_hit_ratio,
        "reasoning_tokens": group.reasoning,
        "rows": [
            {
                "type": name,
                "tokens": line.tokens,
                "costs": [
                    {
                        "currency": currency,
                        "amount": str(cell.amount) if cell.priced else None,
                        "estimated": cell.estimated,
                        "unknown": cell.unknown,
                    }
                    for currency, cell in line.costs.items()
                ],
            }
            for name, line in group.lines.items()
        ],
    }


def render_json(
    groups: list[Group],
    total: Group,
    by: str,
    bounds: dict[str, Any],
    scores: Mapping[str, Score] | None = None,
) -> str:
    """The report as JSON: the groups, the grand total and the options that made it; with
    `scores`, each group's scoreboard figures under "score"."""

    def one(group: Group) -> dict[str, Any]:
        scored = {} if scores is None else {"score": score_json(scores[group.key])}
        return _group_json(group) | scored

    report = {"by": by, **bounds, "groups": [one(group) for group in groups], "total": one(total)}
    return json.dumps(report, indent=2, ensure_ascii=False)


T = TypeVar("T")


def read_ledger(env: Mapping[str, str], query: Callable[[Ledger], list[T]]) -> list[T]:
    """What `query` reads from the ledger; nothing if there is no ledger yet (not created)."""
    path = ledger_path(env)
    if not path.exists():
        return []
    with Ledger(path) as ledger:
        return query(ledger)


def _read_calls(
    env: Mapping[str, str], since: datetime | None, until: datetime | None
) -> list[Call]:
    return read_ledger(env, lambda ledger: ledger.calls(since, until))


def usage_main(argv: list[str], env: Mapping[str, str]) -> int:
    """Run `fixer usage`; a broken ledger raises LedgerError (exit 1) naming the file."""
    parser = build_usage_parser(datetime.now(UTC).date())
    args = parser.parse_args(argv)
    since, until = period(parser, args)
    calls = [
        c for c in _read_calls(env, since, until) if args.agent is None or c.agent == args.agent
    ]
    bounds = period_json(env, since, until) | {"agent": args.agent}
    if args.compare:
        return _compare(args, env, calls, bounds)
    groups, total = summarize(calls, args.by), grand_total(calls)
    scores = _scores(calls, args.by) if args.by in SCORED else None
    if args.json:
        print(render_json(groups, total, args.by, bounds, scores))
    elif not calls:
        where = printable(str(ledger_path(env)))
        if (since is None and until is None) or not _read_calls(env, None, None):
            print(f"Nothing recorded yet in {where}: every model call is recorded there.")
        else:
            print(f"No calls recorded in that time in {where}.")
    else:
        print(render_table(groups, total, args.by, scores))
    return 0


def _scores(calls: list[Call], by: str) -> dict[str, Score]:
    """The scoreboard of each group of `by`, and of all the calls ("all")."""
    key_of = GROUPINGS[by]
    keys = {key_of(call) for call in calls}
    return {ALL: score(calls)} | {key: score(c for c in calls if key_of(c) == key) for key in keys}


def _compare(
    args: argparse.Namespace, env: Mapping[str, str], calls: list[Call], bounds: dict[str, Any]
) -> int:
    """`fixer usage --compare`: the named models side by side over the same calls."""

    def router() -> Mapping[str, Any]:
        from fixer.config import load_config

        return load_config(args.config, env).router

    columns = compare(calls, compare_names(args.compare, router))
    if args.json:
        print(compare_json(columns, bounds))
        return 0
    agent = f", agent {printable(args.agent)}" if args.agent else ""
    span = "all recorded calls"
    if args.since or args.until:  # the days as given, --until inclusive
        span = f"UTC days {args.since or 'the first'} to {args.until or 'today'}"
    print(render_compare(columns, f"Models compared over {span}{agent}"))
    return 0
