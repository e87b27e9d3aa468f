"""`fixer agents`: every agent, where it is defined, its route as the config resolves it, the
files it takes, its guard, and how its proposals fared in the ledger (the last 30 days)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from fixer.agents.agent import Agent
from fixer.config import Config
from fixer.cost import Money, format_money
from fixer.errors import ConfigError
from fixer.ledger import Call
from fixer.printable import printable
from fixer.router import Route, choose_route

DAYS = 30


@dataclass
class Record:
    """One agent's calls in the ledger, summed."""

    calls: int = 0
    accepted: int = 0
    rejected: int = 0
    costs: dict[str, Decimal] = field(default_factory=dict)  # currency -> amount
    unpriced: int = 0  # calls whose cost is unknown

    @property
    def accept_rate(self) -> float | None:
        decided = self.accepted + self.rejected
        return self.accepted / decided if decided else None

    def per_accepted_hunk(self) -> list[Money]:
        """What one accepted hunk cost, in each currency the calls were billed in."""
        if not self.accepted:
            return []
        return [Money(amount / self.accepted, c) for c, amount in sorted(self.costs.items())]


def records(calls: Iterable[Call]) -> dict[str, Record]:
    """The ledger's calls summed by agent."""
    found: dict[str, Record] = {}
    for call in calls:
        record = found.setdefault(call.agent, Record())
        record.calls += 1
        record.accepted += call.hunks_accepted or 0
        record.rejected += call.hunks_rejected or 0
        if call.cost is None or call.currency is None:
            record.unpriced += 1
        else:
            record.costs[call.currency] = record.costs.get(call.currency, Decimal(0)) + call.cost
    return found


def render_agents(agents: Sequence[Agent], config: Config, calls: Iterable[Call]) -> str:
    """The agents, one block each, then the problems that keep a user's agent out."""
    found = records(calls)
    blocks = [_block(agent, config, found.get(agent.name)) for agent in agents]
    problems = [f"  {printable(p)}" for p in config.agents.problems]
    tail = ["", "left out (fixer config --check says the same):", *problems] if problems else []
    return "\n\n".join(blocks) + "\n" + "\n".join(tail) + ("\n" if tail else "")


def _block(agent: Agent, config: Config, record: Record | None) -> str:
    rows = [
        ("defined in", printable(agent.origin)),
        ("route", _route(agent, config)),
        ("files", ", ".join(printable(f) for f in agent.files) if agent.files else "any"),
        ("guard", agent.guard.name),
        *([("test", printable(agent.test))] if agent.test else []),
        (f"last {DAYS} days", _figures(record)),
    ]
    width = max(len(label) for label, _ in rows)
    head = f"{agent.name}  {printable(agent.summary)}"
    return "\n".join([head, *(f"  {label:<{width}}  {value}" for label, value in rows)])


def agents_json(agents: Sequence[Agent], config: Config, calls: Iterable[Call]) -> str:
    """The listing as JSON for scripts: every figure, amounts as strings (exact decimals)."""
    found = records(calls)
    listed = []
    for agent in agents:
        route = _start(agent, config)
        record = found.get(agent.name, Record())
        listed.append(
            {
                "name": agent.name,
                "summary": agent.summary,
                "defined_in": agent.origin,
                "route": str(route) if isinstance(route, Route) else None,
                "route_reason": route.reason if isinstance(route, Route) else route,
                "files": list(agent.files),
                "guard": agent.guard.name,
                "test": agent.test,
                "days": DAYS,
                "calls": record.calls,
                "hunks_accepted": record.accepted,
                "hunks_rejected": record.rejected,
                "accept_rate": record.accept_rate,
                "cost_per_accepted_hunk": {
                    money.currency: str(money.amount) for money in record.per_accepted_hunk()
                },
                "calls_of_unknown_cost": record.unpriced,
            }
        )
    report = {"agents": listed, "left_out": list(config.agents.problems)}
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def _start(agent: Agent, config: Config) -> Route | str:
    """The route a run of the agent starts from, or why there is none."""
    try:
        route = choose_route(config, scenario=agent.scenario, own=agent.own_route())
    except ConfigError as error:
        return str(error)
    return (route.is_local and agent.offline_refusal()) or route


def _route(agent: Agent, config: Config) -> str:
    """The route a run of the agent starts from, and why."""
    route = _start(agent, config)
    if isinstance(route, str):
        return f"none: {printable(route)}"
    return f"{route} ({route.reason})"


def _figures(record: Record | None) -> str:
    if record is None or not record.calls:
        return "no calls"
    parts = [f"{record.calls} call{'s' * (record.calls != 1)}"]
    parts.append(f"{record.accepted} hunks accepted, {record.rejected} rejected")
    rate = record.accept_rate
    if rate is not None:
        parts.append(f"accept rate {rate:.0%}")
    costs = record.per_accepted_hunk()
    if costs:
        each = " + ".join(format_money(money) for money in costs)
        unknown = f" (+ {record.unpriced} calls of unknown cost)" if record.unpriced else ""
        parts.append(f"{each} per accepted hunk{unknown}")
    elif record.accepted and record.unpriced:
        parts.append("cost per accepted hunk unknown")
    return ", ".join(parts)
