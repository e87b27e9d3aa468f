"""claude-code-router 3.x's live settings, read from its config.sqlite without ever writing it.

ccr 3 keeps its app config as JSON in the table `app_config` (row `default`) and reads
config.json only once, to migrate, so an upgraded user's config.json may be stale. The database
is opened read-only (`mode=ro`), so a running ccr (WAL journal) is never disturbed, and its
settings are given the config.json shape fixer reads: providers with `api_base_url`, `api_key`
and `models`, and the Router's scenario keys where it still has them.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

# The Router keys that mean what fixer's scenarios mean (the config.json format).
SCENARIOS = ("default", "background", "think", "longContext", "longContextThreshold", "webSearch")
CHAT_PATH = "/chat/completions"
CHAT_PROTOCOLS = ("", "openai", "openai_chat_completions")  # what fixer speaks


@dataclass(frozen=True)
class Settings:
    """ccr 3's settings in config.json's shape, and what did not carry over (for `fixer config`)."""

    raw: dict[str, Any]
    notes: tuple[str, ...]


class Unreadable(Exception):
    """The database cannot be read; the message says why in a few words."""


def read_settings(path: Path) -> Settings | None:
    """The settings in `path`, or None when it holds no app config; Unreadable on any failure."""
    uri = f"file:{quote(str(path))}?mode=ro"  # never a write; a busy writer is waited for
    try:
        with closing(sqlite3.connect(uri, uri=True, timeout=2)) as db:
            row = db.execute("SELECT value_json FROM app_config WHERE key = 'default'").fetchone()
    except sqlite3.Error as error:
        raise Unreadable(str(error)) from None
    if row is None:
        return None
    try:
        value = json.loads(row[0])
    except (TypeError, ValueError):
        raise Unreadable("its app config is not JSON") from None
    if not isinstance(value, dict):
        raise Unreadable("its app config is not a JSON object")
    return as_config_json(value)


def as_config_json(value: dict[str, Any]) -> Settings:
    """ccr 3's app config in config.json's shape (pure)."""
    notes: list[str] = []
    providers = []
    for entry in value.get("Providers") or []:
        if not isinstance(entry, dict) or entry.get("enabled") is False:
            continue
        provider = _provider(entry)
        if provider is None:
            notes.append(
                f"provider {entry.get('name')!r} speaks {entry.get('type')!r}, not the OpenAI "
                "chat completions fixer uses: left out"
            )
            continue
        providers.append(provider)
    router: dict[str, Any] = value["Router"] if isinstance(value.get("Router"), dict) else {}
    routes = {key: router[key] for key in SCENARIOS if key in router}
    rules = router.get("rules")
    if isinstance(rules, list) and rules:
        notes.append(
            f"its Router has {len(rules)} rule(s) of ccr 3's own, which do not map to fixer's "
            "scenarios; fixer uses "
            + (f"Router.{', Router.'.join(routes)}" if routes else "the first provider's model")
            + ". Give fixer a Router of its own with --config PATH or $FIXER_CONFIG."
        )
    if not routes and providers and providers[0]["models"]:
        routes = {"default": f"{providers[0]['name']},{providers[0]['models'][0]}"}
    return Settings({**value, "Providers": providers, "Router": routes}, tuple(notes))


def _provider(entry: dict[str, Any]) -> dict[str, Any] | None:
    """One provider in config.json's shape, or None when fixer cannot speak its protocol."""
    if str(entry.get("type") or "") not in CHAT_PROTOCOLS:
        return None
    url = _first(entry, "api_base_url")
    if not url:  # ccr 3's base URL: the chat endpoint is under it
        base = _first(entry, "baseUrl", "baseurl").rstrip("/")
        url = base if not base or base.endswith(CHAT_PATH) else base + CHAT_PATH
    key = _first(entry, "api_key", "apiKey", "apikey")
    if not key:  # several credentials: the first enabled one
        for credential in entry.get("credentials") or []:
            if isinstance(credential, dict) and credential.get("enabled") is not False:
                key = _first(credential, "api_key", "apiKey", "apikey")
                if key:
                    break
    return {
        "name": entry.get("name"),
        "api_base_url": url,
        "api_key": key,
        "models": [m for m in entry.get("models") or [] if isinstance(m, str)],
    }


def _first(entry: dict[str, Any], *names: str) -> str:
    for name in names:
        if isinstance(entry.get(name), str) and entry[name]:
            return entry[name]
    return ""
