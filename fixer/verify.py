"""A run's test command: once on the files as they are (its failure goes into the prompt), then
on each proposal and on the hunks the user accepted, each in a scratch copy of the working tree.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from fixer import prompts
from fixer.errors import InputError
from fixer.failure import trim_output
from fixer.review import FlagKind, Review
from fixer.scratch import tried_copy
from fixer.testoutcome import TestOutcome
from fixer.testrun import run_tests


@dataclass
class Verifier:
    """The test command of one run, where it runs and how long it may take."""

    command: str
    root: Path  # the repository's top: the command runs there (or in the copy's)
    env: Mapping[str, str]
    timeout_s: float
    _before: asyncio.Task[TestOutcome] | None = field(default=None, repr=False)

    async def before(self) -> TestOutcome:
        """The command on the files as they are, run once for the whole run (the requests of
        a run asked at once share it)."""
        if self._before is None or self._before.cancelled():  # Esc stopped it: run it anew
            self._before = asyncio.ensure_future(
                run_tests(self.command, self.root, self.env, self.timeout_s)
            )
        return await self._before

    async def on(self, texts: Mapping[str, str]) -> TestOutcome:
        """The command with these new file texts, in a scratch copy removed afterwards; the
        user's files are never touched."""
        async with tried_copy(self.root, texts) as copy:
            return await run_tests(self.command, copy.root, self.env, self.timeout_s)

    async def on_proposal(self, review: Review) -> TestOutcome | None:
        """The command on every hunk of a proposal (compared models' rival versions of the
        same lines left out: they cannot all apply); None when it has none."""
        chosen = [
            k
            for k, item in enumerate(review.hunks)
            if item.flag is None or item.flag.kind is not FlagKind.MODELS_DIFFER
        ]
        return await self.on(review.texts_of(chosen)) if chosen else None

    async def request(self, request: str) -> str:
        """The request, with how the tests fail before any change when they do."""
        before = await self.before()
        if before.passed:
            return request
        output = trim_output(before.output, prompts.TEST_OUTPUT_TOKENS)
        return prompts.failing_tests(request, self.command, output)

    def feedback(self, outcome: TestOutcome) -> str:
        """Why a proposal goes back to its model: the tests still fail with it."""
        output = trim_output(outcome.output, prompts.TEST_OUTPUT_TOKENS)
        return prompts.tests_still_fail(self.command, output)


def verifier_for(
    command: str | None, root: Path, in_git: bool, env: Mapping[str, str], timeout_s: float
) -> Verifier | None:
    """The run's Verifier, or None without a test command; InputError outside git, where
    there is no working tree to copy."""
    if command is None:
        return None
    if not in_git:
        raise InputError(
            "--test needs a git repository: the proposal is tried in a copy of its working "
            "tree. Run fixer inside one, or pass --no-test."
        )
    return Verifier(command, root, env, timeout_s)
