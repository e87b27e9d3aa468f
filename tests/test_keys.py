"""The one key registry (fixer/keys.py): the review screen's bindings, the keymap check of
`fixer config --check` and the key list of `fixer --help` are all built from it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from fixer.config import load_config
from fixer.keys import REVIEW_KEYS
from tests.helpers import clean_env, run_fixer


def test_importing_the_registry_loads_no_textual() -> None:
    code = "import sys, fixer.keys; print(sorted({'textual', 'rich'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_review_screen_binds_exactly_the_registrys_keys() -> None:
    from textual.binding import Binding

    from fixer.tui.review_screen import ReviewScreen

    bound = [
        (b.id, b.key, b.action, b.description, b.group and b.group.description, b.show)
        for b in ReviewScreen.BINDINGS
        if isinstance(b, Binding)
    ]
    assert bound == [(k.id, k.key, k.action, k.description, k.group, k.show) for k in REVIEW_KEYS]
    assert len({k.id for k in REVIEW_KEYS}) == len({k.key for k in REVIEW_KEYS}) == len(bound)


def keymap_problems(tmp_path: Path, keymap: dict[str, str]) -> list[str]:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"Router": {"default": "local"}, "fixer": {"keymap": keymap}}))
    return list(load_config(config, clean_env(tmp_path)).problems)


def test_the_keymap_check_takes_every_registry_id_and_names_an_unknown_one(
    tmp_path: Path,
) -> None:
    # Every id remapped to a key of its own: accepted, no key left to two actions.
    every = {k.id: f"f{n}" for n, k in enumerate(REVIEW_KEYS, 1)}
    assert keymap_problems(tmp_path, every) == []
    [problem] = keymap_problems(tmp_path, {**every, "acept": "Y"})
    assert "unknown binding id 'acept'" in problem
    assert all(k.id in problem for k in REVIEW_KEYS)  # the known ids are listed


def test_fixer_help_lists_every_key_with_its_id(tmp_path: Path) -> None:
    done = run_fixer("--help", cwd=tmp_path, env=clean_env(tmp_path))
    assert done.returncode == 0
    rows = [line.split() for line in done.stdout.split("review keys", 1)[1].splitlines()[1:]]
    for key in REVIEW_KEYS:
        assert [*key.description.split(), key.id] in [row[1:] for row in rows], key
    assert ["?", "help", "help"] in rows and ["Esc", "cancel", "request", "cancel"] in rows
