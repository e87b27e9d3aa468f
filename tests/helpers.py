"""Shared test helpers: real git repositories and the real `fixer` command."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from fixer.calls import Caller
from fixer.config import load_config
from fixer.session import Job, Run, open_workspace, run_sources

FIXER = Path(sys.executable).with_name("fixer")
# A ten-line calc.py and a diff that changes its value_5: the scene of many --from-diff runs.
CALC = "".join(f"value_{i} = {i}\n" for i in range(1, 11))
CALC_DIFF = """--- a/calc.py
+++ b/calc.py
@@ -4,3 +4,3 @@
 value_4 = 4
-value_5 = 5
+value_5 = 50
 value_6 = 6
"""


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` and return its stdout."""
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def make_repo(path: Path, files: dict[str, str | bytes]) -> Path:
    """A git repository at `path` with `files` committed in one first commit."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.name", "Test User")
    git(path, "config", "user.email", "test@example.invalid")
    git(path, "config", "commit.gpgsign", "false")
    for name, content in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_bytes(content.encode())
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "initial")
    return path


def clean_env(home: Path) -> dict[str, str]:
    """An environment with no config, no keys and XDG dirs inside `home`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.endswith("_API_KEY") and not k.startswith(("XDG_", "FIXER_", "GIT_"))
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_STATE_HOME=str(home / ".local/state"),
        XDG_DATA_HOME=str(home / ".local/share"),
        GIT_CONFIG_NOSYSTEM="1",
        NO_COLOR="1",
    )
    return env


def run_fixer(
    *args: str, cwd: Path, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed `fixer` command as a user would."""
    return subprocess.run(
        [str(FIXER), *args],
        cwd=cwd,
        env=env,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=60,
    )


def small_limit_config(folder: Path, config: Path) -> Path:
    """A copy of `config` that asks before sending any prompt above 50 tokens."""
    import json

    data = json.loads(config.read_text())
    data["fixer"] = {"confirm_above_tokens": 50}
    path = folder / "small-limit.json"
    path.write_text(json.dumps(data))
    return path


# "fixer.retry" for a test that fails its calls on purpose: tried again at once, not after
# seconds of real backoff.
FAST_RETRY = {"attempts": 3, "backoff_s": 0.001, "backoff_cap_s": 0.01}


def fast_retry_config(folder: Path, config: Path) -> Path:
    """A copy of `config` whose failed calls are tried again with FAST_RETRY."""
    import json

    data = json.loads(config.read_text())
    data["fixer"] = {"retry": FAST_RETRY}
    path = folder / "fast-retry.json"
    path.write_text(json.dumps(data))
    return path


def run_of(job: Job, env: Mapping[str, str]) -> Run:
    """The Run the CLI builds for `job` (its config from job.config_path, or the one `env`
    finds), with a caller that records nothing."""
    workspace = open_workspace(job.paths)
    sources = run_sources(job, workspace.root)
    config = load_config(job.config_path, env)
    return Run(job, workspace, sources, config, Caller(config, env), env)


def gone(pid: int) -> bool:
    """Whether the process has ended, waiting up to 10 s for SIGKILL to take effect. A zombie
    counts as ended: it runs nothing, and an init that does not reap keeps it for ever."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        proc = Path(f"/proc/{pid}/stat")
        if proc.exists() and proc.read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return True
        time.sleep(0.01)
    return False
