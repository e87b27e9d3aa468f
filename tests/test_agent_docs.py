"""The docs agent: docstrings and comments only. End to end with the real `fixer` and the fake
provider, and the guard's functions (fixer/codeguard.py) on nasty inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixer.agents import find_agent
from fixer.codeguard import code_changes
from fixer.local import unified_diff
from fixer.patch import diff_hunks
from tests.fakeserver import FakeProvider
from tests.helpers import clean_env, git, make_repo, run_fixer

FILLER = "".join(f"value_{n} = {n}\n" for n in range(10))  # keeps two changes two hunks
SHOP = (
    f"def total(prices):\n    return sum(prices)\n\n{FILLER}\ndef tax(amount):\n"
    "    return amount * 0.2\n"
)
DOCUMENTED = SHOP.replace(
    "def total(prices):\n", 'def total(prices):\n    """The sum of `prices`."""\n'
)


def changes(name: str, old: str, new: str) -> list[str | None]:
    return code_changes(name, old, diff_hunks(old, new))


def routed(config: Path, tmp: Path, **router: str) -> Path:
    """The fake provider's config with these Router scenarios set (and its models listed)."""
    data = json.loads(config.read_text())
    data["Router"] |= router
    data["Providers"][0]["models"].append("background-model")
    path = tmp / "routed-config.json"
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return clean_env(tmp_path / "home")


def test_a_code_change_is_refused_while_the_docstring_of_the_same_reply_lands(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    config = routed(fake_provider_config, tmp_path, background="fake,background-model")
    repo = make_repo(tmp_path / "repo", {"shop.py": SHOP})
    fake_provider.reply(unified_diff(SHOP, DOCUMENTED.replace("0.2", "0.25"), "shop.py"))
    done = run_fixer(
        "--agent", "docs", "--yes", "--config", str(config), "shop.py", cwd=repo, env=env
    )
    assert done.returncode == 0, done.stderr
    assert (repo / "shop.py").read_text() == DOCUMENTED  # the tax rate is never touched
    assert "changes code, not only comments and docstrings: '0.2' → '0.25'" in done.stderr
    assert "accepted 1 hunk" in done.stdout
    assert git(repo, "status", "--porcelain") == ""
    request = fake_provider.requests[0]  # then the commit message, also from Router.background
    assert request.body["model"] == "background-model"  # the docs agent's cheap route
    rules = request.body["messages"][0]["content"]
    assert rules.startswith(find_agent("docs").prompt) and "unified diff" in rules


def test_without_a_background_route_the_docs_agent_asks_router_default(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    repo = make_repo(tmp_path / "repo", {"shop.py": SHOP})
    fake_provider.reply(unified_diff(SHOP, DOCUMENTED, "shop.py"))
    args = ("--agent", "docs", "--print", "--config", str(fake_provider_config), "shop.py")
    done = run_fixer(*args, cwd=repo, env=env)
    assert done.returncode == 0, done.stderr
    assert [r.body["model"] for r in fake_provider.requests] == ["cheap-model"]
    assert '+    """The sum of `prices`."""' in done.stdout
    assert (repo / "shop.py").read_text() == SHOP  # --print writes nothing


def test_think_wins_over_the_docs_agents_background_route(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    config = routed(fake_provider_config, tmp_path, background="fake,background-model")
    repo = make_repo(tmp_path / "repo", {"shop.py": SHOP})
    fake_provider.reply(unified_diff(SHOP, DOCUMENTED, "shop.py"))
    args = ("--agent", "docs", "--think", "--yes", "--config", str(config), "shop.py")
    done = run_fixer(*args, cwd=repo, env=env)
    assert done.returncode == 0, done.stderr
    # --think for the proposal, Router.background for the commit message
    assert [r.body["model"] for r in fake_provider.requests] == ["strong-model", "background-model"]
    assert (repo / "shop.py").read_text() == DOCUMENTED


SQL = f"-- the users\nSELECT name FROM users;\n{FILLER}-- the orders\nSELECT * FROM orders;\n"


def test_a_user_agent_with_the_comments_only_guard_refuses_code_and_takes_comments(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    agent = {"prompt": "You document SQL.", "guard": "comments-only", "files": ["*.sql"]}
    data = json.loads(fake_provider_config.read_text()) | {"fixer": {"agents": {"sqldoc": agent}}}
    config = tmp_path / "agents.json"
    config.write_text(json.dumps(data))
    repo = make_repo(tmp_path / "repo", {"q.sql": SQL})
    new = SQL.replace("-- the users", "-- every user's name").replace("* FROM", "id FROM")
    fake_provider.reply(unified_diff(SQL, new, "q.sql"))
    done = run_fixer(
        "--agent", "sqldoc", "--yes", "--config", str(config), "q.sql", cwd=repo, env=env
    )
    assert done.returncode == 0, done.stderr
    assert (repo / "q.sql").read_text() == SQL.replace("-- the users", "-- every user's name")
    assert "changes code, not only comments and docstrings: '*' → 'id'" in done.stderr
    assert [r.body["model"] for r in fake_provider.requests] == ["cheap-model"]  # its own route


def test_the_docs_agents_offline_fixer_spells_comments_and_never_code(tmp_path: Path) -> None:
    from fixer.sources import read_source

    text = f"# recieve the order\n{FILLER}recieve = 1\n"
    (tmp_path / "m.py").write_text(text)
    source = read_source(tmp_path / "m.py", tmp_path)
    sources = {source.name: source}
    found = find_agent("docs").local_review(sources, lambda name: "no")
    assert found is not None
    review, notes = found
    (hunk,) = review.hunks  # codespell's fix of the name `recieve` is refused
    assert hunk.hunk.new_lines[0] == "# receive the order"
    assert len(review.files[0].refusals) == 1 and notes
