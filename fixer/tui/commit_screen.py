"""The commit screen: what will be written and committed, the message, then the commit id."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Static

from fixer.calls import Attempt
from fixer.commit_message import template_commit_message
from fixer.errors import FixerError
from fixer.patch import PatchRejected
from fixer.printable import printable, printable_lines
from fixer.report import summary
from fixer.session import Outcome, Proposal, Run
from fixer.testoutcome import TestOutcome
from fixer.tui.dialogs import RiskyConfirmScreen
from fixer.tui.messages import (
    CommitFailed,
    CommitMessageWritten,
    Committed,
    DirtyFiles,
    TestsChecked,
)
from fixer.vcs import GitRepo


def planned_files(proposal: Proposal) -> list[tuple[str, int, int, int]]:
    """(name, accepted hunks, lines added, lines removed) of every file that will be written."""
    rows = []
    for name, hunks in proposal.review.accepted().items():
        added = sum(1 for h in hunks for line in h.lines if line[0] == "+")
        removed = sum(1 for h in hunks for line in h.lines if line[0] == "-")
        rows.append((name, len(hunks), added, removed))
    return rows


class CommitScreen(Screen[Outcome | None]):
    """Enter writes and commits; Esc goes back to the review. Dismissed with the Outcome."""

    CSS_PATH = "commit_screen.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back to the review", id="commit-back"),
        Binding("escape", "leave", "Leave fixer", id="commit-leave"),  # once committed
        Binding("enter", "commit", "Write + commit", id="commit-confirm", show=False),
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Esc says what it does now: back to the review before the commit, leave after."""
        if action == "back":
            return self.outcome is None
        if action == "leave":
            return self.outcome is not None
        return True

    def __init__(self, run: Run, proposal: Proposal, attempts: list[Attempt]) -> None:
        super().__init__()
        self.run = run
        self.proposal = proposal
        self.attempts = attempts
        self.repo = run.workspace.repo if run.commit else None  # None: write, do not commit
        self.committing = self.repo is not None
        accepted = proposal.review.accepted()
        self.template = template_commit_message(
            list(accepted), sum(len(h) for h in accepted.values())
        )
        self.outcome: Outcome | None = None
        self.sent = False
        # The commit gate: the test command on exactly the hunks to commit.
        self.tests = proposal.accepted_tests

    def compose(self) -> ComposeResult:
        verb = "Write and commit" if self.committing else "Write"
        with Vertical(id="plan"):
            yield Label(f"[b]{verb}[/b] these files (Enter), or go back (Esc):")
            for name, hunks, added, removed in planned_files(self.proposal):
                yield Label(
                    f"  {printable(name)}   {hunks} hunk{'s' * (hunks != 1)}   +{added} -{removed}",
                    markup=False,
                    classes="file",
                    name=name,
                )
            yield Label("", id="notes", markup=False)
            if self.run.verifier is not None:
                yield Label("", id="tests", markup=False)
            if self.committing:
                yield Label("Commit message:")
                yield Input(self.template, id="message")
        yield Static(id="done", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        if self.run.verifier is not None:
            if self.tests is None:
                self.check_tests()
            else:
                self.show_tests(self.tests)
        if self.repo is not None:
            self.check_dirty(self.repo)
            self.write_message()

    @work(thread=True, exit_on_error=False, group="dirty")
    def check_dirty(self, repo: GitRepo) -> None:
        # A failed check says nothing: the commit itself leaves such files uncommitted.
        paths = {self.run.workspace.root / name: name for name, *_ in planned_files(self.proposal)}
        dirty = sorted(paths[p] for p in repo.dirty(list(paths)) if p in paths)
        if dirty:
            self.post_message(DirtyFiles(dirty))

    @work(exclusive=True, exit_on_error=False, group="message")
    async def write_message(self) -> None:
        self.query_one("#notes", Label).update("asking for a commit message…")
        self.post_message(CommitMessageWritten(*await self.run.commit_message(self.proposal)))

    @work(exclusive=True, exit_on_error=False, group="tests")
    async def check_tests(self) -> None:
        verifier = self.run.verifier
        assert verifier is not None  # started only with a test command
        self.query_one("#tests", Label).update("tests: running on the hunks to commit…")
        self.post_message(TestsChecked(await verifier.on(self.proposal.review.new_texts())))

    def on_tests_checked(self, event: TestsChecked) -> None:
        self.tests = event.outcome
        self.show_tests(event.outcome)

    def show_tests(self, outcome: TestOutcome) -> None:
        label = self.query_one("#tests", Label)
        label.update(f"{outcome.summary()} with the hunks to commit")
        label.set_class(outcome.passed, "pass")
        label.set_class(not outcome.passed, "fail")

    def on_dirty_files(self, event: DirtyFiles) -> None:
        self.query_one("#notes", Label).update(
            "has uncommitted changes from before: written, not committed: "
            + ", ".join(printable(n) for n in event.names)
        )

    def on_commit_message_written(self, event: CommitMessageWritten) -> None:
        field = self.query_one("#message", Input)
        if field.value == self.template:  # never overwrite what the user typed
            field.value = self.template = event.text
        self.query_one("#notes", Label).update(event.note or "")

    def on_commit_failed(self, event: CommitFailed) -> None:
        # new_texts failed before any write (hunks that cannot go together): back to the
        # review with every decision kept, to change them.
        self.notify(
            printable_lines(f"nothing was written: {event.error}"),
            markup=False,
            severity="error",
            timeout=10,
        )
        self.dismiss(None)

    def on_committed(self, event: Committed) -> None:
        self.show_done(event.outcome)

    def action_commit(self) -> None:
        if self.outcome is not None:
            self.dismiss(self.outcome)
            return
        if self.sent:  # Enter again while git works: one commit only
            return
        message = self.query_one("#message", Input).value.strip() if self.committing else ""
        if self.committing and not message:
            self.notify("Write a commit message first.", severity="warning")
            return
        if self.run.verifier is not None and self.tests is None:
            self.notify("The tests are still running on these hunks: wait, or Esc to go back.")
            return
        if self.tests is not None and not self.tests.passed:

            def answer(yes: bool | None) -> None:
                if yes:
                    self.send(message)

            question = f"{self.tests.summary()} with these hunks. Write and commit them anyway?"
            self.app.push_screen(RiskyConfirmScreen(question), answer)
            return
        self.send(message)

    def send(self, message: str) -> None:
        self.workers.cancel_group(self, "message")
        self.sent = True
        self.finish(message)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_commit()

    @work(thread=True, exclusive=True, group="commit")
    def finish(self, message: str) -> None:
        # The user's errors come back as a message; anything else is a bug and crashes.
        try:
            outcome = self.run.finish(self.proposal, message)
        except (FixerError, PatchRejected) as error:
            self.post_message(CommitFailed(error))
        else:
            self.post_message(Committed(outcome))

    def show_done(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.query_one("#plan").display = False
        text = summary(self.proposal, outcome, self.attempts)
        self.query_one("#done", Static).update(f"{text}\n\nPress Enter or Esc to leave.")
        self.refresh_bindings()

    def action_back(self) -> None:
        if not self.sent:
            self.dismiss(None)

    def action_leave(self) -> None:
        self.dismiss(self.outcome)
