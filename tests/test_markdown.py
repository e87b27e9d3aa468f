"""Protected regions of Markdown posts, masking for grammar mode, and the guard on replies."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixer.markdown import (
    Masked,
    MaskError,
    changes_protected,
    mask,
    protected_lines,
    protected_spans,
    token_share,
    unmask,
)

POSTS = Path(__file__).parent / "data" / "posts"
FRENCH = (POSTS / "post-fr-llm-costs.md").read_text(encoding="utf-8")
CHINESE = (POSTS / "post-zh-proxy.md").read_text(encoding="utf-8")
ENGLISH = (POSTS / "post-en-notes.md").read_text(encoding="utf-8")
CODE_HEAVY = (POSTS / "post-en-code-heavy.md").read_text(encoding="utf-8")
ALL_POSTS = {"fr": FRENCH, "zh": CHINESE, "en": ENGLISH, "code-heavy": CODE_HEAVY}


def protected_chars(text: str) -> set[int]:
    return {i for start, end in protected_spans(text) for i in range(start, end)}


def is_protected(text: str, needle: str, after: str = "") -> bool:
    """Every character of the first `needle` (after `after`) is protected."""
    start = text.index(needle, text.index(after) if after else 0)
    return set(range(start, start + len(needle))) <= protected_chars(text)


def is_prose(text: str, needle: str, after: str = "") -> bool:
    """No character of the first `needle` (after `after`) is protected."""
    start = text.index(needle, text.index(after) if after else 0)
    return not set(range(start, start + len(needle))) & protected_chars(text)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n")


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


# --- the sample French post ----------------------------------------------------------------


def test_sample_front_matter_is_one_protected_block() -> None:
    front_matter = FRENCH[: FRENCH.index("---", 3) + 3]
    assert is_protected(FRENCH, front_matter)
    assert set(range(8 + 1)) <= protected_lines(FRENCH)
    assert mask(FRENCH).text.startswith("⟦0⟧\n\n### Table des matières\n")
    assert mask(FRENCH).pieces[0] == front_matter


def test_sample_kramdown_lines_images_and_captions() -> None:
    image = "![](assets/images/tokens/tokens1.png){: .responsive }"
    assert is_protected(FRENCH, "{: .centered }")
    assert is_protected(FRENCH, image)
    assert is_protected(FRENCH, "{: .caption }")
    assert is_prose(FRENCH, "Source : openrouter.ai")
    assert {line_of(FRENCH, "{: .centered }"), line_of(FRENCH, image)} <= protected_lines(FRENCH)
    assert line_of(FRENCH, "*Source : openrouter.ai*") not in protected_lines(FRENCH)
    assert "⟦9⟧\n⟦10⟧\n*Source : openrouter.ai*⟦11⟧\n" in mask(FRENCH).text


def test_sample_links_keep_their_text_as_prose_and_their_url_protected() -> None:
    assert is_protected(FRENCH, "](https://www.vanta.com/resources/replit-future-of-code)")
    assert is_prose(FRENCH, "interview")
    assert is_protected(FRENCH, "](#optimisation-des-coûts-des-api-llm)")
    assert is_prose(FRENCH, "Optimisation des coûts des API LLM")
    assert is_protected(FRENCH, "[", after="récente ")  # the opening bracket is markup
    assert "récente ⟦15⟧interview⟦16⟧ avec" in mask(FRENCH).text


def test_sample_json_block_is_one_placeholder_on_its_own_line() -> None:
    block = FRENCH[FRENCH.index("```json") : FRENCH.index("```\n\n---") + 3]
    masked = mask(FRENCH)
    number = masked.pieces.index(block)
    assert f"\n⟦{number}⟧\n" in masked.text
    assert '"PROXY_URL"' not in masked.text
    first, last = line_of(FRENCH, "```json"), line_of(FRENCH, '"webSearch"') + 2
    assert set(range(first, last + 1)) <= protected_lines(FRENCH)


def test_sample_tables_protect_pipes_and_alignment_row_not_cell_words() -> None:
    header = "| Type              | Tokens    |"
    separator = "|-------------------|-----------|"
    row = "| Entrée (Cache Hit)  | 946,816   |"
    assert is_protected(FRENCH, separator)
    assert line_of(FRENCH, separator) in protected_lines(FRENCH)
    assert line_of(FRENCH, header) not in protected_lines(FRENCH)
    for word in ("Type", "Tokens", "Entrée (Cache Hit)", "946,816"):
        assert is_prose(FRENCH, word, after=header)
    row_start = FRENCH.index(row)
    pipes = {row_start + i for i, char in enumerate(row) if char == "|"}
    assert pipes <= protected_chars(FRENCH)
    assert is_protected(FRENCH, "`mistral-large-2411`", after="| Model")  # code in a cell


def test_sample_prose_reaches_the_model_and_protected_text_does_not() -> None:
    masked = mask(FRENCH).text
    assert "Lors de l'optimisation de l'utilisation des tokens" in masked
    assert "Dify a probablement des limites similaires." in masked
    for hidden in ("assets/images", "https://", "{: .", "layout: post", "|---"):
        assert hidden not in masked
    assert masked.count("\n") < FRENCH.count("\n")  # only multi-line blocks shrink


# --- a Chinese post and an English post with every construct --------------------------------


def test_chinese_post_keeps_its_prose_and_punctuation() -> None:
    masked = mask(CHINESE).text
    assert (
        "网络经常不稳定。我试过很多办法，最后发现配置一个本地代理最简单！你是否也遇到过同样的问题？"
        in masked
    )
    assert is_prose(CHINESE, "这里")
    assert is_protected(CHINESE, "](https://docs.example.com/zh/proxy?lang=zh)")
    assert is_protected(CHINESE, "`~/.config/proxy.json`")
    assert is_protected(CHINESE, '"PROXY_URL": "http://127.0.0.1:7890"')
    assert is_prose(CHINESE, "代理设置")  # an image's alt text is prose, its path is not
    assert is_protected(CHINESE, "](assets/images/proxy/setup.png){: .responsive }")
    assert is_prose(CHINESE, "来源：个人截图")
    assert "官方文档在⟦1⟧这里⟦2⟧，请先阅读。" in masked


@pytest.mark.parametrize(
    "construct",
    [
        "`fixer --grammar`",
        "<!-- TODO: add a screenshot -->",
        "$E=mc^2$",
        "$$\n\\int_0^1 x^2 \\, dx = \\frac{1}{3}\n$$",
        "[^1]",
        "[^1]:",
        "{% include header.html %}",
        "{{ page.title }}",
        "    $ pip install fixer\n    $ fixer --grammar post.md",
        '<div class="note">',
        "</div>",
        "][docs]",
        '[docs]: https://example.com/docs "The docs"',
        "https://example.com/guide",
        "title: Notes on {{ page.title }} and friends",
    ],
)
def test_english_post_protects(construct: str) -> None:
    assert is_protected(ENGLISH, construct)
    assert construct not in mask(ENGLISH).text


@pytest.mark.parametrize(
    "words",
    [
        "This post explain how the",
        "It are short.",
        "it costs $5 to $10 to print it",  # prices are not math
        "A claim with a source",
        "the docs",
        "This note are inside an HTML block.",
        "The source is a book that nobody have read.",
    ],
)
def test_english_post_leaves_prose(words: str) -> None:
    assert is_prose(ENGLISH, words)
    assert words in mask(ENGLISH).text


def test_a_paragraph_on_one_very_long_line_stays_one_line() -> None:
    line = next(line for line in ENGLISH.split("\n") if len(line) > 400)
    assert line in mask(ENGLISH).text.split("\n")
    assert line_of(ENGLISH, line) not in protected_lines(ENGLISH)


def test_toml_front_matter_bom_crlf_and_raw_html() -> None:
    toml = '+++\ntitle = "x"\n+++\n\nHello `x`.\n'
    assert mask(toml) == Masked("⟦0⟧\n\nHello ⟦1⟧.\n", ('+++\ntitle = "x"\n+++', "`x`"))
    bom = "\ufeff---\ntitle: x\n---\nHi\n"
    assert mask(bom) == Masked("⟦0⟧\nHi\n", ("\ufeff---\ntitle: x\n---",))
    crlf = "Some text.\r\n\r\n```\r\ncode\r\n```\r\nMore.\r\n"
    assert mask(crlf).text == "Some text.\r\n\r\n⟦0⟧\r\nMore.\r\n"
    script = "<script>\nvar words = 1;\n\nb\n</script>\n\nText.\n"
    assert mask(script).text == "⟦0⟧\n\nText.\n"


def test_tables_inside_containers_and_with_escaped_pipes() -> None:
    quoted = "> | a | b |\n> |---|---|\n> | x | `y` |\n"
    assert mask(quoted).text == "⟦0⟧a⟦1⟧b⟦2⟧\n⟦3⟧\n⟦4⟧x⟦5⟧\n"
    escaped = "| a \\| b | c |\n|---|---|\n| `x` \\| y | z |\n"
    assert mask(escaped).text == "⟦0⟧a \\| b⟦1⟧c⟦2⟧\n⟦3⟧\n⟦4⟧ \\| y⟦5⟧z⟦6⟧\n"


def test_text_that_already_holds_placeholder_brackets_round_trips() -> None:
    text = "A post about the ⟦3⟧ notation, with `code`.\n"
    masked = mask(text)
    assert masked.text.count("⟦") == len(masked.pieces) == 3
    assert unmask(masked.text, masked) == text


# --- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ALL_POSTS))
def test_mask_unmask_round_trip_is_the_identity(name: str) -> None:
    post = ALL_POSTS[name]
    for text in (post, post.replace("\n", "\r\n"), "\ufeff" + post):
        masked = mask(text)
        assert unmask(masked.text, masked) == text
        assert "".join(masked.pieces) == "".join(text[s:e] for s, e in protected_spans(text))


PROSE_WORDS = st.sampled_from(
    ["the", "post", "are", "explain", "cost", "模型", "代理", "très", "coût", "it's", "(so)"]
)
PROSE_LINE = (
    st.lists(PROSE_WORDS, min_size=1, max_size=8).map(" ".join).map(lambda line: line + ".")
)
SECRETS = st.integers(0, 999).map(lambda n: f"secret{n}")
INLINE = st.one_of(
    SECRETS.map(lambda s: f"`{s}`"),
    SECRETS.map(lambda s: f"[link text](https://example.com/{s})"),
    SECRETS.map(lambda s: f"![alt words](img/{s}.png){{: .responsive }}"),
    SECRETS.map(lambda s: f"${s}^2$"),
    SECRETS.map(lambda s: f"{{{{ page.{s} }}}}"),
    SECRETS.map(lambda s: f"{{% include {s}.html %}}"),
    SECRETS.map(lambda s: f"<span class='{s}'>"),
    SECRETS.map(lambda s: f"<!-- {s} -->"),
)
BLOCKS = st.one_of(
    PROSE_LINE,
    st.tuples(PROSE_LINE, INLINE, PROSE_LINE).map(" ".join),
    SECRETS.map(lambda s: f"```python\nprint('{s}')\n\nx = 1\n```"),
    # An indented code block needs a blank line and no open list before it: a comment ends both.
    SECRETS.map(lambda s: f"<!-- {s} -->\n\n    {s} = 1\n    {s} += 2"),
    SECRETS.map(lambda s: f"$$\n{s}\n$$"),
    SECRETS.map(lambda s: f"{{: .{s} }}"),
    # A table runs on to the next blank line, which it brings with it.
    st.tuples(PROSE_LINE, SECRETS).map(lambda t: f"| {t[0]} | a |\n|---|:-:|\n| b | `{t[1]}` |\n"),
    st.tuples(PROSE_LINE, INLINE).map(lambda t: f"> {t[0]} {t[1]}"),
    st.tuples(PROSE_LINE, INLINE).map(lambda t: f"- {t[0]}\n  {t[1]} {t[0]}"),
)
POSTS_GENERATED = st.tuples(
    st.booleans(), st.lists(BLOCKS, min_size=1, max_size=8), st.sampled_from(["\n\n", "\n"])
).map(lambda t: ("---\ntitle: secret-title\n---\n" if t[0] else "") + t[2].join(t[1]) + "\n")


@settings(max_examples=150, deadline=None)
@given(POSTS_GENERATED)
def test_generated_posts_round_trip_and_hide_every_protected_construct(post: str) -> None:
    masked = mask(post)
    assert unmask(masked.text, masked) == post
    assert "secret" not in masked.text
    assert all("secret" in piece or piece.strip() for piece in masked.pieces)
    for line in post.split("\n"):
        if re.fullmatch(r"[\w' ().\u00e0-\u00ff\u4e00-\u9fff]+\.", line):  # a pure prose line
            assert line in masked.text.split("\n")
    assert not changes_protected(post, post)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_any_text_round_trips(text: str) -> None:
    masked = mask(text)
    assert unmask(masked.text, masked) == text
    assert not changes_protected(text, text)


# --- unmask refuses broken replies ----------------------------------------------------------


def test_unmask_refuses_a_dropped_placeholder() -> None:
    masked = mask(ENGLISH)
    with pytest.raises(MaskError, match="⟦3⟧ is missing from the reply"):
        unmask(masked.text.replace("⟦3⟧", ""), masked)


def test_unmask_refuses_an_altered_placeholder() -> None:
    masked = mask(ENGLISH)
    with pytest.raises(MaskError, match="altered near 'explain how the ⟦3 ⟧ flag work") as error:
        unmask(masked.text.replace("⟦3⟧", "⟦3 ⟧"), masked)
    assert "⟦3⟧ is missing from the reply" in str(error.value)
    with pytest.raises(MaskError, match="altered near"):
        unmask(masked.text.replace("⟦3⟧", "⟦03⟧"), masked)
    with pytest.raises(MaskError, match="⟦99⟧ is not a placeholder of this post"):
        unmask(masked.text + "⟦99⟧", masked)


def test_unmask_refuses_a_duplicated_placeholder() -> None:
    masked = mask(ENGLISH)
    with pytest.raises(MaskError, match="⟦5⟧ appears 2 times in the reply"):
        unmask(masked.text.replace("⟦5⟧", "⟦5⟧ ⟦5⟧"), masked)


def test_unmask_refuses_reordered_placeholders() -> None:
    masked = mask(ENGLISH)
    swapped = masked.text.replace("⟦3⟧", "⟦x⟧").replace("⟦4⟧", "⟦3⟧").replace("⟦x⟧", "⟦4⟧")
    with pytest.raises(MaskError, match="⟦4⟧ comes before ⟦3⟧"):
        unmask(swapped, masked)


def test_unmask_refuses_a_block_placeholder_moved_off_its_line() -> None:
    masked = mask(ENGLISH)
    joined = masked.text.replace("\n\n⟦6⟧", " ⟦6⟧")  # the $$ block pulled into a paragraph
    with pytest.raises(MaskError, match="⟦6⟧ must stay alone on its own line"):
        unmask(joined, masked)


def test_unmask_applies_a_prose_correction() -> None:
    masked = mask(ENGLISH)
    fixed = masked.text.replace("explain how the ⟦3⟧ flag work", "explains how the ⟦3⟧ flag works")
    assert unmask(fixed, masked) == edit(
        ENGLISH,
        "explain how the `fixer --grammar` flag work",
        "explains how the `fixer --grammar` flag works",
    )


# --- changes_protected ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"LOG": true', '"LOG": false'),  # inside the JSON code block
        ("title: Coûts des LLM", "title: Les coûts des LLM"),  # the front matter title
        ("https://github.com/hankcs/HanLP", "https://github.com/hankcs/hanlp"),  # a URL
        (
            "{: .centered }\n![](assets/images/tokens/tokens2.png)",
            "{: .center }\n![](assets/images/tokens/tokens2.png)",
        ),
        ("|-------------------|-----------|", "|---|---|"),  # the alignment row
        ("`mistral-small-2409`", "`mistral-small-2410`"),  # inline code
        ('"transformer": {', '"transformer":  {'),  # whitespace inside the code block
    ],
)
def test_changes_protected_catches_edits_of_protected_text(old: str, new: str) -> None:
    assert changes_protected(FRENCH, edit(FRENCH, old, new))


def test_changes_protected_catches_a_line_added_inside_code_and_a_deleted_block() -> None:
    assert changes_protected(
        FRENCH, edit(FRENCH, '  "LOG": true,\n', '  "LOG": true,\n  "x": 1,\n')
    )
    block = FRENCH[FRENCH.index("```json") : FRENCH.index("```\n\n---") + 4]
    assert changes_protected(FRENCH, edit(FRENCH, block, ""))
    assert changes_protected(
        ENGLISH, edit(ENGLISH, "{% include header.html %}", "{% include footer.html %}")
    )


@pytest.mark.parametrize(
    ("post", "old", "new"),
    [
        (FRENCH, "Lors de l'optimisation", "Lors de l’optimisation"),
        (FRENCH, "interview", "entrevue"),  # a link's text
        (FRENCH, "*Source : openrouter.ai*{: .caption }", "*Source : OpenRouter.ai*{: .caption }"),
        (FRENCH, "| Entrée (Cache Hit)  |", "| Entrée (cache hit)  |"),  # a table cell
        (CHINESE, "我试过很多办法，", "我尝试过很多办法，"),
        (
            ENGLISH,
            "This post explain how the `fixer --grammar` flag work.",
            "This post explains how the `fixer --grammar` flag works.",
        ),
        (ENGLISH, "It are short.", "It is short."),
        (ENGLISH, "nobody have read", "nobody has read"),
    ],
)
def test_changes_protected_is_false_for_prose_corrections(post: str, old: str, new: str) -> None:
    assert not changes_protected(post, edit(post, old, new))


def test_changes_protected_is_false_for_many_prose_corrections_at_once() -> None:
    corrected = FRENCH
    for old, new in [
        ("J'essayais", "Je tentais"),
        ("Dify a probablement", "Dify a sans doute"),
        ("Voici mon utilisation", "Voici ma consommation"),
        ("| Sortie |", "| Sorties |"),
    ]:
        corrected = edit(corrected, old, new)
    assert not changes_protected(FRENCH, corrected)


# --- lines and token share -----------------------------------------------------------------


def test_protected_lines_are_whole_protected_lines_only() -> None:
    lines = ENGLISH.split("\n")
    protected = protected_lines(ENGLISH)
    assert {0, 1, 2, 3} <= protected  # front matter
    assert line_of(ENGLISH, "{% include header.html %}") in protected
    assert line_of(ENGLISH, "    $ pip install fixer") in protected
    assert line_of(ENGLISH, "[docs]: https://") in protected
    assert line_of(ENGLISH, "Einstein wrote") not in protected
    assert line_of(ENGLISH, "[^1]: The source") not in protected
    assert all(lines[n].strip() for n in protected)


def test_a_post_that_is_80_percent_code_sends_at_most_a_third_of_its_tokens() -> None:
    fenced = sum(len(m.group()) for m in re.finditer(r"```.*?```", CODE_HEAVY, re.DOTALL))
    assert fenced / len(CODE_HEAVY) >= 0.8
    share = token_share(CODE_HEAVY)
    assert share <= 1 / 3, f"token share of the code-heavy post is {share:.3f}, above 1/3"
    print(f"token share: code-heavy post {share:.3f}, sample post {token_share(FRENCH):.3f}")


def test_token_share_of_the_sample_post_and_of_plain_prose() -> None:
    share = token_share(FRENCH)
    assert 0.5 < share < 1, f"token share of the sample post is {share:.3f}"
    assert token_share("Just prose, nothing to hide.\n") == 1.0
    assert token_share("") == 1.0


def test_the_module_imports_neither_textual_nor_git() -> None:
    code = "import sys, fixer.markdown; print('textual' in sys.modules, 'git' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]
