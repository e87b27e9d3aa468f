"""What the review's workers tell their screens: each result is its own message class.

A worker posts one of these when it is done, so a handler gets a typed value (and the request
it answers) instead of reading a worker's result and the screen's state to tell what happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.message import Message

from fixer.errors import FixerError, LargePrompt
from fixer.patch import PatchRejected
from fixer.router import Route
from fixer.session import Outcome, Proposal
from fixer.testoutcome import TestOutcome


@dataclass(frozen=True)
class Request:
    """One request for a proposal: the route asked, the one file asked again (r) or None for
    every file, and what the user said of that file's earlier hunks (prompts.review_feedback)."""

    route: Route | None
    only: str | None = None
    feedback: str = ""


class Answer(Message, bubble=False):
    """A worker's answer: for the screen that started the worker, no one else."""


class ProposalReady(Answer):
    """The model (or your diff, or the offline fixers) proposed hunks for the request."""

    def __init__(self, request: Request, proposal: Proposal) -> None:
        super().__init__()
        self.request = request
        self.proposal = proposal


class PartReady(Answer):
    """One request of a run of several was answered: its files can be reviewed at once."""

    def __init__(self, request: Request, proposal: Proposal) -> None:
        super().__init__()
        self.request = request
        self.proposal = proposal


class FilesState(Answer):
    """The files of one request of the run: waiting, asking, or "failed: why"."""

    def __init__(self, names: tuple[str, ...], state: str) -> None:
        super().__init__()
        self.names = names
        self.state = state


class ProposalFailed(Answer):
    """The request failed in a way the user can read: the network, the provider, the reply."""

    def __init__(self, request: Request, error: FixerError) -> None:
        super().__init__()
        self.request = request
        self.error = error


class PromptTooLarge(Answer):
    """The prompt is over fixer.confirm_above_tokens: it is sent only after a yes."""

    def __init__(self, request: Request, error: LargePrompt) -> None:
        super().__init__()
        self.request = request
        self.error = error


class ProposalCancelled(Answer):
    """The request was cancelled (Esc, Ctrl+C, q) before an answer came."""

    def __init__(self, request: Request) -> None:
        super().__init__()
        self.request = request


class DirtyFiles(Answer):
    """Files to be written that have uncommitted changes from before: written, not committed."""

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__()
        self.names = tuple(names)


class CommitMessageWritten(Answer):
    """The commit message the model (or the template) wrote, and a note on how it was made."""

    def __init__(self, text: str, note: str | None) -> None:
        super().__init__()
        self.text = text
        self.note = note


class Committed(Answer):
    """The accepted hunks were written (and committed, unless --no-commit)."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__()
        self.outcome = outcome


class CommitFailed(Answer):
    """Nothing was written: the accepted hunks cannot go together, or writing was refused."""

    def __init__(self, error: FixerError | PatchRejected) -> None:
        super().__init__()
        self.error = error


class TestsChecked(Answer):
    """The test command ran on the hunks about to be committed."""

    def __init__(self, outcome: TestOutcome) -> None:
        super().__init__()
        self.outcome = outcome
