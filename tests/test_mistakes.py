"""Mistakes to learn from (fixer/mistakes.py): the summary after a grammar review, the accepted
corrections in the ledger, and `fixer mistakes` over time, per language, with the real command."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fixer.corrections import Kind, classify
from fixer.ledger import AcceptedCorrection, Ledger, ledger_path
from fixer.mistakes import (
    REPORT_PHRASES,
    SUMMARY_PHRASES,
    by_language,
    render_json,
    render_table,
    review_summary,
    tally,
)
from tests.fakeserver import FakeProvider
from tests.helpers import CALC, CALC_DIFF, clean_env, git, make_repo, run_fixer
from tests.test_grammar import FR, masked_diff

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
# Four misspellings codespell knows, one of them twice, in a post it may correct.
POST = (
    "---\ntitle: Notes\n---\n\n# Notes\n\nI recieve mail every day. Then I recieve more.\n\n"
    "It is definately fine, `seperate` in code stays.\n"
)
FIXED = POST.replace("I recieve", "I receive").replace("definately", "definitely")


def row(kind: str, before: str, after: str, language: str = "en") -> AcceptedCorrection:
    return AcceptedCorrection(AT, "grammar", language, kind, before, after)


def test_corrections_are_counted_by_kind_and_by_phrase_most_first() -> None:
    counted = tally(
        [
            classify("I recieve it.", "I receive it."),
            classify("It is a apple.", "It is an apple."),
            classify("We recieve it.", "We receive it."),
            classify("Un  espace.", "Un espace."),  # no words: a kind, no phrase
        ]
    )
    assert counted.count == 4
    assert counted.kinds == {"spelling": 2, "article": 1, "punctuation": 1}
    assert [(str(p), p.kind) for p in counted.phrases] == [
        ("recieve → receive ×2", "spelling"),
        ("a → an", "article"),
    ]


def test_the_summary_says_what_was_corrected_by_kind_and_the_frequent_phrases() -> None:
    found = [
        classify("I recieve it.", "I receive it."),
        classify("I saw cat.", "I saw a cat."),
        classify("I recieve it.", "I receive it."),
    ]
    assert review_summary(found) == (
        "fixer: corrected 3 mistakes: spelling 2, article 1\n"
        "fixer: most frequent: recieve → receive ×2, “a” added"
    )
    assert review_summary(found[:1], decided=False) == (
        "fixer: proposed 1 correction: spelling 1\nfixer: most frequent: recieve → receive"
    )
    assert review_summary([]) == ""  # a code review, or nothing accepted: nothing to say


def test_the_summary_names_a_few_phrases_and_counts_the_rest() -> None:
    words = [f"wrod{i}" for i in range(SUMMARY_PHRASES + 3)]
    said = review_summary([classify(w, w.replace("rod", "ord")) for w in words])
    assert said.endswith(", wrod4 → word4, and 3 more")
    assert "wrod5" not in said


def test_outside_text_in_a_summary_or_report_is_shown_not_obeyed() -> None:
    hostile = classify("I recieve\x1b[2J it.", "I receive\x1b[2J it.")
    assert "\x1b" not in review_summary([hostile])
    rows = [row("spelling", "recieve\x1b[2J", "receive"), row("spelling", "a", "b", "e\x1bn")]
    assert "\x1b" not in render_table(by_language(rows))


def test_the_report_counts_each_language_apart_most_corrected_first() -> None:
    rows = [
        row("spelling", "exemple", "example", "fr"),
        row("spelling", "recieve", "receive"),
        row("agreement", "are", "is"),
        row("spelling", "recieve", "receive"),
    ]
    languages = by_language(rows)
    assert list(languages) == ["en", "fr"]
    assert languages["en"].kinds == {"spelling": 2, "agreement": 1}
    table = render_table(languages)
    assert table.splitlines()[2:] == [
        "en · 3 corrections",
        "  by kind",
        "    spelling               2",
        "    agreement              1",
        "  most frequent",
        "    recieve → receive      2",
        "    are → is               1",
        "",
        "fr · 1 correction",
        "  by kind",
        "    spelling               1",
        "  most frequent",
        "    exemple → example      1",
    ]


def test_the_table_shows_the_top_phrases_and_json_has_every_figure() -> None:
    rows = [row("spelling", f"wrod{i}", f"word{i}") for i in range(REPORT_PHRASES + 2)]
    languages = by_language([*rows, row("spelling", "wrod0", "word0")])
    assert "and 2 more (--json lists them all)" in render_table(languages)
    report = json.loads(render_json(languages, {"since": None}))
    (en,) = report["languages"]
    assert report["corrections"] == REPORT_PHRASES + 3 and report["since"] is None
    assert en["kinds"] == [{"kind": "spelling", "count": REPORT_PHRASES + 3}]
    assert len(en["phrases"]) == REPORT_PHRASES + 2
    assert en["phrases"][0] == {"kind": "spelling", "before": "wrod0", "after": "word0", "count": 2}


# The real command, offline: codespell corrects the post, the ledger keeps what was accepted.


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return clean_env(tmp_path / "home")


def test_an_offline_review_says_what_it_corrected_and_mistakes_shows_it_later(
    tmp_path: Path, env: dict[str, str]
) -> None:
    repo = make_repo(tmp_path / "repo", {"post.md": POST})
    result = run_fixer("--grammar", "--yes", "post.md", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert (repo / "post.md").read_text() == FIXED
    assert (
        "fixer: corrected 3 mistakes: spelling 3\n"
        "fixer: most frequent: recieve → receive ×2, definately → definitely\n"
    ) in result.stderr
    with Ledger(ledger_path(env)) as ledger:
        kept = ledger.corrections()
    assert [(c.agent, c.language, c.kind, c.call_id) for c in kept] == [
        ("grammar", "en", Kind.SPELLING, None)  # offline: no model call proposed them
    ] * 3
    report = run_fixer("mistakes", cwd=repo, env=env)
    assert report.returncode == 0, report.stderr
    assert "en · 3 corrections" in report.stdout
    assert "    recieve → receive            2" in report.stdout
    figures = json.loads(run_fixer("mistakes", "--json", "--since", "1d", cwd=repo, env=env).stdout)
    assert figures["ledger"] == str(ledger_path(env))
    assert figures["languages"][0]["phrases"][0]["count"] == 2
    earlier = run_fixer("mistakes", "--until", "yesterday", cwd=repo, env=env)
    assert earlier.stdout.startswith("No corrections recorded in that time")


def test_print_says_what_was_proposed_and_records_nothing(
    tmp_path: Path, env: dict[str, str]
) -> None:
    repo = make_repo(tmp_path / "repo", {"post.md": POST})
    result = run_fixer("--grammar", "--print", "post.md", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert "fixer: proposed 3 corrections: spelling 3\n" in result.stderr
    assert git(repo, "status", "--porcelain") == ""
    report = run_fixer("mistakes", cwd=repo, env=env)
    assert report.stdout.startswith("Nothing corrected yet in ")


def test_a_code_review_says_nothing_of_mistakes(tmp_path: Path, env: dict[str, str]) -> None:
    repo = make_repo(tmp_path / "repo", {"calc.py": CALC})
    (tmp_path / "fix.patch").write_text(CALC_DIFF)
    result = run_fixer("--from-diff", str(tmp_path / "fix.patch"), "--yes", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert "value_5 = 50" in (repo / "calc.py").read_text()
    assert "mistake" not in result.stderr and "most frequent" not in result.stderr
    with Ledger(ledger_path(env)) as ledger:
        assert ledger.corrections() == []


def test_a_broken_ledger_never_costs_the_fix_nor_the_summary(
    tmp_path: Path, env: dict[str, str]
) -> None:
    with Ledger(ledger_path(env)):
        pass  # a ledger whose corrections table is then lost: it opens, no correction is kept
    with sqlite3.connect(ledger_path(env)) as db:
        db.execute("DROP TABLE corrections")
    repo = make_repo(tmp_path / "repo", {"post.md": POST})
    result = run_fixer("--grammar", "--yes", "post.md", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert (repo / "post.md").read_text() == FIXED
    assert "fixer: corrected 3 mistakes" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_models_correction_keeps_its_language_and_its_call(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    line = next(line for line in FR.split("\n") if line.startswith("Dans ma récente expérience"))
    wrong = line.replace("des coûts importants", "des coûts importante")
    post = FR.replace(line, wrong)
    fake_provider.reply(masked_diff(post, (wrong, line)))
    repo = make_repo(tmp_path / "repo", {"post.md": post})
    args = ("--grammar", "--yes", "--config", str(fake_provider_config), "post.md")
    result = run_fixer(*args, cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert (repo / "post.md").read_text(encoding="utf-8") == FR
    with Ledger(ledger_path(env)) as ledger:
        (call,) = ledger.calls()
        (kept,) = ledger.corrections()
    assert (kept.language, kept.kind, kept.before, kept.after) == (
        "fr",
        Kind.SPELLING,
        "importante",
        "importants",
    )
    assert kept.call_id == 1 and call.hunks_accepted == 1
    assert "fixer: corrected 1 mistake: spelling 1\n" in result.stderr
    report = run_fixer("mistakes", cwd=repo, env=env).stdout
    assert "fr · 1 correction\n" in report and "importante → importants" in report


def test_corrections_of_days_before_are_left_out_of_a_later_period(
    tmp_path: Path, env: dict[str, str]
) -> None:
    week_ago = datetime.now(UTC) - timedelta(days=7)
    with Ledger(ledger_path(env)) as ledger:
        ledger.record_corrections([replace(row("spelling", "teh", "the"), at=week_ago)])
    recent = run_fixer("mistakes", "--since", "2d", cwd=tmp_path, env=env)
    assert recent.stdout.startswith("No corrections recorded in that time")
    assert "teh → the" in run_fixer("mistakes", "--since", "8d", cwd=tmp_path, env=env).stdout
    wrong = run_fixer("mistakes", "--since", "today", "--until", "2d", cwd=tmp_path, env=env)
    assert wrong.returncode == 2 and "is after --until" in wrong.stderr


def test_the_report_imports_neither_textual_nor_the_patch_engine(
    tmp_path: Path, env: dict[str, str]
) -> None:
    code = (
        "import sys\nfrom fixer.cli import main\ncode = main(['mistakes'])\n"
        "print('textual' in sys.modules, 'fixer.patch' in sys.modules, code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.stdout.splitlines()[-1] == "False False 0", result.stderr


def test_a_sentence_with_two_corrections_counts_both(tmp_path: Path, env: dict[str, str]) -> None:
    post = "# Notes\n\nThe the box ran, and I recieve its mail.\n"
    repo = make_repo(tmp_path / "repo", {"post.md": post})
    result = run_fixer("--grammar", "--yes", "post.md", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert "accepted 1 hunk" in result.stdout  # one sentence, one hunk
    assert "fixer: corrected 2 mistakes: repetition 1, spelling 1\n" in result.stderr
    with Ledger(ledger_path(env)) as ledger:
        kept = ledger.corrections()
    assert [(c.kind, c.before, c.after) for c in kept] == [
        (Kind.REPETITION, "the", ""),
        (Kind.SPELLING, "recieve", "receive"),
    ]
