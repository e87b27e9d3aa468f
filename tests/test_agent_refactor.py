"""The refactor agent: its clean-up lands, while a hunk that changes a Python file's public API
(a renamed or removed module-level name, a changed signature) is flagged, never taken by --yes
nor --print; and every agent's request reaches the model of its Router scenario."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from fixer.agents import BUILT_IN, Agent
from fixer.patch import diff_hunks, format_diff
from tests.fakeserver import FakeProvider
from tests.helpers import clean_env, git, make_repo, run_fixer

LIB = '''"""Prices."""


def total(prices, tax=0.2):
    return _sum(prices) * (1 + tax)


RATES = {
    "fr": 0.2,
    "de": 0.19,
    "it": 0.22,
}


def _sum(values):
    result = 0
    for value in values:
        result = result + value
    return result
'''
CLEANED = LIB.replace(
    "    result = 0\n    for value in values:\n        result = result + value\n    return result",
    "    return sum(values)",
)
RENAME = "renames the public name total to grand_total"


def file_diff(name: str, old: str, new: str) -> str:
    """A model's diff of `old` to `new`, one hunk per change."""
    return format_diff(name, diff_hunks(old, new))


def refactor(
    tmp_path: Path, config: Path, *args: str
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    repo = make_repo(tmp_path / "repo", {"lib.py": LIB})
    run = ["--agent", "refactor", *args, "--config", str(config), "lib.py"]
    return repo, run_fixer(*run, cwd=repo, env=clean_env(tmp_path / "home"))


@pytest.fixture
def renamed_and_cleaned(fake_provider: FakeProvider) -> FakeProvider:
    """A reply that renames the public `total` and cleans up the private `_sum`."""
    new = CLEANED.replace("def total(", "def grand_total(")
    fake_provider.reply(file_diff("lib.py", LIB, new))
    return fake_provider


def test_yes_writes_the_private_clean_up_and_leaves_the_renamed_public_function_flagged(
    tmp_path: Path, renamed_and_cleaned: FakeProvider, fake_provider_config: Path
) -> None:
    repo, result = refactor(tmp_path, fake_provider_config, "--yes")
    assert result.returncode == 0, result.stderr
    assert (repo / "lib.py").read_text(encoding="utf-8") == CLEANED
    assert f"dropped 1 flagged hunk in lib.py ({RENAME})" in result.stderr
    # The flagged hunk is kept for a review: the saved diff holds the rename, and only it.
    saved = Path(result.stderr.split("fixer --from-diff ")[1].split()[0])
    flagged = saved.read_text(encoding="utf-8")
    assert "+def grand_total(prices, tax=0.2):" in flagged and "sum(values)" not in flagged
    assert git(repo, "status", "--porcelain") == ""  # the clean-up is committed, nothing else


def test_print_leaves_the_flagged_rename_out(
    tmp_path: Path, renamed_and_cleaned: FakeProvider, fake_provider_config: Path
) -> None:
    repo, result = refactor(tmp_path, fake_provider_config, "--print")
    assert result.returncode == 0, result.stderr
    assert "+    return sum(values)" in result.stdout
    assert "grand_total" not in result.stdout
    assert f"--print dropped 1 flagged hunk in lib.py ({RENAME})" in result.stderr
    assert (repo / "lib.py").read_text(encoding="utf-8") == LIB


def test_the_flagged_hunk_is_shown_flagged_when_reviewed_from_the_saved_diff(
    tmp_path: Path, renamed_and_cleaned: FakeProvider, fake_provider_config: Path
) -> None:
    repo, result = refactor(tmp_path, fake_provider_config, "--yes")
    saved = result.stderr.split("fixer --from-diff ")[1].split()[0]
    git(repo, "reset", "-q", "--hard", "HEAD~1")  # back to the original, as before the run
    again = run_fixer(
        "--agent", "refactor", "--from-diff", saved, "--yes", "lib.py",
        cwd=repo, env=clean_env(tmp_path / "home"),
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert f"dropped 1 flagged hunk in lib.py ({RENAME})" in again.stderr
    assert (repo / "lib.py").read_text(encoding="utf-8") == LIB


@pytest.mark.parametrize("agent", BUILT_IN, ids=[a.name for a in BUILT_IN])
def test_each_agent_asks_the_model_of_its_router_scenario(
    tmp_path: Path, fake_provider: FakeProvider, agent: Agent
) -> None:
    models = {scenario: f"{scenario}-model" for scenario in ("default", "think", "background")}
    provider = {"name": "fake", "api_base_url": fake_provider.url, "api_key": "k"}
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps(
            {
                "Providers": [{**provider, "models": list(models.values())}],
                "Router": {scenario: f"fake,{model}" for scenario, model in models.items()},
            }
        ),
        encoding="utf-8",
    )
    name = "post.md" if agent.refusal("lib.py") else "lib.py"
    repo = make_repo(tmp_path / "repo", {name: "Some text.\n" if name == "post.md" else LIB})
    fake_provider.reply("There is nothing to change.")  # no diff: the ladder climbs after it
    run = ["--agent", agent.name, "--print", "--config", str(config), name]
    run_fixer(*run, cwd=repo, env=clean_env(tmp_path / "home"))
    assert fake_provider.requests[0].body["model"] == models[agent.scenario]
