"""The wheel a user installs holds the package and its themes."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
    names = zipfile.ZipFile(wheel).namelist()
    assert "fixer/_themes/dark.toml" in names
    assert "fixer/cli.py" in names and "fixer/patch/locate.py" in names


def test_bundled_theme_loads() -> None:
    from fixer.themes import load_theme

    theme = load_theme()
    assert theme.name == "dark"
    assert theme.diff["added"] and theme.diff["removed"]
