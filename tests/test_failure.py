"""The failure text for a prompt: real pytest and unittest output, and properties."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixer.failure import LINE_CHARS, trim_output
from fixer.tokens import estimate_tokens

MARK = re.compile(r"\[\.\.\. (\d+) lines? \.\.\.\]")
FAILING_PYTEST = """
def helper(value):
    for i in range(200):
        print("noise line", i)
    assert value == 2, "value should be two"


def test_passes():
    assert True


def test_fails():
    helper(1)
"""
FAILING_UNITTEST = """
import unittest


class T(unittest.TestCase):
    def test_fails(self):
        for i in range(200):
            print("noise line", i)
        self.assertEqual(1, 2)
"""


def output_of(tmp_path: Path, source: str, *command: str) -> str:
    (tmp_path / "test_sample.py").write_text(source)
    done = subprocess.run(
        [sys.executable, *command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONDONTWRITEBYTECODE": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )
    assert done.returncode == 1  # the sample fails, as it should
    return done.stdout + done.stderr


def test_pytest_output_keeps_what_failed_and_the_tail(tmp_path: Path) -> None:
    output = output_of(tmp_path, FAILING_PYTEST, "-m", "pytest", "-q", "-p", "no:cacheprovider")
    trimmed = trim_output(output, 200)
    assert estimate_tokens(trimmed) <= 200 < estimate_tokens(output)
    kept = trimmed.splitlines()
    assert "E       AssertionError: value should be two" in kept
    assert "E       assert 1 == 2" in kept
    assert any(re.match(r"test_sample\.py:\d+: AssertionError", line) for line in kept)
    assert "FAILED test_sample.py::test_fails - AssertionError: value should be two" in kept
    assert re.fullmatch(r"1 failed, 1 passed in [\d.]+s", kept[-1])
    assert MARK.fullmatch(kept[0])  # pytest's header is left out, and says so
    assert "noise line 0" not in trimmed


def test_unittest_output_keeps_its_fail_header_and_traceback(tmp_path: Path) -> None:
    output = output_of(tmp_path, FAILING_UNITTEST, "-m", "unittest", "-b", "test_sample")
    output = "\n".join(f"progress {i}" for i in range(300)) + "\n" + output
    trimmed = trim_output(output, 200)
    kept = trimmed.splitlines()
    assert "FAIL: test_fails (test_sample.T.test_fails)" in kept
    assert "Traceback (most recent call last):" in kept
    assert "AssertionError: 1 != 2" in kept
    assert kept[-1] == "FAILED (failures=1)"
    assert "progress 0" not in trimmed


def test_output_within_the_budget_is_returned_whole() -> None:
    output = "E   assert 1 == 2\nok\n"
    assert trim_output(output, 100) == output


def test_a_long_line_is_cut() -> None:
    trimmed = trim_output("E   " + "x" * 10_000, 1000)
    assert trimmed == "E   " + "x" * (LINE_CHARS - 4) + "…"


@pytest.mark.parametrize(
    "output",
    ["\n" * 2_000_000, "Error " * 2_000_000, "x" * 5_000_000],
    ids=["empty lines", "one line of errors", "one long line"],
)
def test_hostile_output_gives_a_bounded_text(output: str) -> None:
    assert estimate_tokens(trim_output(output, 500)) <= 500


# Lines a test runner prints: failure lines, noise, and anything without a line break.
LINE = st.one_of(
    st.sampled_from(
        [
            "E       assert 1 == 2",
            "FAILED t.py::test_a - AssertionError",
            "Traceback (most recent call last):",
            '  File "t.py", line 3, in test_a',
            "t.py:3: AssertionError",
            "ValueError: bad",
            "ok",
            "",
            "......",
        ]
    ),
    st.text(st.characters(blacklist_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")),
)


@given(st.lists(LINE, max_size=60), st.integers(min_value=0, max_value=400))
def test_trimmed_output_fits_and_keeps_lines_in_order(lines: list[str], budget: int) -> None:
    output = "\n".join(lines)
    trimmed = trim_output(output, budget)
    if trimmed == output:
        assert estimate_tokens(output) <= budget
        return
    source = [line[:LINE_CHARS] + "…" * (len(line) > LINE_CHARS) for line in output.splitlines()]
    if budget >= estimate_tokens(f"[... {len(source)} lines ...]\n"):
        assert estimate_tokens(trimmed) <= budget
    # Each line of the result is the next line of the output, or a mark for the next n lines
    # (split on "\n", as the result is joined: splitlines would drop a last empty line).
    position, after_mark = 0, False
    for line in trimmed.split("\n"):
        mark = MARK.fullmatch(line)
        if position < len(source) and source[position] == line:
            position, after_mark = position + 1, False
        else:
            assert mark and not after_mark, line  # one mark for each run left out
            position, after_mark = position + int(mark.group(1)), True
    assert position == len(source)
