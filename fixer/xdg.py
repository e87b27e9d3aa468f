"""Where fixer keeps its files: the XDG base directories, read from a given environment.

Standard library only: the config, the ledger and the themes all ask, some on the start-up path.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path


def home(env: Mapping[str, str]) -> Path:
    """The home directory, from `env` first so tests and callers control it."""
    return Path(env["HOME"]) if env.get("HOME") else Path.home()


def base_dir(env: Mapping[str, str], variable: str, fallback: str) -> Path:
    """An XDG base directory ($XDG_CONFIG_HOME, ...); relative or empty values are ignored, as
    the spec says, for `fallback` under the home directory."""
    value = env.get(variable, "")
    return Path(value) if os.path.isabs(value) else home(env) / fallback


def write_state_file(
    env: Mapping[str, str], folder: str, prefix: str, suffix: str, text: str
) -> Path:
    """A new file $XDG_STATE_HOME/fixer/<folder>/<prefix>-<UTC time><suffix> holding `text`
    (crash reports, hunks left for a later review); OSError when it cannot be written."""
    directory = base_dir(env, "XDG_STATE_HOME", ".local/state") / "fixer" / folder
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{prefix}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S.%fZ')}{suffix}"
    path.write_text(text, encoding="utf-8", errors="backslashreplace")
    return path
