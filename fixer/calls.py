"""Every model call of a run goes through one Caller: estimate, budget, send, price, ledger.

So no call is ever sent over budget, unpriced or unrecorded, whichever part of fixer makes it
(a fix, its retry, an escalation, --compare, `r`, a commit message).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from fixer.cost import Cost, Money, cost_of, estimate_cost, format_money, load_prices
from fixer.errors import BudgetExceeded, FixerError, LargePrompt
from fixer.ledger import Call, Ledger
from fixer.llm import ChatError, Clients, Endpoint, Limiter, Progress, Reply, chat
from fixer.router import Route
from fixer.testoutcome import TestOutcome
from fixer.tokens import estimate_tokens

if TYPE_CHECKING:
    from fixer.config import Config

# Before a call its reply length is unknown: a diff is usually far shorter than the files, so
# half the prompt (at most this many tokens) is a cautious guess for the estimate and budget.
OUTPUT_GUESS_LIMIT = 8000

T = TypeVar("T")


@dataclass(frozen=True)
class Attempt:
    """One model call of a run: which route, what came back, what fixer made of it, its cost."""

    route: Route
    reply: Reply | None  # None when the call failed before a whole reply
    outcome: str  # "3 hunks", "no usable diff: ...", "failed: ...", as the review and ledger show
    prompt_estimate: int  # fixer's estimate of the prompt tokens, before the call
    cost: Cost  # an estimate, or unknown money, when the provider said nothing
    ledger_id: int | None = None
    proposed: int = 0  # hunks it proposed
    files: tuple[str, ...] = ()  # the files it was asked about
    tests: TestOutcome | None = None  # the test command on its hunks, when one ran


class Caller:
    """Sends a run's calls and keeps what they cost; a Budget is checked before each one.

    It owns the run's HTTP connections, reused by all its calls: `run` runs the run's work on
    one event loop (the CLI's proposal, then its commit message; the review screen), `close`
    ends the connections and the loop, on every exit of the run.
    """

    def __init__(
        self,
        config: Config,
        env: Mapping[str, str],
        *,
        ledger: Ledger | None = None,
        ledger_problem: str | None = None,
        force: bool = False,
        agent: str = "fix",
        on_estimate: Callable[[Route, Cost], None] | None = None,
        on_run: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        self.env = env
        self.ledger = ledger
        self.force = force
        self.large_prompts_ok = force  # the user said yes to a prompt over the size limit
        self.agent = agent
        self.on_estimate = on_estimate
        self.on_run = on_run  # what a run of several requests sends, then how far it has come
        self.prices = load_prices(config.pricing)
        # At most fixer.concurrency calls in flight at once; a 429 pauses them all.
        self.limiter = Limiter(config.concurrency)
        self.attempts: list[Attempt] = []
        # Estimates of the calls in flight, per currency: calls sent at once (--compare, posts,
        # sections) are checked against the budget together, not each against the past only.
        self.reserved: dict[str, Decimal] = {}
        self.ledger_problem = ledger_problem  # why calls are not in the ledger (it broke)
        self.unchecked: dict[str, str] = {}  # route -> why the Budget could not count its calls
        self.clients = Clients()
        self._runner: asyncio.Runner | None = None

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """`work`'s result, run on the run's event loop (opened at the first call)."""
        if self._runner is None:
            self._runner = asyncio.Runner()
        return self._runner.run(work)

    def close(self) -> None:
        """Close the run's connections and its event loop; a later `run` opens new ones."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            with runner:
                runner.run(self.clients.aclose())

    def estimate(self, route: Route, messages: Iterable[Mapping[str, str]]) -> tuple[int, Cost]:
        """Fixer's raw prompt estimate, and the call's cost from the estimate corrected by the
        ledger's history for this model, all input taken as a cache miss: an upper estimate."""
        raw = sum(estimate_tokens(m["content"]) for m in messages)
        tokens = self.corrected(route, raw)
        output = min(tokens // 2, OUTPUT_GUESS_LIMIT)
        price = self.prices.find(route.provider, route.model, datetime.now(UTC))
        return raw, estimate_cost(tokens, output, price, at=datetime.now(UTC))

    def corrected(self, route: Route, tokens: int) -> int:
        """An estimate scaled by what the provider reported for this model's earlier prompts."""
        if self.ledger is None or route.is_local:
            return tokens
        try:
            ratio = self.ledger.estimate_ratio(route.provider, route.model)
        except FixerError:
            return tokens
        return math.ceil(tokens * ratio) if ratio else tokens

    async def send(
        self,
        route: Route,
        messages: list[dict[str, str]],
        on_progress: Callable[[Progress], None] | None = None,
        *,
        agent: str | None = None,
    ) -> tuple[Reply, int]:
        """The reply of `route` and the prompt estimate; BudgetExceeded before sending when the
        call would go over budget. A failed or cancelled call is recorded, then re-raised."""
        tokens, estimate = self.estimate(route, messages)
        self.check_size(route, self.corrected(route, tokens), estimate)
        self.check_budget(route, estimate)
        if self.on_estimate is not None:
            self.on_estimate(route, estimate)
        endpoint = endpoint_for(route, self.config, self.env)
        held = estimate.money
        if held is not None:
            self.reserved[held.currency] = (
                self.reserved.get(held.currency, Decimal(0)) + held.amount
            )
        try:
            reply = await chat(
                endpoint,
                messages,
                on_progress=on_progress,
                limiter=self.limiter,
                clients=self.clients,
            )
            return reply, tokens
        except ChatError as error:
            # With no reply at all (refused, unreachable) the provider consumed nothing.
            partial = error.partial
            outcome = f"failed: {str(error).splitlines()[0]}"
            self.record(route, partial, outcome, tokens, agent=agent, free=partial is None)
            raise
        except asyncio.CancelledError:
            self.record(route, None, "cancelled", tokens, agent=agent)
            raise
        finally:
            if held is not None:
                self.reserved[held.currency] -= held.amount

    def record(
        self,
        route: Route,
        reply: Reply | None,
        outcome: str,
        prompt_estimate: int,
        *,
        proposed: int = 0,
        refused: int = 0,
        agent: str | None = None,
        free: bool = False,
        files: tuple[str, ...] = (),
        tests: TestOutcome | None = None,
    ) -> Attempt:
        """Price a call and write it to the ledger; a ledger failure never loses the run.

        `prompt_estimate` is fixer's raw estimate: the ledger keeps it so the estimate/reported
        ratio stays true; a reply without usage is priced from the corrected estimate and the
        length of its text.
        """
        at = datetime.now(UTC)
        price = self.prices.find(route.provider, route.model, at)
        if free:
            money = Money(Decimal(0), price.currency) if price is not None else None
            cost = Cost(money, estimated=False, parts={})
        else:
            cost = cost_of(
                reply.usage if reply is not None else None,
                price,
                at=at,
                estimated_prompt_tokens=self.corrected(route, prompt_estimate),
                estimated_output_tokens=(
                    estimate_tokens(reply.text) + estimate_tokens(reply.reasoning)
                    if reply is not None
                    else 0
                ),
            )
        attempt = Attempt(
            route,
            reply,
            outcome,
            prompt_estimate,
            cost,
            proposed=proposed,
            files=files,
            tests=tests,
        )
        if self.ledger is not None:
            try:
                call = _ledger_call(agent or self.agent, attempt, at, proposed, refused)
                row = self.ledger.record(call)
                attempt = replace(attempt, ledger_id=row)
            except FixerError as error:  # the fix goes on; the CLI says it once at the end
                self.ledger_problem = str(error)
                self.ledger = None
        self.attempts.append(attempt)
        return attempt

    def tokens(self) -> int:
        """This run's tokens so far, in and out: the provider's counts, else fixer's estimate."""
        total = 0
        for attempt in self.attempts:
            usage = attempt.reply.usage if attempt.reply else None
            reported = usage and [n for n in (usage.cache_hit, usage.cache_miss, usage.output) if n]
            total += sum(reported) if reported else attempt.prompt_estimate
        return total

    def spent(self, currency: str) -> Decimal:
        """What this run's calls cost so far in `currency` (estimates included)."""
        moneys = [a.cost.money for a in self.attempts]
        return sum(
            (m.amount for m in moneys if m is not None and m.currency == currency), Decimal(0)
        )

    def check_size(self, route: Route, tokens: int, estimate: Cost) -> None:
        """LargePrompt when the prompt is over fixer.confirm_above_tokens and nobody said yes:
        a big prompt with an unknown price must never go out without a word."""
        limit = self.config.ui.confirm_above_tokens
        if self.large_prompts_ok or route.is_local or tokens <= limit:
            return
        cost = format_money(estimate.money) if estimate.money else "an unknown amount (no price)"
        raise LargePrompt(
            f"the prompt to {route} is about {tokens:,} tokens, over fixer.confirm_above_tokens "
            f"({limit:,}); it would cost about {cost}. Nothing was sent: --force sends it, or "
            "name fewer files.",
            tokens,
        )

    def check_run(self, files: int, requests: int, tokens: int, costs: Sequence[Cost]) -> None:
        """Say what a run of several requests sends, and what it costs at most; LargePrompt
        when that is over fixer.confirm_above (in the Budget's currency) and nobody said yes."""
        limit, currency = self.config.ui.confirm_above, self.config.budget.currency
        total = sum(
            (c.money.amount for c in costs if c.money and c.money.currency == currency),
            Decimal(0),
        )
        unknown = sum(c.money is None for c in costs)
        cost = format_money(Money(total, currency))
        if unknown:
            cost += f" and {unknown} request{'s' * (unknown != 1)} at an unknown price"
        plan = (
            f"{files:,} files in {requests:,} requests, about {tokens:,} tokens in: {cost} at most"
        )
        if total > limit and not self.large_prompts_ok:
            raise LargePrompt(
                f"this run sends {plan}, over fixer.confirm_above "
                f"({format_money(Money(limit, currency))}). Nothing was sent: --force sends it, "
                "or name fewer files.",
                tokens,
            )
        if self.on_run is not None:
            self.on_run(f"asking {plan}")

    def check_budget(self, route: Route, estimate: Cost) -> None:
        """BudgetExceeded when this call would take the run or the day over the Budget."""
        budget = self.config.budget
        money = estimate.money
        if self.force or (budget.per_run is None and budget.per_day is None):
            return
        if money is None or money.currency != budget.currency:
            # No price, or no exchange rate to compare with: sent, and said at the end.
            why = "no price is known" if money is None else f"it is priced in {money.currency}"
            self.unchecked[str(route)] = f"{why}, the Budget is in {budget.currency}"
            return
        in_flight = self.reserved.get(budget.currency, Decimal(0))
        limits = [("this run", budget.per_run, self.spent(budget.currency) + in_flight)]
        if budget.per_day is not None:
            today = self._spent_today(budget.currency) + in_flight
            limits.append(("today (UTC)", budget.per_day, today))
        for period, limit, spent in limits:
            if limit is not None and spent + money.amount > limit:
                raise BudgetExceeded(
                    f"not sent: this call to {route} would cost about "
                    f"{format_money(money)}; {period} has spent "
                    f"{format_money(Money(spent, budget.currency))} of the Budget's "
                    f"{format_money(Money(limit, budget.currency))}. Raise Budget in the config, "
                    "pick a cheaper model (-m), or send it anyway with --force."
                )

    def _spent_today(self, currency: str) -> Decimal:
        """Today's spend: the ledger holds every call of the day, this run's included."""
        try:
            if self.ledger is None:
                if self.ledger_problem is not None:
                    raise FixerError(self.ledger_problem)
                return self.spent(currency)  # no ledger kept (a library caller): this run's
            midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
            calls = self.ledger.calls(since=midnight)
        except FixerError as error:  # the day's spend is unknown: the daily limit cannot hold
            raise BudgetExceeded(
                "not sent: the Budget has a daily limit, and today's spend cannot be read from "
                f"the ledger ({str(error).splitlines()[0]}) Repair or move the ledger, or send "
                "it anyway with --force."
            ) from None
        return sum(
            (c.cost for c in calls if c.cost is not None and c.currency == currency), Decimal(0)
        )


def endpoint_for(route: Route, config: Config, env: Mapping[str, str]) -> Endpoint:
    """The HTTP endpoint of a route, with its key resolved (or a ConfigError naming it)."""
    provider = config.provider(route.provider)
    return Endpoint(
        provider=provider.name,
        url=provider.api_base_url,
        api_key=provider.resolve_key(env),
        model=route.model,
        proxy=config.proxy_url,
        timeout_s=config.timeout_s,
        deadline_s=config.timeout_s,
        retry=config.retry,
        log_dir=config.log_dir if config.log else None,
        max_output_tokens=provider.max_output_tokens(route.model, config.ui.max_output_tokens),
    )


def _ledger_call(agent: str, attempt: Attempt, at: datetime, proposed: int, refused: int) -> Call:
    reply, cost = attempt.reply, attempt.cost
    usage = reply.usage if reply is not None else None
    money = cost.money
    return Call(
        at=at,
        agent=agent,
        scenario=attempt.route.scenario,
        provider=attempt.route.provider,
        model=attempt.route.model,
        cache_hit=usage.cache_hit if usage else None,
        cache_miss=usage.cache_miss if usage else None,
        output=usage.output if usage else None,
        reasoning=usage.reasoning if usage else None,
        cost=money.amount if money else None,
        currency=money.currency if money else None,
        estimated=cost.estimated,
        latency_s=reply.elapsed_s if reply is not None else 0.0,
        outcome=attempt.outcome,
        hunks_proposed=proposed,
        hunks_refused=refused,
        estimated_prompt_tokens=attempt.prompt_estimate,
        cost_cache_hit=cost.parts.get("cache_hit"),
        cost_cache_miss=cost.parts.get("cache_miss"),
        cost_output=cost.parts.get("output"),
        tests=attempt.tests.verdict if attempt.tests else None,
        tests_s=attempt.tests.seconds if attempt.tests else None,
    )
