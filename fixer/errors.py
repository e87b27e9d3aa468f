"""Errors a user can cause, each with the exit code the CLI returns for it.

They are raised where the problem is found and caught once, at the edge (CLI or App).
The message always says what happened and what to do next.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fixer.calls import Attempt


class FixerError(Exception):
    """Base of every error fixer reports to the user."""

    exit_code = 1


class ProviderError(FixerError):
    """The network or the provider failed: HTTP status and the provider's message, never the key."""

    exit_code = 1


class InputError(FixerError):
    """Bad input: usage, config, an unreadable, binary or huge file, a bad patch file."""

    exit_code = 2


class ConfigError(InputError):
    """The config file is missing something or says something wrong."""


class NoDiffError(FixerError):
    """The model's reply held no usable diff.

    `feedback` is what to tell the model when it is asked again: the precise apply error;
    `refused` how many of the reply's hunks were refused; `attempts` every model call made
    before giving up, which cost money all the same.
    """

    exit_code = 3

    def __init__(
        self,
        message: str,
        feedback: str = "",
        *,
        refused: int = 0,
        attempts: tuple[Attempt, ...] = (),
    ) -> None:
        super().__init__(message)
        self.feedback = feedback or message
        self.refused = refused
        self.attempts = attempts


class BudgetExceeded(FixerError):
    """A call would take the run or the day over the config's Budget; it was not sent."""

    exit_code = 5


class LargePrompt(BudgetExceeded):
    """A prompt larger than fixer.confirm_above_tokens, not sent without a yes or --force."""

    def __init__(self, message: str, tokens: int) -> None:
        super().__init__(message)
        self.tokens = tokens


class WriteRefused(FixerError):
    """Accepted hunks could not be written or committed (a file changed on disk, git refused)."""

    exit_code = 4


class WriteFailed(WriteRefused):
    """The disk failed a write (full, read-only filesystem, I/O error); the file is unchanged."""
