"""The Caller: every model call of a run, on the run's one HTTP client."""

from __future__ import annotations

import ast
import signal
import subprocess
import sys
import time
from pathlib import Path

import fixer
from tests.helpers import FIXER
from tests.shop import GOOD, Shop

FIXER_DIR = Path(fixer.__file__).parent


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    return names | {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}


def test_the_wire_layer_never_imports_the_session() -> None:
    # calls.py once imported endpoint_for from session.py inside a method, to dodge a cycle.
    for name in ("calls.py", "llm.py", "router.py", "tokens.py"):
        assert "fixer.session" not in imported_modules(FIXER_DIR / name), name


def test_importing_the_caller_alone_works() -> None:
    code = "import sys, fixer.calls; print(sorted({'fixer.session', 'httpx'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_compare_with_one_provider_failing_keeps_the_other_models_hunks(shop: Shop) -> None:
    # One compared model answers a diff, the other one's provider refuses (400): the run goes on.
    shop.provider.reply(GOOD, stream=None)
    shop.provider.reply(status=400, error="model not found")
    result = shop.fixer("--print", "--compare", "default,think")
    assert result.returncode == 0, result.stderr
    assert "+value_5 = 50" in result.stdout
    assert "failed: fake answered 400" in result.stderr


def test_the_ledger_counts_the_refused_hunks_of_a_reply_that_gave_no_usable_diff(
    shop: Shop,
) -> None:
    shop.provider.reply(GOOD.replace("-value_5 = 5", "-value_5 = 555"))  # fits nowhere
    result = shop.fixer("--yes", "-m", "fake,cheap-model")  # -m: no escalation
    assert result.returncode == 3, result.stderr
    calls = shop.calls()
    assert len(calls) == 2  # asked once more with the apply error
    assert [c.hunks_refused for c in calls] == [1, 1]


def test_the_calls_of_a_run_share_one_connection(shop: Shop) -> None:
    # A reply that fits nowhere, then the call again with the apply error: two calls of one
    # run, one TCP connection (not a handshake per call).
    shop.provider.keep_alive = True
    shop.provider.reply(GOOD.replace("-value_5 = 5", "-value_5 = 555"))
    shop.provider.reply(GOOD)
    shop.env["PYTHONWARNINGS"] = "always::ResourceWarning"  # a socket left open says so
    result = shop.fixer("--yes", "-m", "fake,cheap-model")
    assert result.returncode == 0, result.stderr
    assert len(shop.provider.requests) == 2
    assert shop.provider.connections == 1
    assert "Warning" not in result.stderr


def test_a_retry_after_a_503_reuses_the_connection(shop: Shop) -> None:
    shop.provider.keep_alive = True
    shop.provider.reply(status=503, headers={"Retry-After": "0"})
    shop.provider.reply(GOOD)
    result = shop.fixer("--print", "-m", "fake,cheap-model")
    assert result.returncode == 0, result.stderr
    assert "+value_5 = 50" in result.stdout
    assert len(shop.provider.requests) == 2
    assert shop.provider.connections == 1


def test_ctrl_c_during_a_reply_closes_the_connection(shop: Shop) -> None:
    shop.provider.keep_alive = True
    shop.provider.reply(GOOD, keepalive_s=30)  # streams keep-alives until the test ends
    shop.env["PYTHONWARNINGS"] = "always::ResourceWarning"
    args = [str(FIXER), "--print", "-m", "fake,cheap-model", "--config", str(shop.config)]
    with subprocess.Popen(
        [*args, "calc.py"],
        cwd=shop.repo,
        env=shop.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as fixer:
        deadline = time.monotonic() + 30
        while not shop.provider.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        assert shop.provider.requests, "the call never arrived"
        fixer.send_signal(signal.SIGINT)
        _, stderr = fixer.communicate(timeout=30)
    assert fixer.returncode == 130, stderr
    assert "interrupted" in stderr
    assert "Warning" not in stderr
    assert [c.outcome for c in shop.calls()] == ["cancelled"]
