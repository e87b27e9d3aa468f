"""Routes: which provider and model a prompt goes to, from the config's `Router` object.

A route string is claude-code-router's `provider,model` (split on the first comma, so the model
may contain '/' and ':'), or `local` for the offline fixers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from fixer.errors import ConfigError

if TYPE_CHECKING:
    from fixer.config import Config

LOCAL = "local"
DEFAULT_LONG_CONTEXT_THRESHOLD = 60000


class Scenario(StrEnum):
    """Why a call went to its route: a Router key, or how fixer chose it. The ledger keeps it
    with each call."""

    DEFAULT = "default"
    BACKGROUND = "background"
    THINK = "think"
    LONG_CONTEXT = "longContext"
    WEB_SEARCH = "webSearch"
    OVERRIDE = "override"  # -m
    ESCALATION = "escalation"  # a rung of the config's Escalation list
    COMPARE = "compare"  # a provider,model of --compare
    AGENT = "agent"  # the agent's own route
    LOCAL = "local"  # no route configured: the offline fixers


# The scenarios that are keys of the config's Router object.
ROUTE_SCENARIOS = (
    Scenario.DEFAULT,
    Scenario.BACKGROUND,
    Scenario.THINK,
    Scenario.LONG_CONTEXT,
    Scenario.WEB_SEARCH,
)


@dataclass(frozen=True)
class Route:
    """Where one prompt goes, and a one-line reason the user can read."""

    provider: str  # "local" for the offline fixers
    model: str  # "" for local
    scenario: Scenario
    reason: str  # e.g. "Router.default", "-m override"

    @property
    def is_local(self) -> bool:
        """True when the offline fixers answer instead of a provider."""
        return self.provider == LOCAL

    def __str__(self) -> str:
        return LOCAL if self.is_local else f"{self.provider},{self.model}"


def parse_route(
    text: str, scenario: Scenario = Scenario.OVERRIDE, reason: str | None = None
) -> Route:
    """A `provider,model` or `local` string as a Route; ConfigError when it is neither."""
    if reason is None:
        reason = "-m override" if scenario is Scenario.OVERRIDE else f"Router.{scenario}"
    if text.strip() == LOCAL:
        return Route(LOCAL, "", scenario, reason)
    provider, comma, model = (part.strip() for part in text.partition(","))
    if not (comma and provider and model) or provider == LOCAL:
        raise ConfigError(
            f'{reason}: route {text!r} is not "provider,model" '
            '(e.g. "openrouter,openai/gpt-5-mini") or "local".'
        )
    return Route(provider, model, scenario, reason)


def long_context_threshold(router: Mapping[str, Any]) -> int:
    """Router.longContextThreshold as a whole number of tokens (default 60000)."""
    value = router.get("longContextThreshold", DEFAULT_LONG_CONTEXT_THRESHOLD)
    # A string is accepted because `${VAR}` interpolation always yields one.
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(
            f"Router.longContextThreshold must be a whole number of tokens, not {value!r}."
        )
    return value


def choose_route(
    config: Config,
    *,
    scenario: Scenario = Scenario.DEFAULT,
    override: str | None = None,
    prompt_tokens: int = 0,
    own: Route | None = None,
) -> Route:
    """The route for one prompt: override, then longContext, then the agent's `own` route, then
    Router[scenario], then default."""
    if override is not None:
        return parse_route(override)
    router = config.router
    if router.get("longContext") and prompt_tokens > (threshold := long_context_threshold(router)):
        route = _configured(router, Scenario.LONG_CONTEXT)
        why = f"estimated {prompt_tokens:,} tokens > longContextThreshold {threshold}"
        return replace(route, reason=why)
    if own is not None:
        return own
    if router.get(scenario):
        return _configured(router, scenario)
    if router.get("default"):
        return replace(
            _configured(router, Scenario.DEFAULT), reason=f"Router.default (no Router.{scenario})"
        )
    where = "no config file" if config.path is None else f"no Router.default in {config.path}"
    return Route(LOCAL, "", Scenario.LOCAL, f"{where}: offline fixers")


def escalation_ladder(config: Config, first: Route) -> list[Route]:
    """The routes a run may try, cheapest first: its own route, then the stronger rungs.

    The rungs are the config's `Escalation` list, or Router.default then Router.think. A forced
    model (-m) and the offline fixers never escalate; nor does a longContext route, since the
    other rungs may not take a prompt that long.
    """
    if first.scenario in (Scenario.OVERRIDE, Scenario.LONG_CONTEXT) or first.is_local:
        return [first]
    rungs = _escalation_rungs(config)
    names = [str(rung) for rung in rungs]
    later = rungs[names.index(str(first)) + 1 :] if str(first) in names else rungs
    ladder = [first]
    for rung in later:
        if not rung.is_local and str(rung) not in map(str, ladder):
            ladder.append(rung)
    return ladder


def _escalation_rungs(config: Config) -> list[Route]:
    if config.escalation is None:
        router = config.router
        return [_configured(router, s) for s in (Scenario.DEFAULT, Scenario.THINK) if router.get(s)]
    if config.escalation.problem:
        raise ConfigError(config.escalation.problem)
    return list(config.escalation.rungs)


def parse_compare(text: str, config: Config) -> list[Route]:
    """The routes of --compare: `provider,model` pairs and Router scenario names, comma-separated.

    A provider name (or `local`) starts a route and the next item is its model; a scenario name
    (default, think, ...) stands for its Router route.
    """
    items = [item.strip() for item in text.split(",") if item.strip()]
    providers = {p.name for p in config.providers}
    routes: list[Route] = []
    k = 0
    while k < len(items):
        item = items[k]
        if item in ROUTE_SCENARIOS:
            routes.append(choose_route(config, scenario=Scenario(item)))
            k += 1
        elif item in providers and k + 1 < len(items):
            routes.append(parse_route(f"{item},{items[k + 1]}", Scenario.COMPARE, "--compare"))
            k += 2
        elif item in providers:
            raise ConfigError(f"--compare: provider {item!r} needs a model after it")
        else:
            known = ", ".join(sorted(providers)) or "none"
            raise ConfigError(
                f"--compare: {item!r} is neither a provider (known: {known}) nor a Router "
                "scenario; write provider,model,provider,model or default,think"
            )
    if len({str(r) for r in routes}) < 2:
        named = ", ".join(f"{r} ({r.reason})" for r in routes)
        raise ConfigError(f"--compare needs at least two different models, not {named}")
    return routes


def background_route(config: Config) -> Route | None:
    """The commit-message route (Router.background), or None when the config sets none."""
    if not config.router.get("background"):
        return None
    return _configured(config.router, Scenario.BACKGROUND)


def _configured(router: Mapping[str, Any], scenario: Scenario) -> Route:
    """Router[scenario] parsed, with a ConfigError when it is not a string."""
    text = router[scenario]
    if not isinstance(text, str):
        raise ConfigError(f'Router.{scenario} must be a "provider,model" string, not {text!r}.')
    return parse_route(text, scenario)
