"""End to end: the real `fixer` command in a temp git repository, one test per path."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import (
    clean_env,
    fast_retry_config,
    git,
    make_repo,
    run_fixer,
    small_limit_config,
)

BUGGY = """import os, sys
import re


def slugify(title,separator = "-"):
    words = re.findall(r"[a-z0-9]+", title.lower())
    return separator.join( words )
"""

LINES = "".join(f"value_{i} = {i}\n" for i in range(1, 31))

MODEL_DIFF = """Sure! Here is the diff:

```diff
--- a/calc.py
+++ b/calc.py
@@ -120,3 +120,3 @@
 value_4 = 4
-value_5 = 5
+value_5 = 50
 value_6 = 6
@@ -25,3 +25,3 @@
 value_25 = 25
-value_26 = 26
+value_26 = 260
 value_27 = 27
```
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", {"app.py": BUGGY, "calc.py": LINES, "notes.md": "hi\n"})


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return clean_env(tmp_path / "home")


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def committed_paths(repo: Path) -> list[str]:
    return git(repo, "show", "--name-only", "--format=", "HEAD").split()


def test_print_offline_gives_a_diff_git_apply_accepts_and_writes_nothing(repo, env) -> None:
    before = head(repo)
    result = run_fixer("--print", "app.py", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert "-import os, sys" in result.stdout
    assert (repo / "app.py").read_text() == BUGGY
    assert head(repo) == before
    subprocess.run(
        ["git", "apply", "--check", "-"], cwd=repo, input=result.stdout, text=True, check=True
    )


def test_yes_offline_writes_commits_only_fixers_path_and_keeps_staged_work(repo, env) -> None:
    (repo / "notes.md").write_text("staged by the user\n")
    git(repo, "add", "notes.md")
    result = run_fixer("--yes", "app.py", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert "import os" not in (repo / "app.py").read_text()
    assert committed_paths(repo) == ["app.py"]
    assert git(repo, "diff", "--cached", "--name-only").split() == ["notes.md"]
    message = git(repo, "log", "-1", "--format=%s").strip()
    assert message.startswith("Apply ") and message.endswith(" (--yes) to app.py")
    assert "reviewed" not in message  # nobody looked at them
    assert "committed" in result.stdout and "cost: 0" in result.stdout


def test_no_commit_writes_without_committing(repo, env) -> None:
    before = head(repo)
    result = run_fixer("--yes", "--no-commit", "app.py", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert "import os" not in (repo / "app.py").read_text()
    assert head(repo) == before
    assert git(repo, "status", "--porcelain").split() == ["M", "app.py"]


def test_from_diff_with_wrong_line_numbers_places_hunks_exactly(repo, env, tmp_path) -> None:
    patch = tmp_path / "chat.txt"
    patch.write_text(MODEL_DIFF)
    printed = run_fixer("--print", "--from-diff", str(patch), cwd=repo, env=env)
    assert printed.returncode == 0, printed.stderr
    assert "@@ -2,7 +2,7 @@" in printed.stdout
    result = run_fixer("--yes", "--from-diff", str(patch), cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    expected = LINES.replace("value_5 = 5\n", "value_5 = 50\n").replace("= 26\n", "= 260\n")
    assert (repo / "calc.py").read_text() == expected
    assert committed_paths(repo) == ["calc.py"]


def test_from_diff_on_stdin(repo, env) -> None:
    result = run_fixer("--yes", "--from-diff", "-", "calc.py", cwd=repo, env=env, stdin=MODEL_DIFF)
    assert result.returncode == 0, result.stderr
    assert "value_26 = 260" in (repo / "calc.py").read_text()


def test_dirty_target_is_written_but_its_earlier_changes_are_not_committed(repo, env, tmp_path):
    (repo / "calc.py").write_text(LINES + "user_edit = 1\n")
    patch = tmp_path / "chat.txt"
    patch.write_text(MODEL_DIFF)
    before = head(repo)
    result = run_fixer("--yes", "--from-diff", str(patch), cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert head(repo) == before
    text = (repo / "calc.py").read_text()
    assert "value_5 = 50" in text and text.endswith("user_edit = 1\n")
    assert "had uncommitted changes" in result.stdout


def test_the_commit_message_names_only_what_the_commit_holds(repo, env, tmp_path) -> None:
    (repo / "calc.py").write_text(LINES + "user_edit = 1\n")  # left out of the commit
    patch = tmp_path / "chat.txt"
    patch.write_text(
        MODEL_DIFF
        + "```diff\n--- a/app.py\n+++ b/app.py\n@@ -1,2 +1,2 @@\n-import os, sys\n+import os\n"
        " import re\n```\n"
    )
    result = run_fixer("--yes", "--from-diff", str(patch), cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert committed_paths(repo) == ["app.py"]
    assert git(repo, "log", "-1", "--format=%s").strip() == "Apply 1 hunk (--yes) to app.py"


def test_a_chatty_background_reply_gives_way_to_the_template(
    repo, env, tmp_path, fake_provider, fake_provider_config
) -> None:
    config = json.loads(fake_provider_config.read_text())
    config["Router"]["background"] = "fake,cheap-model"
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    fake_provider.reply("Sure! I reviewed both files and found a few small issues. Here are the")
    patch = tmp_path / "chat.txt"
    patch.write_text(MODEL_DIFF)
    result = run_fixer("--yes", "--config", str(path), "--from-diff", str(patch), cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert git(repo, "log", "-1", "--format=%s").strip() == "Apply 2 hunks (--yes) to calc.py"


def test_outside_git_writes_and_says_no_commit(tmp_path, env) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "calc.py").write_text(LINES)
    env = dict(env, GIT_CEILING_DIRECTORIES=str(tmp_path))
    result = run_fixer(
        "--yes", "--from-diff", "-", "calc.py", cwd=folder, env=env, stdin=MODEL_DIFF
    )
    assert result.returncode == 0, result.stderr
    assert "value_5 = 50" in (folder / "calc.py").read_text()
    assert "no commit" in result.stdout


def test_model_route_sends_key_model_and_instruction(
    repo, env, fake_provider, fake_provider_config
) -> None:
    fake_provider.reply(
        MODEL_DIFF,
        usage={
            "prompt_tokens": 1200,
            "completion_tokens": 80,
            "prompt_tokens_details": {"cached_tokens": 1024},
        },
    )
    result = run_fixer(
        "--yes",
        "--config",
        str(fake_provider_config),
        "-m",
        "fake,strong-model",
        "-i",
        "make the values bigger",
        "calc.py",
        cwd=repo,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    request = fake_provider.requests[0]
    assert request.headers["authorization"] == "Bearer sk-test-000000001234"
    assert request.body["model"] == "strong-model"
    assert request.body["messages"][-1]["content"].rstrip().endswith("make the values bigger")
    assert "value_26 = 260" in (repo / "calc.py").read_text()
    assert "1,200 in (1,024 cached), 80 out" in result.stdout


def test_default_route_and_commit_message_from_background(
    repo, env, fake_provider, fake_provider_config
) -> None:
    config = json.loads(fake_provider_config.read_text())
    config["Router"]["background"] = "fake,cheap-model"
    fake_provider_config.write_text(json.dumps(config))
    fake_provider.reply(MODEL_DIFF)
    fake_provider.reply('"Raise value_5 and value_26 tenfold."\n')
    result = run_fixer("--yes", "--config", str(fake_provider_config), "calc.py", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert [r.body["model"] for r in fake_provider.requests] == ["cheap-model", "cheap-model"]
    assert git(repo, "log", "-1", "--format=%s").strip() == "Raise value_5 and value_26 tenfold"


def test_reply_without_diff_exits_3_showing_the_reply(
    repo, env, fake_provider, fake_provider_config
) -> None:
    fake_provider.reply("I reviewed the file and it looks great to me.")
    result = run_fixer("--yes", "--config", str(fake_provider_config), "calc.py", cwd=repo, env=env)
    assert result.returncode == 3
    assert "it looks great" in result.stderr
    assert git(repo, "status", "--porcelain") == ""


def test_reply_patching_another_file_has_that_hunk_refused(
    repo, env, fake_provider, fake_provider_config
) -> None:
    extra = "--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-import os, sys\n+import os\n```\n"
    fake_provider.reply(MODEL_DIFF.rstrip().removesuffix("```") + extra)
    result = run_fixer("--yes", "--config", str(fake_provider_config), "calc.py", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert (repo / "app.py").read_text() == BUGGY
    assert "value_26 = 260" in (repo / "calc.py").read_text()
    assert "not one of the selected files" in result.stderr
    assert committed_paths(repo) == ["calc.py"]


def test_provider_failure_exits_1_with_status_and_no_key(
    repo, env, fake_provider, fake_provider_config
) -> None:
    fake_provider.reply("", status=500, error="upstream exploded")
    config = fast_retry_config(repo.parent, fake_provider_config)
    result = run_fixer("--yes", "--config", str(config), "calc.py", cwd=repo, env=env)
    assert result.returncode == 1
    assert "Gave up after 3 attempts" in result.stderr  # fixer.retry.attempts
    assert len(fake_provider.requests) == 3
    assert "500" in result.stderr and "upstream exploded" in result.stderr
    assert "sk-test-000000001234" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [("blob.bin", b"\x00\x01\x02binary", "binary"), ("big.py", b"x = 1\n" * 200_000, "larger")],
    ids=["binary", "huge"],
)
def test_bad_file_exits_2_and_sends_nothing(
    repo, env, fake_provider, fake_provider_config, name, content, words
) -> None:
    (repo / name).write_bytes(content)
    result = run_fixer("--yes", "--config", str(fake_provider_config), name, cwd=repo, env=env)
    assert result.returncode == 2
    assert words in result.stderr
    assert fake_provider.requests == []


def test_missing_key_names_the_variable(repo, env) -> None:
    seed = Path(__file__).with_name("data") / "seed-config.json"
    result = run_fixer("--print", "--config", str(seed), "calc.py", cwd=repo, env=env)
    assert result.returncode == 2
    assert "OPENROUTER_API_KEY" in result.stderr


def test_config_shows_origin_masked_key_and_routes(env, tmp_path, fake_provider_config) -> None:
    result = run_fixer("config", "--config", str(fake_provider_config), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "sk-test-000000001234" not in result.stdout
    assert "1234" in result.stdout
    assert "fake,cheap-model" in result.stdout


def test_seed_config_loads_and_routes_fixes_to_gpt5_mini(env, tmp_path) -> None:
    seed = Path(__file__).with_name("data") / "seed-config.json"
    home_config = tmp_path / "home" / ".claude-code-router" / "config.json"
    home_config.parent.mkdir(parents=True)
    home_config.write_text(seed.read_text())
    result = run_fixer("config", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert ".claude-code-router" in result.stdout
    assert "openrouter,openai/gpt-5-mini" in result.stdout


def test_config_check_fails_precisely(env, tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"Providers": [], "Router": {"default": "nowhere,some-model"},}')
    result = run_fixer("config", "--check", "--config", str(bad), cwd=tmp_path, env=env)
    assert result.returncode != 0
    assert "nowhere" in result.stderr


def test_help_lists_exit_codes_and_options(tmp_path, env) -> None:
    result = run_fixer("--help", cwd=tmp_path, env=env)
    assert result.returncode == 0
    assert "exit codes" in result.stdout and "--from-diff" in result.stdout


def test_review_screen_needs_a_terminal(repo, env) -> None:
    result = run_fixer("app.py", cwd=repo, env=env)
    assert result.returncode == 2
    assert "--print or --yes" in result.stderr


def test_log_writes_a_request_log_without_the_key(repo, env, fake_provider, fake_provider_config):
    config = json.loads(fake_provider_config.read_text())
    config["LOG"] = True
    fake_provider_config.write_text(json.dumps(config))
    fake_provider.reply(MODEL_DIFF)
    result = run_fixer(
        "--print", "--config", str(fake_provider_config), "calc.py", cwd=repo, env=env
    )
    assert result.returncode == 0, result.stderr
    (log,) = (Path(env["XDG_STATE_HOME"]) / "fixer").glob("*.jsonl")
    text = log.read_text()
    assert "cheap-model" in text and "sk-test-000000001234" not in text


def test_a_rate_limit_pause_is_said_once_on_stderr(
    repo, env, fake_provider, fake_provider_config
) -> None:
    fake_provider.reply(status=429, headers={"retry-after-ms": "500"})
    fake_provider.reply(MODEL_DIFF)
    result = run_fixer(
        "--print", "--config", str(fake_provider_config), "calc.py", cwd=repo, env=env
    )
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if "rate limited" in line]
    assert len(said) == 1
    assert re.fullmatch(
        r"fixer: rate limited \(HTTP 429\): trying again in 1 s \(at \d\d:\d\d:\d\d\)", said[0]
    )
    assert "+++ b/calc.py" in result.stdout


def test_print_path_does_not_import_textual(repo, env, tmp_path) -> None:
    patch = tmp_path / "chat.txt"
    patch.write_text(MODEL_DIFF)
    code = (
        "import sys\nfrom fixer.cli import main\n"
        f"code = main(['--print', '--from-diff', {str(patch)!r}])\n"
        "print('textual' in sys.modules, code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == "False 0"


def test_unusable_reply_is_sent_back_once_with_the_apply_error(
    repo, env, fake_provider, fake_provider_config
) -> None:
    # Removed lines the file does not have: never placed loosely.
    invented = MODEL_DIFF.replace("-value_5 = 5", "-value_5 = 5000").replace(
        "-value_26 = 26", "-value_26 = 2600"
    )
    fake_provider.reply(invented)
    fake_provider.reply(MODEL_DIFF)
    result = run_fixer("--yes", "--config", str(fake_provider_config), "calc.py", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert len(fake_provider.requests) == 2
    retry = fake_provider.requests[1].body["messages"]
    assert retry[-2] == {"role": "assistant", "content": invented}
    assert "value_26 = 2600" in retry[-1]["content"]
    assert "value_26 = 260" in (repo / "calc.py").read_text()
    assert "2 calls" in result.stdout


def test_unusable_replies_climb_the_ladder_then_exit_3(
    repo, env, fake_provider, fake_provider_config
) -> None:
    fake_provider.reply("Looks fine to me!")
    result = run_fixer("--yes", "--config", str(fake_provider_config), "calc.py", cwd=repo, env=env)
    assert result.returncode == 3
    # Each rung (Router.default, then Router.think) is asked, then asked once with the error.
    models = [r.body["model"] for r in fake_provider.requests]
    assert models == ["cheap-model", "cheap-model", "strong-model", "strong-model"]
    assert "no unified diff" in fake_provider.requests[1].body["messages"][-1]["content"]
    assert len(fake_provider.requests[2].body["messages"]) == 2  # a fresh start on the next rung
    assert "every attempt failed" in result.stderr and "fake,strong-model" in result.stderr
    tried = result.stderr.split("every attempt failed:", 1)[1].strip().splitlines()[:4]
    assert len(tried) == 4 and all("Looks fine to me" in line for line in tried), tried
    assert not any(line.rstrip().endswith(":") for line in tried)
    assert git(repo, "status", "--porcelain") == ""


@pytest.mark.parametrize("cut", ["length", "stream"])
def test_cut_off_reply_is_never_applied(repo, env, fake_provider, fake_provider_config, cut):
    partial = "--- a/calc.py\n+++ b/calc.py\n@@ -4,3 +4,3 @@\n value_4 = 4\n-value_5 = 5\n"
    if cut == "length":
        fake_provider.reply(partial, finish_reason="length")
    else:
        fake_provider.reply(partial, cut=True, finish_reason=None)
    result = run_fixer("--yes", "--config", str(fake_provider_config), "calc.py", cwd=repo, env=env)
    assert result.returncode == 3
    assert "cut off" in result.stderr
    assert (repo / "calc.py").read_text() == LINES
    assert len(fake_provider.requests) == 4  # each rung asked, then told it was cut off


def test_print_keeps_the_bom_so_git_apply_accepts_it(tmp_path, env) -> None:
    repo = make_repo(tmp_path / "bom", {"bom.txt": b"\xef\xbb\xbfone\ntwo\nthree\n"})
    diff = "--- a/bom.txt\n+++ b/bom.txt\n@@ -1,2 +1,2 @@\n-one\n+ONE\n two\n"
    result = run_fixer("--print", "--from-diff", "-", "bom.txt", cwd=repo, env=env, stdin=diff)
    assert result.returncode == 0, result.stderr
    subprocess.run(
        ["git", "apply", "--check", "-"], cwd=repo, input=result.stdout.encode(), check=True
    )
    assert (
        run_fixer("--yes", "--from-diff", "-", "bom.txt", cwd=repo, env=env, stdin=diff).returncode
        == 0
    )
    assert (repo / "bom.txt").read_bytes() == b"\xef\xbb\xbfONE\ntwo\nthree\n"


def test_symlink_to_a_file_outside_the_repo_is_refused(repo, env, tmp_path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text(LINES)
    (repo / "link.py").symlink_to(outside)
    result = run_fixer(
        "--yes", "--from-diff", "-", "link.py", "calc.py", cwd=repo, env=env, stdin=MODEL_DIFF
    )
    assert result.returncode == 2
    assert outside.read_text() == LINES


def test_failed_commit_still_reports_what_was_written(repo, env, tmp_path) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho lint failed >&2\nexit 1\n")
    hook.chmod(0o755)
    result = run_fixer("--yes", "--from-diff", "-", "calc.py", cwd=repo, env=env, stdin=MODEL_DIFF)
    assert result.returncode == 4
    assert "written: calc.py" in result.stdout
    assert "not committed" in result.stdout and "lint failed" in result.stdout


def test_already_applied_diff_is_nothing_to_do(repo, env) -> None:
    assert (
        run_fixer(
            "--yes", "--from-diff", "-", "calc.py", cwd=repo, env=env, stdin=MODEL_DIFF
        ).returncode
        == 0
    )
    again = run_fixer("--yes", "--from-diff", "-", "calc.py", cwd=repo, env=env, stdin=MODEL_DIFF)
    assert again.returncode == 0, again.stderr
    assert "already applied" in again.stderr and "nothing to do" in again.stderr


def test_from_diff_rejects_model_options_and_uses_background_for_the_message(
    repo, env, fake_provider, fake_provider_config
) -> None:
    bad = run_fixer(
        "--yes",
        "--from-diff",
        "-",
        "-m",
        "fake,cheap-model",
        "calc.py",
        cwd=repo,
        env=env,
        stdin=MODEL_DIFF,
    )
    assert bad.returncode == 2 and "-m and -i" in bad.stderr
    config = json.loads(fake_provider_config.read_text())
    config["Router"]["background"] = "fake,cheap-model"
    fake_provider_config.write_text(json.dumps(config))
    fake_provider.reply("Scale two values by ten")
    result = run_fixer(
        "--yes",
        "--config",
        str(fake_provider_config),
        "--from-diff",
        "-",
        "calc.py",
        cwd=repo,
        env=env,
        stdin=MODEL_DIFF,
    )
    assert result.returncode == 0, result.stderr
    assert git(repo, "log", "-1", "--format=%s").strip() == "Scale two values by ten"
    assert len(fake_provider.requests) == 1


def compare(repo: Path, env: dict[str, str], config: Path, mode: str, routes: str):
    """`fixer MODE --compare ROUTES` on calc.py."""
    args = (mode, "--compare", routes, "--config", str(config), "calc.py")
    return run_fixer(*args, cwd=repo, env=env)


def test_compare_asks_each_model_and_takes_what_they_agree_on(
    repo, env, fake_provider, fake_provider_config
) -> None:
    agreed = "@@ -4,3 +4,3 @@\n value_4 = 4\n-value_5 = 5\n+value_5 = 50\n value_6 = 6\n"
    # The two calls run at once, so either model may get either reply: the result is the same.
    fake_provider.reply(f"--- a/calc.py\n+++ b/calc.py\n{agreed}")
    fake_provider.reply(
        f"--- a/calc.py\n+++ b/calc.py\n{agreed}"
        "@@ -25,3 +25,3 @@\n value_25 = 25\n-value_26 = 26\n+value_26 = 260\n value_27 = 27\n"
    )
    result = compare(repo, env, fake_provider_config, "--yes", "default,think")
    assert result.returncode == 0, result.stderr
    assert sorted(r.body["model"] for r in fake_provider.requests) == [
        "cheap-model",
        "strong-model",
    ]
    text = (repo / "calc.py").read_text()
    # Both proposed value_5: taken. Only one proposed value_26: not a disagreement, also taken.
    assert "value_5 = 50\n" in text and "value_26 = 260\n" in text
    assert "model: fake,cheap-model; 1 call" in result.stdout
    assert "model: fake,strong-model; 1 call" in result.stdout


def test_compare_needs_two_known_models(repo, env, fake_provider_config) -> None:
    result = compare(repo, env, fake_provider_config, "--print", "nosuch,model,default")
    assert result.returncode == 2
    assert "'nosuch' is neither a provider (known: fake)" in result.stderr


def test_compare_print_leaves_out_what_the_models_disagree_on(
    repo, env, fake_provider, fake_provider_config
) -> None:
    head_lines = "--- a/calc.py\n+++ b/calc.py\n@@ -5 +5 @@\n-value_5 = 5\n"
    fake_provider.reply(head_lines + "+value_5 = 50\n")
    fake_provider.reply(head_lines + "+value_5 = 55\n")
    result = compare(repo, env, fake_provider_config, "--print", "default,think")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # two versions of one line: neither is printed
    assert "--print dropped 2 flagged hunks" in result.stderr
    assert "review them with: fixer --compare default,think calc.py" in result.stderr


# -- the first run -------------------------------------------------------------------------------


def test_the_quick_start_stays_offline_whatever_config_the_user_has(
    tmp_path: Path, repo: Path, env: dict[str, str], fake_provider, fake_provider_config: Path
) -> None:
    """The README's first command, with a claude-code-router config in the home: no call."""
    ccr = Path(env["HOME"]) / ".claude-code-router"
    ccr.mkdir(parents=True)
    (ccr / "config.json").write_text(fake_provider_config.read_text())
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    quick = next(line for line in readme.splitlines() if "examples/slugify.py" in line)
    args = quick.split("bin/fixer ", 1)[1].split()
    (repo / "slugify.py").write_text(BUGGY)
    done = run_fixer(*[a.replace("examples/", "") for a in args], "--print", cwd=repo, env=env)
    assert done.returncode == 0, done.stderr
    assert "+import re" in done.stdout or "-import os, sys" in done.stdout
    assert fake_provider.requests == []


def test_global_options_work_before_or_after_the_subcommand(
    tmp_path: Path, env: dict[str, str], fake_provider_config: Path
) -> None:
    before = run_fixer(
        "--config", str(fake_provider_config), "config", "--check", cwd=tmp_path, env=env
    )
    after = run_fixer(
        "config", "--check", "--config", str(fake_provider_config), cwd=tmp_path, env=env
    )
    assert before.returncode == after.returncode == 0, before.stderr
    assert before.stdout == after.stdout and str(fake_provider_config) in before.stdout


def test_usage_on_an_empty_ledger_says_nothing_is_recorded_yet(
    tmp_path: Path, env: dict[str, str]
) -> None:
    done = run_fixer("usage", cwd=tmp_path, env=env)
    assert done.returncode == 0 and "Nothing recorded yet" in done.stdout
    assert "in that time" not in done.stdout


def test_yes_names_a_command_that_reviews_the_new_file_it_left_out(
    repo, env, fake_provider, fake_provider_config
) -> None:
    new_file = "--- /dev/null\n+++ b/helper.py\n@@ -0,0 +1 @@\n+HELP = 1\n"
    fake_provider.reply(f"```diff\n{new_file}```\n")
    result = run_fixer("--yes", "--config", str(fake_provider_config), "calc.py", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert not (repo / "helper.py").exists()
    command = result.stderr.split("review them with: ", 1)[1].splitlines()[0].split()
    assert command[:2] == ["fixer", "--from-diff"] and command[-1] == "calc.py"
    again = run_fixer(*command[1:], "--print", cwd=repo, env=env)
    assert again.returncode == 0, again.stderr
    assert "+++ b/helper.py" in again.stdout and "+HELP = 1" in again.stdout  # the same hunk
    assert fake_provider.requests and len(fake_provider.requests) == 1  # no second call


def test_no_git_identity_is_found_before_anything_is_written(repo, env, tmp_path) -> None:
    git(repo, "config", "--unset", "user.name")
    git(repo, "config", "--unset", "user.email")
    git(repo, "config", "user.useConfigOnly", "true")  # no guessing from the host name
    patch = tmp_path / "chat.txt"
    patch.write_text(MODEL_DIFF)
    result = run_fixer("--yes", "--from-diff", str(patch), cwd=repo, env=env)
    assert result.returncode == 4
    assert "no user identity" in result.stderr and "user.email" in result.stderr
    assert "Nothing was written" in result.stderr
    assert (repo / "calc.py").read_text() == LINES and git(repo, "status", "--porcelain") == ""
    again = run_fixer("--yes", "--no-commit", "--from-diff", str(patch), cwd=repo, env=env)
    assert again.returncode == 0 and "value_5 = 50" in (repo / "calc.py").read_text()


@pytest.mark.parametrize("folder", [":", ":(top)", ":(glob)*", "*"])
def test_names_that_look_like_pathspecs_commit_only_fixers_file(tmp_path, env, folder: str) -> None:
    """A directory named `:` makes `:/calc.py` a file name that git would read as "calc.py at
    the top": the user's own root calc.py must stay out of the commit."""
    repo = make_repo(tmp_path / "repo", {"calc.py": LINES, f"{folder}/calc.py": LINES})
    (repo / "calc.py").write_text(LINES + "user_edit = 1\n")  # the user's, uncommitted
    patch = tmp_path / "chat.txt"
    patch.write_text(
        MODEL_DIFF.replace("a/calc.py", f"a/{folder}/calc.py").replace(
            "b/calc.py", f"b/{folder}/calc.py"
        )
    )
    result = run_fixer("--yes", "--from-diff", str(patch), f"{folder}/calc.py", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert committed_paths(repo) == [f"{folder}/calc.py"]
    assert (repo / "calc.py").read_text().endswith("user_edit = 1\n")
    assert git(repo, "status", "--porcelain").strip() == "M calc.py"


def test_print_shows_the_models_explanation_on_stderr_escaped(
    repo, env, fake_provider, fake_provider_config
) -> None:
    fake_provider.reply(MODEL_DIFF.replace("Sure! Here is the diff:", "Fixed two values.\x1b[2J"))
    result = run_fixer(
        "--print", "--config", str(fake_provider_config), "calc.py", cwd=repo, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "the model says:" in result.stderr and "Fixed two values.␛[2J" in result.stderr
    assert "\x1b" not in result.stderr and "Fixed two" not in result.stdout


def test_a_prompt_over_the_size_limit_is_refused_headless_unless_forced(
    repo, env, tmp_path, fake_provider, fake_provider_config
) -> None:
    config = str(small_limit_config(tmp_path, fake_provider_config))
    refused = run_fixer("--print", "--config", config, "calc.py", cwd=repo, env=env)
    assert refused.returncode == 5, refused.stderr
    assert "over fixer.confirm_above_tokens" in refused.stderr and "--force" in refused.stderr
    assert fake_provider.requests == []
    fake_provider.reply(MODEL_DIFF)
    forced = run_fixer("--print", "--force", "--config", config, "calc.py", cwd=repo, env=env)
    assert forced.returncode == 0, forced.stderr
    assert len(fake_provider.requests) == 1


def test_a_reply_with_a_second_draft_prints_the_later_one(
    repo, env, fake_provider, fake_provider_config
) -> None:
    first = "--- a/calc.py\n+++ b/calc.py\n@@ @@\n value_4 = 4\n-value_5 = 5\n+value_5 = 50\n"
    second = first.replace("+value_5 = 50", "+value_5 = 500")
    fake_provider.reply(f"First try:\n```diff\n{first}```\nBetter:\n```diff\n{second}```\n")
    result = run_fixer(
        "--print", "--config", str(fake_provider_config), "calc.py", cwd=repo, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "+value_5 = 500\n" in result.stdout and "+value_5 = 50\n" not in result.stdout
    assert "fixer: replaced by a later draft: hunk 1 of calc.py" in result.stderr


def test_a_reply_cut_mid_line_that_says_stop_is_asked_again(
    repo, env, fake_provider, fake_provider_config
) -> None:
    diff = "--- a/calc.py\n+++ b/calc.py\n@@ -4,3 +4,3 @@\n value_4 = 4\n-value_5 = 5\n"
    fake_provider.reply(f"```diff\n{diff}+value_5 = 5", finish_reason="stop")  # "...= 50" cut
    fake_provider.reply(f"```diff\n{diff}+value_5 = 50\n value_6 = 6\n```\n")
    result = run_fixer("--yes", "--config", str(fake_provider_config), "calc.py", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert "value_5 = 50\n" in (repo / "calc.py").read_text()
    assert len(fake_provider.requests) == 2
    retry = fake_provider.requests[1].body["messages"][-1]["content"]
    assert "cut off" in retry


def test_a_hunk_placed_loosely_says_so(repo, env) -> None:
    diff = "--- a/calc.py\n+++ b/calc.py\n@@ @@\n value_4 = 4\n-value_5 = 5\n+value_5 = 50\n"
    diff += " value_6 = 66\n"  # misremembered: the file has value_6 = 6
    result = run_fixer("--print", "--from-diff", "-", "calc.py", cwd=repo, env=env, stdin=diff)
    assert result.returncode == 0, result.stderr
    assert "+value_5 = 50" in result.stdout
    assert "hunk 1 of calc.py: placed without its edge context 'value_6 = 66'" in result.stderr


def test_a_file_named_through_a_symlinked_directory_to_another_repo_is_refused(
    repo, env, tmp_path
) -> None:
    other = make_repo(tmp_path / "elsewhere", {"o.py": "x = 1\n"})
    (repo / "vendor").symlink_to(other)
    diff = "--- a/vendor/o.py\n+++ b/vendor/o.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n"
    result = run_fixer("--yes", "--from-diff", "-", "vendor/o.py", cwd=repo, env=env, stdin=diff)
    assert result.returncode == 2, result.stderr
    assert "vendor is a symlink to" in result.stderr and "another place" in result.stderr
    assert (other / "o.py").read_text() == "x = 1\n"
    assert git(other, "log", "--oneline").count("\n") == 1  # no commit in the other repository
    (repo / "inside").mkdir()
    (repo / "inside" / "i.py").write_text("y = 1\n")
    (repo / "alias").symlink_to(repo / "inside")  # a link that stays in the repository: fine
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "alias")
    diff = "--- a/inside/i.py\n+++ b/inside/i.py\n@@ -1 +1 @@\n-y = 1\n+y = 2\n"
    done = run_fixer("--print", "--from-diff", "-", "alias/i.py", cwd=repo, env=env, stdin=diff)
    assert done.returncode == 0, done.stderr


def test_retry_after_inf_ends_the_run_with_a_date_and_no_traceback(
    repo, env, fake_provider, fake_provider_config
) -> None:
    fake_provider.reply(status=429, headers={"Retry-After": "inf"})
    result = run_fixer(
        "--print", "--config", str(fake_provider_config), "calc.py", cwd=repo, env=env
    )
    assert result.returncode == 1, result.stderr  # the provider failed
    assert "Traceback" not in result.stderr and "a year or more" in result.stderr
    usage = run_fixer("usage", "--by", "model", "--json", cwd=repo, env=env)
    assert usage.returncode == 0 and "cheap-model" in usage.stdout  # the refused call is recorded
