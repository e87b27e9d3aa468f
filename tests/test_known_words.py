"""Known words: the user's list, the post's code and the repository's identifiers."""

from __future__ import annotations

from pathlib import Path

from fixer.known_words import in_repository, read_words, words_file, words_in
from tests.helpers import make_repo


def test_the_word_list_lives_in_the_config_folder(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path), "HOME": "/nowhere"}
    assert words_file(env) == tmp_path / "fixer" / "words.txt"


def test_a_word_list_has_one_word_a_line_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "words.txt"
    path.write_text("# my words\nCSDN\n  XORing  # the verb\n\nfixer\n", encoding="utf-8")
    assert read_words(path) == (frozenset({"csdn", "xoring", "fixer"}), None)


def test_no_list_is_no_words_and_a_bad_one_says_why(tmp_path: Path) -> None:
    assert read_words(tmp_path / "absent.txt") == (frozenset(), None)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00word")
    words, why = read_words(bad)
    assert words == frozenset() and why is not None and str(bad) in why


def test_an_identifiers_parts_are_words() -> None:
    found = words_in(["def parse_args(fooBar): return recieve_all(x)"])
    assert {"parse", "args", "parse_args", "foo", "bar", "foobar", "recieve"} <= found


def test_repository_words_come_from_code_not_from_prose(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {
            "post.md": "We use frobnicate and snorf here.\n",
            "other.md": "A post that says snorf too.\n",
            "src/tool.py": "def frobnicate():\n    return 1\n",
            "notes.txt": "snorf\n",
        },
    )
    assert in_repository({"frobnicate", "snorf", "absent"}, repo, ["post.md"]) == {"frobnicate"}


def test_outside_a_repository_there_are_no_repository_words(tmp_path: Path) -> None:
    (tmp_path / "tool.py").write_text("frobnicate = 1\n", encoding="utf-8")
    assert in_repository({"frobnicate"}, tmp_path, ["post.md"]) == set()


def test_neither_checker_corrects_a_word_the_repository_code_uses(tmp_path: Path) -> None:
    from fixer.local import correct_prose
    from fixer.sources import read_source

    post = "We call recieve on teh inbox, and frobnicatr too.\n"
    code = "def recieve():\n    frobnicatr = 1\n"
    repo = make_repo(tmp_path / "repo", {"post.md": post, "src/mail.py": code})
    (corrected,) = correct_prose([read_source(repo / "post.md", repo)])
    # codespell's recieve -> receive is taken back (the repository defines it); teh is fixed.
    assert corrected.text == "We call recieve on the inbox, and frobnicatr too.\n"
