"""Themes: TOML files of UI colours, diff colours and a Pygments style, made into Textual themes.

The bundled themes live in the top-level themes/ folder (shipped in the wheel as fixer/_themes);
users add or replace themes in $XDG_CONFIG_HOME/fixer/themes/*.toml. themes/dark.toml documents
the format. A broken file is reported in one line and skipped, never fatal. Textual and Pygments
are imported only while checking a file, so importing this module stays cheap.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import fixer
from fixer.xdg import base_dir

if TYPE_CHECKING:
    from textual.theme import Theme

DEFAULT_THEME = "dark"
NO_SYNTAX = "none"
# Fixer's own Textual CSS variables with the dark theme's values; every theme defines all of them,
# and the TUI declares these defaults so that Textual's built-in themes parse too.
DIFF_VARIABLES: dict[str, str] = {
    "diff-added-background": "#002800",
    "diff-removed-background": "#3f0001",
    "diff-added-word-background": "#006000",
    "diff-removed-word-background": "#901011",
    "diff-added-foreground": "#7ee787",
    "diff-removed-foreground": "#ffa198",
    "diff-context-foreground": "#9a9a9a",
    "diff-line-number": "#6e7681",
    "diff-hunk-header": "#56b6c2",
    "diff-flag": "#ffa62b",
    "diff-cursor": "#0178d4",
}
_DIFF_PREFIX = "diff-"
_DIFF_KEYS = tuple(variable.removeprefix(_DIFF_PREFIX) for variable in DIFF_VARIABLES)
# Top-level keys: the type each must have, and its value when the file leaves it out (the dark
# theme's, like the diff colours, so that a minimal file still gives a consistent theme).
_TOP_LEVEL: dict[str, tuple[type, Any]] = {
    "name": (str, None),  # None: the file name without .toml
    "dark": (bool, True),
    "ansi": (bool, False),
    "syntax": (str, "monokai"),
    "ui": (dict, None),  # required: [ui] primary has no sensible default
    "diff": (dict, {}),
}
_TOML_TYPES = {str: "a string", bool: "true or false", dict: "a table"}


@dataclass(frozen=True)
class UiColours:
    """A theme's [ui] table: Textual's base colours; those left out Textual derives."""

    primary: str
    secondary: str | None = None
    accent: str | None = None
    foreground: str | None = None
    background: str | None = None
    surface: str | None = None
    panel: str | None = None
    boost: str | None = None
    warning: str | None = None
    error: str | None = None
    success: str | None = None


UI_COLOURS = tuple(field.name for field in fields(UiColours))


@dataclass(frozen=True)
class FixerTheme:
    """One checked theme file: Textual UI colours, diff variables and a Pygments style name."""

    name: str
    dark: bool
    ui: UiColours
    diff: dict[str, str]
    syntax: str
    ansi: bool
    path: Path | None

    def textual_theme(self) -> Theme:
        """The Textual theme to register; fixer's diff colours travel as its CSS variables."""
        from textual.theme import BUILTIN_THEMES, Theme

        # Textual's ANSI colour system leaves out variables its own widgets use ($ansi-background
        # in Screen's CSS): an ANSI theme starts from the built-in ANSI theme's variables.
        variables = dict(self.diff)
        if self.ansi:
            variables = (
                BUILTIN_THEMES["ansi-dark" if self.dark else "ansi-light"].variables | variables
            )
        ui = self.ui
        return Theme(
            name=self.name,
            dark=self.dark,
            ansi=self.ansi,
            variables=variables,
            primary=ui.primary,
            secondary=ui.secondary,
            accent=ui.accent,
            foreground=ui.foreground,
            background=ui.background,
            surface=ui.surface,
            panel=ui.panel,
            boost=ui.boost,
            warning=ui.warning,
            error=ui.error,
            success=ui.success,
        )


def themes_dir() -> Path:
    """Where the bundled themes are: inside the wheel, or at the top of a source checkout."""
    package = Path(fixer.__file__).parent
    shipped = package / "_themes"
    return shipped if shipped.is_dir() else package.parent / "themes"


def user_themes_dir(env: Mapping[str, str]) -> Path:
    """Where users keep their own themes: $XDG_CONFIG_HOME/fixer/themes, else ~/.config/..."""
    return base_dir(env, "XDG_CONFIG_HOME", ".config") / "fixer" / "themes"


def load_themes(env: Mapping[str, str]) -> tuple[dict[str, FixerTheme], list[str]]:
    """Every usable theme by name, user themes replacing bundled ones, and one line per bad file."""
    themes: dict[str, FixerTheme] = {}
    problems: list[str] = []
    for folder in (themes_dir(), user_themes_dir(env)):
        found, folder_problems = _load_folder(folder)
        themes.update(found)
        problems.extend(folder_problems)
    return themes, problems


def pick_theme(name: str | None, themes: Mapping[str, FixerTheme]) -> tuple[FixerTheme, str | None]:
    """The theme called `name` (None: the default), or the default and a message saying why.

    `themes` comes from `load_themes`, which always holds the bundled default.
    """
    if name is None or name in themes:
        return themes[name or DEFAULT_THEME], None
    message = (
        f"No usable theme named {name!r}; using {DEFAULT_THEME!r}. "
        f"Available themes: {', '.join(sorted(themes))}."
    )
    return themes[DEFAULT_THEME], message


def _load_folder(folder: Path) -> tuple[dict[str, FixerTheme], list[str]]:
    """The themes in one folder; two files claiming one name keep the first, as sorted."""
    themes: dict[str, FixerTheme] = {}
    problems: list[str] = []
    paths = sorted(path for path in folder.glob("*.toml") if path.is_file())
    for path in paths:
        try:
            theme = _read_theme(path)
        except ValueError as error:
            problems.append(f"Theme file {path} skipped: {error}")
            continue
        if theme.name in themes:
            first = themes[theme.name].path
            problems.append(f"Theme file {path} skipped: {first} already defines {theme.name!r}")
            continue
        themes[theme.name] = theme
    return themes, problems


def _read_theme(path: Path) -> FixerTheme:
    """Parse and check one theme file; a ValueError names the first problem found."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"cannot read it ({error})") from error
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"invalid TOML ({error})") from error
    _check_keys(data, _TOP_LEVEL, "the top level")
    values = {key: _typed(data, key, *spec) for key, spec in _TOP_LEVEL.items()}
    if values["ui"] is None:
        raise ValueError("the [ui] table with at least `primary` is missing")
    _check_keys(values["ui"], UI_COLOURS, "[ui]")
    _check_keys(values["diff"], _DIFF_KEYS, "[diff]")
    if "primary" not in values["ui"]:
        raise ValueError("[ui] has no `primary` colour")
    diff = {key: _colour(value, f"[diff] {key}") for key, value in values["diff"].items()}
    return FixerTheme(
        name=values["name"] or path.stem,
        dark=values["dark"],
        ui=UiColours(**{key: _colour(value, f"[ui] {key}") for key, value in values["ui"].items()}),
        diff=DIFF_VARIABLES | {_DIFF_PREFIX + key: value for key, value in diff.items()},
        syntax=_syntax(values["syntax"]),
        ansi=values["ansi"],
        path=path,
    )


def _check_keys(table: Mapping[str, Any], allowed: Collection[str], where: str) -> None:
    """Reject keys nobody reads, so that a typo is reported instead of silently ignored."""
    for key in table:
        if key not in allowed:
            raise ValueError(f"unknown key {key!r} in {where}{_did_you_mean(key, allowed)}")


def _typed(data: Mapping[str, Any], key: str, kind: type, default: Any) -> Any:
    """The value of a top-level key, or its default; a value of the wrong TOML type is refused."""
    value = data.get(key, default)
    if value is not None and not isinstance(value, kind):
        raise ValueError(f"`{key}` must be {_TOML_TYPES[kind]}, not {value!r}")
    if kind is str and value == "":
        raise ValueError(f"`{key}` is empty")
    return value


def _colour(value: Any, where: str) -> str:
    """A colour Textual can parse: "#rrggbb", "rgb(...)", a colour name or "ansi_red" and kin."""
    from textual.color import Color, ColorParseError

    if not isinstance(value, str):
        raise ValueError(f"{where} must be a colour string, not {value!r}")
    try:
        Color.parse(value)
    except ColorParseError as error:
        hint = f"; did you mean {error.suggested_color!r}?" if error.suggested_color else ""
        raise ValueError(f"{where} = {value!r} is not a colour{hint}") from error
    return value


def _syntax(name: str) -> str:
    """A Pygments style name, or "none" for no syntax colours."""
    from pygments.styles import get_all_styles

    styles = [NO_SYNTAX, *get_all_styles()]
    if name not in styles:
        raise ValueError(
            f"syntax = {name!r} is not a Pygments style{_did_you_mean(name, styles)} "
            f"(`pygmentize -L styles` lists them; {NO_SYNTAX!r} turns syntax colours off)"
        )
    return name


def _did_you_mean(word: str, choices: Collection[str]) -> str:
    """A hint naming the closest valid spelling, or nothing when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""
