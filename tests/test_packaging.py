"""The wheel a user installs holds the package, its stylesheets and its themes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THEMES = {"dark", "light", "ansi"}


def test_wheel_ships_the_themes(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("fixer-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "site")
    assert {f"fixer/_themes/{name}.toml" for name in THEMES} <= set(names)
    assert "fixer/cli.py" in names and "fixer/patch/locate.py" in names
    # The screens' stylesheets sit beside them; without them the review screen cannot start.
    assert {"fixer/tui/review_screen.tcss", "fixer/tui/commit_screen.tcss"} <= set(names)
    # The installed package finds its themes without the source checkout.
    code = (
        "import json, fixer.themes as t; "
        "themes, problems = t.load_themes({'HOME': '/nonexistent'}); "
        "print(json.dumps([str(t.themes_dir()), sorted(themes), problems]))"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    shown = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == [
        str(tmp_path / "site" / "fixer" / "_themes"),
        sorted(THEMES),
        [],
    ]


def test_bundled_themes_load() -> None:
    from fixer.themes import DEFAULT_THEME, load_themes, pick_theme, themes_dir

    themes, problems = load_themes({"HOME": "/nonexistent"})
    assert problems == []
    assert set(themes) == THEMES
    theme, message = pick_theme(None, themes)
    assert (theme.name, theme.path, message) == (
        DEFAULT_THEME,
        themes_dir() / "dark.toml",
        None,
    )


def test_wheel_ships_the_price_table(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("fixer-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert "fixer/data/prices.json" in archive.namelist()
        archive.extractall(tmp_path / "site")
    # The installed package reads its prices without the source checkout.
    code = (
        "import json, fixer.cost as c; "
        "price = c.load_prices().find('openai', 'gpt-4.1'); "
        "print(json.dumps([c.__file__, price.key, str(price.output)]))"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    shown = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == [
        str(tmp_path / "site" / "fixer" / "cost.py"),
        "openai,gpt-4.1",
        "8.00",
    ]
