"""The wheel a user installs holds the package, its stylesheets, its themes and its prices."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
THEMES = {"dark", "light", "ansi"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], Path]:
    """The files of the wheel pip builds, and where it is unpacked (as site-packages would be)."""
    folder = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    subprocess.run(
        [*pip, "-w", str(folder), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = folder.glob("fixer-*.whl")
    with zipfile.ZipFile(built) as archive:
        archive.extractall(folder / "site")
        return archive.namelist(), folder / "site"


def installed(site: Path, code: str) -> object:
    """What `code` prints (JSON) when run against the unpacked wheel, not the source checkout."""
    env = {**os.environ, "PYTHONPATH": str(site)}
    shown = subprocess.run(
        [sys.executable, "-c", code], cwd=site.parent, env=env, capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)


def test_wheel_ships_the_package_stylesheets_and_themes(wheel: tuple[list[str], Path]) -> None:
    names, site = wheel
    assert {f"fixer/_themes/{name}.toml" for name in THEMES} <= set(names)
    assert "fixer/cli.py" in names and "fixer/patch/locate.py" in names
    # The screens' stylesheets sit beside them; without them the review screen cannot start.
    assert {"fixer/tui/review_screen.tcss", "fixer/tui/commit_screen.tcss"} <= set(names)
    code = (
        "import json, fixer.themes as t; "
        "themes, problems = t.load_themes({'HOME': '/nonexistent'}); "
        "print(json.dumps([str(t.themes_dir()), sorted(themes), problems]))"
    )
    assert installed(site, code) == [str(site / "fixer" / "_themes"), sorted(THEMES), []]


def test_wheel_ships_the_price_table(wheel: tuple[list[str], Path]) -> None:
    names, site = wheel
    assert "fixer/data/prices.json" in names
    code = (
        "import json, fixer.cost as c; "
        "price = c.load_prices().find('openai', 'gpt-4.1'); "
        "print(json.dumps([c.__file__, price.key, str(price.output)]))"
    )
    assert installed(site, code) == [str(site / "fixer" / "cost.py"), "openai,gpt-4.1", "8.00"]


def test_bundled_themes_load() -> None:
    from fixer.themes import DEFAULT_THEME, load_themes, pick_theme, themes_dir

    themes, problems = load_themes({"HOME": "/nonexistent"})
    assert problems == []
    assert set(themes) == THEMES
    theme, message = pick_theme(None, themes)
    assert (theme.name, theme.path, message) == (DEFAULT_THEME, themes_dir() / "dark.toml", None)
