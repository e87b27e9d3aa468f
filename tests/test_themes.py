"""Theme files: the bundled ones, user ones, broken ones, and what Textual makes of them."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tomllib
from dataclasses import astuple
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.color import Color
from textual.widgets import Static

from fixer.themes import (
    DEFAULT_THEME,
    DIFF_VARIABLES,
    FixerTheme,
    UiColours,
    load_themes,
    pick_theme,
    themes_dir,
    user_themes_dir,
)

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = {"dark", "light", "ansi"}
MINIMAL = '[ui]\nprimary = "#123456"\n'


@pytest.fixture
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty user theme folder under a private XDG_CONFIG_HOME."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    folder = tmp_path / "config" / "fixer" / "themes"
    folder.mkdir(parents=True)
    return folder


def test_bundled_themes_load_without_problems(user_dir: Path) -> None:
    themes, problems = load_themes(os.environ)
    assert problems == []
    assert set(themes) == BUNDLED
    assert themes_dir() == ROOT / "themes"
    assert all(theme.path == themes_dir() / f"{name}.toml" for name, theme in themes.items())
    assert themes[DEFAULT_THEME].diff == DIFF_VARIABLES
    assert themes[DEFAULT_THEME].textual_theme().variables == DIFF_VARIABLES
    assert (themes["dark"].dark, themes["light"].dark) == (True, False)
    assert (themes["light"].syntax, themes["ansi"].syntax) == ("default", "none")


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_files_set_every_diff_colour(name: str) -> None:
    raw = tomllib.loads((themes_dir() / f"{name}.toml").read_text(encoding="utf-8"))
    assert {f"diff-{key}" for key in raw["diff"]} == set(DIFF_VARIABLES)
    assert raw["name"] == name


def test_ansi_theme_uses_only_the_terminals_colours(user_dir: Path) -> None:
    ansi = load_themes(os.environ)[0]["ansi"]
    assert ansi.ansi
    ui = [colour for colour in astuple(ansi.ui) if colour is not None]  # None: Textual derives it
    colours = [*ui, *ansi.diff.values()]
    assert all(Color.parse(colour).ansi is not None for colour in colours)
    # Textual's own widgets need $ansi-background, which only its built-in ANSI themes define.
    variables = ansi.textual_theme().variables
    assert variables["ansi-background"] == "ansi_black" and variables.items() >= ansi.diff.items()
    # On a 16-colour terminal the text of a changed line must differ from what is behind it.
    for side in ("added", "removed"):
        text = ansi.diff[f"diff-{side}-foreground"]
        assert text not in {
            ansi.diff[f"diff-{side}-background"],
            ansi.diff[f"diff-{side}-word-background"],
        }


class ThemedApp(App[None]):
    """The smallest app that styles a widget with fixer's diff variables."""

    CSS = """
    #line { background: $diff-added-background; color: $diff-added-foreground; }
    #word { background: $diff-removed-word-background; color: $diff-hunk-header; }
    """

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return DIFF_VARIABLES

    def compose(self) -> ComposeResult:
        yield Static("+ added", id="line")
        yield Static("word", id="word")


async def apply_themes(themes: dict[str, FixerTheme]) -> dict[str, tuple[str, Color, Color]]:
    """Register and switch to each theme; what Textual then shows, by theme name."""
    seen = {}
    app = ThemedApp()
    async with app.run_test(size=(40, 5)) as pilot:
        for theme in themes.values():
            app.register_theme(theme.textual_theme())
        for name in themes:
            app.theme = name
            await pilot.pause()
            line, word = app.query_one("#line"), app.query_one("#word")
            variable = app.get_css_variables()["diff-added-background"]
            seen[name] = (variable, line.styles.background, word.styles.color)
    return seen


def test_textual_applies_every_bundled_theme(user_dir: Path) -> None:
    themes, _ = load_themes(os.environ)
    seen = asyncio.run(apply_themes(themes))
    for name, theme in themes.items():
        expected = (
            theme.diff["diff-added-background"],
            Color.parse(theme.diff["diff-added-background"]),
            Color.parse(theme.diff["diff-hunk-header"]),
        )
        assert seen[name] == expected


def test_user_themes_replace_and_add(user_dir: Path) -> None:
    (user_dir / "dark.toml").write_text(
        MINIMAL + '[diff]\nadded-background = "#111111"\n', encoding="utf-8"
    )
    (user_dir / "mine.toml").write_text(
        'name = "sunny"\ndark = false\nsyntax = "friendly"\n' + MINIMAL, encoding="utf-8"
    )
    themes, problems = load_themes(os.environ)
    assert problems == []
    assert set(themes) == BUNDLED | {"sunny"}
    dark = themes["dark"]
    assert dark.path == user_dir / "dark.toml"
    assert dark.ui == UiColours(primary="#123456")
    assert dark.diff == DIFF_VARIABLES | {"diff-added-background": "#111111"}
    assert (dark.syntax, dark.dark, dark.ansi) == ("monokai", True, False)
    assert (themes["sunny"].dark, themes["sunny"].syntax) == (False, "friendly")


def test_user_themes_dir_follows_xdg_then_home() -> None:
    assert user_themes_dir({"XDG_CONFIG_HOME": "/x", "HOME": "/h"}) == Path("/x/fixer/themes")
    # A relative XDG_CONFIG_HOME is invalid by the spec and ignored.
    for env in ({"HOME": "/h"}, {"XDG_CONFIG_HOME": "rel", "HOME": "/h"}):
        assert user_themes_dir(env) == Path("/h/.config/fixer/themes")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[ui\nprimary = 1", "invalid TOML (Expected ']'"),
        ('[ui]\nprimary = "#12345z"', "[ui] primary = '#12345z' is not a colour"),
        ('[ui]\nprimary = "blu"', "did you mean 'blue'?"),
        ("[ui]\nprimary = 12", "[ui] primary must be a colour string, not 12"),
        (MINIMAL + '[diff]\nadded = "red"', "unknown key 'added' in [diff]"),
        ('[ui]\nprimay = "red"', "unknown key 'primay' in [ui]; did you mean 'primary'?"),
        ('colour = "red"\n' + MINIMAL, "unknown key 'colour' in the top level"),
        ('syntax = "monokia"\n' + MINIMAL, "syntax = 'monokia' is not a Pygments style"),
        ('dark = "yes"\n' + MINIMAL, "`dark` must be true or false, not 'yes'"),
        ("ui = 3\n", "`ui` must be a table, not 3"),
        ('name = ""\n' + MINIMAL, "`name` is empty"),
        ('[ui]\nsecondary = "red"', "[ui] has no `primary` colour"),
        ('name = "x"\n', "the [ui] table with at least `primary` is missing"),
    ],
)
def test_a_broken_file_is_reported_once_and_skipped(
    user_dir: Path, text: str, problem: str
) -> None:
    path = user_dir / "dark.toml"
    path.write_text(text, encoding="utf-8")
    themes, problems = load_themes(os.environ)
    assert len(problems) == 1
    assert problems[0].startswith(f"Theme file {path} skipped: ")
    assert problem in problems[0]
    # The broken user file replaced nothing: the bundled dark theme is still there.
    assert set(themes) == BUNDLED and themes["dark"].path == themes_dir() / "dark.toml"


def test_two_files_with_one_name_keep_the_first(user_dir: Path) -> None:
    for stem in ("a", "b"):
        (user_dir / f"{stem}.toml").write_text('name = "twin"\n' + MINIMAL, encoding="utf-8")
    themes, problems = load_themes(os.environ)
    assert themes["twin"].path == user_dir / "a.toml"
    assert problems == [
        f"Theme file {user_dir / 'b.toml'} skipped: {user_dir / 'a.toml'} already defines 'twin'"
    ]


def test_pick_theme_falls_back_to_the_default_with_a_message(user_dir: Path) -> None:
    themes, _ = load_themes(os.environ)
    assert pick_theme(None, themes) == (themes[DEFAULT_THEME], None)
    assert pick_theme("light", themes) == (themes["light"], None)
    theme, message = pick_theme("nope", themes)
    assert theme is themes[DEFAULT_THEME]
    assert message == (
        "No usable theme named 'nope'; using 'dark'. Available themes: ansi, dark, light."
    )


def test_importing_themes_loads_neither_textual_nor_pygments() -> None:
    code = (
        "import sys, fixer.themes; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'pygments', 'rich'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]"
