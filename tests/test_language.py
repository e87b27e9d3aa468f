"""A post's language and English dialect, from its front matter or its words."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixer.language import is_english, post_dialect, post_language

POSTS = Path(__file__).parent / "data" / "posts"


@pytest.mark.parametrize(
    ("name", "language"),
    [
        ("post-en-notes.md", "en"),
        ("post-en-code-heavy.md", "en"),
        ("post-fr-llm-costs.md", "fr"),
        ("post-zh-proxy.md", "zh"),
    ],
)
def test_the_posts_language_comes_from_front_matter_or_words(name: str, language: str) -> None:
    assert post_language((POSTS / name).read_text(encoding="utf-8")) == language


def test_a_region_in_lang_is_the_language_and_the_dialect() -> None:
    text = "---\ntitle: Colour\nlang: en-GB\n---\nThe colour of the sky.\n"
    assert post_language(text) == "en" and is_english(text)
    assert post_dialect(text) == "british"
    assert post_dialect("---\nlang: en_AU\n---\nHi.\n") == "australian"


def test_dialect_in_front_matter_wins_over_the_default() -> None:
    assert post_dialect("---\ndialect: Canadian\n---\nHi.\n", "british") == "canadian"
    assert post_dialect("---\ndialect: martian\n---\nHi.\n", "british") == "british"
    assert post_dialect("No front matter at all.\n", "indian") == "indian"


def test_words_decide_without_front_matter() -> None:
    assert post_language("Le chat est sur la table et il dort avec le chien.\n") == "fr"
    assert post_language("The cat is on the table and it sleeps with the dog.\n") == "en"
    assert post_language("这是一个关于代理配置的文章，请先阅读官方文档。\n") == "zh"


def test_a_lang_key_outside_front_matter_is_prose() -> None:
    assert post_language("lang: fr\n\nThe cat is on the table and it sleeps.\n") == "en"
