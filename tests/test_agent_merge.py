"""The merge agent end to end: three posts, a fake model's diff of their masked concatenation,
the real command writing and committing only the new post (--into)."""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import pytest

from fixer.agents import MERGE
from fixer.agents.merge import PROTECTED, base_text
from fixer.markdown import mask
from fixer.patch import diff_hunks
from fixer.sources import Source
from tests.fakeserver import FakeProvider
from tests.helpers import clean_env, git, make_repo, run_fixer, run_of

FIRST = """---
title: Notes on caching
date: 2024-05-01
---
Caches keep the prefix of a prompt.

```python
print("cached")
```

See [the docs](https://docs.test/cache) for prices.
"""
SECOND = """Prefixes must be byte-stable.

Caches keep the prefix of a prompt.

A second thought on cost.
"""
THIRD = """---
title: "Last words"
date: 2024-05-15 10:00:00 +0200
---
# Summary

Small agents are cheap.
"""
POSTS = {
    "2024-05-01-caching.md": FIRST,
    "2024-05-08-byte-stable-prefixes.md": SECOND,
    "third.md": THIRD,
}
DUPLICATE = "Caches keep the prefix of a prompt.\n\n"


def source(name: str, text: str) -> Source:
    return Source(Path(name), name, text, "")


BASE = base_text([source(n, t) for n, t in POSTS.items()])
MASKED = mask(BASE).text


def reply(new_masked: str) -> str:
    """The model's diff of the masked base."""
    lines = difflib.unified_diff(
        MASKED.splitlines(keepends=True),
        new_masked.splitlines(keepends=True),
        "a/post.md",
        "b/post.md",
    )
    return "".join(lines)


def merged(text: str) -> str:
    """The base (or the masked base) after a good merge: a table of contents, the second post's
    duplicated sentence gone, the third's heading one level below its post's."""
    toc = "- [Notes on caching](#notes)\n- Byte stable prefixes\n- Last words\n\n"
    text = text.replace("## Notes on caching", toc + "## Notes on caching", 1)
    second = text.index("Prefixes must")
    rest = text[second:].replace(DUPLICATE, "", 1).replace("# Sum", "### Sum")
    # An edited line, a transition: not a passage lost.
    return text[:second] + rest.replace("on cost.", "on cost, as the first post said.")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return clean_env(tmp_path / "home")


def merge(tmp_path: Path, env: dict[str, str], config: Path, *args: str):
    repo = tmp_path / "repo"
    if not repo.exists():
        make_repo(repo, POSTS)
    result = run_fixer(
        "--agent",
        "merge",
        *args,
        "--config",
        str(config),
        *POSTS,
        "--into",
        "post.md",
        cwd=repo,
        env=env,
    )
    return repo, result


def test_the_base_is_each_post_under_its_title_and_date() -> None:
    assert BASE.startswith("---\ntitle: Notes on caching\ndate: 2024-05-01\n---\n")
    # Title and date from the front matter, else from the file name; the front matter of the
    # later posts is dropped.
    assert "## Notes on caching (2024-05-01)\n\nCaches keep" in BASE
    assert "## byte stable prefixes (2024-05-08)\n\nPrefixes must" in BASE
    assert "## Last words (2024-05-15)\n\n# Summary" in BASE
    assert BASE.count("title:") == 1


def test_crlf_a_bom_and_no_front_matter_give_a_plain_lf_base() -> None:
    posts = [source("a.md", "\ufeffOne.\r\n\r\nTwo.\r\n"), source("notes.md", "Three.")]
    assert base_text(posts) == "## a\n\nOne.\n\nTwo.\n\n## notes\n\nThree.\n"


def test_toml_front_matter_gives_the_title_and_date_too() -> None:
    toml = '+++\ntitle = "Ports: a note"\ndate = 2024-06-02T08:00:00Z\n+++\nBody.\n'
    base = base_text([source("x.md", toml), source("2024-06-03.md", "More.\n")])
    assert base == toml.replace("Body.\n", "") + (
        "\n## Ports: a note (2024-06-02)\n\nBody.\n\n## 2024-06-03\n\nMore.\n"
    )


def test_three_posts_merged_reviewed_and_written_to_into_with_yes(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    fake_provider.reply(reply(merged(MASKED)))
    repo, result = merge(tmp_path, env, fake_provider_config, "--yes")
    assert result.returncode == 0, result.stderr
    assert "flagged" not in result.stderr  # the duplicate occurs in the first post: not flagged
    text = (repo / "post.md").read_text(encoding="utf-8")
    assert text == merged(BASE)
    assert text.count(DUPLICATE) == 1 and '```python\nprint("cached")\n```' in text
    for name, post in POSTS.items():
        assert (repo / name).read_text(encoding="utf-8") == post  # inputs untouched
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["post.md"]
    assert git(repo, "status", "--porcelain") == ""
    assert "post.md" in result.stdout  # the summary names the new post
    undone = run_fixer("undo", cwd=repo, env=env)  # takes the new post back
    assert undone.returncode == 0, undone.stderr
    assert not (repo / "post.md").exists() and git(repo, "status", "--porcelain") == ""
    # The model saw the base masked: no code, no link target, no front matter.
    sent = fake_provider.requests[0].body["messages"][1]["content"]
    assert "Prefixes must" in sent and "docs.test" not in sent and "print(" not in sent


def test_a_reply_changing_a_masked_link_is_refused_the_rest_written(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    link = next(p for p in mask(BASE).pieces if "docs.test" in p)
    number = mask(BASE).pieces.index(link)
    bad = merged(MASKED).replace(f"⟦{number}⟧", "](https://evil.test)")
    fake_provider.reply(reply(bad))
    repo, result = merge(tmp_path, env, fake_provider_config, "--yes")
    assert result.returncode == 0, result.stderr
    assert "changes code, a link or front matter" in result.stderr
    text = (repo / "post.md").read_text(encoding="utf-8")
    assert "evil.test" not in text and "https://docs.test/cache" in text
    assert "- Last words" in text  # the table of contents, a hunk of its own, is kept


def test_a_deleted_passage_found_nowhere_else_is_flagged_never_taken(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    lost = MASKED.replace("A second thought on cost.\n", "")
    fake_provider.reply(reply(lost))
    fake_provider.reply(reply(lost))
    repo, result = merge(tmp_path, env, fake_provider_config, "--print")
    assert result.returncode == 0, result.stderr
    assert "deletes a passage found nowhere else" in result.stderr
    assert "A second thought" not in result.stdout  # left out of --print
    repo, result = merge(tmp_path, env, fake_provider_config, "--yes")
    assert result.returncode == 0, result.stderr
    assert "nothing written" in result.stderr
    assert not (repo / "post.md").exists()  # nothing accepted: no file
    assert git(repo, "log", "--format=%s").splitlines() == ["initial"]
    # The command it names reviews the flagged hunk again, against the same base, no call.
    command = result.stderr.split("review them with: ", 1)[1].splitlines()[0].split()
    again = run_fixer(*command[1:], "--print", cwd=repo, env=env)
    assert again.returncode == 0, again.stderr
    assert "dropped 1 flagged hunk in post.md (deletes a passage" in again.stderr
    assert len(fake_provider.requests) == 2


def test_a_diff_of_the_base_changing_a_link_is_flagged(
    tmp_path: Path, env: dict[str, str], fake_provider_config: Path
) -> None:
    moved = merged(BASE).replace("https://docs.test/cache", "https://docs.test/other")
    diff = "".join(
        difflib.unified_diff(
            BASE.splitlines(keepends=True),
            moved.splitlines(keepends=True),
            "a/post.md",
            "b/post.md",
        )
    )
    (tmp_path / "merge.diff").write_text(diff, encoding="utf-8")
    _, result = merge(
        tmp_path,
        env,
        fake_provider_config,
        "--print",
        "--from-diff",
        str(tmp_path / "merge.diff"),
    )
    assert result.returncode == 0, result.stderr
    assert "(changes code, a link or front matter)" in result.stderr
    assert "docs.test/other" not in result.stdout and "+- [Notes on caching]" in result.stdout


@pytest.mark.parametrize("cut", ["code", "link"])
def test_a_hunk_whose_context_ends_inside_code_or_a_link_line_is_not_flagged(cut: str) -> None:
    # The hunk's last context line is inside a code block (or holds a link), cut there.
    tail = "```sh\nmake test\nmake lint\n```\n" if cut == "code" else "See [it](https://x.test).\n"
    old = "## Day 1\n\nIt worked, mostly.\n\n" + tail + "\nMore.\n" * 6
    new = old.replace("It worked, mostly.", "It worked.")
    hunks = diff_hunks(old, new)
    assert MERGE.guard.check is not None and len(hunks) == 1
    assert MERGE.guard.check("post.md", old, hunks) == [None]
    gone = old.replace("```sh\nmake test\n", "```sh\n").replace(
        "(https://x.test)", "(https://y.test)"
    )
    assert MERGE.guard.check("post.md", old, diff_hunks(old, gone)) == [PROTECTED]


@pytest.mark.parametrize(
    ("args", "files", "says"),
    [
        ((), list(POSTS), "name it with --into PATH"),
        (("--into", "2024-05-01-caching.md"), list(POSTS), "already exists"),
        (("--into", "post.md"), ["third.md"], "two posts or more"),
        (("--into", "post.txt"), list(POSTS), "--into: the merge agent takes *.md"),
    ],
    ids=["no --into", "--into exists", "one post", "--into not markdown"],
)
def test_bad_merges_exit_2_and_write_nothing(
    tmp_path: Path,
    env: dict[str, str],
    fake_provider_config: Path,
    args: tuple[str, ...],
    files: list[str],
    says: str,
) -> None:
    repo = make_repo(tmp_path / "repo", POSTS)
    command = ["--agent", "merge", "--yes", "--config", str(fake_provider_config), *args]
    result = run_fixer(*command, *files, cwd=repo, env=env)
    assert result.returncode == 2, result.stderr
    assert says in result.stderr
    assert git(repo, "status", "--porcelain") == ""


def test_an_empty_post_and_into_for_another_agent_are_refused(
    tmp_path: Path, env: dict[str, str], fake_provider_config: Path
) -> None:
    repo = make_repo(tmp_path / "repo", {**POSTS, "empty.md": "\n"})
    config = ["--config", str(fake_provider_config)]
    result = run_fixer(
        "--agent",
        "merge",
        "--yes",
        *config,
        *POSTS,
        "empty.md",
        "--into",
        "p.md",
        cwd=repo,
        env=env,
    )
    assert result.returncode == 2 and "empty.md: empty" in result.stderr
    result = run_fixer("--yes", *config, "third.md", "--into", "p.md", cwd=repo, env=env)
    assert result.returncode == 2 and "the fix agent changes the files" in result.stderr


def test_without_a_provider_there_is_no_offline_merge(tmp_path: Path, env: dict[str, str]) -> None:
    repo = make_repo(tmp_path / "repo", POSTS)
    result = run_fixer("--agent", "merge", "--yes", *POSTS, "--into", "post.md", cwd=repo, env=env)
    assert result.returncode == 2, result.stderr
    assert "the merge agent has no offline fixer" in result.stderr
    assert not (repo / "post.md").exists()
    # `fixer agents` says so too, while the agents with offline fixers start from local.
    listed = json.loads(run_fixer("agents", "--json", cwd=repo, env=env).stdout)["agents"]
    routes = {a["name"]: (a["route"], a["route_reason"]) for a in listed}
    assert routes["merge"][0] is None and "no offline fixer" in routes["merge"][1]
    assert routes["fix"][0] == "local" and routes["grammar"][0] == "local"


def test_a_base_over_the_long_context_threshold_is_asked_whole_of_longcontext(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    config = json.loads(fake_provider_config.read_text())
    config["Router"] |= {"longContext": "fake,strong-model", "longContextThreshold": 20}
    long_config = tmp_path / "long.json"
    long_config.write_text(json.dumps(config))
    fake_provider.reply(reply(merged(MASKED)))
    repo, result = merge(tmp_path, env, long_config, "--yes")
    assert result.returncode == 0, result.stderr
    # One request, the whole base (the posts are cut at no heading), of the longContext model.
    ((request,),) = [fake_provider.requests]
    assert request.body["model"] == "strong-model"
    assert all(p in request.body["messages"][1]["content"] for p in ("Caches", "Small agents"))
    assert (repo / "post.md").read_text(encoding="utf-8") == merged(BASE)


@pytest.mark.anyio
async def test_the_review_screen_lists_the_new_post_and_commits_only_it(tmp_path: Path) -> None:
    from fixer.agents import MERGE
    from fixer.session import Job
    from fixer.tui.app import ReviewApp
    from fixer.tui.file_list import FileList
    from tests.test_tui import commit, reviewing

    repo = make_repo(tmp_path / "repo", POSTS)
    # --from-diff of the base itself, as --print shows a merge: no model call.
    diff = "".join(
        difflib.unified_diff(
            BASE.splitlines(keepends=True),
            merged(BASE).splitlines(keepends=True),
            "a/post.md",
            "b/post.md",
        )
    )
    paths = tuple(repo / name for name in POSTS)
    job = Job(paths, diff_text=diff, agent=MERGE, into=repo / "post.md")
    env = clean_env(tmp_path / "home")
    run = run_of(job, env)
    app = ReviewApp(run, route=run.route(), env=env)
    async with reviewing(app) as pilot:
        files = app.screen.query_one(FileList)
        labels = [files.get_option_at_index(i).prompt.plain for i in range(files.option_count)]
        assert labels == ["✓0  ✗0  ?2  post.md"]
        await pilot.press("a")
        await commit(pilot)
    assert (repo / "post.md").read_text(encoding="utf-8") == merged(BASE)
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["post.md"]
    assert all((repo / name).read_text(encoding="utf-8") == post for name, post in POSTS.items())


def test_no_module_outside_the_agents_package_knows_the_merge_agent() -> None:
    package = Path(__file__).parents[1] / "fixer"
    outside = [p for p in package.rglob("*.py") if "agents" not in p.relative_to(package).parts]
    found = re.compile(r"\bMERGE\b|MergeAgent|[\"']merge[\"']")
    assert outside and [p.name for p in outside if found.search(p.read_text("utf-8"))] == []


def test_a_post_git_ignores_is_not_sent_without_force(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    repo = make_repo(tmp_path / "repo", {**POSTS, ".gitignore": "third.md\n"})
    config = ["--config", str(fake_provider_config)]
    result = run_fixer(
        "--agent", "merge", "--yes", *config, *POSTS, "--into", "p.md", cwd=repo, env=env
    )
    assert result.returncode == 2 and "third.md (git ignores it)" in result.stderr
    assert fake_provider.requests == [] and not (repo / "p.md").exists()


def test_two_compared_models_agreeing_on_a_merge_write_it(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    fake_provider.reply(reply(merged(MASKED)))
    fake_provider.reply(reply(merged(MASKED)))
    repo, result = merge(tmp_path, env, fake_provider_config, "--yes", "--compare", "default,think")
    assert result.returncode == 0, result.stderr
    assert len(fake_provider.requests) == 2
    assert (repo / "post.md").read_text(encoding="utf-8") == merged(BASE)
