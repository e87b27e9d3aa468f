"""The Caller: every model call of a run, on the run's one HTTP client."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import fixer

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
