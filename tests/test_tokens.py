"""Token estimates without a tokenizer: English, code, CJK and other scripts."""

from __future__ import annotations

from fixer.tokens import estimate_tokens


def test_estimate_tokens_english() -> None:
    text = "The quick brown fox jumps over the lazy dog. " * 20  # ~10 real tokens per sentence
    assert 180 <= estimate_tokens(text) <= 260


def test_estimate_tokens_code() -> None:
    code = "def add(a: int, b: int) -> int:\n    return a + b\n" * 10  # ~17 real tokens each
    assert 120 <= estimate_tokens(code) <= 200


def test_estimate_tokens_chinese_is_about_one_per_han_character() -> None:
    text = "我们今天去公园散步，天气很好。" * 10  # 15 characters, 14 Han + a comma and full stop
    assert estimate_tokens(text) == 150


def test_estimate_tokens_mixed_and_empty() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("fix 错误") == 3  # 4 ASCII chars ~ 1 token, 2 Han ~ 2 tokens
    assert estimate_tokens("Привет") == 3  # other scripts ~ 2 characters per token
