"""Config loading: search order, JSON5, interpolation, keys, checks and the `fixer config` text."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from fixer.config import (
    BUILT_IN_ORIGIN,
    Config,
    Provider,
    check_config,
    load_config,
    mask_key,
    render_config,
)
from fixer.cost import CURRENCIES
from fixer.errors import ConfigError
from fixer.llm import RetryPolicy

SEED_CONFIG = """\
{
  "PROXY_URL": "http://127.0.0.1:7890",
  "LOG": true,
  "Providers": [
    {
      "name": "openrouter",
      "api_base_url": "https://openrouter.ai/api/v1/chat/completions",
      "api_key": "",
      "models": [
        "moonshotai/kimi-k2",
        "anthropic/claude-sonnet-4",
        "anthropic/claude-3.5-sonnet",
        "anthropic/claude-3.7-sonnet:thinking",
        "anthropic/claude-opus-4",
        "google/gemini-2.5-flash",
        "google/gemini-2.5-pro",
        "deepseek/deepseek-chat-v3-0324",
        "deepseek/deepseek-chat-v3.1",
        "deepseek/deepseek-r1",
        "mistralai/mistral-medium-3.1",
        "qwen/qwen3-coder",
        "openai/gpt-oss-120b",
        "openai/gpt-5",
        "openai/gpt-5-mini",
        "x-ai/grok-3-mini"
      ],
      "transformer": {
        "use": ["openrouter"]
      }
    }
  ],
  "Router": {
    "default": "openrouter,openai/gpt-5-mini",
    "background": "openrouter,google/gemini-2.5-flash",
    "think": "openrouter,qwen/qwen3-coder",
    "longContext": "openrouter,deepseek/deepseek-chat-v3.1",
    "longContextThreshold": 2000,
    "webSearch": "openrouter,mistralai/mistral-medium-3.1"
  }
}
"""

SEED_CONFIG_JSON5 = """\
// claude-code-router config, hand-edited
{
  "PROXY_URL": "http://127.0.0.1:7890",
  "LOG": true, /* the llm module writes the log */
  "Providers": [
    {
      "name": "openrouter",
      "api_base_url": "https://openrouter.ai/api/v1/chat/completions",
      "api_key": "",  // falls back to $OPENROUTER_API_KEY
      "models": ["openai/gpt-5-mini", "google/gemini-2.5-flash", "qwen/qwen3-coder",
                 "deepseek/deepseek-chat-v3.1", "mistralai/mistral-medium-3.1",],
      "transformer": {"use": ["openrouter",],},
    },
  ],
  "Router": {
    "default": "openrouter,openai/gpt-5-mini",
    "background": "openrouter,google/gemini-2.5-flash",
    "think": "openrouter,qwen/qwen3-coder",
    "longContext": "openrouter,deepseek/deepseek-chat-v3.1",
    "longContextThreshold": 2000,
    "webSearch": "openrouter,mistralai/mistral-medium-3.1",
  },
}
"""

KEY = "sk-or-v1-0123456789abcdef0123456789abcdefWXYZ"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment with its own empty home, so the real ~/.config is never read."""
    home = tmp_path / "home"
    home.mkdir()
    return {"HOME": str(home)}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def config_with(tmp_path: Path, env: dict[str, str], data: dict) -> Config:
    return load_config(write(tmp_path / "c.json", json.dumps(data)), env)


# --- search order ---------------------------------------------------------------------------


def test_no_file_gives_the_offline_default(env: dict[str, str]) -> None:
    config = load_config(None, env)
    assert config.path is None
    assert config.origin == BUILT_IN_ORIGIN
    assert config.providers == ()
    assert config.timeout_s == 600.0
    assert config.log is False
    assert config.log_dir == Path(env["HOME"]) / ".local/state/fixer"
    assert check_config(config, env) == []


def test_search_order(tmp_path: Path, env: dict[str, str]) -> None:
    home = Path(env["HOME"])
    ccr = write(home / ".claude-code-router/config.json", "{}")
    assert (load_config(None, env).path, load_config(None, env).origin) == (
        ccr,
        "~/.claude-code-router/config.json",
    )

    default_xdg = write(home / ".config/fixer/config.json", "{}")
    assert load_config(None, env).path == default_xdg

    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    xdg = write(tmp_path / "xdg/fixer/config.json", "{}")
    config = load_config(None, env)
    assert (config.path, config.origin) == (xdg, "$XDG_CONFIG_HOME/fixer/config.json")

    env["FIXER_CONFIG"] = str(write(tmp_path / "from-env.json", "{}"))
    assert load_config(None, env).origin == "$FIXER_CONFIG"

    explicit = write(tmp_path / "explicit.json", "{}")
    config = load_config(explicit, env)
    assert (config.path, config.origin) == (explicit, "--config")


def test_relative_xdg_config_home_is_ignored(env: dict[str, str]) -> None:
    env["XDG_CONFIG_HOME"] = "relative/dir"
    found = write(Path(env["HOME"]) / ".config/fixer/config.json", "{}")
    assert load_config(None, env).path == found


@pytest.mark.parametrize("how", ["--config", "$FIXER_CONFIG"])
def test_missing_explicit_file_is_an_error_naming_it(
    tmp_path: Path, env: dict[str, str], how: str
) -> None:
    missing = tmp_path / "nope.json"
    write(Path(env["HOME"]) / ".claude-code-router/config.json", "{}")  # must not be used instead
    with pytest.raises(ConfigError, match=r"nope\.json.*does not exist") as caught:
        if how == "--config":
            load_config(missing, env)
        else:
            load_config(None, {**env, "FIXER_CONFIG": str(missing)})
    assert how in str(caught.value)


def test_invalid_json5_names_file_and_line(tmp_path: Path, env: dict[str, str]) -> None:
    path = write(tmp_path / "bad.json", '{\n  "LOG": true,\n  "Router": {,\n}')
    with pytest.raises(ConfigError, match=r"bad\.json is not valid JSON5 \(line 3"):
        load_config(path, env)


def test_top_level_must_be_an_object(tmp_path: Path, env: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match="JSON object"):
        load_config(write(tmp_path / "list.json", "[1, 2]"), env)


# --- the seed config ------------------------------------------------------------------------


@pytest.mark.parametrize("text", [SEED_CONFIG, SEED_CONFIG_JSON5], ids=["json", "json5"])
def test_seed_config_loads_unchanged(tmp_path: Path, env: dict[str, str], text: str) -> None:
    config = load_config(write(tmp_path / "config.json", text), env)
    assert config.proxy_url == "http://127.0.0.1:7890"
    assert config.log is True
    assert config.timeout_s == 600.0
    (provider,) = config.providers
    assert provider.name == "openrouter"
    assert provider.api_base_url == "https://openrouter.ai/api/v1/chat/completions"
    assert provider.api_key == ""
    assert "openai/gpt-5-mini" in provider.models
    assert config.provider("openrouter") is provider
    assert config.router["default"] == "openrouter,openai/gpt-5-mini"
    assert config.router["longContextThreshold"] == 2000
    # Unknown keys stay in raw, untouched.
    assert config.raw["Providers"][0]["transformer"] == {"use": ["openrouter"]}
    assert check_config(config, {"OPENROUTER_API_KEY": KEY}) == []


def test_seed_config_raw_equals_the_file(tmp_path: Path, env: dict[str, str]) -> None:
    config = load_config(write(tmp_path / "config.json", SEED_CONFIG), env)
    assert dict(config.raw) == json.loads(SEED_CONFIG)
    assert len(config.providers[0].models) == 16


def test_unknown_keys_are_kept_and_ignored(tmp_path: Path, env: dict[str, str]) -> None:
    config = config_with(
        tmp_path, env, {"HOST": "0.0.0.0", "StatusLine": {"enabled": True}, "Router": {}}
    )
    assert config.raw["HOST"] == "0.0.0.0"
    assert config.raw["StatusLine"] == {"enabled": True}


def test_timeout_and_log_dir(tmp_path: Path, env: dict[str, str]) -> None:
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    config = config_with(tmp_path, env, {"API_TIMEOUT_MS": 30000, "LOG": False})
    assert config.timeout_s == 30.0
    assert config.log is False
    assert config.log_dir == tmp_path / "state/fixer"


# --- interpolation --------------------------------------------------------------------------


def test_variables_interpolate_in_nested_strings_and_lists(
    tmp_path: Path, env: dict[str, str]
) -> None:
    env |= {"OR_KEY": KEY, "HOSTNAME_": "example.test", "MODEL": "gpt-5", "MS": "1500"}
    data = {
        "API_TIMEOUT_MS": "$MS",
        "Providers": [
            {
                "name": "p",
                "api_base_url": "https://${HOSTNAME_}/v1/chat/completions",
                "api_key": "$OR_KEY",
                "models": ["openai/${MODEL}", "x/$MODEL-mini"],
                "extra": {"deep": ["a-$MODEL"]},
            }
        ],
    }
    config = config_with(tmp_path, env, data)
    provider = config.provider("p")
    assert provider.api_base_url == "https://example.test/v1/chat/completions"
    assert provider.api_key == KEY
    assert provider.models == ("openai/gpt-5", "x/gpt-5-mini")
    assert config.raw["Providers"][0]["extra"] == {"deep": ["a-gpt-5"]}
    assert config.timeout_s == 1.5
    assert config.unset_variables == ()


def test_unset_variables_become_empty_and_are_reported(tmp_path: Path, env: dict[str, str]) -> None:
    data = {"PROXY_URL": "${NO_PROXY_HERE}", "Note": "$NOPE and ${NOPE} and $ALSO_NOPE"}
    config = config_with(tmp_path, env, data)
    assert config.proxy_url is None
    assert config.raw["Note"] == " and  and "
    assert config.unset_variables == ("NO_PROXY_HERE", "NOPE", "ALSO_NOPE")
    problems = check_config(config, env)
    assert "uses $NOPE which is not set" in problems
    assert "uses $NO_PROXY_HERE which is not set" in problems


def test_dollar_amounts_are_not_variables(tmp_path: Path, env: dict[str, str]) -> None:
    config = config_with(tmp_path, env, {"Note": "costs $5"})
    assert config.raw["Note"] == "costs $5"
    assert config.unset_variables == ()


# --- keys -----------------------------------------------------------------------------------


def test_key_variable_name() -> None:
    assert Provider("openrouter", "", "", ()).key_variable == "OPENROUTER_API_KEY"
    assert Provider("my-proxy.v2", "", "", ()).key_variable == "MY_PROXY_V2_API_KEY"


def test_key_from_config_wins_over_env(tmp_path: Path, env: dict[str, str]) -> None:
    config = config_with(tmp_path, env, {"Providers": [{"name": "openrouter", "api_key": "abc"}]})
    assert config.provider("openrouter").resolve_key({"OPENROUTER_API_KEY": KEY}) == "abc"


def test_empty_key_falls_back_to_env(tmp_path: Path, env: dict[str, str]) -> None:
    config = load_config(write(tmp_path / "config.json", SEED_CONFIG), env)
    assert config.provider("openrouter").resolve_key({"OPENROUTER_API_KEY": KEY}) == KEY


def test_missing_key_names_the_variable_and_the_file(tmp_path: Path, env: dict[str, str]) -> None:
    path = write(tmp_path / "config.json", SEED_CONFIG)
    provider = load_config(path, env).provider("openrouter")
    with pytest.raises(ConfigError, match=r"\$OPENROUTER_API_KEY") as caught:
        provider.resolve_key({"OPENROUTER_API_KEY": ""})
    assert str(path) in str(caught.value)


def test_unknown_provider_lists_known_names(tmp_path: Path, env: dict[str, str]) -> None:
    config = load_config(write(tmp_path / "config.json", SEED_CONFIG), env)
    with pytest.raises(ConfigError, match=r"'deepseek'.*known: openrouter"):
        config.provider("deepseek")


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("", "(not set)"),
        ("short-key", "****"),
        (KEY, "sk-…WXYZ"),
    ],
)
def test_mask_key(key: str, shown: str) -> None:
    assert mask_key(key) == shown


# --- check_config ---------------------------------------------------------------------------


def problems_for(tmp_path: Path, env: dict[str, str], data: dict) -> list[str]:
    return check_config(config_with(tmp_path, env, data), env)


OK_PROVIDER = {
    "name": "p",
    "api_base_url": "https://x.test/v1/chat/completions",
    "api_key": "k",
    "models": ["m"],
}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"Providers": [OK_PROVIDER], "Router": {"default": "q,m"}},
            "Router.default names provider 'q', which is not in Providers (known: p)",
        ),
        (
            {"Providers": [OK_PROVIDER], "Router": {"default": "p,other"}},
            "Router.default: model 'other' is not in provider 'p''s models list",
        ),
        (
            {"Providers": [OK_PROVIDER], "Router": {"default": "p,m", "think": "just-a-model"}},
            "Router.think: route 'just-a-model' is not \"provider,model\" "
            '(e.g. "openrouter,openai/gpt-5-mini") or "local".',
        ),
        (
            {"Providers": [OK_PROVIDER], "Router": {"default": 3}},
            'Router.default must be a "provider,model" string, not 3',
        ),
        (
            {"Providers": [{**OK_PROVIDER, "api_base_url": ""}], "Router": {"default": "p,m"}},
            "provider 'p' has no api_base_url",
        ),
        (
            {
                "Providers": [{**OK_PROVIDER, "api_base_url": "ftp://x"}],
                "Router": {"default": "p,m"},
            },
            "provider 'p': api_base_url 'ftp://x' is not an http(s) URL",
        ),
        (
            {"Providers": [{**OK_PROVIDER, "api_key": ""}], "Router": {"default": "p,m"}},
            "provider 'p' has no API key: api_key is empty and $P_API_KEY is not set",
        ),
        (
            {
                "Providers": [OK_PROVIDER],
                "Router": {"default": "p,m", "longContextThreshold": "lots"},
            },
            "Router.longContextThreshold must be a whole number of tokens, not 'lots'.",
        ),
        (
            {"Providers": {"name": "p"}, "Router": {"default": "local"}},
            "Providers must be a list of provider objects, not dict",
        ),
        (
            {"Providers": ["p"], "Router": {"default": "local"}},
            "Providers[0] must be an object, not str",
        ),
        (
            {"Providers": [{"api_base_url": "https://x"}], "Router": {"default": "local"}},
            "Providers[0] has no name",
        ),
        (
            {"Providers": [OK_PROVIDER, OK_PROVIDER], "Router": {"default": "p,m"}},
            "provider 'p' is defined more than once",
        ),
        (
            {"Providers": [{**OK_PROVIDER, "models": "m"}], "Router": {"default": "local"}},
            "provider 'p': models must be a list of model names",
        ),
        (
            {"Router": []},
            "Router must be an object, not list",
        ),
        (
            {"Router": {}},
            'Router.default is not set, so fixes use the offline fixers (write "local" to say so)',
        ),
        (
            {"Router": {"default": "local"}, "API_TIMEOUT_MS": "soon"},
            "API_TIMEOUT_MS must be a positive number of milliseconds, not 'soon'",
        ),
        (
            {"Router": {"default": "local"}, "PROXY_URL": "127.0.0.1:7890"},
            "PROXY_URL must be an http://, https:// or socks5:// URL, not '127.0.0.1:7890'",
        ),
        (
            {"Router": {"default": "local"}, "fixer": "light"},
            '"fixer" must be an object like {"theme": "light"}, not \'light\'',
        ),
        (
            {"Router": {"default": "local"}, "fixer": {"themes": "light"}},
            "\"fixer\" has an unknown key 'themes' (known: theme, keymap, confirm_above_tokens, "
            "max_output_tokens, agents, retry, test, test_timeout_s, dialect, concurrency, "
            "confirm_above)",
        ),
        (
            {"Router": {"default": "local"}, "fixer": {"retry": 3}},
            '"fixer.retry" must be an object like {"attempts": 3, "backoff_s": 0.5}, not 3',
        ),
        (
            {"Router": {"default": "local"}, "fixer": {"retry": {"attempts": 0}}},
            '"fixer.retry.attempts" must be a whole number, 1 or more, not 0',
        ),
        (
            {"Router": {"default": "local"}, "fixer": {"retry": {"backoff_s": "1s"}}},
            "\"fixer.retry.backoff_s\" must be a number of seconds, 0 or more, not '1s'",
        ),
        (
            {"Router": {"default": "local"}, "fixer": {"retry": {"tries": 2}}},
            "\"fixer.retry\" has an unknown key 'tries' (known: attempts, backoff_s, "
            "backoff_cap_s, longest_wait_s)",
        ),
        (
            {"Router": {"default": "local"}, "fixer": {"theme": 3}},
            '"fixer.theme" must be a theme name, not 3',
        ),
        (
            {"Router": {"default": "local"}, "fixer": {"keymap": {"accept": 1}}},
            '"fixer.keymap" must map binding ids to keys, like {"accept": "Y"}, '
            "not {'accept': 1}",
        ),
        (
            {"Providers": [OK_PROVIDER], "Router": {"default": "p,m"}, "Escalation": ["p,m", "x"]},
            "Escalation[1]: route 'x' is not \"provider,model\" "
            '(e.g. "openrouter,openai/gpt-5-mini") or "local".',
        ),
        (
            {"Providers": [OK_PROVIDER], "Router": {"default": "p,m"}, "Escalation": ["q,m"]},
            "Escalation[0] names provider 'q', which is not in Providers (known: p)",
        ),
        (
            {"Router": {"default": "local"}, "Budget": {"per_run": -1}},
            "Budget.per_run must be a positive amount, not -1",
        ),
        (
            {"Router": {"default": "local"}, "Budget": {"per_day": 2, "currency": "dollars"}},
            "Budget.currency must be a code like USD or CNY, not 'dollars'",
        ),
        (
            {"Router": {"default": "local"}, "Budget": {"per_week": 2}},
            "Budget has an unknown key 'per_week' (known: per_run, per_day, currency)",
        ),
    ],
)
def test_check_config_reports_each_problem(
    tmp_path: Path, env: dict[str, str], data: dict, expected: str
) -> None:
    assert problems_for(tmp_path, env, data) == [expected]


def test_review_screen_settings_come_from_the_fixer_object(
    tmp_path: Path, env: dict[str, str]
) -> None:
    data = {"Router": {"default": "local"}, "fixer": {"theme": "light", "keymap": {"accept": "Y"}}}
    config = config_with(tmp_path, env, data)
    assert config.ui.theme == "light"
    assert config.ui.keymap == {"accept": "Y"}
    assert check_config(config, env) == []
    assert config_with(tmp_path, env, {}).ui.theme is None


def test_output_limit_from_the_fixer_object_and_ccr_maxtoken_transformers(
    tmp_path: Path, env: dict[str, str]
) -> None:
    deepseek = {
        "name": "deepseek",
        "api_base_url": "https://api.deepseek.com/chat/completions",
        "api_key": KEY,
        "models": ["deepseek-chat", "deepseek-reasoner"],
        "transformer": {
            "use": ["deepseek", ["maxtoken", {"max_tokens": 8192}]],
            "deepseek-reasoner": {"use": [["maxtoken", {"max_tokens": 65536}]]},
        },
    }
    data = {"Providers": [deepseek, OK_PROVIDER], "fixer": {"max_output_tokens": 20000}}
    config = config_with(tmp_path, env, data)
    assert config.ui.max_output_tokens == 20000
    first, second = config.providers
    assert first.max_output_tokens("deepseek-chat", 20000) == 8192
    assert first.max_output_tokens("deepseek-reasoner", 20000) == 65536
    assert second.max_output_tokens("m", 20000) == 20000
    assert config_with(tmp_path, env, {}).ui.max_output_tokens == 32768
    wrong = {"Router": {"default": "local"}, "fixer": {"max_output_tokens": "lots"}}
    assert problems_for(tmp_path, env, wrong) == [
        "\"fixer.max_output_tokens\" must be a whole number of tokens, like 32768, not 'lots'"
    ]
    deepseek["transformer"]["deepseek-chat"] = {"use": [["maxtoken", {"max_tokens": "8k"}]]}
    assert problems_for(tmp_path, env, {"Router": {"default": "local"}, **data}) == [
        "provider 'deepseek': the maxtoken transformer of deepseek-chat needs max_tokens as a "
        'whole number of tokens, like ["maxtoken", {"max_tokens": 8192}], not \'8k\''
    ]


def test_budget_amounts_are_exact_decimals(tmp_path: Path, env: dict[str, str]) -> None:
    data = {
        "Router": {"default": "local"},
        "Budget": {"per_run": 0.1, "per_day": "2", "currency": "cny"},
    }
    budget = config_with(tmp_path, env, data).budget
    assert (budget.per_run, budget.per_day, budget.currency) == (
        Decimal("0.1"),
        Decimal("2"),
        "CNY",
    )


@pytest.mark.parametrize(
    ("written", "decided"),
    [("cny", "CNY"), (" usd ", "USD"), ("XYZ", None), ("dollars", None), (5, None)],
)
def test_a_budget_and_a_price_follow_one_currency_rule(
    tmp_path: Path, env: dict[str, str], written: object, decided: str | None
) -> None:
    data = {
        "Router": {"default": "local"},
        "Budget": {"per_run": 1, "currency": written},
        "Pricing": {"a,b": {"input": 1, "output": 2, "currency": written}},
    }
    config = config_with(tmp_path, env, data)
    problems = check_config(config, env)
    if decided is None:
        assert [p.split(" must ")[0] for p in problems] == [
            "Budget.currency",
            "Pricing['a,b'].currency",
        ]
        assert "a,b" not in config.pricing
        assert config.budget.currency not in CURRENCIES  # matches no price: calls are unchecked
    else:
        assert problems == []
        assert config.budget.currency == config.pricing["a,b"].currency == decided


def test_escalation_and_pricing_are_parsed_once_into_the_config(
    tmp_path: Path, env: dict[str, str]
) -> None:
    data = {
        "Providers": [OK_PROVIDER],
        "Router": {"default": "p,m"},
        "Escalation": ["p,m", "local"],
        "Pricing": {"p,m": {"input": "0.5", "output": 1}, "p,bad": {"input": 1}},
    }
    config = config_with(tmp_path, env, data)
    assert config.escalation is not None and config.escalation.problem is None
    assert [str(rung) for rung in config.escalation.rungs] == ["p,m", "local"]
    assert config.pricing["p,m"].input == Decimal("0.5")
    assert "p,bad" not in config.pricing  # skipped, and said:
    assert config.problems == ("Pricing['p,bad'] has no output price",)
    assert check_config(config, env) == list(config.problems)
    broken = config_with(tmp_path, env, {**data, "Escalation": ["p,m", 7]})
    assert broken.escalation is not None
    assert broken.escalation.problem == 'Escalation[1] must be a "provider,model" string, not 7'
    assert broken.escalation.problem in broken.problems


def test_only_the_config_module_reads_the_raw_config() -> None:
    fixer = Path(__file__).resolve().parent.parent / "fixer"
    readers = [
        path.relative_to(fixer).as_posix()
        for path in sorted(fixer.rglob("*.py"))
        if re.search(r"config\.raw\b", path.read_text(encoding="utf-8"))
    ]
    assert readers == []


def test_check_config_accepts_local_and_a_threshold_from_a_variable(
    tmp_path: Path, env: dict[str, str]
) -> None:
    env["THRESHOLD"] = "5000"
    data = {"Providers": [OK_PROVIDER], "Router": {"default": "local", "think": "p,m"}}
    data["Router"]["longContextThreshold"] = "$THRESHOLD"
    assert problems_for(tmp_path, env, data) == []


# --- render_config --------------------------------------------------------------------------


def test_render_config_masks_the_key_and_shows_routes(tmp_path: Path, env: dict[str, str]) -> None:
    path = write(tmp_path / "config.json", SEED_CONFIG)
    env["OPENROUTER_API_KEY"] = KEY
    text = render_config(load_config(path, env), env, estimate_tokens=2345)
    assert KEY not in text
    assert KEY[4:-4] not in text
    assert f"Config: {path} (found via --config)" in text
    assert "sk-…WXYZ (from $OPENROUTER_API_KEY, the <NAME>_API_KEY fallback)" in text
    assert "models: " in text and "deepseek/deepseek-chat-v3.1" in text.split("models: ", 1)[1]
    assert "https://openrouter.ai/api/v1/chat/completions" in text
    assert "default      openrouter,openai/gpt-5-mini  [fixes]" in text
    assert "background   openrouter,google/gemini-2.5-flash  [commit messages]" in text
    assert "longContext  openrouter,deepseek/deepseek-chat-v3.1  [above 2,000 estimated" in text
    assert "webSearch    openrouter,mistralai/mistral-medium-3.1  [accepted, unused" in text
    assert "Request log: on, in" in text
    assert (
        "This prompt (~2,345 tokens) goes to openrouter,deepseek/deepseek-chat-v3.1: "
        "estimated 2,345 tokens > longContextThreshold 2000"
    ) in text


def test_render_config_key_from_config_and_not_set(tmp_path: Path, env: dict[str, str]) -> None:
    providers = [
        {"name": "a", "api_base_url": "https://a.test", "api_key": KEY},
        {"name": "b", "api_base_url": "https://b.test", "api_key": ""},
    ]
    text = render_config(config_with(tmp_path, env, {"Providers": providers}), env)
    assert KEY not in text
    assert "key: sk-…WXYZ (written in the file)" in text
    assert "key: (not set) (set $B_API_KEY or api_key)" in text


@pytest.mark.parametrize(
    "proxy", ["http://me:hunter2secret@proxy.test:3128", "http://hunter2secret@proxy.test:3128"]
)
def test_render_config_hides_proxy_credentials(
    tmp_path: Path, env: dict[str, str], proxy: str
) -> None:
    text = render_config(config_with(tmp_path, env, {"PROXY_URL": proxy}), env)
    assert "hunter2secret" not in text
    assert "Proxy: http://****@proxy.test:3128" in text


def test_render_config_hides_credentials_in_api_base_url_and_environment_proxies(
    tmp_path: Path, env: dict[str, str]
) -> None:
    url = "https://bob:pw-0123456789@llm.test/v1/chat/completions?key=QK-0123456789&api-version=2"
    provider = {"name": "p", "api_base_url": url, "api_key": KEY, "models": ["m"]}
    env["HTTPS_PROXY"] = "http://tok-0123456789@proxy.test:3128"
    text = render_config(config_with(tmp_path, env, {"Providers": [provider]}), env)
    for secret in ("pw-0123456789", "QK-0123456789", "tok-0123456789", "bob"):
        assert secret not in text
    assert "  p  https://****@llm.test/v1/chat/completions?key=****&api-version=2\n" in text
    assert "Proxy: $HTTPS_PROXY http://****@proxy.test:3128 (from the environment" in text
    assert "␊" not in text  # the provider's lines are lines


def test_render_config_shows_a_providers_maxtoken_limits(
    tmp_path: Path, env: dict[str, str]
) -> None:
    transformer = {"use": [["maxtoken", {"max_tokens": 8192}]]}
    provider = {"name": "p", "api_base_url": "https://x.test/v1/chat", "transformer": transformer}
    text = render_config(config_with(tmp_path, env, {"Providers": [provider]}), env)
    assert "    output limit (maxtoken transformer): every model 8,192 tokens" in text
    assert "Output limit: 32,768 tokens per reply" in text


def test_render_built_in_default(env: dict[str, str]) -> None:
    text = render_config(load_config(None, env), env)
    assert f"Config: {BUILT_IN_ORIGIN}" in text
    assert "none (only the offline fixers are available)" in text
    assert "default      local (offline fixers)" in text


def test_keymap_ids_and_theme_names_are_checked(tmp_path: Path, env: dict[str, str]) -> None:
    data = {"Router": {"default": "local"}, "fixer": {"theme": "neon", "keymap": {"acept": "Y"}}}
    problems = check_config(config_with(tmp_path, env, data), env)
    assert any("'neon' is not a theme (known: ansi, dark, light)" in p for p in problems)
    assert any("unknown binding id 'acept'" in p for p in problems)


def test_the_readme_lists_every_binding_id() -> None:
    import re

    from fixer.keys import REVIEW_KEYS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    listed = readme.split("Binding ids: ", 1)[1].split(".\n", 1)[0]
    assert sorted(re.findall(r"`([a-z-]+)`", listed)) == sorted(k.id for k in REVIEW_KEYS)


def test_a_keymap_that_leaves_a_key_to_two_actions_is_refused(tmp_path: Path) -> None:
    from tests.helpers import clean_env, run_fixer

    config = tmp_path / "config.json"
    config.write_text('{"fixer": {"keymap": {"reject": "y"}}}')
    done = run_fixer(
        "config", "--check", "--config", str(config), cwd=tmp_path, env=clean_env(tmp_path)
    )
    assert done.returncode == 2
    assert "binds 'y' to both 'accept' and 'reject'" in done.stderr
    config.write_text(
        '{"Router": {"default": "local"}, "fixer": {"keymap": {"reject": "x", "accept": "Y,y"}}}'
    )
    assert (
        run_fixer(
            "config", "--check", "--config", str(config), cwd=tmp_path, env=clean_env(tmp_path)
        ).returncode
        == 0
    )


def test_fixer_config_says_where_it_looked_where_keys_come_from_and_what_will_404(
    tmp_path: Path,
) -> None:
    from tests.helpers import clean_env, run_fixer

    env = clean_env(tmp_path / "home")
    bare = run_fixer("config", cwd=tmp_path, env=env)
    assert bare.returncode == 0
    assert "looked in, in order" in bare.stdout and ".claude-code-router/config.json" in bare.stdout
    assert '"Providers"' in bare.stdout  # a minimal example to start from

    ccr = Path(env["HOME"]) / ".claude-code-router"
    ccr.mkdir(parents=True)
    (ccr / "config.sqlite").write_bytes(b"SQLite format 3\0")
    providers = [
        {
            "name": "a",
            "api_base_url": "https://a.test/v1",
            "api_key": "$A_SECRET",
            "models": ["m1"],
        },
        {
            "name": "b",
            "api_base_url": "https://b.test/chat/completions",
            "api_key": "sk-literal-1234",
            "models": ["m2", "m3"],
        },
        {
            "name": "c\x1b]0;pwned\x07",
            "api_base_url": "https://c.test/chat/completions",
            "models": ["m4"],
        },
    ]
    (ccr / "config.json").write_text(
        json.dumps({"Providers": providers, "Router": {"default": "a,m1"}})
    )
    env = {**env, "A_SECRET": "sk-from-env-5678"}
    shown = run_fixer("config", cwd=tmp_path, env=env)
    out = shown.stdout
    assert "from $A_SECRET, named in the file" in out and "written in the file" in out
    assert "(set $C__0_PWNED__API_KEY or api_key)" in out
    assert "models: m2, m3" in out
    assert "sk-from-env-5678" not in out and "sk-literal-1234" not in out
    assert "config.sqlite" in out and "--config PATH" in out
    assert "\x1b" not in out and "\x07" not in out
    check = run_fixer("config", "--check", cwd=tmp_path, env=env)
    assert check.returncode == 2 and "would answer 404" in check.stderr


# claude-code-router 3.x: its live settings in config.sqlite


def ccr3_database(home: Path, app_config: object, *, key: str = "default") -> Path:
    """A config.sqlite as claude-code-router 3.x writes it (WAL journal, table app_config)."""
    import sqlite3

    folder = home / ".claude-code-router"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(
            "CREATE TABLE IF NOT EXISTS app_config "
            "(key TEXT PRIMARY KEY, value_json TEXT NOT NULL, updated_at TEXT NOT NULL)"
        )
        db.execute(
            "INSERT OR REPLACE INTO app_config VALUES (?, ?, '2026-12-01T00:00:00Z')",
            (key, json.dumps(app_config)),
        )
    db.close()
    return path


V3_SETTINGS = {
    "APIKEY": "",
    "HOST": "127.0.0.1",
    "Providers": [
        {
            "name": "deepseek",
            "baseUrl": "https://api.deepseek.com",
            "apiKey": "sk-v3-secret-9999",
            "models": ["deepseek-chat", "deepseek-reasoner"],
            "type": "openai_chat_completions",
        },
        {
            "name": "claude",
            "baseUrl": "https://api.anthropic.com",
            "type": "anthropic_messages",
            "models": ["claude-sonnet"],
            "apiKey": "sk-ant-x",
        },
        {
            "name": "off",
            "api_base_url": "https://off.test/chat/completions",
            "enabled": False,
            "models": ["m"],
        },
    ],
    "Router": {"rules": [{"id": "r1"}], "fallback": {"mode": "off"}},
}


def test_ccr3_settings_are_read_and_config_json_is_said_to_be_stale(tmp_path: Path) -> None:
    import sqlite3

    home = tmp_path / "home"
    database = ccr3_database(home, V3_SETTINGS)
    (home / ".claude-code-router" / "config.json").write_text(
        json.dumps({"Providers": [], "Router": {}})
    )
    before = database.read_bytes()
    # ccr running: a writer holds the database open, mid-transaction, while fixer reads.
    writer = sqlite3.connect(database)
    writer.execute("BEGIN IMMEDIATE")
    try:
        config = load_config(None, {"HOME": str(home)})
    finally:
        writer.rollback()
        writer.close()
    assert config.path == database and "3.x" in config.origin
    (provider,) = config.providers
    assert provider.name == "deepseek"
    assert provider.api_base_url == "https://api.deepseek.com/chat/completions"
    assert provider.api_key == "sk-v3-secret-9999" and provider.models[0] == "deepseek-chat"
    assert config.router == {"default": "deepseek,deepseek-chat"}
    notes = " ".join(config.notes)
    assert "config.json is not read" in notes
    assert "'claude' speaks 'anthropic_messages'" in notes
    assert "1 rule(s) of ccr 3's own" in notes
    assert database.read_bytes() == before  # read only: not a byte changed


def test_ccr3_scenario_keys_map_to_fixers_routes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    settings = {
        "Providers": [
            {
                "name": "p",
                "api_base_url": "https://p.test/chat/completions",
                "api_key": "k",
                "models": ["cheap", "strong"],
            }
        ],
        "Router": {
            "default": "p,cheap",
            "think": "p,strong",
            "longContextThreshold": 50000,
            "rules": [],
        },
    }
    ccr3_database(home, settings)
    config = load_config(None, {"HOME": str(home)})
    assert dict(config.router) == {
        "default": "p,cheap",
        "think": "p,strong",
        "longContextThreshold": 50000,
    }
    assert config.notes == ()
    assert check_config(config, {"HOME": str(home)}) == []


@pytest.mark.parametrize(
    "contents",
    [b"SQLite format 3\0 but cut", b"not a database at all"],
    ids=["truncated", "garbage"],
)
def test_an_unreadable_ccr3_database_falls_back_to_config_json_and_says_why(
    tmp_path: Path, contents: bytes
) -> None:
    home = tmp_path / "home"
    folder = home / ".claude-code-router"
    folder.mkdir(parents=True)
    (folder / "config.sqlite").write_bytes(contents)
    (folder / "config.json").write_text(json.dumps({"Providers": [], "Router": {}}))
    config = load_config(None, {"HOME": str(home)})
    assert config.path == folder / "config.json"
    (note,) = config.notes
    assert "could not read" in note and "--config PATH" in note
    assert (folder / "config.sqlite").read_bytes() == contents


def test_a_ccr3_database_without_settings_leaves_config_json_in_use(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ccr3_database(home, {"theme": "dark"}, key="onboardingFinishedAt")
    (home / ".claude-code-router" / "config.json").write_text(
        json.dumps({"Providers": [], "Router": {}})
    )
    config = load_config(None, {"HOME": str(home)})
    assert config.path == home / ".claude-code-router" / "config.json"
    assert "holds no settings yet" in config.notes[0]


def test_an_explicit_config_wins_over_ccr3(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ccr3_database(home, V3_SETTINGS)
    mine = tmp_path / "mine.json"
    mine.write_text(json.dumps({"Providers": [], "Router": {}}))
    config = load_config(mine, {"HOME": str(home)})
    assert config.path == mine and config.notes == ()


def test_fixer_asks_the_provider_ccr3_names(
    tmp_path: Path, fake_provider, fake_provider_config: Path
) -> None:
    """End to end: a --print run routed by the settings of a ccr 3 database alone."""
    from tests.helpers import clean_env, make_repo, run_fixer

    written = json.loads(fake_provider_config.read_text())
    env = clean_env(tmp_path / "home")
    ccr3_database(Path(env["HOME"]), written)
    repo = make_repo(tmp_path / "repo", {"calc.py": "x = 1\n"})
    fake_provider.reply("```diff\n--- a/calc.py\n+++ b/calc.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n```\n")
    done = run_fixer("--print", "calc.py", cwd=repo, env=env)
    assert done.returncode == 0, done.stderr
    assert "+x = 2" in done.stdout and len(fake_provider.requests) == 1
    shown = run_fixer("config", cwd=repo, env=env)
    assert "config.sqlite (claude-code-router 3.x, read-only)" in shown.stdout


def test_fixer_retry_sets_the_retry_policy_and_keeps_the_defaults_it_does_not_name(
    tmp_path: Path, env: dict[str, str]
) -> None:
    retry = {"attempts": 2, "backoff_s": 0.01, "longest_wait_s": 5}
    config = config_with(tmp_path, env, {"Router": {"default": "local"}, "fixer": {"retry": retry}})
    assert config.problems == ()
    assert config.retry == RetryPolicy(attempts=2, base_s=0.01, max_wait_s=5.0)
    half = {"attempts": True, "backoff_cap_s": -1, "backoff_s": 2}  # the bad ones are skipped
    broken = config_with(tmp_path, env, {"Router": {"default": "local"}, "fixer": {"retry": half}})
    assert broken.retry == RetryPolicy(base_s=2.0)
    assert len(broken.problems) == 2


def test_the_dialect_and_the_known_words_are_read_and_shown(
    tmp_path: Path, env: dict[str, str]
) -> None:
    words = Path(env["HOME"]) / ".config" / "fixer" / "words.txt"
    words.parent.mkdir(parents=True)
    words.write_text("CSDN\nXORing\n# a comment\n", encoding="utf-8")
    path = write(tmp_path / "config.json", '{"fixer": {"dialect": "British"}}')
    config = load_config(path, env)
    assert config.prose.dialect == "british" and config.prose.words == {"csdn", "xoring"}
    text = render_config(config, env)
    assert f"Prose: dialect british (fixer.dialect); 2 known words in {words}" in text


def test_a_dialect_fixer_does_not_know_is_a_problem_and_none_is_set(
    tmp_path: Path, env: dict[str, str]
) -> None:
    path = write(tmp_path / "config.json", '{"fixer": {"dialect": "martian"}}')
    config = load_config(path, env)
    assert config.prose.dialect is None
    assert any('"fixer.dialect" must be one of american, british' in p for p in config.problems)
    assert "British and American spellings both stand" in render_config(config, env)
