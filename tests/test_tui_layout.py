"""What the hunk view shows: numbers, kinds, changed words, side-by-side rows, safe text, syntax."""

from __future__ import annotations

import subprocess
import sys
from itertools import pairwise

from rich.style import Style

from fixer.patch import Hunk
from fixer.printable import printable
from fixer.tui.hunk_view import styled_segments
from fixer.tui.layout import (
    diff_lines,
    hunk_title,
    row_count,
    side_by_side,
    wrap_cuts,
    wrapped_rows,
)
from fixer.tui.syntax import NO_SYNTAX, highlight_lines

HUNK = Hunk(
    (
        " def price(amount):",
        "-    return amount * 1.2",
        "+    return round(amount * 1.2, 2)",
        "+    # rounded to cents",
        " ",
        "-old_line = 1",
    ),
    old_start=10,
    new_start=10,
)


def test_lines_carry_the_real_numbers_of_both_sides() -> None:
    lines = diff_lines(HUNK)
    assert [(ln.kind, ln.old_number, ln.new_number) for ln in lines] == [
        ("context", 10, 10),
        ("removed", 11, None),
        ("added", None, 11),
        ("added", None, 12),
        ("context", 12, 13),
        ("removed", 13, None),
    ]


def test_changed_words_are_marked_only_in_similar_pairs() -> None:
    lines = diff_lines(HUNK)
    removed, added = lines[1], lines[2]
    assert removed.words == ()  # only insertions
    assert [added.text[a:b] for a, b in added.words] == ["round(", ", 2)"]
    # The comment line has no similar removed partner: no word marks, the line colour says it all.
    assert lines[3].words == ()
    assert lines[5].words == ()


def test_cjk_words_are_characters() -> None:
    hunk = Hunk(("-我喜欢猫", "+我喜欢狗"), old_start=1, new_start=1)
    removed, added = diff_lines(hunk)
    assert [removed.text[a:b] for a, b in removed.words] == ["猫"]
    assert [added.text[a:b] for a, b in added.words] == ["狗"]


def test_side_by_side_pairs_each_change_block() -> None:
    lines = diff_lines(HUNK)
    assert side_by_side([line.kind for line in lines]) == [
        (0, 0),
        (1, 2),
        (None, 3),
        (4, 4),
        (5, None),
    ]
    assert row_count(HUNK, split=True) == 5
    assert row_count(HUNK, split=False) == 6


def test_title_is_the_git_at_line() -> None:
    assert hunk_title(HUNK) == "@@ -10,4 +10,4 @@"
    made_up = Hunk(("-a", "+b"), 3, 3, header="def invented():")  # the model's header is not used
    assert hunk_title(made_up) == "@@ -3 +3 @@"
    assert hunk_title(made_up, "def f():") == "@@ -3 +3 @@ def f():"


def test_the_function_context_comes_from_the_file_as_git_finds_it() -> None:
    from fixer.tui.layout import function_contexts, hunk_context

    lines = ["import os", "", "def _posixify(name):", "    x = 1", "    y = 2", "    return x"]
    nearest = function_contexts(lines)
    inside = Hunk(("     y = 2", "-    return x", "+    return y"), 5, 5)
    assert hunk_context(lines, nearest, inside) == "def _posixify(name):"
    at_the_def = Hunk((" def _posixify(name):", "-    x = 1", "+    x = 2"), 3, 3)
    assert hunk_context(lines, nearest, at_the_def) == "import os"  # git looks above the hunk
    assert hunk_context(lines, nearest, Hunk(("-import os", "+import sys"), 1, 1)) == ""


def test_escape_sequences_are_shown_never_sent() -> None:
    hostile = "x = '\x1b[2J\x1b]0;pwned\x07'\r\x7f\ufeff"
    shown = printable(hostile)
    assert len(shown) == len(hostile)  # positions (word spans) stay valid
    assert not any(ord(c) < 32 or ord(c) == 0x7F for c in shown)
    assert "␛[2J" in shown and "␍" in shown and "␡" in shown and "\ufeff" not in shown
    line = diff_lines(Hunk((f"+{hostile}",), 0, 1))[0]
    assert "\x1b" not in line.text


def test_tabs_expand_to_stops_across_styled_runs() -> None:
    red, bold = Style(color="red"), Style(bold=True)
    segments = styled_segments([(red, "a\tb"), (Style(), "\tc")], [(2, 3)], Style(), bold)
    text = "".join(s.text for s in segments)
    assert text == "a   b   c"
    assert [s.text for s in segments if s.style and s.style.bold] == ["b"]


def test_a_multiline_string_is_highlighted_as_one() -> None:
    lines = ['x = """', "not code: def if", '"""', "def f(): pass"]
    runs = highlight_lines(lines, "example.py", "monokai")
    assert len(runs) == len(lines)
    middle_styles = {style for style, _ in runs[1]}
    keyword_style = next(style for style, text in runs[3] if text == "def")
    assert keyword_style not in middle_styles  # "def" inside the string is not a keyword
    assert ["".join(text for _, text in line) for line in runs] == lines


def test_unknown_files_and_no_syntax_are_plain() -> None:
    assert highlight_lines(["a b"], "README.unknown-ext", "monokai")[0][0][1] == "a b"
    assert highlight_lines(["def f"], "a.py", NO_SYNTAX) == [[(Style(), "def f")]]


def test_layout_never_imports_textual() -> None:
    code = "import sys, fixer.tui.layout; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_status_line_shortens_the_less_important_parts_first_and_keeps_the_cost() -> None:
    from fixer.tui.layout import StatusPart, fit_status

    parts = [
        StatusPart("fixer", 0),
        StatusPart("deepseek,deepseek-chat", 2),
        StatusPart("hunk 1/3", 4, "1/3"),
        StatusPart("decided 0/3 (✓0 ✗0)", 3, "✓0 ✗0"),
        StatusPart("tokens: 1,234 in, 56 out; cost: $0.0012; 2.1s", 5, "cost: $0.0012"),
    ]
    wide = fit_status(parts, 200)
    assert wide.startswith("fixer  ·  deepseek") and wide.endswith("2.1s")
    narrow = fit_status(parts, 80)
    assert len(narrow) <= 80 and "cost: $0.0012" in narrow and "deepseek" in narrow
    tiny = fit_status(parts, 30)
    assert len(tiny) <= 30 and "cost: $0.0012" in tiny
    assert fit_status(parts, 8) == "cost: $…"  # never wider than the screen


def pieces(text: str, room: int) -> list[str]:
    bounds = [0, *wrap_cuts(text, room), len(text)]
    return [text[a:b] for a, b in pairwise(bounds)]


def test_long_lines_wrap_after_a_space_and_mid_word_only_when_a_word_is_too_long() -> None:
    assert wrap_cuts("short", 10) == []
    assert pieces("one two three four", 9) == ["one two ", "three ", "four"]
    assert pieces("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert pieces("a verylongword b", 5) == ["a ", "veryl", "ongwo", "rd b"]
    assert wrap_cuts("anything", 0) == []  # no room yet: nothing is cut


def test_wide_characters_take_two_columns_and_may_break_anywhere() -> None:
    text = "这是一个很长的句子"  # nine wide characters: four fit in nine columns
    assert wrap_cuts(text, 9) == [8, 16]
    assert wrap_cuts("ab中", 3) == [2]  # never cut inside a wide character


def test_tabs_count_to_the_next_tab_stop() -> None:
    assert wrap_cuts("\tab\tcd", 6) == [4]  # the first tab ends at 4: the cut is after it


def test_wrapped_rows_count_each_sides_parts() -> None:
    hunk = Hunk((" context", "-" + "x " * 10, "+short"), old_start=1, new_start=1)
    assert wrapped_rows(hunk, split=False, room=8) == [(0, 0), (1, 0), (1, 1), (1, 2), (2, 0)]
    # Side by side, the pair takes as many rows as its longer side.
    assert wrapped_rows(hunk, split=True, room=8) == [(0, 0), (1, 0), (1, 1), (1, 2)]
