"""A repository with calc.py, the fake provider and a config naming it: the scene of the
end-to-end tests that run the real `fixer` against a provider (the `shop` fixture)."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from fixer.ledger import Call, Ledger, ledger_path
from tests.fakeserver import FakeProvider
from tests.helpers import run_fixer

LINES = "".join(f"value_{i} = {i}\n" for i in range(1, 31))
GOOD = "--- a/calc.py\n+++ b/calc.py\n@@ -5 +5 @@\n-value_5 = 5\n+value_5 = 50\n"


@dataclass
class Shop:
    tmp: Path
    repo: Path
    env: dict[str, str]
    provider: FakeProvider
    config: Path

    def configured(self, **extra: object) -> Path:
        """The config with `extra` top-level keys."""
        config = json.loads(self.config.read_text()) | extra
        path = self.tmp / "configured.json"
        path.write_text(json.dumps(config))
        return path

    def fixer(self, *args: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
        """`fixer ARGS --config CONFIG calc.py` in the repository."""
        config_args = ["--config", str(config or self.config)]
        return run_fixer(*args, *config_args, "calc.py", cwd=self.repo, env=self.env)

    def calls(self) -> list[Call]:
        with Ledger(ledger_path(self.env)) as ledger:
            return ledger.calls()

    def written(self) -> list[Path]:
        """Every file fixer keeps: the ledger, the request log, crash reports, state."""
        home = Path(self.env["HOME"])
        return [p for p in home.rglob("*") if p.is_file()]
