"""What a run of the user's test command gave, and how long one may take.

Apart from the running (fixer.testrun, which needs asyncio) so that `fixer --help` and the
review's messages can name them without loading it.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_TIMEOUT_S = 120.0  # --test-timeout's default


@dataclass(frozen=True)
class TestOutcome:
    """One run of the test command: how it ended, how long it took, what it printed."""

    command: str
    exit_code: int | None  # None: killed at the time limit
    seconds: float
    output: str  # stdout and stderr as they came, interleaved (its tail when it was long)

    __test__ = False  # not a pytest test class, whatever its name

    @property
    def passed(self) -> bool:
        return self.exit_code == 0

    @property
    def timed_out(self) -> bool:
        return self.exit_code is None

    @property
    def verdict(self) -> str:
        """The outcome as the ledger keeps it: pass, fail or timeout."""
        return "timeout" if self.timed_out else "pass" if self.passed else "fail"

    def summary(self) -> str:
        """One line for the review and the run's report: "tests: pass (12.3 s)"."""
        if self.timed_out:
            return f"tests: killed after {self.seconds:.1f} s (the time limit)"
        if self.passed:
            return f"tests: pass ({self.seconds:.1f} s)"
        return f"tests: fail (exit {self.exit_code}, {self.seconds:.1f} s)"
