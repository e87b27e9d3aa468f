"""Themes: the TOML files in themes/, shipped inside the package, read into Rich styles."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import fixer

DEFAULT_THEME = "dark"
DIFF_KEYS = ("added", "removed", "added_word", "removed_word", "context", "hunk_header", "flag")


@dataclass(frozen=True)
class Theme:
    """A named set of diff styles (Rich style strings)."""

    name: str
    diff: dict[str, str]


def themes_dir() -> Path:
    """Where the bundled themes are: inside the wheel, or at the top of a source checkout."""
    package = Path(fixer.__file__).parent
    shipped = package / "_themes"
    return shipped if shipped.is_dir() else package.parent / "themes"


def load_theme(name: str = DEFAULT_THEME, folder: Path | None = None) -> Theme:
    """Read one theme file; a missing style key falls back to plain text."""
    path = (folder or themes_dir()) / f"{name}.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    diff = data.get("diff", {})
    return Theme(data.get("name", name), {key: str(diff.get(key, "")) for key in DIFF_KEYS})
