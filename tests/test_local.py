"""The offline "models": ruff and codespell answer with diffs that git applies as they are."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fixer.local import propose_local, unified_diff
from fixer.sources import Source, read_source
from tests.helpers import git


def source(root: Path, name: str, content: bytes) -> Source:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return read_source(path, root)


def git_apply(root: Path, diff: str, *args: str) -> None:
    """Apply the diff with real git in root (a repo), raising if git refuses it."""
    subprocess.run(
        ["git", "apply", "--whitespace=nowarn", *args, "-"],
        cwd=root,
        input=diff.encode(),
        check=True,
        capture_output=True,
    )


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    project = tmp_path / "project"
    project.mkdir()
    git(project, "init", "-q")
    return project


def test_python_unused_import_and_formatting(root: Path) -> None:
    app = source(root, "app.py", b"import os\nimport sys\n\nx = {  'a':1 }\nprint(sys.argv, x)\n")
    reply = propose_local([app])
    assert reply.text.startswith("diff --git a/app.py b/app.py\n--- a/app.py\n+++ b/app.py\n@@ ")
    assert "-import os\n" in reply.text
    assert '+x = {"a": 1}\n' in reply.text
    assert reply.notes[0].startswith("ruff: ") and "app.py" in reply.notes[0]
    git_apply(root, reply.text, "--check")
    git_apply(root, reply.text)
    fixed = (root / "app.py").read_text()
    assert "import os" not in fixed


def test_python_keeps_crlf_and_handles_missing_final_newline(root: Path) -> None:
    app = source(root, "pkg/win.py", b"import os\r\nx = [1,2]\r\nprint(x)")
    reply = propose_local([app])
    git_apply(root, reply.text)
    assert (root / "pkg" / "win.py").read_bytes() == b"x = [1, 2]\r\nprint(x)\r\n"


def test_python_syntax_error_keeps_fixes_and_says_why(root: Path) -> None:
    broken = source(root, "broken.py", b"def f(:\n    pass\n")
    reply = propose_local([broken])
    assert reply.text == ""
    assert "not formatted" in reply.notes[0]
    assert "broken.py" in reply.notes[0]


def test_user_ruff_config_applies(root: Path) -> None:
    (root / "pyproject.toml").write_text("[tool.ruff.format]\nquote-style = 'single'\n")
    app = source(root, "q.py", b'x = "a"\n')
    reply = propose_local([app])
    assert "+x = 'a'\n" in reply.text


def test_markdown_typos_fixed_outside_code_fences(root: Path) -> None:
    post = source(
        root,
        "README.md",
        b"Teh cat will recieve it.\n\n```python\nseperate = 1\n```\n\nDone with teh work.\n",
    )
    reply = propose_local([post])
    assert "+The cat will receive it.\n" in reply.text
    assert "+Done with the work.\n" in reply.text
    assert "-seperate = 1\n" not in reply.text
    assert reply.notes == ("codespell: 3 fixes in README.md",)
    git_apply(root, reply.text)
    assert (root / "README.md").read_text() == (
        "The cat will receive it.\n\n```python\nseperate = 1\n```\n\nDone with the work.\n"
    )


def test_a_word_of_the_posts_code_is_not_a_misspelling_in_its_prose(root: Path) -> None:
    # Prose names the code's identifiers without backticks too: "call recieve".
    text = b"We call recieve with teh data.\n\n```python\ndef recieve(): ...\n```\n"
    reply = propose_local([source(root, "post.md", text)])
    assert "+We call recieve with the data.\n" in reply.text
    assert reply.notes == ("codespell: 1 fix in post.md",)


def test_prose_without_final_newline_and_with_crlf(root: Path) -> None:
    notes = source(root, "notes.txt", b"first line\r\nsecond\r\nwe recieve teh end")
    reply = propose_local([notes])
    assert reply.text.endswith("+we receive the end\n\\ No newline at end of file\n")
    git_apply(root, reply.text, "--check")
    git_apply(root, reply.text)
    assert (root / "notes.txt").read_bytes() == b"first line\r\nsecond\r\nwe receive the end"


def test_several_files_in_one_diff_with_one_note_each(root: Path) -> None:
    files = [
        source(root, "a.py", b"import os\n"),
        source(root, "docs/b.md", b"teh\n"),
        source(root, "data.csv", b"teh,1\n"),
        source(root, "LICENSE", b"recieve\n"),
    ]
    reply = propose_local(files)
    assert [line for line in reply.text.splitlines() if line.startswith("+++")] == [
        "+++ b/a.py",
        "+++ b/docs/b.md",
        "+++ b/LICENSE",
    ]
    assert reply.notes[1:] == (
        "codespell: 1 fix in docs/b.md",
        "no local fixer for data.csv",
        "codespell: 1 fix in LICENSE",
    )
    git_apply(root, reply.text, "--check")


def test_clean_files_give_an_empty_diff(root: Path) -> None:
    files = [source(root, "ok.py", b"x = 1\n"), source(root, "ok.md", b"All is well.\n")]
    reply = propose_local(files)
    assert reply.text == ""
    assert reply.notes == ("ruff: nothing to fix in ok.py", "codespell: nothing to fix in ok.md")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("a\nb\nc", "a\nB\nc"),
        ("a\nb\nc", "a\nb\nc\n"),
        ("a\nb\nc\n", "a\nb\nc"),
        ("a\r\nb\r\n", "a\r\nB\r\n"),
        ("x\u2028y\n\x0cz\n", "x\u2028Y\n\x0cz\n"),
    ],
)
def test_unified_diff_is_accepted_by_git_apply(root: Path, old: str, new: str) -> None:
    (root / "f.txt").write_bytes(old.encode())
    git_apply(root, unified_diff(old, new, "f.txt"))
    assert (root / "f.txt").read_bytes() == new.encode()
