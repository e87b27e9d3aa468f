"""What a run did, in words: the summary printed after writing, and the tokens and cost line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from fixer.cost import Money, format_money
from fixer.printable import printable_lines

if TYPE_CHECKING:
    from fixer.calls import Attempt
    from fixer.router import Route
    from fixer.session import Outcome, Proposal


def counted(count: int, noun: str) -> str:
    """`1 hunk`, `3 hunks`: English plurals of fixer's nouns (all take an s)."""
    return f"{count} {noun}{'s' * (count != 1)}"


def summary(proposal: Proposal, outcome: Outcome, attempts: Sequence[Attempt] | None = None) -> str:
    """The short report printed after writing: hunks, files, commit, tokens, cost."""
    accepted = proposal.review.accepted()
    hunks = sum(len(h) for h in accepted.values())
    lines = [
        f"accepted {counted(hunks, 'hunk')} in {counted(len(accepted), 'file')}; "
        f"written: {', '.join(outcome.written) or 'none'}"
    ]
    if outcome.commit:
        lines.append(f"committed {outcome.commit[:12]} {outcome.message}")
        lines.append("to take that commit back: fixer undo")
    lines += [
        f"not committed (it had uncommitted changes before fixer ran): {n}"
        for n in outcome.uncommitted
    ]
    lines += list(outcome.refused)
    lines += list(outcome.notes)
    lines.append(usage_line(proposal.route, proposal.attempts if attempts is None else attempts))
    return printable_lines("\n".join(lines))


def usage_line(route: Route | None, attempts: Sequence[Attempt]) -> str:
    """Route, tokens and cost of the run's model calls, unknown parts said to be unknown."""
    if route is None:
        return "model: none (--from-diff); tokens: 0; cost: 0"
    if route.is_local:
        return "model: local (offline fixers); tokens: 0; cost: 0"
    by_route: dict[str, list[Attempt]] = {}
    for attempt in attempts:
        by_route.setdefault(str(attempt.route), []).append(attempt)
    if len(by_route) <= 1:
        calls = f"{len(attempts)} calls, " if len(attempts) > 1 else ""
        return f"model: {route}; {calls}{spend(attempts)}"
    # Several models (escalation, --compare, r): what each cost and how long it took.
    return "\n".join(
        f"model: {name}; {len(calls)} call{'s' * (len(calls) != 1)}, {spend(calls)}"
        for name, calls in by_route.items()
    )


def spend(attempts: Sequence[Attempt]) -> str:
    """Tokens in (cached) and out, cost per currency and time of some model calls.

    A call the provider reported no tokens for counts as not reported; a cost with no price
    known is unknown, never zero; an estimate (a cut stream) is marked with "~".
    """
    usages = [a.reply.usage if a.reply is not None else None for a in attempts]
    if all(u is None for u in usages):
        tokens = "tokens: not reported"
    else:
        known = [u for u in usages if u is not None]
        cached = sum(u.cache_hit or 0 for u in known)
        missing = " (some not reported)" if None in usages else ""
        tokens = (
            f"tokens: {sum(u.prompt_tokens or 0 for u in known):,} in"
            f"{f' ({cached:,} cached)' if cached else ''}, "
            f"{sum(u.output or 0 for u in known):,} out{missing}"
        )
    elapsed = sum(a.reply.elapsed_s for a in attempts if a.reply is not None)
    return f"{tokens}; cost: {total_cost(attempts)}; {elapsed:.1f}s"


def total_cost(attempts: Sequence[Attempt]) -> str:
    """The calls' cost, one sum per currency; unknown when any call has no known price."""
    moneys = [a.cost.money for a in attempts if a.cost.money is not None]
    if len(moneys) < len(attempts):
        return "unknown (no price known)"
    by_currency: dict[str, Money] = {}
    for money in moneys:
        earlier = by_currency.get(money.currency)
        by_currency[money.currency] = money if earlier is None else earlier + money
    estimated = any(a.cost.estimated for a in attempts)
    return " + ".join(format_money(m, estimated=estimated) for m in by_currency.values()) or "0"
