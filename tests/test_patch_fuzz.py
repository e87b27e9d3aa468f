"""The diff engine fuzzed with hostile replies (bench/fuzz_patch.py's grammar), briefly: nothing
but a refusal escapes, the steps agree, and no example takes long. `python bench/run.py fuzz`
runs the same target for longer."""

from __future__ import annotations

import importlib.util
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings

_SPEC = importlib.util.spec_from_file_location(
    "fuzz_patch", Path(__file__).resolve().parents[1] / "bench" / "fuzz_patch.py"
)
assert _SPEC is not None and _SPEC.loader is not None
fuzz = sys.modules["fuzz_patch"] = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(fuzz)


# Inputs are at most a few tens of kilobytes, placed in milliseconds: a second means a path
# gone quadratic or worse (a loaded machine must not make the test flaky).
@settings(
    max_examples=150,
    deadline=timedelta(seconds=1),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(fuzz.cases())
# Found by it: an octal escape beyond a byte, a diff block of headers only, a last line
# ending with a lone CR (which a diff reads as a CRLF ending).
@example(("\ufeff", '--- x\n+++ "\\777"\n@@ @@\n-x\n+y\n'))
@example(("\ufeff", "```diff\rHere is the fix:\nnew file mode 100644\r--- x\n+++ x\r"))
@example(("\ufeff\n\n\n0\r", "@@\n \n+\n \n "))
# And one hunk written 300 times: choosing among its places was cubic (4 s).
@example(("a\nb\n" * 10, "@@ -3,2 +3,2 @@\n a\n-b\n+c\n" * 300))
def test_no_reply_makes_the_engine_crash_disagree_or_crawl(case: tuple[str, str]) -> None:
    original, reply = case
    fuzz.run_reply(original, reply)


def test_the_fuzz_benchmark_reports_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    fuzz.run(quick=True, examples=20)
    out = capsys.readouterr().out
    assert "examples run:   20 " in out and "repeated 8x" in out and "FAILED" not in out
