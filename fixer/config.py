"""Config files in the claude-code-router `config.json` format: finding, parsing, checking, showing.

The file is JSON5 (comments, trailing commas). Every string value may use `$VAR` or `${VAR}`;
an unset variable becomes "" and is recorded so `fixer config --check` can name it. The file is
parsed once, leniently, into typed values plus a sentence per problem (unknown keys are kept and
ignored, malformed parts are skipped), so what a run uses and what `--check` reports cannot
disagree; only a file that cannot be found, read or parsed stops `load_config`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import json5

from fixer.cost import Price, currency_code, parse_pricing
from fixer.errors import ConfigError
from fixer.keys import REVIEW_KEYS
from fixer.known_words import read_words, words_file
from fixer.language import DIALECTS
from fixer.llm import RetryPolicy
from fixer.printable import printable
from fixer.redact import mask_url
from fixer.router import (
    ROUTE_SCENARIOS,
    Route,
    Scenario,
    choose_route,
    escalation_ladder,
    long_context_threshold,
    parse_route,
)
from fixer.testoutcome import DEFAULT_TIMEOUT_S as DEFAULT_TEST_TIMEOUT_S
from fixer.xdg import base_dir, home

if TYPE_CHECKING:
    from fixer.agents.user import UserAgents

DEFAULT_TIMEOUT_S = 600.0
BUILT_IN_ORIGIN = "built-in default (no config file)"
CCR_ORIGIN = "~/.claude-code-router/config.json"
CCR3_ORIGIN = "~/.claude-code-router/config.sqlite (claude-code-router 3.x, read-only)"
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_MASK_MIN_LENGTH = 16  # below this, showing 7 characters would reveal too much of the key
_TRUE_STRINGS = frozenset({"true", "1", "yes", "on"})


@dataclass(frozen=True)
class Provider:
    """One entry of `Providers`: an OpenAI-compatible endpoint, its key and the models it serves."""

    name: str
    api_base_url: str  # the full chat-completions endpoint URL
    api_key: str  # after interpolation; "" means the `<NAME>_API_KEY` environment fallback applies
    models: tuple[str, ...]
    config_path: Path | None = None  # the file it came from, named in errors
    # claude-code-router's "maxtoken" transformer: model -> max_tokens, "" for every model.
    output_limits: Mapping[str, int] = field(default_factory=dict)

    def max_output_tokens(self, model: str, default: int) -> int:
        """The most tokens a reply of `model` may have: the provider's maxtoken transformer
        for that model, else for the provider, else fixer's own `default`."""
        return self.output_limits.get(model) or self.output_limits.get("") or default

    @property
    def key_variable(self) -> str:
        """The environment variable that supplies the key when `api_key` is empty."""
        return re.sub(r"[^A-Z0-9]", "_", self.name.upper()) + "_API_KEY"

    def resolve_key(self, env: Mapping[str, str]) -> str:
        """The key to send: `api_key` from the file, else `$<NAME>_API_KEY`, else a ConfigError."""
        key = self.api_key or env.get(self.key_variable, "")
        if key:
            return key
        where = self.config_path or "the config file"
        raise ConfigError(
            f"provider {self.name!r} has no API key: set ${self.key_variable} "
            f"or fill in its api_key in {where}."
        )


DEFAULT_CONFIRM_ABOVE_TOKENS = 100_000
# Room for a long diff and a reasoning model's thoughts; a runaway stream stops here.
DEFAULT_MAX_OUTPUT_TOKENS = 32_768
DEFAULT_CONFIRM_ABOVE = Decimal("1.00")  # a whole run's estimate, in the Budget's currency
DEFAULT_CONCURRENCY = 4  # requests of one run at once: a folder is asked in several
MOST_CONCURRENCY = 64


@dataclass(frozen=True)
class UiSettings:
    """The review screen's settings, from the config's own "fixer" object (ignored by ccr)."""

    theme: str | None = None
    keymap: Mapping[str, str] = field(default_factory=dict)  # binding id -> keys, e.g. "Y,enter"
    # A prompt estimated above this many tokens is sent only after a yes (or with --force).
    confirm_above_tokens: int = DEFAULT_CONFIRM_ABOVE_TOKENS
    # The most tokens one reply may have, sent and enforced (a provider's maxtoken wins).
    max_output_tokens: int = DEFAULT_MAX_OUTPUT_TOKENS
    # A run of several requests estimated above this, in the Budget's currency, asks first.
    confirm_above: Decimal = DEFAULT_CONFIRM_ABOVE


@dataclass(frozen=True)
class TestSettings:
    """The test command tried on every proposal unless the agent or --test names another
    ("fixer.test"), and how long a run of it may take ("fixer.test_timeout_s")."""

    command: str | None = None
    timeout_s: float = DEFAULT_TEST_TIMEOUT_S

    __test__ = False  # not a pytest test class, whatever its name


@dataclass(frozen=True)
class ProseSettings:
    """How the offline English checker reads posts: the dialect a post's front matter does not
    name ("fixer.dialect"), and the user's known words ($XDG_CONFIG_HOME/fixer/words.txt)."""

    dialect: str | None = None  # None: not told, every dialect's spelling is right
    words: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Budget:
    """The config's `Budget`: the most one run and one day may cost, in one currency."""

    per_run: Decimal | None = None
    per_day: Decimal | None = None
    currency: str = "USD"


@dataclass(frozen=True)
class Escalation:
    """The config's `Escalation`: the rungs a failing reply climbs, cheapest first. `problem`
    says why the list cannot be used (it is not one, or a rung is not a route): a run that
    would climb it stops with that sentence rather than climb another ladder."""

    rungs: tuple[Route, ...]
    problem: str | None = None


@dataclass(frozen=True)
class Config:
    """A loaded config: where it came from, its settings as typed values, the problems found
    while parsing them, and the raw object."""

    path: Path | None  # None = the embedded default
    origin: str  # how it was found, e.g. "$FIXER_CONFIG"
    providers: tuple[Provider, ...]
    router: Mapping[str, Any]  # the Router object as given
    proxy_url: str | None
    timeout_s: float
    log: bool
    log_dir: Path
    raw: Mapping[str, Any]  # the whole file after interpolation, unknown keys included
    unset_variables: tuple[str, ...]
    agents: UserAgents  # the user's own: "fixer.agents" and $XDG_CONFIG_HOME/fixer/agents/*.md
    ui: UiSettings = UiSettings()
    budget: Budget = Budget()
    escalation: Escalation | None = None  # None: Router.default, then Router.think
    # "fixer.retry": how often and how long a failed call is tried again
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    tests: TestSettings = TestSettings()
    prose: ProseSettings = ProseSettings()
    concurrency: int = DEFAULT_CONCURRENCY  # "fixer.concurrency": requests of a run at once
    pricing: Mapping[str, Price] = field(default_factory=dict)  # the `Pricing` entries, parsed
    problems: tuple[str, ...] = ()  # one sentence each, for `fixer config --check`
    key_sources: Mapping[str, str] = field(default_factory=dict)  # provider -> api_key as written
    notes: tuple[str, ...] = ()  # what `fixer config` should say about where settings came from

    def provider(self, name: str) -> Provider:
        """The provider called `name`; a ConfigError listing the known names when there is none."""
        for provider in self.providers:
            if provider.name == name:
                return provider
        known = ", ".join(p.name for p in self.providers) or "none"
        where = self.path or BUILT_IN_ORIGIN
        raise ConfigError(
            f"no provider named {name!r} in {where} (known: {known}); "
            "add it to Providers or pick a known one."
        )


def load_config(explicit: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Find, parse and interpolate the config; the built-in offline default when there is none."""
    env = os.environ if env is None else env
    path, origin = _find_config(explicit, env)
    notes: tuple[str, ...] = ()
    live = None
    database = ccr_database(env)
    if database is not None and origin in (CCR_ORIGIN, BUILT_IN_ORIGIN):
        live, notes = _ccr3_settings(database, path)
    if live is not None:
        path, origin, parsed = database, CCR3_ORIGIN, live
    else:
        parsed = {} if path is None else _parse_file(path)
    unset: list[str] = []
    raw = _interpolate(parsed, env, unset)
    config = _build(raw, path, origin, env, tuple(dict.fromkeys(unset)))
    return replace(config, key_sources=_written_keys(parsed.get("Providers")), notes=notes)


def _ccr3_settings(
    database: Path, fallback: Path | None
) -> tuple[dict[str, Any] | None, tuple[str, ...]]:
    """claude-code-router 3.x's live settings when they can be read, and what to say about them:
    ccr 3 reads config.json only once, to migrate, so the database is the current truth."""
    from fixer.ccr3 import Unreadable, read_settings

    instead = str(fallback) if fallback else "the built-in offline default"
    try:
        settings = read_settings(database)
    except Unreadable as why:
        return None, (
            f"claude-code-router 3.x keeps its live settings in {database}, which fixer could "
            f"not read ({why}); it uses {instead}, which may be older. Point fixer at a current "
            "file with --config PATH or $FIXER_CONFIG.",
        )
    if settings is None:
        return None, (f"{database} holds no settings yet; fixer uses {instead}.",)
    stale = (
        (f"{fallback} is not read: claude-code-router 3.x reads it only once, to migrate.",)
        if fallback
        else ()
    )
    return settings.raw, (*stale, *settings.notes)


def _written_keys(entries: Any) -> dict[str, str]:
    """Each provider's api_key as the file writes it (a literal or a $VAR), before interpolation:
    `fixer config` says where each key really comes from."""
    if not isinstance(entries, list):
        return {}
    return {
        entry["name"]: entry["api_key"]
        for entry in entries
        if isinstance(entry, dict)
        and isinstance(entry.get("name"), str)
        and isinstance(entry.get("api_key"), str)
    }


def config_search(env: Mapping[str, str]) -> list[str]:
    """Where fixer looks for a config, in order, as `fixer config` says it."""
    xdg = base_dir(env, "XDG_CONFIG_HOME", ".config") / "fixer" / "config.json"
    ccr = home(env) / ".claude-code-router"
    return [
        "--config PATH",
        "$FIXER_CONFIG",
        str(xdg),
        str(ccr / "config.sqlite"),
        str(ccr / "config.json"),
    ]


def ccr_database(env: Mapping[str, str]) -> Path | None:
    """claude-code-router 3.x's live configuration, when it exists: it reads config.json only
    once, to migrate, so that file may be stale."""
    path = home(env) / ".claude-code-router" / "config.sqlite"
    return path if path.is_file() else None


MINIMAL_EXAMPLE = """{
  "Providers": [
    {"name": "deepseek", "api_base_url": "https://api.deepseek.com/chat/completions",
     "api_key": "$DEEPSEEK_API_KEY", "models": ["deepseek-chat", "deepseek-reasoner"]}
  ],
  "Router": {"default": "deepseek,deepseek-chat", "think": "deepseek,deepseek-reasoner"}
}"""


def _find_config(explicit: Path | None, env: Mapping[str, str]) -> tuple[Path | None, str]:
    """The first config in the search order with how it was found; (None, built-in) if none."""
    if explicit is not None:
        return _required(explicit, "--config"), "--config"
    if env.get("FIXER_CONFIG"):
        return _required(Path(env["FIXER_CONFIG"]), "$FIXER_CONFIG"), "$FIXER_CONFIG"
    xdg = base_dir(env, "XDG_CONFIG_HOME", ".config") / "fixer" / "config.json"
    ccr = home(env) / ".claude-code-router" / "config.json"
    for path, origin in ((xdg, "$XDG_CONFIG_HOME/fixer/config.json"), (ccr, CCR_ORIGIN)):
        if path.is_file():
            return path, origin
    return None, BUILT_IN_ORIGIN


def _required(path: Path, origin: str) -> Path:
    """A path the user named explicitly: it must exist, or the user must hear about it."""
    if not path.exists():
        raise ConfigError(
            f"config file {path} (from {origin}) does not exist; create it or fix {origin}."
        )
    return path


def _parse_file(path: Path) -> dict[str, Any]:
    """The JSON5 object in `path`, or a ConfigError saying why it cannot be used."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    try:
        parsed = json5.loads(text)
    except ValueError as exc:
        detail = str(exc).replace("<string>:", "line ")
        raise ConfigError(f"config file {path} is not valid JSON5 ({detail}); fix it.") from exc
    if not isinstance(parsed, dict):
        raise ConfigError(f"config file {path} must hold a JSON object {{...}} at the top.")
    return parsed


def _interpolate(value: Any, env: Mapping[str, str], unset: list[str]) -> Any:
    """`value` with `$VAR`/`${VAR}` replaced in all its strings; unset names go to `unset`."""
    if isinstance(value, str):
        return _VARIABLE.sub(lambda match: _variable(match, env, unset), value)
    if isinstance(value, dict):
        return {key: _interpolate(item, env, unset) for key, item in value.items()}
    if isinstance(value, list):
        return [_interpolate(item, env, unset) for item in value]
    return value


def _variable(match: re.Match[str], env: Mapping[str, str], unset: list[str]) -> str:
    """The value of one `$VAR` reference, recording the name when it is not set."""
    name = match.group(1) or match.group(2)
    if name not in env:
        unset.append(name)
    return env.get(name, "")


def _build(
    raw: dict[str, Any],
    path: Path | None,
    origin: str,
    env: Mapping[str, str],
    unset: tuple[str, ...],
) -> Config:
    """The Config for an interpolated object, each section parsed once into typed values (the
    malformed parts skipped) and a sentence per problem: what `fixer config --check` reports."""
    problems = [f"uses ${name} which is not set" for name in unset]
    timeout_s = _timeout(raw, problems)
    proxy = _proxy(raw.get("PROXY_URL"), problems)
    log = _log(raw, problems)
    budget = _budget(raw.get("Budget"), problems)
    pricing, pricing_problems = parse_pricing(raw.get("Pricing"))
    problems += pricing_problems
    ui = _ui_settings(raw.get("fixer"), problems)
    retry = _retry(raw.get("fixer"), problems)
    tests = _tests(raw.get("fixer"), problems)
    prose = _prose(raw.get("fixer"), env, problems)
    concurrency = _concurrency(raw.get("fixer"), problems)
    providers = _providers(raw.get("Providers", []), path, problems)
    router = _router(raw.get("Router", {}), path, providers, problems)
    escalation = _escalation(raw.get("Escalation"), providers, problems)
    agents = _user_agents(raw.get("fixer"), path, env)
    problems += agents.problems
    for agent in agents.agents:
        if agent.route is not None:
            label = f"agent {agent.name!r} ({agent.origin}) route"
            _route(providers, Scenario.AGENT, agent.route, label, problems)
    try:
        long_context_threshold(router)
    except ConfigError as exc:
        problems.append(str(exc))
    return Config(
        path=path,
        origin=origin,
        providers=providers,
        router=router,
        proxy_url=proxy,
        timeout_s=timeout_s,
        log=log,
        log_dir=base_dir(env, "XDG_STATE_HOME", ".local/state") / "fixer",
        raw=MappingProxyType(raw),
        unset_variables=unset,
        agents=agents,
        ui=ui,
        budget=budget,
        escalation=escalation,
        retry=retry,
        tests=tests,
        prose=prose,
        concurrency=concurrency,
        pricing=MappingProxyType(pricing),
        problems=tuple(problems),
    )


def _user_agents(section: Any, path: Path | None, env: Mapping[str, str]) -> UserAgents:
    from fixer.agents.user import load_user_agents  # the agents import the review: not at start-up

    return load_user_agents(section, path, env)


def _timeout(raw: Mapping[str, Any], problems: list[str]) -> float:
    """API_TIMEOUT_MS in seconds; the default when it is absent or not a positive number."""
    milliseconds = _timeout_ms(raw.get("API_TIMEOUT_MS"))
    if "API_TIMEOUT_MS" in raw and not milliseconds:
        problems.append(
            "API_TIMEOUT_MS must be a positive number of milliseconds, "
            f"not {raw['API_TIMEOUT_MS']!r}"
        )
    return milliseconds / 1000 or DEFAULT_TIMEOUT_S


def _proxy(proxy: Any, problems: list[str]) -> str | None:
    """PROXY_URL as written (httpx names what it cannot use), checked for a scheme it takes."""
    if proxy and not (isinstance(proxy, str) and _scheme(proxy) in {"http", "https", "socks5"}):
        problems.append(
            f"PROXY_URL must be an http://, https:// or socks5:// URL, not {mask_url(str(proxy))!r}"
        )
    return proxy if isinstance(proxy, str) and proxy else None


def _log(raw: Mapping[str, Any], problems: list[str]) -> bool:
    if "LOG" in raw and not isinstance(raw["LOG"], bool | str):
        problems.append(f"LOG must be true or false, not {raw['LOG']!r}")
    return _as_bool(raw.get("LOG", False))


def _budget(section: Any, problems: list[str]) -> Budget:
    """The well-formed parts of `Budget`, and a sentence for each of the others."""
    if section is None:
        return Budget()
    example = '{"per_run": 0.5, "per_day": 5, "currency": "USD"}'
    if not isinstance(section, dict):
        problems.append(f"Budget must be an object like {example}, not {section!r}")
        return Budget()
    problems += [
        f"Budget has an unknown key {key!r} (known: per_run, per_day, currency)"
        for key in section
        if key not in ("per_run", "per_day", "currency")
    ]
    amounts = {key: _amount(section.get(key)) for key in ("per_run", "per_day")}
    problems += [
        f"Budget.{key} must be a positive amount, not {section[key]!r}"
        for key, amount in amounts.items()
        if key in section and amount is None
    ]
    written = section.get("currency", "USD")
    currency = currency_code(written)
    if currency is None:
        problems.append(f"Budget.currency must be a code like USD or CNY, not {written!r}")
    # A currency fixer does not know matches no price: every call is then said to be
    # unchecked, never held to a limit in the wrong unit.
    return Budget(amounts["per_run"], amounts["per_day"], currency or str(written).strip().upper())


def _amount(value: Any) -> Decimal | None:
    """A positive amount of money from a JSON number or string, exactly (no float rounding)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and amount > 0 else None


def _ui_settings(section: Any, problems: list[str]) -> UiSettings:
    """The well-formed parts of the "fixer" object, and a sentence for each of the others
    (whether the theme exists is asked of the theme files, by check_config)."""
    if section is None:
        return UiSettings()
    if not isinstance(section, dict):
        problems.append(f'"fixer" must be an object like {{"theme": "light"}}, not {section!r}')
        return UiSettings()
    known = (
        "theme",
        "keymap",
        "confirm_above_tokens",
        "max_output_tokens",
        "agents",
        "retry",
        "test",
        "test_timeout_s",
        "dialect",
        "concurrency",
        "confirm_above",
    )
    problems += [
        f'"fixer" has an unknown key {key!r} (known: {", ".join(known)})'
        for key in section
        if key not in known
    ]
    limit = _tokens_setting(section, "confirm_above_tokens", DEFAULT_CONFIRM_ABOVE_TOKENS, problems)
    output = _tokens_setting(section, "max_output_tokens", DEFAULT_MAX_OUTPUT_TOKENS, problems)
    confirm = _amount(section["confirm_above"]) if "confirm_above" in section else None
    if "confirm_above" in section and confirm is None:
        problems.append(
            f'"fixer.confirm_above" must be a positive amount, not {section["confirm_above"]!r}'
        )
    theme = section.get("theme")
    if "theme" in section and not (isinstance(theme, str) and theme):
        problems.append(f'"fixer.theme" must be a theme name, not {theme!r}')
    keymap = section.get("keymap", {})
    problems += _check_keymap(keymap)
    return UiSettings(
        theme if isinstance(theme, str) and theme else None,
        {k: v for k, v in keymap.items() if isinstance(v, str)} if isinstance(keymap, dict) else {},
        limit,
        output,
        confirm or DEFAULT_CONFIRM_ABOVE,
    )


# The "fixer.retry" settings in seconds, in the user's words, and the RetryPolicy field of each.
RETRY_SECONDS = {"backoff_s": "base_s", "backoff_cap_s": "cap_s", "longest_wait_s": "max_wait_s"}


def _retry(section: Any, problems: list[str]) -> RetryPolicy:
    """The "fixer.retry" object: how often and how long a call is tried again after a failure
    waiting can fix; each setting that is absent or malformed keeps its default."""
    retry = section.get("retry") if isinstance(section, dict) else None
    default = RetryPolicy()
    if retry is None:
        return default
    if not isinstance(retry, dict):
        example = '{"attempts": 3, "backoff_s": 0.5}'
        problems.append(f'"fixer.retry" must be an object like {example}, not {retry!r}')
        return default
    known = ("attempts", *RETRY_SECONDS)
    problems += [
        f'"fixer.retry" has an unknown key {key!r} (known: {", ".join(known)})'
        for key in retry
        if key not in known
    ]
    attempts = _count(retry.get("attempts", default.attempts))
    if attempts is None:
        problems.append(
            f'"fixer.retry.attempts" must be a whole number, 1 or more, not {retry["attempts"]!r}'
        )
    seconds: dict[str, float] = {}
    for key, name in RETRY_SECONDS.items():
        value = _seconds(retry[key]) if key in retry else None
        if value is not None:
            seconds[name] = value
        elif key in retry:
            problems.append(
                f'"fixer.retry.{key}" must be a number of seconds, 0 or more, not {retry[key]!r}'
            )
    return replace(default, attempts=attempts or default.attempts, **seconds)


def _tests(section: Any, problems: list[str]) -> TestSettings:
    """The "fixer.test" command and "fixer.test_timeout_s"; the defaults where they are wrong."""
    if not isinstance(section, dict):
        return TestSettings()
    command = section.get("test")
    if command is not None and not (isinstance(command, str) and command.strip()):
        problems.append(f'"fixer.test" must be a command like "pytest -x -q", not {command!r}')
        command = None
    timeout = section.get("test_timeout_s", DEFAULT_TEST_TIMEOUT_S)
    seconds = _seconds(timeout)
    if not seconds:  # 0 would kill every run at once
        problems.append(
            f'"fixer.test_timeout_s" must be a number of seconds above 0, not {timeout!r}'
        )
        seconds = DEFAULT_TEST_TIMEOUT_S
    return TestSettings(command, seconds)


def _concurrency(section: Any, problems: list[str]) -> int:
    """How many of a run's requests go at once ("fixer.concurrency"); the default where wrong."""
    value = section.get("concurrency") if isinstance(section, dict) else None
    if value is None:
        return DEFAULT_CONCURRENCY
    count = _count(value)
    if count is None or count > MOST_CONCURRENCY:
        problems.append(
            f'"fixer.concurrency" must be a whole number from 1 to {MOST_CONCURRENCY}, '
            f"not {value!r}"
        )
        return DEFAULT_CONCURRENCY
    return count


def _prose(section: Any, env: Mapping[str, str], problems: list[str]) -> ProseSettings:
    """The "fixer.dialect" and the user's word list; no dialect and no words where wrong."""
    words, unread = read_words(words_file(env))
    if unread:
        problems.append(unread)
    dialect = section.get("dialect") if isinstance(section, dict) else None
    if dialect is None:
        return ProseSettings(None, words)
    if not (isinstance(dialect, str) and dialect.lower() in DIALECTS):
        problems.append(f'"fixer.dialect" must be one of {", ".join(DIALECTS)}, not {dialect!r}')
        return ProseSettings(None, words)
    return ProseSettings(dialect.lower(), words)


def _seconds(value: Any) -> float | None:
    """A finite number of seconds, 0 or more (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0 <= value < float("inf") else None


def _tokens_setting(section: Mapping[str, Any], key: str, default: int, problems: list[str]) -> int:
    """A "fixer" setting that is a number of tokens; the default when absent or not one."""
    if key not in section:
        return default
    count = _count(section[key])
    if count is None:
        problems.append(
            f'"fixer.{key}" must be a whole number of tokens, like {default}, not {section[key]!r}'
        )
    return count or default


def _count(value: Any) -> int | None:
    """A positive whole number (not a bool), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _providers(entries: Any, path: Path | None, problems: list[str]) -> tuple[Provider, ...]:
    """Providers from the well-formed entries of the `Providers` list, and a sentence for each
    problem (whether a key is set in the environment is check_config's question)."""
    if not isinstance(entries, list):
        problems.append(
            f"Providers must be a list of provider objects, not {type(entries).__name__}"
        )
        return ()
    for index, entry in enumerate(entries):
        problems += _entry_problems(index, entry)
    providers = tuple(
        Provider(
            name=entry["name"],
            api_base_url=_text(entry.get("api_base_url")),
            api_key=_text(entry.get("api_key")),
            models=tuple(m for m in _list(entry.get("models")) if isinstance(m, str)),
            config_path=path,
            output_limits=_output_limits(entry.get("transformer")),
        )
        for entry in entries
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry["name"]
    )
    names = [p.name for p in providers]
    problems += [
        f"provider {n!r} is defined more than once"
        for n in dict.fromkeys(names)
        if names.count(n) > 1
    ]
    for provider in providers:
        problems += _url_problems(provider)
    return providers


def _entry_problems(index: int, entry: Any) -> list[str]:
    """What is wrong with the shape of one `Providers` entry."""
    if not isinstance(entry, dict):
        return [f"Providers[{index}] must be an object, not {type(entry).__name__}"]
    problems = []
    if not (isinstance(entry.get("name"), str) and entry["name"]):
        problems.append(f"Providers[{index}] has no name")
    elif not _is_name_list(entry.get("models", [])):
        problems.append(f"provider {entry['name']!r}: models must be a list of model names")
    problems += [
        f"provider {entry.get('name')!r}: the maxtoken transformer"
        f"{f' of {model}' if model else ''} needs max_tokens as a whole number of "
        f'tokens, like ["maxtoken", {{"max_tokens": 8192}}], not {value!r}'
        for model, value in _maxtokens(entry.get("transformer"))
        if _count(value) is None
    ]
    return problems


def _url_problems(provider: Provider) -> list[str]:
    if not provider.api_base_url:
        return [f"provider {provider.name!r} has no api_base_url"]
    if _scheme(provider.api_base_url) not in {"http", "https"}:
        return [
            f"provider {provider.name!r}: api_base_url {mask_url(provider.api_base_url)!r} "
            "is not an http(s) URL"
        ]
    if urlsplit(provider.api_base_url).path.rstrip("/").endswith(("/v1", "/v1beta", "/api")):
        return [
            f"provider {provider.name!r}: api_base_url {mask_url(provider.api_base_url)!r} "
            "would answer 404: fixer posts to it as written, so it must be the full "
            "chat-completions URL (for example .../v1/chat/completions)"
        ]
    return []


def _output_limits(transformer: Any) -> dict[str, int]:
    """The well-formed maxtoken limits, model -> tokens ("" for the whole provider)."""
    return {
        model: count
        for model, value in _maxtokens(transformer)
        if (count := _count(value)) is not None
    }


def _maxtokens(transformer: Any) -> list[tuple[str, Any]]:
    """Each max_tokens of claude-code-router's maxtoken transformer, as written, with its
    model ("" for the whole provider):
    `{"use": [["maxtoken", {"max_tokens": 8192}]], "MODEL": {"use": [...]}}`."""
    if not isinstance(transformer, dict):
        return []
    scopes = {"": transformer} | {
        model: value for model, value in transformer.items() if model != "use"
    }
    found = []
    for model, scope in scopes.items():
        uses = scope.get("use") if isinstance(scope, dict) else None
        for use in uses if isinstance(uses, list) else []:
            if isinstance(use, list) and use and use[0] == "maxtoken":
                options = use[1] if len(use) > 1 and isinstance(use[1], dict) else {}
                found.append((model, options.get("max_tokens")))
    return found


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _timeout_ms(value: Any) -> float:
    """API_TIMEOUT_MS as a positive number of milliseconds, or 0 when it is absent or not one."""
    if isinstance(value, bool):
        return 0.0
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if number > 0 else 0.0


def _as_bool(value: Any) -> bool:
    """A flag that may arrive as a JSON boolean or, after interpolation, as a string."""
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_STRINGS
    return value is True


def check_config(config: Config, env: Mapping[str, str]) -> list[str]:
    """Every problem in the config, one precise sentence each; an empty list means it is fine.

    The file's own problems come from the parse that built `config`, so the two never disagree;
    added here is what depends on the world outside the file: keys from `env`, theme files."""
    return [
        *config.problems,
        *_theme_problems(config.ui.theme, env),
        *(
            f"provider {provider.name!r} has no API key: "
            f"api_key is empty and ${provider.key_variable} is not set"
            for provider in config.providers
            if not (provider.api_key or env.get(provider.key_variable))
        ),
    ]


def _theme_problems(theme: str | None, env: Mapping[str, str]) -> list[str]:
    if theme is None:
        return []
    from fixer.themes import load_themes

    known = load_themes(env)[0]
    if theme in known:
        return []
    return [f'"fixer.theme" {theme!r} is not a theme (known: {", ".join(sorted(known))})']


def keymap_conflicts(keymap: Mapping[str, str]) -> list[str]:
    """Keys that the keymap leaves bound to two review actions (only one would ever act, and
    the other would vanish from the footer and the help)."""
    owners: dict[str, list[str]] = {}
    for entry in REVIEW_KEYS:
        for key in keymap.get(entry.id, entry.key).split(","):
            owners.setdefault(key.strip(), []).append(entry.id)
    return [
        f'"fixer.keymap" binds {key!r} to both {" and ".join(repr(i) for i in ids)}: give one of '
        "them another key"
        for key, ids in owners.items()
        if len(ids) > 1
    ]


def _check_keymap(keymap: Any) -> list[str]:
    problems = []
    if not isinstance(keymap, dict) or not all(isinstance(v, str) for v in keymap.values()):
        problems.append(
            f'"fixer.keymap" must map binding ids to keys, like {{"accept": "Y"}}, not {keymap!r}'
        )
    else:
        known = [entry.id for entry in REVIEW_KEYS]
        problems += [
            f'"fixer.keymap" has an unknown binding id {key!r} (known: {", ".join(known)})'
            for key in keymap
            if key not in known
        ]
        problems += keymap_conflicts(keymap)
    return problems


def _router(
    section: Any, path: Path | None, providers: tuple[Provider, ...], problems: list[str]
) -> Mapping[str, Any]:
    """The Router object as given (routes are parsed where they are used), and a sentence for
    each route that names no known provider and model."""
    if not isinstance(section, dict):
        problems.append(f"Router must be an object, not {type(section).__name__}")
        return MappingProxyType({})
    if path is not None and "default" not in section:
        problems.append(
            'Router.default is not set, so fixes use the offline fixers (write "local" to say so)'
        )
    for scenario in ROUTE_SCENARIOS:
        if scenario in section:
            _route(providers, scenario, section[scenario], f"Router.{scenario}", problems)
    return MappingProxyType(section)


def _escalation(
    rungs: Any, providers: tuple[Provider, ...], problems: list[str]
) -> Escalation | None:
    """The `Escalation` list as routes; None when the config has none."""
    if rungs is None:
        return None
    if not isinstance(rungs, list):
        problem = (
            f'Escalation must be a list of "provider,model" routes, cheapest first, not {rungs!r}'
        )
        problems.append(problem)
        return Escalation((), problem)
    routes: list[Route] = []
    broken: str | None = None
    for k, text in enumerate(rungs):
        before = len(problems)
        route = _route(providers, Scenario.ESCALATION, text, f"Escalation[{k}]", problems)
        if route is None:
            broken = broken or problems[before]
        else:
            routes.append(route)
    return Escalation(tuple(routes), broken)


def _route(
    providers: tuple[Provider, ...],
    scenario: Scenario,
    text: Any,
    label: str,
    problems: list[str],
) -> Route | None:
    """One route (`Router.<scenario>` or `label`), None when it is not one; a sentence for a
    wrong syntax, an unknown provider or a model its provider does not list."""
    if not isinstance(text, str):
        problems.append(f'{label} must be a "provider,model" string, not {text!r}')
        return None
    try:
        route = parse_route(text, scenario, label)
    except ConfigError as exc:
        problems.append(str(exc))
        return None
    if route.is_local:
        return route
    known = {p.name: p for p in providers}
    if route.provider not in known:
        names = ", ".join(known) or "none"
        problems.append(
            f"{label} names provider {route.provider!r}, which is not in Providers (known: {names})"
        )
    elif known[route.provider].models and route.model not in known[route.provider].models:
        problems.append(
            f"{label}: model {route.model!r} is not in provider {route.provider!r}'s models list"
        )
    return route


def _is_name_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _scheme(url: str) -> str:
    return urlsplit(url).scheme.lower() if "://" in url else ""


def mask_key(key: str) -> str:
    """A key safe to print: first 3 characters, "…", last 4; short keys fully hidden."""
    if not key:
        return "(not set)"
    if len(key) < _MASK_MIN_LENGTH:
        return "****"
    return f"{key[:3]}…{key[-4:]}"


def render_config(
    config: Config, env: Mapping[str, str], estimate_tokens: int | None = None
) -> str:
    """The text of `fixer config`: source, settings, providers (keys masked) and routes. Every
    value from the file goes through `printable`: a config can hold escape sequences."""
    source = f"{config.path} (found via {config.origin})" if config.path else config.origin
    lines = [f"Config: {printable(str(source))}"]
    if config.path is None:
        lines += [
            "  looked in, in order: " + ", ".join(config_search(env)),
            "  to start, write this to ~/.claude-code-router/config.json (then set the key):",
            *("    " + line for line in MINIMAL_EXAMPLE.splitlines()),
        ]
    lines += [f"  note: {printable(note)}" for note in config.notes]
    lines += [
        _render_proxy(config, env),
        f"Timeout: {config.timeout_s:g} s per model call, retries included (API_TIMEOUT_MS)",
        f"Output limit: {config.ui.max_output_tokens:,} tokens per reply, unless a provider's "
        "maxtoken transformer says otherwise (fixer.max_output_tokens)",
        f"Request log: {f'on, in {config.log_dir}' if config.log else 'off'}",
        _render_prose(config, env),
        "",
        "Providers:",
        *(_render_provider(p, env, config.key_sources.get(p.name, "")) for p in config.providers),
    ]
    if not config.providers:
        lines.append("  none (only the offline fixers are available)")
    lines += ["", "Routes:", *_render_routes(config)]
    if estimate_tokens is not None:
        lines += ["", _render_choice(config, estimate_tokens)]
    return "\n".join(lines)


def _render_prose(config: Config, env: Mapping[str, str]) -> str:
    """The offline English checker's dialect and the user's known words."""
    dialect = config.prose.dialect or "not set: British and American spellings both stand"
    count = len(config.prose.words)
    words = f"{count:,} known word{'' if count == 1 else 's'}"
    where = printable(str(words_file(env)))
    return f"Prose: dialect {dialect} (fixer.dialect); {words} in {where}"


def _render_proxy(config: Config, env: Mapping[str, str]) -> str:
    """The proxy calls go through: PROXY_URL, else the environment's (httpx reads those)."""
    if config.proxy_url:
        return f"Proxy: {printable(mask_url(config.proxy_url))}"
    found = [
        f"${name} {mask_url(value)}"
        for name, value in env.items()
        if name.lower() in ("https_proxy", "http_proxy", "all_proxy") and value
    ]
    if not found:
        return "Proxy: none"
    return printable(f"Proxy: {', '.join(found)} (from the environment: PROXY_URL is not set)")


def _render_choice(config: Config, tokens: int) -> str:
    """Where a prompt of `tokens` estimated tokens would go, or why the routes cannot say."""
    try:
        route = choose_route(config, prompt_tokens=tokens)
        ladder = escalation_ladder(config, route)
    except ConfigError as exc:
        return f"This prompt (~{tokens:,} tokens) cannot be routed: {exc}"
    text = f"This prompt (~{tokens:,} tokens) goes to {route}: {route.reason}"
    if len(ladder) > 1:
        text += "\nIf its reply cannot be applied, then to: " + ", ".join(map(str, ladder[1:]))
    return text


def _render_provider(provider: Provider, env: Mapping[str, str], written: str) -> str:
    """A provider's URL, where its key comes from (never the key), and its model names."""
    variables = re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", written)
    if provider.api_key and variables:
        key, origin = provider.api_key, f"from ${variables[0]}, named in the file"
    elif provider.api_key:
        key, origin = provider.api_key, "written in the file"
    else:
        key = env.get(provider.key_variable, "")
        origin = f"from ${provider.key_variable}, the <NAME>_API_KEY fallback"
        if not key:
            origin = f"set ${provider.key_variable} or api_key"
    models = ", ".join(provider.models) or "none listed"
    limits = ", ".join(
        f"{model or 'every model'} {tokens:,} tokens"
        for model, tokens in provider.output_limits.items()
    )
    lines = [
        f"  {provider.name}  {mask_url(provider.api_base_url) or '(no api_base_url)'}",
        f"    key: {mask_key(key)} ({origin})",
        f"    models: {models}",
        *([f"    output limit (maxtoken transformer): {limits}"] if limits else []),
    ]
    return "\n".join(printable(line) for line in lines)


def _render_routes(config: Config) -> list[str]:
    """One line per scenario: the route it uses and what fixer uses it for."""
    try:
        threshold = f"above {long_context_threshold(config.router):,} estimated tokens"
    except ConfigError as exc:
        threshold = str(exc)
    purposes = {
        "default": "fixes",
        "background": "commit messages",
        "think": "reasoning-heavy prompts",
        "longContext": threshold,
        "webSearch": "accepted, unused by fixer",
    }
    unset = {"default": "local (offline fixers)", "think": "(not set: uses default)"}
    lines = []
    for scenario, purpose in purposes.items():
        value = config.router.get(scenario)
        shown = value if isinstance(value, str) else unset.get(scenario, "(not set)")
        if value is not None and not isinstance(value, str):
            shown = f"invalid: {value!r}"
        lines.append(f"  {scenario:<12} {shown}  [{purpose}]")
    return lines
