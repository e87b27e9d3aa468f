"""An agent: one job, its own prompt, the files it takes, how its replies become review hunks,
its guard, and the route it starts from.

A general agent that does everything does nothing well; small ones, each with its own prompt and
the cheapest model that does its job, are fast, cheap and predictable. Pure: the session sends an
agent's requests, runs its offline fixer and writes what the user accepts.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from fixer import prompts
from fixer.errors import InputError, NoDiffError
from fixer.grouping import group_files
from fixer.patch import Hunk, PatchRejected, cut_off, refusal_feedback
from fixer.review import Flag, FlagKind, Review, build_review, refused
from fixer.router import Route, Scenario, parse_route
from fixer.sources import Source, not_text
from fixer.textview import FILE_LINES, TextView
from fixer.tokens import estimate_tokens

if TYPE_CHECKING:
    from fixer.config import Config

# Whether the workspace lets the reply create a file of that name: None, or why not.
MayCreate = Callable[[str], str | None]
# A guard's check of one file: (name, the text its hunks apply to, the hunks) -> for each hunk,
# why it is more than the agent's job, or None.
Check = Callable[[str, str, Sequence[Hunk]], list[Flag | None]]


@dataclass(frozen=True)
class Guard:
    """What an agent lets through: a hunk its check objects to is refused before anyone sees it
    (`refuses`), or flagged, so that accept-all, --yes and --print never take it."""

    name: str  # as a user agent's "guard" names it
    check: Check | None = None
    refuses: bool = False


NO_GUARD = Guard("none")


def flags_of(kind: FlagKind, reasons: Iterable[str | None]) -> list[Flag | None]:
    """A check's reasons in words, as flags of one kind."""
    return [None if why is None else Flag(kind, why) for why in reasons]


@dataclass(frozen=True)
class Agent:
    """An agent that answers with a unified diff of the files it is given."""

    name: str
    summary: str  # one line, for `fixer agents` and --help
    prompt: str  # the agent's own rules; fixer's diff format follows them (prompts.diff_rules)
    request: str  # what it asks when the user gives no -i
    scenario: Scenario = Scenario.DEFAULT  # the Router scenario its route starts from
    route: str | None = None  # "provider,model": the agent's own route, above its scenario
    files: tuple[str, ...] = ()  # the file names it takes (glob patterns); () takes any
    guard: Guard = NO_GUARD
    origin: str = "built in"  # where it is defined: "built in", a config file, a Markdown file
    test: str | None = None  # the command that checks a proposal before the user decides
    context: int = 3  # unchanged lines around each change of its diffs
    view: TextView = FILE_LINES  # how its reviews cut a file into hunk lines
    takes_diffs: bool = True  # --from-diff and --compare apply: its replies are plain diffs
    explains: bool = True  # what the model says around its diff is shown
    prints_flagged: bool = True  # --print shows flagged hunks too (its guard only flags to look)
    offline: bool = True  # it has an offline fixer (ruff, codespell) for runs with no model

    @property
    def rules(self) -> str:
        """The system prompt: the agent's rules, then the diff format every agent answers in."""
        return self.prompt.rstrip("\n") + "\n" + prompts.diff_rules(self.context)

    def configured(self, config: Config) -> Agent:
        """The agent with the config's settings it reads (a prose agent's dialect and words)."""
        return self

    def own_route(self) -> Route | None:
        """The agent's own "provider,model" route (it escalates like Router.default), if any."""
        if self.route is None:
            return None
        return parse_route(self.route, Scenario.AGENT, f"the {self.name} agent's route")

    def refusal(self, name: str) -> str | None:
        """Why the agent does not take the file `name`, or None."""
        base = posixpath.basename(name)
        if not self.files or any(fnmatchcase(base, p) or fnmatchcase(name, p) for p in self.files):
            return None
        return f"the {self.name} agent takes {', '.join(self.files)}: {name} is not one"

    def offline_refusal(self) -> str | None:
        """Why the agent cannot run with no model, or None."""
        if self.offline:
            return None
        return (
            f"the {self.name} agent has no offline fixer: configure a provider "
            "(see `fixer config`) or name one with -m"
        )

    def sources_of(self, read: Mapping[str, Source], into: Source | None) -> dict[str, Source]:
        """The files a run works on, from the files named and --into's new file (None when not
        given): the files themselves, for an agent that changes the files it is given."""
        if into is not None:
            raise InputError(
                f"--into names the new file an agent such as merge writes; the {self.name} "
                "agent changes the files it is given"
            )
        return dict(read)

    def requests(self, sources: Mapping[str, Source], budget: int = 0) -> list[dict[str, Source]]:
        """How the work is cut into requests: the files in requests of at most `budget`
        estimated tokens (fixer/grouping.py), a big file alone; all in one with no budget."""
        sizes = {name: estimate_tokens(source.text) for name, source in sources.items()}
        return [{name: sources[name] for name in group} for group in group_files(sizes, budget)]

    def sections(self, text: str, limit: int) -> list[str]:
        """A file too long for one request (over `limit` estimated tokens), cut into pieces
        asked one by one; [] when it is asked whole."""
        return []

    def messages(
        self, sources: Mapping[str, Source], instruction: str | None, feedback: str = ""
    ) -> list[dict[str, str]]:
        """The chat messages of one request: rules, files in a stable order, then the request,
        then `feedback` (what the user said of an earlier proposal: prompts.review_feedback)."""
        files = list(sources.values())
        return prompts.messages(self.rules, files, instruction or self.request, feedback)

    def review(self, reply: str, sources: Mapping[str, Source], may_create: MayCreate) -> Review:
        """The review of a model's reply, or NoDiffError with feedback for the model."""
        why = cut_off(reply)  # a provider may say "stop" about a reply it cut
        if why is not None:
            raise NoDiffError(
                f"the reply looks cut off: {why}; a partial diff is never applied\n"
                f"{prompts.reply_preview(reply)}",
                prompts.CUT_OFF_FEEDBACK,
            )
        return self.guarded(diff_review(reply, {n: s.text for n, s in sources.items()}, may_create))

    def guarded(self, review: Review) -> Review:
        """The review with the guard's objections: refused hunks taken out, flagged ones flagged."""
        check = self.guard.check
        if check is None:
            return review
        reasons: dict[int, Flag] = {}
        for change in review.files:
            at = [k for k, h in enumerate(review.hunks) if h.name == change.name]
            found = check(change.name, change.original, [review.hunks[k].hunk for k in at])
            reasons.update((k, why) for k, why in zip(at, found, strict=True) if why)
        if not reasons:
            return review
        if not self.guard.refuses:
            hunks = tuple(
                replace(h, flag=h.flag or reasons.get(k)) for k, h in enumerate(review.hunks)
            )
            return Review(review.files, hunks)
        return refused(review, {k: str(flag) for k, flag in reasons.items()})

    def local_review(
        self, sources: Mapping[str, Source], may_create: MayCreate
    ) -> tuple[Review, tuple[str, ...]]:
        """The offline fixers' proposal (ruff, codespell) and their notes, for an agent that is
        `offline`. Runs the tools: called in a thread."""
        from fixer.local import propose_local

        local = propose_local(list(sources.values()))
        originals = {n: s.text for n, s in sources.items()}
        review = diff_review(local.text, originals, may_create) if local.text else Review((), ())
        return self.guarded(review), local.notes


def diff_review(reply: str, originals: Mapping[str, str], may_create: MayCreate) -> Review:
    """The review of a reply's diff of `originals`, or NoDiffError showing how the reply began."""
    try:
        review = refuse_unwritable(build_review(reply, originals, may_create))
    except PatchRejected as error:
        raise NoDiffError(
            f"{error}\n{prompts.reply_preview(reply)}", prompts.NO_DIFF_FEEDBACK
        ) from None
    if review.hunks or all(r.harmless for r in review.refusals):
        return review  # hunks to review, or nothing left to do: every hunk is already applied
    reasons = "\n".join(f"refused {r}" for r in review.refusals)
    raise NoDiffError(
        f"no hunk of the diff could be applied:\n{reasons}\n{prompts.reply_preview(reply)}",
        refusal_feedback(review.refusals),
        refused=len(review.refusals),
    )


def refuse_unwritable(review: Review) -> Review:
    """The review without the hunks whose new lines could not go into a text file (a NUL, a
    lone surrogate from an escape in the reply's JSON): each is refused with the reason before
    anyone reviews it, as a hunk that does not fit is."""
    reasons = {
        k: f"its new lines cannot be written: {why}"
        for k, item in enumerate(review.hunks)
        if (why := not_text("\n".join(line for line in item.hunk.lines if line[0] == "+")))
    }
    return refused(review, reasons) if reasons else review
