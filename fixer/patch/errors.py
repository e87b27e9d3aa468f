"""The refusal every part of the diff engine raises."""

from __future__ import annotations

from collections.abc import Sequence

QUOTE_LIMIT = 120  # characters of a line a refusal quotes: a 5 MB line must not reach stderr


def quote(line: str) -> str:
    """A line as a refusal quotes it: repr, cut to QUOTE_LIMIT characters with its length."""
    if len(line) <= QUOTE_LIMIT:
        return repr(line)
    return f"{line[:QUOTE_LIMIT]!r}… ({len(line):,} characters)"


def listed(numbers: Sequence[int], limit: int = 10) -> str:
    """Hunk numbers like "2, 3, 5", the first `limit` of them and how many more."""
    shown = ", ".join(map(str, numbers[:limit]))
    return shown if len(numbers) <= limit else f"{shown} and {len(numbers) - limit} more"


class PatchRejected(ValueError):
    """A hunk (or a whole diff) that cannot be placed with certainty.

    The message is precise enough to send back to the model: which hunk, why, and the
    real lines nearest to what it expected.
    """

    def __init__(
        self,
        reason: str,
        *,
        path: str | None = None,
        hunk: int | None = None,
        nearby: tuple[str, ...] = (),
        already_applied: bool = False,
        ignored: str = "",
    ) -> None:
        self.reason = reason
        self.path = path
        self.hunk = hunk  # 1-based number of the hunk in its file's patch, None for the whole diff
        self.nearby = nearby  # real lines of the file nearest to what the hunk expected
        self.already_applied = already_applied
        # Left out on purpose, not a failure: what happened to it, e.g. "replaced by a later
        # draft"; nothing to ask the model again for.
        self.ignored = ignored
        super().__init__(self._message())

    @property
    def harmless(self) -> bool:
        """Nothing is lost without this hunk: it is already in the file, or left out on purpose."""
        return self.already_applied or bool(self.ignored)

    def with_reason(self, reason: str) -> PatchRejected:
        """The same refusal (path, hunk, nearest lines) with another reason."""
        return PatchRejected(
            reason,
            path=self.path,
            hunk=self.hunk,
            nearby=self.nearby,
            already_applied=self.already_applied,
            ignored=self.ignored,
        )

    def _message(self) -> str:
        where = f"hunk {self.hunk}" if self.hunk is not None else "the diff"
        if self.path:
            where += f" of {self.path}"
        text = f"{where}: {self.reason}"
        if self.nearby:
            text += "\nthe nearest lines in the file are:\n" + "\n".join(
                f"    {_cut(line)}" for line in self.nearby
            )
        return text


def _cut(line: str) -> str:
    return line if len(line) <= QUOTE_LIMIT else line[:QUOTE_LIMIT] + "…"


def refusal_feedback(refusals: Sequence[PatchRejected]) -> str:
    """One message asking the model again: each refused hunk, why, and the real lines near it."""
    parts = ["Your diff could not be applied:"]
    for refusal in (r for r in refusals if not r.ignored):
        advice = "; leave it out" if refusal.already_applied else ""
        parts.append(f"- {refusal}{advice}".replace("\n", "\n  "))
    if any(not refusal.already_applied for refusal in refusals):
        parts.append(
            "Send the refused hunks again as a unified diff, copying every context and removed "
            "line exactly from the file."
        )
    return "\n".join(parts)
