"""The docs agent: docstrings and comments only. End to end with the real `fixer` and the fake
provider, and the guard's functions (fixer/codeguard.py) on nasty inputs."""

from __future__ import annotations

import ast
import io
import json
import string
import tokenize
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

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
    review, notes = find_agent("docs").local_review(sources, lambda name: "no")
    (hunk,) = review.hunks  # codespell's fix of the name `recieve` is refused
    assert hunk.hunk.new_lines[0] == "# receive the order"
    assert len(review.files[0].refusals) == 1 and notes


PY = f'''"""The module."""

import os  # the OS


def greet(name="world #1"):  # says hello
    """Greet `name`.

    Returns the greeting.
    """
    return f"hello {{name}}"  # friendly
{FILLER}

class Shop:
    \'\'\'A shop.\'\'\'

    def total(self, prices):
        return sum(prices)
'''


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("# the OS", "# the operating system"),
        ("    Returns the greeting.\n", "        Returns the greeting, indented deeper.\n"),
        ('"""The module."""', '"""The module.\n\nMore about it."""'),
        ("  # friendly", ""),
        (
            "        return sum(prices)",
            '        """The sum of `prices`."""\n        return sum(prices)',
        ),
        ("    '''A shop.'''\n", ""),
        ("return sum(prices)", "return sum(prices)  # any iterable"),
        ("import os  # the OS\n", "# Why: the OS.\nimport os\n"),
    ],
    ids=[
        "comment",
        "docstring re-indent",
        "module docstring",
        "comment removed",
        "docstring added",
        "docstring removed",
        "comment at a line's end",
        "comment moved",
    ],
)
def test_python_comment_and_docstring_changes_pass(old: str, new: str) -> None:
    assert old in PY
    assert changes("m.py", PY, PY.replace(old, new, 1)) == [None]


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ('"world #1"', '"world  # 2"', "'\"world #1\"' → '\"world  # 2\"'"),
        ('f"hello {name}"  # friendly', 'f"hello {name}"  # friendly!', None),
        ('    """Greet `name`.', '    x = 1\n    """Greet `name`.', "'x'"),
        ("    '''A shop.'''", "    shop = 'A shop.'", "'shop'"),
        ("        return sum(prices)", "        '''return sum(prices)'''", "'return'"),
        ("import os", "import sys", "'os' → 'sys'"),
        ('"""The module."""', '"""The module.', "not only comments"),
        ("    return f", "  return f", "indentation"),
    ],
    ids=[
        "comment inside a string",
        "a # in a string, the comment changed",
        "a docstring no longer first",
        "docstring turned into code",
        "code turned into a docstring",
        "import",
        "unterminated docstring",
        "indentation",
    ],
)
def test_python_code_changes_are_refused(old: str, new: str, why: str | None) -> None:
    assert old in PY
    found = changes("m.py", PY, PY.replace(old, new, 1))
    if why is None:
        assert found == [None]
    else:
        (reason,) = found
        assert reason is not None and why in reason, reason


def test_each_hunk_is_judged_alone_in_one_pass() -> None:
    new = (
        PY.replace("# the OS", "# the operating system")
        .replace("value_5 = 5", "value_5 = 6")
        .replace("return sum(prices)", "return sum(prices)  # any iterable")
    )
    found = changes("m.py", PY, new)
    assert [r is not None for r in found] == [False, True, False]
    assert found[1] is not None and "'5' → '6'" in found[1]


def test_a_one_line_docstring_does_not_hide_a_default_on_its_line() -> None:
    old = 'def f(x="a"): "Doc."\n'
    assert changes("m.py", old, old.replace('"Doc."', '"Better doc."')) == [None]
    assert changes("m.py", old, old.replace('"a"', '"b"')) != [None]


def test_tabs_crlf_and_a_file_that_does_not_parse() -> None:
    tabs = "def f():\n\t# old\n\treturn 1\n"
    assert changes("t.py", tabs, tabs.replace("old", "new")) == [None]
    assert changes("t.py", tabs, tabs.replace("\treturn", "    return")) == [None]  # same blocks
    crlf = "x = 1  # old\r\ny = 2\r\n"
    assert changes("c.py", crlf, crlf.replace("old", "new")) == [None]
    # A file that does not parse is judged by Pygments' lexer: its comments still pass.
    broken = "def f(:\n    # old\n    return 1\n"
    assert changes("b.py", broken, broken.replace("old", "new")) == [None]
    assert changes("b.py", broken, broken.replace("return 1", "return 2")) != [None]


C = "#include <stdio.h>\n\n/* Add. */\nint add(int a, int b) {\n    return a + b; // sum\n}\n"
C += FILLER + 'const char *s = "// not a comment";\nint x = 1;\n'


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ("/* Add. */", "/* Adds a and b.\n * Never overflows. */", None),
        ("// sum", "// the sum", None),
        ("int x = 1;", "int x = 1; /* one */", None),
        ("<stdio.h>", "<stdlib.h>", "'<stdio.h>' → '<stdlib.h>'"),
        ("// not a comment", "/* not a comment */", "not a comment"),
        ("a + b", "a  +  b", None),
        ("    return a + b;", "return a + b;", "indentation '    '"),
        ("/* Add. */", "/* Add.", "it removes code"),
    ],
    ids=[
        "block comment",
        "line comment",
        "comment added",
        "preprocessor",
        "string",
        "spaces",
        "indentation",
        "opened comment",
    ],
)
def test_pygments_languages(old: str, new: str, why: str | None) -> None:
    assert old in C
    found = changes("m.c", C, C.replace(old, new, 1))
    if why is None:
        assert found == [None]
    else:
        assert found[0] is not None and why in found[0], found


def test_yaml_indentation_counts_and_unknown_languages_are_refused() -> None:
    yaml = "# config\na:\n  b: 1\nc: 2\n"
    assert changes("c.yaml", yaml, yaml.replace("# config", "# the config")) == [None]
    assert changes("c.yaml", yaml, yaml.replace("c: 2", "  c: 2")) != [None]
    for name in ("notes.txt", "data.zzqq"):
        (why,) = changes(name, "a\n", "b\n")
        assert why is not None and "cannot tell comments from code" in why


def test_docstrings_of_functions_nested_in_blocks_are_docstrings() -> None:
    old = (
        "try:\n    if x:\n        class A:\n            def f(self):\n"
        '                """Old."""\n                return 1\n'
        'except E:\n    def g():\n        "Old."\n'
        'match y:\n    case 1:\n        def h():\n            """Old."""\n'
    )
    assert changes("n.py", old, old.replace("Old.", "New.")) == [None]


# Properties over real code: fixer's own modules, edited at random places.

MODULES = sorted((Path(__file__).parents[1] / "fixer").rglob("*.py"))
WORDS = st.text(alphabet=string.ascii_letters + string.digits + " .,:;!?'()-", max_size=40)


def _tokens(text: str, kind: int) -> list[tokenize.TokenInfo]:
    return [t for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type == kind]


def _replaced(text: str, token: tokenize.TokenInfo, new: str) -> str:
    """`text` with `token` (one line long) replaced by `new`."""
    lines = text.splitlines(keepends=True)
    (row, start), (_, end) = token.start, token.end
    lines[row - 1] = lines[row - 1][:start] + new + lines[row - 1][end:]
    return "".join(lines)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(MODULES), st.data(), WORDS)
def test_a_comment_rewritten_anywhere_in_real_code_is_never_refused(
    module: Path, data: st.DataObject, words: str
) -> None:
    text = module.read_text(encoding="utf-8")
    comments = _tokens(text, tokenize.COMMENT)
    assume(comments)
    comment = data.draw(st.sampled_from(comments))
    new = _replaced(text, comment, "# " + words)
    assert changes(module.name, text, new) == [None] * len(diff_hunks(text, new))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(MODULES), st.data())
def test_a_name_renamed_anywhere_in_real_code_is_refused(module: Path, data: st.DataObject) -> None:
    text = module.read_text(encoding="utf-8")
    names = _tokens(text, tokenize.NAME)
    assume(names)  # a module of one docstring has none
    name = data.draw(st.sampled_from(names))
    new = _replaced(text, name, name.string + "_renamed")
    (found,) = changes(module.name, text, new)
    assert found is not None and "changes code" in found


def _docstrings(text: str) -> list[tuple[int, int]]:
    """(line, column) just inside the opening quotes of each docstring of `text`."""
    lines = text.splitlines()
    found = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        first = node.body[0] if node.body else None
        value = first.value if isinstance(first, ast.Expr) else None
        if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
            continue
        line, at = lines[value.lineno - 1], value.col_offset
        while line[at] not in "'\"":
            at += 1  # past a prefix: r, u
        found.append((value.lineno, at + (3 if line[at : at + 3] in ('"""', "'''") else 1)))
    return found


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(MODULES), st.data(), st.text(alphabet=string.ascii_letters + " ", min_size=1)
)
def test_words_added_to_any_docstring_of_real_code_are_never_refused(
    module: Path, data: st.DataObject, words: str
) -> None:
    text = module.read_text(encoding="utf-8")
    docstrings = _docstrings(text)
    assume(docstrings)
    row, column = data.draw(st.sampled_from(docstrings))
    lines = text.splitlines(keepends=True)
    lines[row - 1] = lines[row - 1][:column] + words + lines[row - 1][column:]
    new = "".join(lines)
    assert changes(module.name, text, new) == [None] * len(diff_hunks(text, new))
