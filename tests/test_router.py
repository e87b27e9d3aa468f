"""Routing: route strings, the scenario order, and the long-context switch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixer.config import Config, load_config
from fixer.errors import ConfigError
from fixer.router import (
    Route,
    background_route,
    choose_route,
    escalation_ladder,
    parse_route,
)
from tests.test_config import SEED_CONFIG


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    return {"HOME": str(home)}


@pytest.fixture
def seed(tmp_path: Path, env: dict[str, str]) -> Config:
    path = tmp_path / "config.json"
    path.write_text(SEED_CONFIG, encoding="utf-8")
    return load_config(path, env)


def config_with(tmp_path: Path, env: dict[str, str], router: object) -> Config:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"Router": router}), encoding="utf-8")
    return load_config(path, env)


# --- parse_route ----------------------------------------------------------------------------


def test_parse_route_splits_on_the_first_comma() -> None:
    route = parse_route("openrouter,anthropic/claude-3.7-sonnet:thinking")
    assert (route.provider, route.model) == ("openrouter", "anthropic/claude-3.7-sonnet:thinking")
    assert (route.scenario, route.reason) == ("override", "-m override")
    assert str(route) == "openrouter,anthropic/claude-3.7-sonnet:thinking"
    assert not route.is_local
    assert parse_route("p,a,b").model == "a,b"


def test_parse_route_local() -> None:
    route = parse_route("local", "default")
    assert route.is_local
    assert (route.provider, route.model, str(route)) == ("local", "", "local")
    assert route.reason == "Router.default"


@pytest.mark.parametrize("text", ["", "openrouter", "openrouter,", ",model", " , ", "local,x"])
def test_parse_route_rejects_malformed(text: str) -> None:
    with pytest.raises(ConfigError, match='is not "provider,model"'):
        parse_route(text, "think")


# --- choose_route ---------------------------------------------------------------------------


def test_seed_config_routes(seed: Config) -> None:
    route = choose_route(seed)
    assert route == Route("openrouter", "openai/gpt-5-mini", "default", "Router.default")
    think = choose_route(seed, scenario="think")
    assert (str(think), think.scenario) == ("openrouter,qwen/qwen3-coder", "think")
    background = background_route(seed)
    assert background is not None
    assert str(background) == "openrouter,google/gemini-2.5-flash"
    assert background.scenario == "background"


def test_long_context_above_the_threshold(seed: Config) -> None:
    assert choose_route(seed, prompt_tokens=2000).scenario == "default"
    route = choose_route(seed, prompt_tokens=2345)
    assert str(route) == "openrouter,deepseek/deepseek-chat-v3.1"
    assert route.scenario == "longContext"
    assert route.reason == "estimated 2,345 tokens > longContextThreshold 2000"


def test_default_threshold_is_60000(tmp_path: Path, env: dict[str, str]) -> None:
    config = config_with(tmp_path, env, {"default": "p,small", "longContext": "p,big"})
    assert choose_route(config, prompt_tokens=60000).model == "small"
    assert choose_route(config, prompt_tokens=60001).model == "big"


def test_override_wins(seed: Config) -> None:
    route = choose_route(seed, override="openrouter,x-ai/grok-3-mini", prompt_tokens=99999)
    assert route == Route("openrouter", "x-ai/grok-3-mini", "override", "-m override")
    assert choose_route(seed, override="local").is_local


def test_missing_scenario_falls_back_to_default(tmp_path: Path, env: dict[str, str]) -> None:
    config = config_with(tmp_path, env, {"default": "p,m"})
    route = choose_route(config, scenario="think", prompt_tokens=10**6)
    assert (str(route), route.scenario) == ("p,m", "default")
    assert route.reason == "Router.default (no Router.think)"
    assert background_route(config) is None


def test_no_config_means_local(env: dict[str, str]) -> None:
    route = choose_route(load_config(None, env))
    assert route == Route("local", "", "local", "no config file: offline fixers")


def test_no_default_in_a_file_means_local(tmp_path: Path, env: dict[str, str]) -> None:
    route = choose_route(config_with(tmp_path, env, {}))
    assert route.is_local
    assert route.reason.startswith("no Router.default in ")


def test_bad_route_or_threshold_raise_when_used(tmp_path: Path, env: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match=r"Router\.default"):
        choose_route(config_with(tmp_path, env, {"default": ["p", "m"]}))
    bad = config_with(
        tmp_path, env, {"default": "p,m", "longContext": "p,b", "longContextThreshold": 1.5}
    )
    with pytest.raises(ConfigError, match="longContextThreshold"):
        choose_route(bad, prompt_tokens=10)


# --- escalation -----------------------------------------------------------------------------


def ladder_names(config: Config, first: Route) -> list[str]:
    return [str(route) for route in escalation_ladder(config, first)]


def test_without_escalation_the_ladder_is_default_then_think(tmp_path, env) -> None:
    config = config_with(tmp_path, env, {"default": "p,cheap", "think": "p,strong"})
    assert ladder_names(config, choose_route(config)) == ["p,cheap", "p,strong"]
    # --think starts at the top: nothing above it.
    assert ladder_names(config, choose_route(config, scenario="think")) == ["p,strong"]


def test_escalation_list_orders_the_rungs(tmp_path, env) -> None:
    path = tmp_path / "e.json"
    rungs = ["p,nano", "p,mini", "q,big"]
    path.write_text(json.dumps({"Router": {"default": "p,mini"}, "Escalation": rungs}))
    config = load_config(path, env)
    assert ladder_names(config, choose_route(config)) == ["p,mini", "q,big"]
    # A route not on the list starts its own ladder, then every rung.
    assert ladder_names(config, parse_route("r,other", "think")) == ["r,other", *rungs]


def test_forced_local_and_long_context_routes_never_escalate(tmp_path, env) -> None:
    router = {"default": "p,cheap", "think": "p,strong", "longContext": "p,long"}
    config = config_with(tmp_path, env, {**router, "longContextThreshold": 10})
    assert ladder_names(config, choose_route(config, prompt_tokens=11)) == ["p,long"]
    assert ladder_names(config, choose_route(config, override="p,forced")) == ["p,forced"]
    assert ladder_names(config, choose_route(config, override="local")) == ["local"]


def test_a_malformed_escalation_is_a_config_error(tmp_path, env) -> None:
    path = tmp_path / "e.json"
    path.write_text(json.dumps({"Router": {"default": "p,m"}, "Escalation": "p,m"}))
    config = load_config(path, env)
    with pytest.raises(ConfigError, match="Escalation must be a list"):
        escalation_ladder(config, choose_route(config))
