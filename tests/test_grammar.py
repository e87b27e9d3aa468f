"""Grammar mode end to end: real posts, a fake model's diffs of the masked post, the real command.

A good reply gives one hunk per corrected sentence that applies exactly; a reply that rewrites,
translates or touches code, links, front matter or markup is flagged or refused, and never
written by --yes nor printed by --print.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fixer.corrections import Kind
from fixer.grammar import MOVES, correction_review
from fixer.markdown import keeps_placeholders, mask, sections, token_share
from fixer.review import Decision, join_parts
from fixer.textview import SENTENCES
from tests.fakeserver import FakeProvider
from tests.helpers import clean_env, git, make_repo, run_fixer

POSTS = Path(__file__).parent / "data" / "posts"
EN = (POSTS / "post-en-notes.md").read_text(encoding="utf-8")
FR = (POSTS / "post-fr-llm-costs.md").read_text(encoding="utf-8")


def masked_diff(post: str, *changes: tuple[str, str]) -> str:
    """A model's diff of the masked post: each (old line, new lines) of the masked text."""
    lines = mask(post).text.split("\n")
    hunks = []
    for old, new in changes:
        number = lines.index(old) + 1
        added = "".join(f"+{line}\n" for line in new.split("\n"))
        hunks.append(f"@@ -{number} +{number} @@\n-{old}\n{added}")
    return "--- a/post.md\n+++ b/post.md\n" + "".join(hunks)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return clean_env(tmp_path / "home")


def grammar(
    tmp_path: Path, env: dict[str, str], post: str, config: Path, *args: str
) -> tuple[Path, object]:
    repo = make_repo(tmp_path / "repo", {"post.md": post})
    result = run_fixer("--grammar", *args, "--config", str(config), "post.md", cwd=repo, env=env)
    return repo, result


EXPLAIN = "This post explain how the ⟦3⟧ flag work.⟦4⟧ It are short."


def test_a_minimal_reply_gives_one_hunk_per_sentence_written_exactly(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    fixed = "This post explains how the ⟦3⟧ flag works.⟦4⟧ It is short."
    fake_provider.reply(masked_diff(EN, (EXPLAIN, fixed)))
    repo, result = grammar(tmp_path, env, EN, fake_provider_config, "--yes")
    assert result.returncode == 0, result.stderr
    text = (repo / "post.md").read_text(encoding="utf-8")
    assert text == EN.replace(
        "This post explain how the `fixer --grammar` flag work.<!-- TODO: add a screenshot --> "
        "It are short.",
        "This post explains how the `fixer --grammar` flag works.<!-- TODO: add a screenshot --> "
        "It is short.",
    )
    # "work.<!-- ... --> It": no sentence break the splitter can be sure of, so one hunk.
    assert "accepted 1 hunk" in result.stdout
    # What was sent: the prose, with code, Liquid, math and the front matter masked.
    sent = fake_provider.requests[0].body["messages"][1]["content"]
    assert "It are short." in sent and "page.title" not in sent and "pip install" not in sent


def test_two_corrected_sentences_of_one_line_are_two_hunks_taken_one_by_one(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    line = next(line for line in FR.split("\n") if line.startswith("Dans ma récente expérience"))
    wrong = line.replace("des coûts importants", "des coûts importante").replace(
        "Pas nécessairement.", "Pas nécessairment."
    )
    post = FR.replace(line, wrong)
    fake_provider.reply(masked_diff(post, (wrong, line)))
    repo = make_repo(tmp_path / "repo", {"post.md": post})
    run = ["--grammar", "--print", "--config", str(fake_provider_config), "post.md"]
    result = run_fixer(*run, cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    # --print applies every unflagged sentence hunk: the file's line comes back whole.
    assert f"+{line}" in result.stdout and f"-{wrong}" in result.stdout
    review = correction_review("post.md", post, FR)
    assert len(review.hunks) == 2  # one per corrected sentence
    review.decide(1, Decision.ACCEPTED)
    (text,) = review.new_texts().values()
    assert text == post.replace("Pas nécessairment.", "Pas nécessairement.")


def test_only_the_accepted_sentences_are_printed(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    note = "⟦14⟧ The source is a book that nobody have read."
    fake_provider.reply(
        masked_diff(
            EN,
            (EXPLAIN, "This post explains how the ⟦3⟧ flag works.⟦4⟧ It is short."),
            (note, note.replace("have", "has")),
        )
    )
    repo, result = grammar(tmp_path, env, EN, fake_provider_config, "--print")
    assert result.returncode == 0, result.stderr
    assert "+[^1]: The source is a book that nobody has read." in result.stdout
    assert git(repo, "status", "--porcelain") == ""  # --print writes nothing


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        # Edits that reach a mask: code, a link target, the front matter, a kramdown line.
        ("⟦0⟧", "title: Nouvelles notes", "changes code, a link, front matter or markup"),
        (EXPLAIN, EXPLAIN.replace("⟦3⟧", "`fixer --fix`"), "changes code, a link"),
        (
            "A claim with a source⟦7⟧ and a page from ⟦8⟧the docs⟦9⟧, see also ⟦10⟧.",
            "A claim with a source⟦7⟧ and a page from ⟦8⟧the docs⟦9⟧, see also https://x.test.",
            "changes code, a link",
        ),
    ],
    ids=["front matter", "inline code", "url"],
)
def test_an_edit_of_protected_text_is_refused_and_never_written(
    tmp_path: Path,
    env: dict[str, str],
    fake_provider: FakeProvider,
    fake_provider_config: Path,
    old: str,
    new: str,
    why: str,
) -> None:
    good = "⟦14⟧ The source is a book that nobody have read."
    fake_provider.reply(masked_diff(EN, (old, new), (good, good.replace("have", "has"))))
    repo, result = grammar(tmp_path, env, EN, fake_provider_config, "--yes")
    assert result.returncode == 0, result.stderr
    assert why in result.stderr
    text = (repo / "post.md").read_text(encoding="utf-8")
    assert "nobody has read" in text  # the good correction still lands
    assert text == EN.replace("nobody have read", "nobody has read")


def test_a_kramdown_line_edit_is_refused(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    masked = mask(FR).text.split("\n")
    kramdown = next(line for line in masked if line.startswith("⟦") and len(line) <= 5)
    fake_provider.reply(masked_diff(FR, (kramdown, "{: .center }")))
    repo, result = grammar(tmp_path, env, FR, fake_provider_config, "--yes")
    assert (repo / "post.md").read_text(encoding="utf-8") == FR
    assert result.returncode == 3  # nothing usable: refused, asked again, still refused
    assert "changes code, a link, front matter or markup" in result.stderr


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (  # a translation of a French sentence into English
            "Je pense que l'avenir se jouera entre ces deux approches.",
            "I think the future will be played out between these two approaches.",
        ),
        (  # a rewrite for style, not a correction
            "Dify a probablement des limites similaires.",
            "On peut supposer que Dify rencontre, lui aussi, des contraintes comparables.",
        ),
    ],
    ids=["translation", "rewrite"],
)
def test_a_rewrite_or_translation_is_flagged_and_left_out_by_yes(
    tmp_path: Path,
    env: dict[str, str],
    fake_provider: FakeProvider,
    fake_provider_config: Path,
    old: str,
    new: str,
) -> None:
    fake_provider.reply(masked_diff(FR, (old, new)))
    repo, result = grammar(tmp_path, env, FR, fake_provider_config, "--yes")
    assert result.returncode == 0, result.stderr
    assert "rewrites most of the sentence" in result.stderr
    assert (repo / "post.md").read_text(encoding="utf-8") == FR


def test_offline_grammar_spells_english_prose_only(tmp_path: Path, env: dict[str, str]) -> None:
    post = "---\ntitle: Teh post\n---\n\nThis sentense is fine. `teh` is code.\n"
    repo = make_repo(tmp_path / "repo", {"post.md": post, "fr.md": FR})
    result = run_fixer("--grammar", "--yes", "post.md", "fr.md", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert (repo / "post.md").read_text() == post.replace("sentense", "sentence")
    assert (repo / "fr.md").read_text(encoding="utf-8") == FR  # codespell knows no French
    assert "codespell and Harper know only English; fr.md left as is" in result.stderr


def test_grammar_takes_markdown_only(tmp_path: Path, env: dict[str, str]) -> None:
    repo = make_repo(tmp_path / "repo", {"app.py": "x = 1\n"})
    result = run_fixer("--grammar", "--print", "app.py", cwd=repo, env=env)
    assert result.returncode == 2
    assert "the grammar agent takes *.md, *.markdown: app.py is not one" in result.stderr


def test_a_code_heavy_post_sends_a_fraction_of_its_tokens() -> None:
    post = (POSTS / "post-en-code-heavy.md").read_text(encoding="utf-8")
    assert token_share(post) <= 1 / 3


def small_context(tmp_path: Path, config_path: Path) -> Path:
    """The fake provider's config with a longContextThreshold that cuts FR into 3 sections."""
    import json

    config = json.loads(config_path.read_text())
    config["Router"]["longContextThreshold"] = 1500  # the sample post is ~3,500 tokens masked
    path = tmp_path / "small-context.json"
    path.write_text(json.dumps(config))
    return path


def test_a_long_post_is_asked_section_by_section(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    path = small_context(tmp_path, fake_provider_config)
    parts = sections(FR, 1500)
    assert len(parts) > 1 and "".join(parts) == FR
    for _ in parts:
        fake_provider.reply("NO CHANGES")
    _, result = grammar(tmp_path, env, FR, path, "--print")
    assert result.returncode == 0, result.stderr
    assert f"post.md was asked in {len(parts)} sections, cut at headings" in result.stderr
    sent = [r.body["messages"][1]["content"] for r in fake_provider.requests]
    assert len(sent) == len(parts)
    # Each request holds one section: every heading of the post is sent exactly once.
    headings = [line for line in FR.split("\n") if line.startswith("## ")]
    assert all(sum(h in body for body in sent) == 1 for h in headings)


def test_sections_reviewed_apart_apply_like_the_whole_post() -> None:
    wrong = FR.replace("Pas nécessairement.", "Pas nécessairment.").replace(
        "Dify a probablement des limites similaires.", "Dify a probablement des limite similaires."
    )
    parts = sections(wrong, 1500)
    fixed_parts = sections(FR, 1500)
    assert [len(p.split("\n")) for p in parts] == [len(p.split("\n")) for p in fixed_parts]
    joined = join_parts(
        "post.md",
        [(w, correction_review("post.md", w, f)) for w, f in zip(parts, fixed_parts, strict=True)],
        SENTENCES,
    )
    assert len(joined.hunks) == 2
    joined.accept_all()
    assert joined.new_texts() == {"post.md": FR}
    assert joined.as_diff() == correction_review("post.md", wrong, FR).as_diff()


def test_each_post_is_its_own_call_in_the_ledger_and_one_failing_spares_the_others(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    from fixer.ledger import Ledger, ledger_path

    one = "# One\n\nThis sentense is wrong.\n"
    two = "# Two\n\nNothing to see here.\n"
    # The posts go out at once, so either may get either reply: one post is corrected, the
    # other's replies never apply, and it fails alone.
    fix = "@@ -3 +3 @@\n-This sentense is wrong.\n+This sentence is wrong.\n"  # no file named
    for _ in range(5):  # one for one.md; two.md asks each rung twice
        fake_provider.reply(fix)
    repo = make_repo(tmp_path / "repo", {"one.md": one, "two.md": two})
    run = ["--grammar", "--yes", "--config", str(fake_provider_config), "one.md", "two.md"]
    result = run_fixer(*run, cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert (repo / "one.md").read_text() == one.replace("sentense", "sentence")
    assert (repo / "two.md").read_text() == two
    assert "two.md: " in result.stderr  # the failed post is named, the run goes on
    with Ledger(ledger_path(env)) as ledger:
        calls = ledger.calls()
    assert {c.agent for c in calls} == {"grammar"}  # `fixer usage --by agent` tells them apart
    proposing = [c for c in calls if c.hunks_proposed]
    assert [(c.hunks_proposed, c.hunks_accepted, c.hunks_rejected) for c in proposing] == [
        (1, 1, 0)
    ]


def test_a_paragraphs_good_sentences_survive_a_bad_one(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    post = "# Notes\n\nThis sentense is wrong. See `the code` for more. It are short.\n"
    masked = mask(post).text.split("\n")
    line = next(m for m in masked if m.startswith("This sentense"))
    # Two corrections, and one sentence whose inline code (a ⟦n⟧ mark) the model rewrote.
    bad = line.replace("sentense", "sentence").replace("It are", "It is")
    bad = bad.replace(next(p for p in mask(post).text.split() if p.startswith("⟦")), "`code`")
    fake_provider.reply(masked_diff(post, (line, bad)))
    repo, result = grammar(tmp_path, env, post, fake_provider_config, "--yes")
    assert result.returncode == 0, result.stderr
    assert (repo / "post.md").read_text() == post.replace("sentense", "sentence").replace(
        "It are", "It is"
    )
    assert "the rest of its sentences were kept" in result.stderr


ADDED_AND_DELETED = (
    "# Notes\n\nThis sentense is wrong. It is short. We was happy.\n\nThe end are near.\n"
)


@pytest.mark.parametrize("mode", ["--yes", "--print"])
def test_an_added_or_deleted_sentence_is_flagged_and_its_neighbours_corrections_kept(
    tmp_path: Path,
    env: dict[str, str],
    fake_provider: FakeProvider,
    fake_provider_config: Path,
    mode: str,
) -> None:
    post = ADDED_AND_DELETED
    fake_provider.reply(
        masked_diff(
            post,
            (
                "This sentense is wrong. It is short. We was happy.",
                "This sentence is wrong. We were happy.",
            ),
            ("The end are near.", "The end is near. I hope this helps!"),
        )
    )
    repo, result = grammar(tmp_path, env, post, fake_provider_config, mode)
    assert result.returncode == 0, result.stderr
    assert "adds a sentence" in result.stderr and "deletes a sentence" in result.stderr
    fixed = "This sentence is wrong. It is short. We were happy.\n\nThe end is near.\n"
    if mode == "--yes":
        assert (repo / "post.md").read_text() == "# Notes\n\n" + fixed
    else:
        assert "+This sentence is wrong. It is short. We were happy." in result.stdout
        assert "+The end is near.\n" in result.stdout and "I hope" not in result.stdout


def test_a_moved_sentence_is_flagged_as_moved_and_a_split_run_on_is_a_correction() -> None:
    post = "# Notes\n\nFirst one. Second one. Third one.\n\nI went home, it was late.\n"
    moved = post.replace("First one. Second one. Third one.", "Second one. Third one. First one.")
    review = correction_review("post.md", post, moved)
    assert [h.flag for h in review.hunks] == [MOVES, MOVES]
    split = post.replace("home, it was", "home. It was")
    (hunk,) = correction_review("post.md", post, split).hunks
    assert hunk.flag is None


def test_a_section_no_rung_can_answer_is_left_as_it_is_and_the_others_are_kept(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    right = "Dify a probablement des limites similaires."
    post = FR.replace(right, "Dify a probablement des limite similaires.")
    # Every section gets this reply (the last reply repeats): it corrects a sentence of the
    # second section, and is no diff of the two others, which fail alone after every retry.
    fake_provider.reply(masked_diff(post, ("Dify a probablement des limite similaires.", right)))
    repo, result = grammar(
        tmp_path, env, post, small_context(tmp_path, fake_provider_config), "--yes"
    )
    assert result.returncode == 0, result.stderr
    assert (repo / "post.md").read_text(encoding="utf-8") == FR
    said = result.stderr
    assert "post.md: section 1 of 3 (the start of the post) left as it is: no hunk" in said
    assert "post.md: section 3 of 3 (## Le point de vue d'un ingénieur exige…) left as" in said
    assert len(fake_provider.requests) == 1 + 2 * 4  # each failed section climbed alone


def test_a_mark_given_text_on_its_own_line_refuses_that_hunk_only(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    good = "⟦14⟧ The source is a book that nobody have read."
    # ⟦11⟧ is the indented code block: text beside it would turn into code.
    fake_provider.reply(
        masked_diff(EN, ("⟦11⟧", "⟦11⟧ Figure"), (good, good.replace("have", "has")))
    )
    repo, result = grammar(tmp_path, env, EN, fake_provider_config, "--yes")
    assert result.returncode == 0, result.stderr
    assert (repo / "post.md").read_text(encoding="utf-8") == EN.replace("have read", "has read")
    assert "hunk 1 of post.md: changes code, a link, front matter or markup (a ⟦n⟧ mark)" in (
        result.stderr
    )


def test_keeps_placeholders() -> None:
    assert keeps_placeholders("a ⟦1⟧ b\n⟦2⟧", "A ⟦1⟧ b.\n⟦2⟧")
    assert not keeps_placeholders("a\n⟦2⟧\nb", "a\n⟦2⟧ Figure\nb")  # no longer a line of its own
    assert not keeps_placeholders("a ⟦1⟧ ⟦2⟧", "a ⟦2⟧ ⟦1⟧")  # reordered


SKELETON = """# Notes

## A heading are here

- An item are here.

> A quote are here.

Some *emphasis* are here. A __strong__ word are here.

First line of a verse
second line are here.

It costs 5 euros. It are short.

Another paragraph are here.

Last line are here.
""".replace("verse\n", "verse  \n")  # a hard line break
JOINED = (
    "--- a/post.md\n+++ b/post.md\n@@ -15,3 +15,1 @@\n-It costs 5 euros. It are short.\n-\n"
    "-Another paragraph are here.\n+It costs 5 euros. It is short. Another paragraph is here.\n"
)


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ("## A heading are here", "### A heading is here", "changes a heading's level"),
        ("- An item are here.", "* An item is here.", "changes a list or quote marker"),
        ("- An item are here.", "An item is here.", "changes a list or quote marker"),
        ("> A quote are here.", "A quote is here.", "changes a list or quote marker"),
        (
            "Some *emphasis* are here. A __strong__ word are here.",
            "Some emphasis is here. A **strong** word is here.",
            "changes emphasis (*, _, **)",
        ),
        ("First line of a verse  ", "First line of a verse", "adds or removes a line break"),
        ("It costs 5 euros. It are short.", "It costs 6 euros. It is short.", "changes a number"),
        (None, JOINED, "joins or splits paragraphs"),
        (
            "Another paragraph are here.",
            "Another paragraph.\n\nIs here.",
            "joins or splits paragraphs",
        ),
    ],
    ids=[
        "heading",
        "list",
        "list gone",
        "quote",
        "emphasis",
        "hard break",
        "number",
        "join",
        "split",
    ],
)
def test_a_change_to_markdown_structure_is_flagged_and_never_written(
    tmp_path: Path,
    env: dict[str, str],
    fake_provider: FakeProvider,
    fake_provider_config: Path,
    old: str | None,
    new: str,
    why: str,
) -> None:
    good = ("Last line are here.", "Last line is here.")
    if old is None:
        fake_provider.reply(new + masked_diff(SKELETON, good).split("\n", 2)[2])
    else:
        fake_provider.reply(masked_diff(SKELETON, (old, new), good))
    repo, result = grammar(tmp_path, env, SKELETON, fake_provider_config, "--yes")
    assert result.returncode == 0, result.stderr
    assert f"({why})" in result.stderr
    text = (repo / "post.md").read_text()
    # The good correction lands, and so does one in the same hunk as the change when it
    # stands apart: everything else of the post is as it was.
    assert text.replace("Last line is", "Last line are") in (
        SKELETON,
        SKELETON.replace("It are short", "It is short"),
    )
    assert "Last line is here." in text


CAT = "The cat that lives next door are black and sleeps all day long."
DOG = "The dog is brown and very big, and it barks at every car that passes."
WE = "We was happy to see them both in the garden this morning, with the sun out."
THREE = f"# Notes\n\n{CAT} {DOG} {WE}\n"
CAT_FIXED, WE_FIXED = CAT.replace("are", "is"), WE.replace("We was", "We were")


@pytest.mark.parametrize(
    ("new", "why", "kept"),
    [
        (f"{DOG} {CAT} {WE_FIXED}", "moves a sentence", THREE.replace(WE, WE_FIXED)),
        (
            f"{CAT_FIXED} That huge hound yells at cars. {WE_FIXED}",
            "rewrites most of the sentence",
            THREE.replace(WE, WE_FIXED).replace(CAT, CAT_FIXED),
        ),
    ],
    ids=["reordered", "paraphrased"],
)
def test_a_moved_or_paraphrased_sentence_is_flagged_and_its_neighbours_corrected(
    tmp_path: Path,
    env: dict[str, str],
    fake_provider: FakeProvider,
    fake_provider_config: Path,
    new: str,
    why: str,
    kept: str,
) -> None:
    # Measured over the three sentences together, both replies change less than half the words.
    fake_provider.reply(masked_diff(THREE, (f"{CAT} {DOG} {WE}", new)))
    repo, result = grammar(tmp_path, env, THREE, fake_provider_config, "--yes")
    assert result.returncode == 0, result.stderr
    assert f"({why})" in result.stderr
    assert (repo / "post.md").read_text() == kept


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ("## A heading are here", "## A heading is here I hope this helps", "adds words"),
        ("- An item are here", "- An item is here ## And the next heading", "adds words"),
        ("Some words are here and there today.", "Some words is here.", "deletes words"),
    ],
    ids=["tacked on a heading", "heading pulled into an item", "words dropped"],
)
def test_a_run_of_added_or_dropped_words_is_flagged_and_never_written(
    tmp_path: Path,
    env: dict[str, str],
    fake_provider: FakeProvider,
    fake_provider_config: Path,
    old: str,
    new: str,
    why: str,
) -> None:
    # Such a line has no sentence end, so the added words pair with its one "sentence", and
    # the share of words changed stays under a rewrite's.
    post = f"# Notes\n\n{old}\n\nLast line are here.\n"
    good = ("Last line are here.", "Last line is here.")
    fake_provider.reply(masked_diff(post, (old, new), good))
    repo, result = grammar(tmp_path, env, post, fake_provider_config, "--yes")
    assert result.returncode == 0, result.stderr
    assert why in result.stderr
    assert (repo / "post.md").read_text() == post.replace("line are", "line is")


JOINED = (
    "# Notes\n\nSome line are here.\n\n### Mitsral\n\nThe table:\n\n| Type | Toekns |\n"
    "|------|--------|\n| a    | 1      |\n\nLast line are here.\n"
)


@pytest.mark.parametrize(
    ("first", "second", "joined", "why"),
    [
        ("Some line are here.", "### Mitsral", "Some line is here. ### Mistral", "paragraphs"),
        ("The table:", "⟦0⟧Type⟦1⟧Toekns⟦2⟧", "The table: ⟦0⟧Type⟦1⟧Tokens⟦2⟧", "markup"),
    ],
    ids=["heading", "table row"],
)
def test_a_line_pulled_into_the_paragraph_above_is_never_written(
    tmp_path: Path,
    env: dict[str, str],
    fake_provider: FakeProvider,
    fake_provider_config: Path,
    first: str,
    second: str,
    joined: str,
    why: str,
) -> None:
    # The pulled-in line has its own typo fixed, so its words do not come back exactly: the
    # sentence diff must still see one join, not a correction beside two flagged deletions.
    lines = mask(JOINED).text.split("\n")
    at = lines.index(first) + 1
    assert lines[at : at + 2] == ["", second]
    join = f"@@ -{at},3 +{at} @@\n-{first}\n-\n-{second}\n+{joined}\n"
    good = masked_diff(JOINED, ("Last line are here.", "Last line is here.")).split("\n", 2)[2]
    fake_provider.reply(f"--- a/post.md\n+++ b/post.md\n{join}{good}")
    repo, result = grammar(tmp_path, env, JOINED, fake_provider_config, "--yes")
    assert result.returncode == 0, result.stderr
    assert "dropped 1 flagged hunk in post.md (" in result.stderr
    assert why in result.stderr
    assert (repo / "post.md").read_text() == JOINED.replace("Last line are", "Last line is")


HARPER_POST = (
    "---\ntitle: Notes\n---\n\n"
    "This is a example of the the problem, from CSDN.\n\n"
    "We were sshing into boxes and we recieve mail.\n\n"
    "```python\nprint('a apple')\n```\n"
)


def test_offline_harper_corrects_grammar_but_not_code_names_or_known_words(
    tmp_path: Path, env: dict[str, str]
) -> None:
    words = Path(env["XDG_CONFIG_HOME"]) / "fixer" / "words.txt"
    words.parent.mkdir(parents=True, exist_ok=True)
    words.write_text("# mine\nrecieve\n", encoding="utf-8")  # the user's own word, kept
    repo = make_repo(tmp_path / "repo", {"post.md": HARPER_POST})
    result = run_fixer("--grammar", "--yes", "post.md", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert (repo / "post.md").read_text() == HARPER_POST.replace(
        "a example of the the", "an example of the"
    )
    assert "codespell: nothing to fix in post.md" in result.stderr
    assert "harper: 2 fixes in post.md" in result.stderr


def test_harpers_hunks_carry_harpers_kind(tmp_path: Path) -> None:
    from fixer.agents import GRAMMAR
    from fixer.sources import read_source

    repo = make_repo(tmp_path / "repo", {"post.md": HARPER_POST})
    source = read_source(repo / "post.md", repo)
    review, notes = GRAMMAR.local_review({"post.md": source}, lambda name: None)
    kinds = [h.correction.kind for h in review.hunks if h.correction]
    assert kinds == [Kind.ARTICLE, Kind.SPELLING]  # a -> an (and the the) first: Harper's AnA
    assert any(note.startswith("harper: ") for note in notes)


def test_the_dialect_comes_from_the_config_and_the_front_matter_wins(
    tmp_path: Path, env: dict[str, str]
) -> None:
    config = tmp_path / "config.json"
    config.write_text('{"fixer": {"dialect": "british"}}', encoding="utf-8")
    posts = {
        "uk.md": "The color of the sky is blue today.\n",
        "us.md": "---\nlang: en-US\n---\n\nThe colour of the sky is blue today.\n",
    }
    repo = make_repo(tmp_path / "repo", posts)
    result = run_fixer(
        "--grammar", "--yes", "--config", str(config), "uk.md", "us.md", cwd=repo, env=env
    )
    assert result.returncode == 0, result.stderr
    assert (repo / "uk.md").read_text() == posts["uk.md"].replace("color", "colour")
    assert (repo / "us.md").read_text() == posts["us.md"].replace("colour", "color")


def test_a_models_correction_that_harper_finds_wrong_is_flagged_not_written(
    tmp_path: Path, env: dict[str, str], fake_provider: FakeProvider, fake_provider_config: Path
) -> None:
    post = "We ate the apple today. It are good.\n"
    fake_provider.reply(
        "--- a/post.md\n+++ b/post.md\n@@ -1 +1 @@\n"
        "-We ate the apple today. It are good.\n+We ate a apple today. It is good.\n"
    )
    repo, result = grammar(tmp_path, env, post, fake_provider_config, "--yes")
    assert result.returncode == 0, result.stderr
    assert "Harper finds an error it brings in: Incorrect indefinite article" in result.stderr
    # The sentence Harper finds no fault with is taken; the flagged one is not.
    assert (repo / "post.md").read_text() == "We ate the apple today. It is good.\n"
