"""The refactor agent: its clean-up lands, while a hunk that changes a Python file's public API
(a renamed or removed module-level name, a changed signature) is flagged, never taken by --yes
nor --print; and every agent's request reaches the model of its Router scenario."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from fixer.agents import BUILT_IN, REFACTOR, Agent
from fixer.patch import diff_hunks, format_diff
from fixer.publicapi import api_changes
from fixer.review import Flag, FlagKind, build_review
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


# Merge writes a new post (--into): its route is tested in test_agent_merge.py.
ASKING = [a for a in BUILT_IN if a.name != "merge"]


@pytest.mark.parametrize("agent", ASKING, ids=[a.name for a in ASKING])
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


# -- the guard: fixer/publicapi.py ------------------------------------------------------------


def reasons(old: str, new: str, name: str = "m.py") -> list[str | None]:
    """What the refactor guard says of each hunk of the change from `old` to `new`."""
    hunks = diff_hunks(old, new)
    assert hunks
    return api_changes(name, old, hunks)


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ("def f(a, b):\n    pass\n", "def f(a, *, b):\n    pass\n", "f(a, b) to f(a, *, b)"),
        ("def f(a, b):\n    pass\n", "def f(a, /, b):\n    pass\n", "f(a, b) to f(a, /, b)"),
        ("def f(a, b=1):\n    pass\n", "def f(a, b=2):\n    pass\n", "f(a, b=1) to f(a, b=2)"),
        ("def f(a, b):\n    pass\n", "def f(a, c):\n    pass\n", "f(a, b) to f(a, c)"),
        ("def f(*args):\n    pass\n", "def f(*items):\n    pass\n", "f(*args) to f(*items)"),
        (
            "class C:\n    def m(self):\n        pass\n",
            "class C:\n    @staticmethod\n    def m():\n        pass\n",
            "C.m(self) to C.m() [staticmethod]",
        ),
        (
            "class C:\n    def __init__(self, a):\n        self.a = a\n",
            "class C:\n    def __init__(self, a, b):\n        self.a = a\n",
            "C.__init__(self, a) to C.__init__(self, a, b)",
        ),
        (
            "class C:\n    def m(self):\n        pass\n\n    x = 1\n",
            "class C:\n    x = 1\n",
            "removes the public method C.m",
        ),
        ("LIMIT = 3\n", "MAX_LIMIT = 3\n", "renames the public name LIMIT to MAX_LIMIT"),
        ("a, (b, *c) = 1, (2, 3)\n", "a, (b, c) = 1, (2, 3)\n", None),
        ("a, b = 1, 2\n", "a = 1\n", "removes the public name b"),
        ('from os import sep\n__all__ = ["sep"]\n', '__all__ = ["sep"]\n', "name sep"),
        ('from os import sep\n__all__ = ["sep"]\n', "from os import sep\n__all__ = []\n", "sep"),
        ("try:\n    import json\nexcept ImportError:\n    json = None\n", "json = None\n", None),
        ("if True:\n    def f():\n        pass\n", "def g():\n    pass\n", "f to g"),
        # A `#` in a string is a default's value, not a comment: changing it changes f.
        ('def f(s="a # b"):\n    pass\n', 'def f(s="a"):\n    pass\n', "f(s='a # b') to f(s='a')"),
        # A hunk that leaves the def line alone but turns the function into a string.
        (
            "X = 1\n\n\ndef run():\n    pass\n",
            'X = 1\n_OLD = """\n\ndef run():\n    pass\n"""\n',
            "removes the public name run",
        ),
        # Tab-indented code a hunk re-indents with spaces: Python refuses the mix.
        ("def f():\n\tx = 1\n\treturn x\n", "def f():\n\tx = 1\n        return x\n", "parse"),
    ],
    ids=[
        "keyword-only", "positional-only", "default", "parameter name", "*args", "staticmethod",
        "__init__", "method removed", "constant renamed", "unpacking", "unpacked name removed",
        "exported import", "import no longer exported", "fallback import", "def in an if",
        "# in a default", "def swallowed by a string", "tabs and spaces",
    ],
)  # fmt: skip
def test_a_change_of_the_public_api_is_flagged_with_what_it_changes(
    old: str, new: str, why: str | None
) -> None:
    (found,) = reasons(old, new)
    if why is None:
        assert found is None
    else:
        assert found is not None and why in found


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("def _helper(a):\n    pass\n", "def _sum(total):\n    pass\n"),  # private: free to go
        ("import os\nimport sys\n\nx = os.sep\n", "import os\n\nx = os.sep\n"),  # unused import
        ("def f(a: int) -> int:\n    return a\n", "def f(a: float) -> float:\n    return a\n"),
        ("def f(a,\tb=1):\n\treturn a\n", "def f(a, b=1):\n\treturn a\n"),  # only whitespace
        ("def f(a, b=0x1):\n    pass\n", "def f(a, b=1):\n    pass\n"),  # the same value
        # A comment added inside a string: the string changes, no name nor signature does.
        ('HELP = """\nusage: run\n"""\n', 'HELP = """\n# def run(): pass\nusage: run\n"""\n'),
        # A docstring turned into code: it binds nothing at module level.
        ('def f():\n    """Return 1."""\n', "def f():\n    return 1\n"),
        ('"""VERSION = 1"""\n', "VERSION = 1\n"),  # a new public name takes nothing away
        ("class C:\n    def _m(self):\n        pass\n",
         "class C:\n    def _n(self, x):\n        x\n"),
        ("\ufeffdef f(a):\n    pass\n", "\ufeffdef f(a):\n    return a\n"),  # a BOM
    ],
    ids=[
        "private function", "unused import", "annotations", "tabs", "same default", "# in a string",
        "docstring to code", "module docstring to code", "private method", "bom",
    ],
)  # fmt: skip
def test_a_clean_up_that_keeps_the_public_api_is_not_flagged(old: str, new: str) -> None:
    assert reasons(old, new) == [None]


def test_each_hunk_is_judged_alone() -> None:
    old = "".join(f"def f{i}(a):\n    return a\n\n\n" for i in range(5))
    new = old.replace("def f1(a)", "def f1(a, b)").replace(
        "return a\n\n\ndef f4", "return 2 * a\n\n\ndef f4"
    )
    found = reasons(old, new)
    assert found == ["changes the signature of f1(a) to f1(a, b)", None]


def test_a_hunk_in_the_indented_lines_after_a_function_is_judged_too() -> None:
    # The comment after `return a` is no statement's line: a hunk there still counts.
    old = "def f(a):\n    return a\n    # end\n\n" + "x = 1\n" * 10
    again = old.replace("    # end\n", "    # end\ndef f(a, b):\n    return b\n")
    assert reasons(old, again) == ["changes the signature of f(a) to f(a, b)"]
    inside = old.replace("    # end\n", "    # end\n    def g(b):\n        return b\n")
    assert reasons(old, inside) == [None]  # a nested function is nobody's API


def test_a_python_file_that_does_not_parse_has_every_hunk_flagged() -> None:
    # Its API cannot be read, so no hunk can be shown to keep it: the user looks at each.
    (found,) = reasons("def f(:\n    pass\n", "def f():\n    pass\n")
    assert found is not None and "m.py does not parse" in found
    (nul,) = reasons("x = 1\x00\n", "x = 1\n")
    assert nul is not None and "does not parse" in nul


def test_the_review_flags_a_public_api_change_with_its_kind_and_keeps_the_rest() -> None:
    old = "def f(a):\n    return a\n\n\n" + "x = 1\n" * 8 + "\n\ndef _g(b):\n    return b\n"
    new = old.replace("def f(a)", "def f(a, b)").replace(
        "_g(b):\n    return b", "_g(c):\n    return c"
    )
    review = REFACTOR.guarded(
        build_review(format_diff("m.py", diff_hunks(old, new)), {"m.py": old})
    )
    assert [h.flag for h in review.hunks] == [
        Flag(FlagKind.PUBLIC_API, "changes the signature of f(a) to f(a, b)"),
        None,
    ]


def test_other_languages_are_not_checked() -> None:
    assert reasons("function f(a) {}\n", "function g(a, b) {}\n", "m.js") == [None]
    assert reasons("def f(a):\n", "def g(a):\n", "M.PY") != [None]  # the suffix, any case


def test_offline_the_refactor_agent_proposes_ruffs_fixes_through_its_guard(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"lib.py": "import os\n" + LIB})
    run = ["--agent", "refactor", "-m", "local", "--print", "lib.py"]
    result = run_fixer(*run, cwd=repo, env=clean_env(tmp_path / "home"))
    assert result.returncode == 0, result.stderr
    assert "-import os\n" in result.stdout  # an unused import: clean-up, not a public name
    assert "flagged" not in result.stderr
