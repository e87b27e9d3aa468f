"""The user's own agents (the config's "fixer.agents" and Markdown files), `fixer agents`, and
what only the agents package may know: end to end with the real `fixer` and the fake provider."""

from __future__ import annotations

import ast
import importlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixer.agents import BUILT_IN, FIX, Agent
from tests.fakeserver import FakeProvider
from tests.helpers import clean_env, git, make_repo, run_fixer
from tests.shop import GOOD, Shop

QUERY = "SELECT name FROM users WHERE id = 1;\nSELECT  * FORM orders;\n"
QUERY_DIFF = (
    "--- a/query.sql\n+++ b/query.sql\n@@ -1,2 +1,2 @@\n SELECT name FROM users WHERE id = 1;\n"
    "-SELECT  * FORM orders;\n+SELECT * FROM orders;\n"
)


def with_agents(config: Path, tmp: Path, agents: object, **extra: object) -> Path:
    """The config with `agents` as its "fixer.agents" (and `extra` top-level keys)."""
    data = json.loads(config.read_text()) | {"fixer": {"agents": agents}} | extra
    path = tmp / "agents-config.json"
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return clean_env(tmp_path / "home")


def test_a_config_agent_asks_with_its_prompt_and_route_and_takes_only_its_files(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    agent = {"prompt": "You fix SQL queries.", "route": "fake,strong-model", "files": ["*.sql"]}
    config = with_agents(fake_provider_config, tmp_path, {"sql": agent})
    repo = make_repo(tmp_path / "repo", {"query.sql": QUERY, "app.py": "x = 1\n"})
    fake_provider.reply(QUERY_DIFF)
    args = ("--agent", "sql", "--yes", "--config", str(config))
    done = run_fixer(*args, "query.sql", cwd=repo, env=env)
    assert done.returncode == 0, done.stderr
    (request,) = fake_provider.requests
    assert request.body["model"] == "strong-model"
    rules = request.body["messages"][0]["content"]
    assert rules.startswith("You fix SQL queries.\n") and "unified diff" in rules
    assert (repo / "query.sql").read_text() == QUERY.replace("SELECT  * FORM", "SELECT * FROM")
    assert git(repo, "status", "--porcelain") == ""
    refused = run_fixer(*args, "app.py", cwd=repo, env=env)
    assert refused.returncode == 2
    assert "the sql agent takes *.sql: app.py is not one" in refused.stderr
    assert len(fake_provider.requests) == 1  # nothing sent for a file the agent does not take


def test_an_agent_route_escalates_like_router_default(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    # The agent's own route first; a reply that cannot be applied twice climbs the ladder.
    agent = {"prompt": "You fix SQL queries.", "route": "fake,cheap-model"}
    config = with_agents(fake_provider_config, tmp_path, {"sql": agent})
    repo = make_repo(tmp_path / "repo", {"query.sql": QUERY})
    fake_provider.reply("I would change the query.")
    fake_provider.reply("Still no diff.")
    fake_provider.reply(QUERY_DIFF)
    done = run_fixer(
        "--agent", "sql", "--yes", "--config", str(config), "query.sql", cwd=repo, env=env
    )
    assert done.returncode == 0, done.stderr
    models = [r.body["model"] for r in fake_provider.requests]
    assert models == ["cheap-model", "cheap-model", "strong-model"]


POST = "# Notes\n\nThis sentense is wrong.\n\nThe end are near.\n"


def test_a_markdown_agent_is_a_prose_agent_whose_guards_hold(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    folder = Path(env["XDG_CONFIG_HOME"]) / "fixer" / "agents"
    folder.mkdir(parents=True)
    (folder / "typos.md").write_text(
        "---\nsummary: typos only\nroute: think\nguard: prose-only\n---\n"
        "You fix typos in blog posts, nothing else.\n"
    )
    repo = make_repo(tmp_path / "repo", {"post.md": POST})
    fake_provider.reply(
        "--- a/post.md\n+++ b/post.md\n@@ -3 +3 @@\n-This sentense is wrong.\n"
        "+This sentence is wrong.\n@@ -5 +5 @@\n-The end are near.\n"
        "+The end are near. I hope this helps!\n"
    )
    args = ("--agent", "typos", "--yes", "--config", str(fake_provider_config), "post.md")
    done = run_fixer(*args, cwd=repo, env=env)
    assert done.returncode == 0, done.stderr
    (request,) = fake_provider.requests
    assert request.body["model"] == "strong-model"  # Router.think
    assert request.body["messages"][0]["content"].startswith("You fix typos in blog posts")
    assert "dropped 1 flagged hunk in post.md (adds a sentence)" in done.stderr
    assert (repo / "post.md").read_text() == POST.replace("sentense", "sentence")


@pytest.mark.parametrize(
    ("agent", "why"),
    [
        ({"prompt": "x", "guard": "code-only"}, "agent 'sql' (CONFIG): unknown guard 'code-only'"),
        ({"prompt": "x", "route": "cheap"}, "agent 'sql' (CONFIG): route 'cheap' is neither"),
        (
            {"prompt": "x", "route": "nowhere,model"},
            "agent 'sql' (CONFIG) route names provider 'nowhere', which is not in Providers",
        ),
        ({"prompt_file": "missing.txt"}, "agent 'sql' (CONFIG): its prompt file"),
        ({"route": "think"}, "agent 'sql' (CONFIG): it needs a prompt"),
        ({"prompt": "x", "colour": "red"}, "agent 'sql' (CONFIG) has an unknown setting 'colour'"),
    ],
    ids=["guard", "route", "provider", "prompt file", "no prompt", "unknown key"],
)
def test_config_check_names_the_agent_that_is_wrong(
    tmp_path: Path, env: dict[str, str], fake_provider_config: Path, agent: object, why: str
) -> None:
    config = with_agents(fake_provider_config, tmp_path, {"sql": agent})
    checked = run_fixer("config", "--check", "--config", str(config), cwd=tmp_path, env=env)
    assert checked.returncode == 2
    assert why.replace("CONFIG", str(config)) in checked.stderr
    repo = make_repo(tmp_path / "repo", {"query.sql": QUERY})
    run = run_fixer(
        "--agent", "sql", "--yes", "--config", str(config), "query.sql", cwd=repo, env=env
    )
    # A provider the route names is looked up when the call is made: the same exit, no call.
    said = "no provider named 'nowhere'" if "nowhere" in why else why.replace("CONFIG", str(config))
    assert run.returncode == 2 and said in run.stderr


def test_an_agent_of_yours_named_fix_replaces_the_default_one(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    config = with_agents(fake_provider_config, tmp_path, {"fix": {"prompt": "You fix SQL, mine."}})
    repo = make_repo(tmp_path / "repo", {"query.sql": QUERY})
    fake_provider.reply(QUERY_DIFF)
    done = run_fixer("--yes", "--config", str(config), "query.sql", cwd=repo, env=env)
    assert done.returncode == 0, done.stderr
    assert fake_provider.requests[0].body["messages"][0]["content"].startswith("You fix SQL, mine.")
    listed = run_fixer("agents", "--json", "--config", str(config), cwd=repo, env=env)
    (fix,) = [a for a in json.loads(listed.stdout)["agents"] if a["name"] == "fix"]
    assert fix["defined_in"] == str(config)


def test_a_prompt_file_is_read_beside_the_config(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    config = with_agents(fake_provider_config, tmp_path, {"sql": {"prompt_file": "sql.txt"}})
    (tmp_path / "sql.txt").write_text("You fix SQL, from a file.\n")
    repo = make_repo(tmp_path / "repo", {"query.sql": QUERY})
    fake_provider.reply(QUERY_DIFF)
    done = run_fixer(
        "--agent", "sql", "--yes", "--config", str(config), "query.sql", cwd=repo, env=env
    )
    assert done.returncode == 0, done.stderr
    assert fake_provider.requests[0].body["messages"][0]["content"].startswith("You fix SQL, from")


def test_each_agent_keeps_its_prompt_prefix_byte_identical_across_runs(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    # Provider caches hit on the longest prefix seen: rules, then files in a stable order.
    repo = make_repo(tmp_path / "repo", {"b.py": "y = 2\n", "a.py": "x = 1\n", "post.md": POST})
    config = str(fake_provider_config)
    for _ in range(2):
        for agent, files in (("fix", ("b.py", "a.py")), ("grammar", ("post.md",))):
            fake_provider.reply("NO CHANGES")
            done = run_fixer(
                "--agent", agent, "--print", "--config", config, *files, cwd=repo, env=env
            )
            assert done.returncode == 0, done.stderr
    bodies = [json.dumps(r.body["messages"], ensure_ascii=False) for r in fake_provider.requests]
    assert bodies[0] == bodies[2] and bodies[1] == bodies[3]
    assert bodies[0] != bodies[1]


def test_fixer_agents_lists_every_agent_with_its_route_and_ledger_figures(
    shop: Shop, tmp_path: Path
) -> None:
    agents = {"sql": {"prompt": "You fix SQL.", "files": ["*.sql"], "test": "make test"}}
    pricing = {"fake,cheap-model": {"input": 1, "output": 2, "currency": "USD"}}
    config = with_agents(shop.config, tmp_path, agents, Pricing=pricing)
    shop.provider.reply(GOOD)
    assert shop.fixer("--yes", config=config).returncode == 0
    listed = run_fixer("agents", "--config", str(config), cwd=shop.repo, env=shop.env)
    assert listed.returncode == 0, listed.stderr
    blocks = {b.split()[0]: b for b in listed.stdout.strip().split("\n\n")}
    assert set(blocks) >= {agent.name for agent in BUILT_IN} | {"sql"}
    fix = blocks["fix"]
    assert "built in" in fix and "fake,cheap-model (Router.default)" in fix
    assert "1 call, 1 hunks accepted, 0 rejected, accept rate 100%" in fix
    assert "per accepted hunk" in fix and "$" in fix
    sql = blocks["sql"]
    assert str(config) in sql and "*.sql" in sql and "make test" in sql and "no calls" in sql
    assert "fake,cheap-model (Router.default)" in blocks["grammar"]
    shown = run_fixer("agents", "--json", "--config", str(config), cwd=shop.repo, env=shop.env)
    listing = {a["name"]: a for a in json.loads(shown.stdout)["agents"]}
    assert (listing["fix"]["calls"], listing["fix"]["hunks_accepted"]) == (1, 1)
    assert listing["fix"]["accept_rate"] == 1.0 and listing["fix"]["route"] == "fake,cheap-model"
    assert set(listing["fix"]["cost_per_accepted_hunk"]) == {"USD"}
    assert listing["sql"]["files"] == ["*.sql"] and listing["sql"]["calls"] == 0


def test_fixer_agents_says_which_agents_are_left_out_and_why(
    tmp_path: Path, env: dict[str, str], fake_provider_config: Path
) -> None:
    config = with_agents(fake_provider_config, tmp_path, {"Bad Name": {"prompt": "x"}})
    listed = run_fixer("agents", "--config", str(config), cwd=tmp_path, env=env)
    assert listed.returncode == 0
    assert "left out" in listed.stdout and "agent 'Bad Name'" in listed.stdout


def nodes_outside_the_agents_package() -> Iterator[tuple[Path, ast.AST]]:
    """Every syntax node of fixer's modules outside fixer/agents/, with its module's path."""
    package = Path(__file__).parents[1] / "fixer"
    for path in package.rglob("*.py"):
        if path.relative_to(package).parts[0] != "agents":
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                yield path, node


def test_no_module_outside_the_agents_package_asks_which_agent_runs() -> None:
    # A comparison of anything agent-like with a string (agent == "grammar", job.agent.name in
    # (...)) belongs in fixer/agents/: elsewhere, code asks the agent, never its name.
    offenders = []
    for path, node in nodes_outside_the_agents_package():
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        texts = [ast.unparse(side) for side in sides]
        strings = [s for s in sides if isinstance(s, ast.Constant) and isinstance(s.value, str)]
        strings += [
            e for s in sides if isinstance(s, ast.Tuple | ast.Set | ast.List) for e in s.elts
        ]
        if strings and any(re.search(r"(^|\.)agent(\.name)?$", text) for text in texts):
            offenders.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    assert offenders == []


def test_no_module_outside_the_agents_package_knows_a_particular_agent() -> None:
    # `agent is MERGE` or isinstance(agent, ProseAgent) would branch on the agent as surely as
    # a name does: outside fixer/agents/, only the default agent and the Agent type are imported.
    offenders = []
    for path, node in nodes_outside_the_agents_package():
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("fixer.agents"):
            module = importlib.import_module(node.module or "")
            for alias in node.names:
                value = getattr(module, alias.name)
                particular = isinstance(value, Agent) and value is not FIX
                subclass = isinstance(value, type) and issubclass(value, Agent)
                if particular or (subclass and value is not Agent):
                    offenders.append(f"{path.name}:{node.lineno}: {alias.name}")
    assert offenders == []
