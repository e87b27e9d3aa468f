"""The user's own agents: data, not code.

Defined in the config's "fixer" object (claude-code-router ignores it):

    "agents": {"sql": {"prompt": "...", "route": "think", "files": ["*.sql"],
                       "guard": "comments-only", "request": "...", "test": "make test"}}

or as Markdown files $XDG_CONFIG_HOME/fixer/agents/NAME.md, whose front matter holds the same
settings (`key: value` lines) and whose body is the prompt. The prompt is the agent's rules;
fixer's diff format follows it, so every agent answers alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import json5

from fixer.agents.agent import NO_GUARD, Agent, Guard
from fixer.agents.docs import DocsAgent
from fixer.agents.grammar import ProseAgent
from fixer.router import ROUTE_SCENARIOS, Scenario
from fixer.xdg import base_dir

KEYS = ("prompt", "prompt_file", "summary", "route", "files", "guard", "request", "test")
DEFAULT_REQUEST = "Make the changes your rules ask for, where you are sure of them."
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_FRONT_MATTER = re.compile(
    r"\A\ufeff?---[ \t]*\r?\n(.*?)^---[ \t]*\r?\n?", re.DOTALL | re.MULTILINE
)
MAX_PROMPT_CHARS = 100_000  # a prompt is sent with every request: a huge one is a mistake


@dataclass(frozen=True)
class UserAgents:
    """The user's agents as the config and the agents folder define them, and what is wrong."""

    agents: tuple[Agent, ...] = ()
    problems: tuple[str, ...] = ()  # each names the agent and where it is defined


def agents_dir(env: Mapping[str, str]) -> Path:
    """Where the user's Markdown agents live."""
    return base_dir(env, "XDG_CONFIG_HOME", ".config") / "fixer" / "agents"


def load_user_agents(section: Any, config_path: Path | None, env: Mapping[str, str]) -> UserAgents:
    """The agents of the config's "fixer" object and of the agents folder; an agent with a
    problem is left out, and the problem says so. The config's definition wins over a file's."""
    problems: list[str] = []
    specs: dict[str, tuple[dict[str, Any], str]] = {}
    configured = section.get("agents") if isinstance(section, dict) else None
    where = str(config_path) if config_path else "the config"
    if configured is not None and not isinstance(configured, dict):
        problems.append(f'"fixer.agents" in {where} must map agent names to settings objects')
    for name, spec in (configured or {}).items() if isinstance(configured, dict) else ():
        if not isinstance(spec, dict):
            problems.append(f"agent {name!r} ({where}) must be an object of settings, not {spec!r}")
            continue
        specs[str(name)] = (dict(spec), where)
    folder = agents_dir(env)
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else ():
        try:
            spec = _markdown_spec(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            problems.append(f"agent {path.stem!r} ({path}) cannot be read: {error}")
            continue
        if path.stem in specs:
            problems.append(
                f"agent {path.stem!r} is defined in {specs[path.stem][1]} and in {path}; "
                "the config's definition is used"
            )
            continue
        specs[path.stem] = (spec, str(path))
    agents = []
    base = config_path.parent if config_path else Path.cwd()
    for name, (spec, origin) in specs.items():
        agent, wrong = _agent(name, spec, origin, base)
        problems += wrong
        if agent is not None:
            agents.append(agent)
    return UserAgents(tuple(agents), tuple(problems))


def _markdown_spec(text: str) -> dict[str, Any]:
    """An agent file's settings (its front matter's `key: value` lines; a value may be JSON,
    like ["*.sql"]) and its body as the prompt."""
    found = _FRONT_MATTER.match(text)
    spec: dict[str, Any] = {}
    if found:
        for number, line in enumerate(found.group(1).splitlines(), start=2):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            key, colon, value = line.partition(":")
            if not colon:
                raise ValueError(f"line {number} of the front matter is not `key: value`")
            spec[key.strip()] = _value(value.strip())
    body = text[found.end() :] if found else text.removeprefix("\ufeff")
    if body.strip():
        spec.setdefault("prompt", body.strip() + "\n")
    return spec


def _value(text: str) -> Any:
    """A front matter value: JSON when it looks like it ([...], "..."), else the bare text."""
    if text[:1] in "[{\"'":
        try:
            return json5.loads(text)
        except ValueError:
            return text
    return text


def _agent(
    name: str, spec: dict[str, Any], origin: str, base: Path
) -> tuple[Agent | None, list[str]]:
    """One user agent, or None and the problems that keep it out (each naming it)."""
    label = f"agent {name!r} ({origin})"
    problems = [
        f"{label} has an unknown setting {key!r} (known: {', '.join(KEYS)})"
        for key in spec
        if key not in KEYS
    ]
    if not _NAME.fullmatch(name):
        problems.append(f"{label}: a name is lowercase letters, digits, - and _ (for --agent)")
    prompt, why = _prompt(spec, base)
    if why:
        problems.append(f"{label}: {why}")
    texts = {key: spec.get(key) for key in ("summary", "route", "request", "test")}
    problems += [
        f"{label}: {key!r} must be text, not {value!r}"
        for key, value in texts.items()
        if value is not None and not (isinstance(value, str) and value.strip())
    ]
    files = spec.get("files", [])
    if isinstance(files, str):
        files = [part.strip() for part in files.split(",") if part.strip()]
    if not (isinstance(files, list) and all(isinstance(f, str) and f for f in files)):
        problems.append(f'{label}: "files" must be a list of file name patterns like ["*.sql"]')
        files = []
    guard = spec.get("guard", "none")
    make = _GUARDS.get(guard) if isinstance(guard, str) else None
    if make is None:
        problems.append(f"{label}: unknown guard {guard!r} (known: {', '.join(_GUARDS)})")
    route = texts["route"] if isinstance(texts["route"], str) else None
    if route is not None and route.strip() not in ROUTE_SCENARIOS and "," not in route:
        problems.append(
            f"{label}: route {route!r} is neither a Router scenario ({', '.join(ROUTE_SCENARIOS)}) "
            'nor "provider,model"'
        )
    if problems or make is None:
        return None, problems
    settings: dict[str, Any] = {
        "name": name,
        "summary": (texts["summary"] or f"your agent, from {Path(origin).name}").strip(),
        "prompt": prompt,
        "request": (texts["request"] or DEFAULT_REQUEST).strip(),
        "origin": origin,
        "test": texts["test"],
    }
    if route is not None and route.strip() in ROUTE_SCENARIOS:
        settings["scenario"] = Scenario(route.strip())
    elif route is not None:
        settings["route"] = route.strip()
    if files:
        settings["files"] = tuple(files)
    return make(settings), []


def _prompt(spec: dict[str, Any], base: Path) -> tuple[str, str | None]:
    """The agent's prompt: its "prompt" text, or the file "prompt_file" names (relative to the
    config's folder); and what is wrong, if anything."""
    text, file = spec.get("prompt"), spec.get("prompt_file")
    if text is not None and file is not None:
        return "", 'give "prompt" or "prompt_file", not both'
    if file is not None:
        if not isinstance(file, str) or not file.strip():
            return "", f'"prompt_file" must be a path, not {file!r}'
        path = (base / Path(file).expanduser()).resolve()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            return "", f"its prompt file {path} cannot be read ({error.__class__.__name__})"
    if not isinstance(text, str) or not text.strip():
        return "", 'it needs a prompt: "prompt" (text), "prompt_file" (a path) or a Markdown body'
    if len(text) > MAX_PROMPT_CHARS:
        return "", f"its prompt is {len(text):,} characters (at most {MAX_PROMPT_CHARS:,})"
    return text, None


def _code_agent(guard: Guard) -> Callable[[dict[str, Any]], Agent]:
    return lambda settings: Agent(guard=guard, **settings)


# What each guard name makes: "prose-only" is a prose agent (the post masked, reviewed sentence
# by sentence, every grammar guard), the others answer with plain diffs; "comments-only" refuses
# any hunk that changes code.
_GUARDS: dict[str, Callable[[dict[str, Any]], Agent]] = {
    "none": _code_agent(NO_GUARD),
    "prose-only": lambda settings: ProseAgent(**settings),
    # The docs agent's guard and offline fixer; its route stays the user's (default unless set).
    "comments-only": lambda settings: DocsAgent(**({"scenario": Scenario.DEFAULT} | settings)),
}
