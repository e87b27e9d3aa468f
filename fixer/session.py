"""One run of fixer: read the files, get a proposal, and write + commit what was accepted.

The CLI and the TUI call these steps; none of them prints or imports Textual.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import pairwise
from math import ceil
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from fixer import prompts
from fixer.agents import FIX, Agent, diff_review, refuse_unwritable
from fixer.calls import Attempt, Caller
from fixer.commit_message import (
    clean_commit_message,
    commit_message_messages,
    template_commit_message,
)
from fixer.config import Config
from fixer.corrections import Correction
from fixer.cost import Money, format_money
from fixer.errors import FixerError, InputError, NoDiffError, WriteFailed, WriteRefused
from fixer.grouping import request_budget
from fixer.language import post_language
from fixer.ledger import AcceptedCorrection
from fixer.patch import PatchRejected, extract_diff, parse_diff
from fixer.review import Decision, Review, join_parts, merge_reviews
from fixer.router import (
    Route,
    Scenario,
    background_route,
    choose_route,
    escalation_ladder,
    long_context_threshold,
    parse_compare,
)
from fixer.sources import (
    PendingWrite,
    Source,
    looks_secret,
    new_source,
    prepare_write,
    read_source,
    relative_name,
)
from fixer.testoutcome import DEFAULT_TIMEOUT_S, TestOutcome
from fixer.tokens import estimate_tokens
from fixer.vcs import GitRepo, open_repo
from fixer.verify import Verifier, verifier_for

T = TypeVar("T")

if TYPE_CHECKING:
    from fixer.llm import Progress, Reply


@dataclass(frozen=True)
class Job:
    """What the user asked for on the command line."""

    paths: tuple[Path, ...]
    model: str | None = None
    instruction: str | None = None
    config_path: Path | None = None
    diff_text: str | None = None  # --from-diff: the user's own diff, no model call
    think: bool = False  # --think: start with Router.think
    compare: str | None = None  # --compare: several models asked at once
    agent: Agent = FIX  # what to ask for (--agent)
    escalate: bool = True  # climb the Escalation ladder when replies cannot be applied
    into: Path | None = None  # --into: the new file an agent writes from the files (merge)
    test: str | None = None  # the command run on the proposal: --test, the agent's, the config's
    test_timeout_s: float = DEFAULT_TIMEOUT_S  # --test-timeout


@dataclass(frozen=True)
class Workspace:
    """Where the files live: the repository root, or their common folder outside git."""

    root: Path
    repo: GitRepo | None


@dataclass(frozen=True)
class Proposal:
    """What one run proposes, and what it cost."""

    review: Review
    sources: Mapping[str, Source]
    route: Route | None  # the route whose reply is reviewed; None for --from-diff
    attempts: tuple[Attempt, ...] = ()  # every model call of the run, retries included
    notes: tuple[str, ...] = ()
    explanation: str = ""  # what the model said around its diff
    tests: TestOutcome | None = None  # the test command on every hunk of the proposal, if run

    @property
    def accepted_tests(self) -> TestOutcome | None:
        """The test run that stands for the accepted hunks: the proposal's own when every hunk
        is accepted, else None (the hunks to commit were never tried together)."""
        everything = all(d is Decision.ACCEPTED for d in self.review.decisions)
        return self.tests if everything else None

    @property
    def all_notes(self) -> tuple[str, ...]:
        """The run's notes, then the review's (hunks placed loosely, to check)."""
        return (*self.notes, *self.review.notes)


@dataclass(frozen=True)
class Outcome:
    """What was written and committed."""

    written: tuple[str, ...] = ()
    commit: str | None = None
    message: str | None = None
    uncommitted: tuple[str, ...] = ()  # written, but left uncommitted: they had earlier changes
    refused: tuple[str, ...] = ()  # what could not be written or committed, each saying why
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Run:
    """One run of fixer as the CLI and the review screen drive it."""

    job: Job
    workspace: Workspace
    sources: Mapping[str, Source]
    config: Config
    caller: Caller  # sends, prices and records the calls; one per run (a --from-diff run too)
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    commit: bool = True  # False with --no-commit: accepted hunks are written only
    verifier: Verifier | None = field(init=False)  # the job's test command, if any

    def __post_init__(self) -> None:
        job, workspace = self.job, self.workspace
        verifier = verifier_for(
            job.test, workspace.root, workspace.repo is not None, self.env, job.test_timeout_s
        )
        object.__setattr__(self, "verifier", verifier)  # frozen: set once, here

    def compared(self) -> list[Route]:
        """The routes of --compare, or [] when the run asks one model."""
        if self.job.compare is None:
            return []
        return parse_compare(self.job.compare, self.config)

    def route(self) -> Route | None:
        """The route of the run (None for --from-diff); the first one with --compare."""
        if self.job.diff_text is not None:
            return None
        if self.job.compare is not None:
            return self.compared()[0]
        return route_for(self.job, self.config, self.sources, _scenario(self.job), self.caller)

    def next_rung(self, after: Route | None) -> Route | None:
        """The route above `after` on the run's escalation ladder, or None at the top: what
        `r` asks in the review."""
        first = self.route()
        if first is None or first.is_local:
            return None
        ladder = escalation_ladder(self.config, first)
        names = [str(rung) for rung in ladder]
        above = names.index(str(after)) + 1 if str(after) in names else len(names)
        return ladder[above] if above < len(ladder) else None

    async def propose(
        self,
        route: Route | None,
        on_progress: Callable[[Progress], None] | None = None,
        *,
        only: str | None = None,
        feedback: str = "",
        watch: Watch | None = None,
    ) -> Proposal:
        """A proposal from `route` (climbing the ladder when its replies fail), or for the one
        file `only`, from exactly `route` (the review's `r`), told `feedback`: what the user
        said of the file's earlier hunks (prompts.review_feedback); `watch` is told how a run of
        several requests goes (and keeps the answered ones when it is cancelled)."""
        if only is not None:
            one = {only: self.sources[only]}
            return await self.ask(route, one, on_progress, escalate=False, feedback=feedback)
        if self.job.compare is not None:
            return await compare(self, self.compared(), on_progress)
        return await by_request(self, route, on_progress, watch=watch)

    async def ask(
        self,
        route: Route | None,
        sources: Mapping[str, Source],
        on_progress: Callable[[Progress], None] | None = None,
        *,
        escalate: bool = True,
        feedback: str = "",
    ) -> Proposal:
        """One proposal for `sources` from `route`, climbing the ladder when `escalate`; the
        request ends with `feedback` when there is one."""
        return await propose(
            replace(self.job, escalate=escalate, compare=None),
            sources,
            self.workspace,
            self.config,
            self.caller,
            route=route,
            on_progress=on_progress,
            env=self.env,
            verifier=self.verifier,
            feedback=feedback,
        )

    async def commit_message(
        self, proposal: Proposal, reviewed: bool = True
    ) -> tuple[str, str | None]:
        committed = to_commit(proposal, self.workspace)
        forced = self.caller.force
        named = {name: self.sources[name] for name in committed if name in self.sources}
        secrets = () if forced else secret_files(named, self.workspace)
        return await commit_message(
            proposal,
            committed,
            self.config,
            self.caller,
            reviewed=reviewed,
            secrets=secrets,
        )

    def finish(self, proposal: Proposal, message: str) -> Outcome:
        return write_and_commit(proposal, self.workspace, message, commit=self.commit)

    def settle(self, proposal: Proposal, outcome: Outcome | None = None) -> None:
        """Tell the ledger what the user did with each proposing call's hunks, and which
        corrections of the accepted hunks were written (`outcome`): the user's mistakes."""
        ledger = self.caller.ledger
        if ledger is None:
            return
        # Newest first: a file asked again (r) owes its hunks to the latest call that asked it.
        calls = [a for a in reversed(self.caller.attempts) if a.ledger_id and a.proposed]
        tally = {a.ledger_id: [0, 0] for a in calls if a.ledger_id}
        proposed_by: dict[int, int] = {}  # hunk index -> the first call row credited with it
        review = proposal.review
        for index, (item, decision) in enumerate(zip(review.hunks, review.decisions, strict=True)):
            if decision is Decision.PENDING:
                continue
            # With --compare a hunk names the models that proposed it: each one is credited.
            routes = item.source or (None,)
            for route in routes:
                owner = next(
                    (a for a in calls if item.name in a.files and route in (None, str(a.route))),
                    None,
                )
                if owner is not None and owner.ledger_id:
                    tally[owner.ledger_id][decision is Decision.REJECTED] += 1
                    proposed_by.setdefault(index, owner.ledger_id)
        # The ledger is for reports; the run is done either way, and each part may fail alone.
        with suppress(FixerError):
            for row, (accepted, rejected) in tally.items():
                ledger.set_decisions(row, accepted, rejected)
        with suppress(FixerError):
            ledger.record_corrections(_learned(proposal, outcome, self.job.agent.name, proposed_by))


def _learned(
    proposal: Proposal, outcome: Outcome | None, agent: str, proposed_by: Mapping[int, int]
) -> list[AcceptedCorrection]:
    """The ledger's rows for the corrections written: each with its file's language and the
    call row that proposed it (none for the offline fixers)."""
    found = corrected(proposal, outcome)
    at = datetime.now(UTC)
    languages = {name: post_language(_original(proposal, name)) for _, name, _ in found}
    return [
        AcceptedCorrection(
            at, agent, languages[name], str(c.kind), c.before, c.after, proposed_by.get(index)
        )
        for index, name, c in found
    ]


def corrected(proposal: Proposal, outcome: Outcome | None) -> list[tuple[int, str, Correction]]:
    """The corrections of the accepted hunks whose file was written, one for each change a
    hunk makes: each with its hunk's index and file."""
    written = set(outcome.written) if outcome is not None else set()
    review = proposal.review
    return [
        (index, item.name, part)
        for index, (item, decision) in enumerate(zip(review.hunks, review.decisions, strict=True))
        if decision is Decision.ACCEPTED and item.correction is not None and item.name in written
        for part in item.correction.each()
    ]


def _original(proposal: Proposal, name: str) -> str:
    """A file's text as read, before the review; a new file's text as proposed."""
    source = proposal.sources.get(name)
    return source.text if source is not None else proposal.review.file(name).original


def open_workspace(paths: Sequence[Path]) -> Workspace:
    """The one repository holding every file, or their common folder when none is in git.

    Paths are taken as the user wrote them, not through symlinks, so a link to a file elsewhere
    cannot move the workspace; read_source then refuses the link itself.
    """
    folders = [p if p.is_dir() else p.parent for p in (Path(x).absolute() for x in paths)]
    for folder in dict.fromkeys(folders):
        _refuse_linked_folder(folder)
    repos = {folder: open_repo(folder) for folder in dict.fromkeys(folders)}
    roots = {repo.root if repo else None for repo in repos.values()}
    if len(roots) > 1:
        raise InputError(
            "the files are not all in one git repository; run fixer once per repository"
        )
    repo = next(iter(repos.values()))
    if repo is not None:
        return Workspace(repo.root, repo)
    return Workspace(Path(os.path.commonpath([str(f) for f in folders])).resolve(), None)


def _refuse_linked_folder(folder: Path) -> None:
    """Refuse a path through a symlinked directory that leads out of the repository (or the
    folder) holding the link: fixer would edit and commit in another repository. Links that
    stay inside, and system links such as /var -> /private/var, are fine."""
    for link in (folder, *folder.parents):
        if not link.is_symlink():
            continue
        holder = open_repo(link.parent)
        container = holder.root if holder else link.parent.resolve()
        target = link.resolve()
        if not target.is_relative_to(container):
            raise InputError(
                f"{link} is a symlink to {target}, outside {container}: fixer would edit and "
                "commit files of another place. Name the real path if you mean it."
            )


def secrets_warning(run: Run) -> str | None:
    """What this run would send to a provider that likely holds secrets, or None: nothing
    such, the offline fixers or --from-diff (nothing leaves the machine), or --force."""
    route = run.route()
    if route is None or route.is_local or run.caller.force:
        return None
    # The files named as well as the run's: a merge sends its posts, as one new file.
    named = [relative_name(path, run.workspace.root) for path in run.job.paths]
    found = secret_files(list(dict.fromkeys([*named, *run.sources])), run.workspace)
    if not found:
        return None
    return f"{', '.join(found)}: likely holds secrets, and this run would send it to {route}."


def secret_files(sources: Collection[str], workspace: Workspace) -> list[str]:
    """The selected files that likely hold secrets, each with why: a secret-looking name
    (.env, *.pem, id_rsa, ...) or ignored by git (.gitignore keeps what must not be shared)."""
    from fixer.vcs import ignored

    hidden = ignored(workspace.root, list(sources)) if workspace.repo is not None else set()
    return [
        f"{name} ({'a secret-looking name' if looks_secret(name) else 'git ignores it'})"
        for name in sources
        if looks_secret(name) or name in hidden
    ]


def read_sources(paths: Sequence[Path], root: Path) -> dict[str, Source]:
    """Read every selected file, refusing the whole run on the first bad one."""
    sources: dict[str, Source] = {}
    for path in paths:
        source = read_source(Path(path), root)
        sources.setdefault(source.name, source)
    return sources


def run_sources(job: Job, root: Path) -> dict[str, Source]:
    """The files the run works on: those named, as the agent makes them its own (merge makes
    one new file, --into, of them)."""
    into = new_source(job.into, root) if job.into is not None else None
    return job.agent.sources_of(read_sources(job.paths, root), into)


def paths_named_by(diff_text: str, root: Path) -> tuple[Path, ...]:
    """The existing files a user's diff patches, used when --from-diff is given no FILE."""
    try:
        patches = parse_diff(extract_diff(diff_text) or diff_text)
    except PatchRejected as error:
        raise InputError(f"the diff cannot be read: {error}") from None
    names = {p.old_path for p in patches if p.old_path and p.new_path}
    return tuple(root / n for n in sorted(names) if (root / n).is_file())


def prompt_estimate(sources: Mapping[str, Source], job: Job | None = None, budget: int = 0) -> int:
    """The estimated prompt tokens of the job's largest request for these files (an agent may
    ask one file at a time, or group them under `budget`)."""
    job = job or Job(())
    return max(
        (
            sum(estimate_tokens(m["content"]) for m in job.agent.messages(part, job.instruction))
            for part in job.agent.requests(sources, budget)
        ),
        default=0,
    )


def run_budget(job: Job, config: Config) -> int:
    """The files' tokens one of the run's requests may hold (fixer/grouping.py)."""
    rules = estimate_tokens(job.agent.rules)
    return request_budget(config.router, config.ui.max_output_tokens, rules)


def _scenario(job: Job) -> Scenario:
    """The Router scenario a run starts from: --think, else the agent's own."""
    return Scenario.THINK if job.think else job.agent.scenario


def route_for(
    job: Job,
    config: Config,
    sources: Mapping[str, Source],
    scenario: Scenario = Scenario.DEFAULT,
    caller: Caller | None = None,
) -> Route:
    """The route of this run: -m wins, then the Router's scenarios.

    The prompt size that picks longContext is corrected by the ledger's history of the model
    the run would otherwise use, when there is one.
    """
    tokens = prompt_estimate(sources, job, run_budget(job, config))
    own = job.agent.own_route()
    route = choose_route(
        config, scenario=scenario, override=job.model, prompt_tokens=tokens, own=own
    )
    corrected = caller.corrected(route, tokens) if caller is not None else tokens
    if corrected == tokens:
        return route
    return choose_route(
        config, scenario=scenario, override=job.model, prompt_tokens=corrected, own=own
    )


async def propose(
    job: Job,
    sources: Mapping[str, Source],
    workspace: Workspace,
    config: Config,
    caller: Caller,
    *,
    route: Route | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    env: Mapping[str, str] | None = None,
    verifier: Verifier | None = None,
    feedback: str = "",
) -> Proposal:
    """Get a proposal for the files: from the user's diff, the offline fixers or a model
    (its calls go through `caller`; `feedback` ends its request), tried with the test command
    when there is one: a model's proposal that fails it goes back once to the same model,
    then up the ladder."""
    env = os.environ if env is None else env
    if job.diff_text is not None:
        review = _review(job.diff_text, sources, workspace, job.agent)
        return Proposal(review, sources, None, tests=await _tried(verifier, review))
    route = route or route_for(job, config, sources, _scenario(job), caller)
    if route.is_local:
        if why := job.agent.offline_refusal():
            raise InputError(why)
        # In a thread: ruff and codespell take a moment, and the review screen keeps drawing.
        local = await asyncio.to_thread(job.agent.local_review, sources, _may_create(workspace))
        review = refuse_unwritable(local[0])
        tests = await _tried(verifier, review)
        return Proposal(review, sources, route, notes=local[1], tests=tests)
    ladder = escalation_ladder(config, route) if job.escalate else [route]
    attempts: list[Attempt] = []
    failure: NoDiffError | None = None
    failing: Proposal | None = None  # the last proposal the tests failed, should none pass
    request = job.instruction or job.agent.request
    if verifier is not None:
        _doing(on_progress, "running the tests before asking")
        request = await verifier.request(request)
    for rung in ladder:
        messages = job.agent.messages(sources, request, feedback)
        for asked_again in (False, True):
            reply, estimate = await caller.send(rung, messages, on_progress)
            try:
                # In a thread: a long reply's review, and Harper's check of it, take a moment.
                review = await asyncio.to_thread(
                    _reply_review, reply, sources, workspace, job.agent
                )
            except NoDiffError as error:
                outcome = _failure_outcome(error)
                attempts.append(
                    caller.record(rung, reply, outcome, estimate, refused=error.refused)
                )
                failure = error
                if not asked_again:
                    # Once, the same model gets the precise apply error; then the next rung.
                    messages = messages + prompts.retry_messages(reply.text, error.feedback)
                continue
            if verifier is not None and review.hunks:
                _doing(on_progress, "running the tests on the proposal")
            tests = await _tried(verifier, review)
            attempts.append(
                caller.record(
                    rung,
                    reply,
                    _hunks_outcome(review, tests),
                    estimate,
                    proposed=len(review.hunks),
                    refused=len(review.refusals),
                    files=tuple(sources),
                    tests=tests,
                )
            )
            said = prompts.explanation(reply.text) if job.agent.explains else ""
            notes = _attempt_notes(attempts)
            proposal = Proposal(review, sources, rung, tuple(attempts), notes, said, tests)
            if verifier is None or tests is None or tests.passed:
                return proposal
            failing = proposal
            if not asked_again:  # once, the same model sees the failure; then the next rung
                why = verifier.feedback(tests)
                messages = messages + prompts.retry_messages(reply.text, why, prompts.PASSING_DIFF)
    if failing is not None:  # the tests failed every proposal: the last is reviewed, saying so
        return replace(failing, attempts=tuple(attempts), notes=_attempt_notes(attempts))
    assert failure is not None  # the ladder always has a rung
    tried = "\n".join(f"  {a.route}: {a.outcome}" for a in attempts)
    # The calls still cost money: the ledger records them.
    tried_all = f"{failure}\nevery attempt failed:\n{tried}"
    raise NoDiffError(tried_all, failure.feedback, attempts=tuple(attempts))


WAITING, ASKING = "waiting", "asking"  # a request's files, before it is answered


@dataclass(frozen=True)
class Watch:
    """What the review screen is told while a run of several requests goes on: each request's
    proposal as it comes (`part`), and its files' state (`state`: waiting, asking, or "failed:
    why"). A watched run that is cancelled is the proposal of the requests already answered."""

    part: Callable[[Proposal], None]
    state: Callable[[tuple[str, ...], str], None]


async def by_request(
    run: Run,
    route: Route | None,
    on_progress: Callable[[Progress], None] | None = None,
    *,
    watch: Watch | None = None,
) -> Proposal:
    """The agent's requests (files grouped under the run's budget, or one per post), sent at
    once (within the run's concurrency and rate limit), then one review of them all."""
    parts = run.job.agent.requests(run.sources, run_budget(run.job, run.config))
    if len(parts) == 1:
        return await _ask_part(run, route, parts[0], on_progress)
    _check_plan(run, route, parts)
    # At most `concurrency` requests at once, all sharing the caller's rate limit and Budget.
    slots = asyncio.Semaphore(run.config.concurrency)
    done = [0, 0]  # requests, files
    started = time.monotonic()

    def report(part: dict[str, Source]) -> None:
        done[0] += 1
        done[1] += len(part)
        if run.caller.on_run is not None:
            currency = run.config.budget.currency
            money = format_money(Money(run.caller.spent(currency), currency))
            requests, files = (done[0], len(parts)), (done[1], len(run.sources))
            tokens, elapsed = run.caller.tokens(), time.monotonic() - started
            run.caller.on_run(progress_line(requests, files, tokens, money, elapsed))

    async def asked(part: dict[str, Source]) -> Proposal:
        async with slots:
            if watch is not None:
                watch.state(tuple(part), ASKING)
            try:
                proposal = await _ask_part(run, route, part, on_progress)
            except FixerError as error:
                report(part)
                if watch is not None:
                    watch.state(tuple(part), f"failed: {str(error).splitlines()[0]}")
                raise
            report(part)
            if watch is not None:
                watch.part(proposal)
            return proposal

    if watch is not None:
        for part in parts:
            watch.state(tuple(part), WAITING)
    tasks = [asyncio.ensure_future(asked(part)) for part in parts]
    try:
        results: list[object] = list(await asyncio.gather(*tasks, return_exceptions=True))
    except asyncio.CancelledError:
        # Esc in the review: the requests not answered stop; the finished ones stay reviewable.
        # Headless, an interrupted run writes nothing.
        results = [_finished(task) for task in tasks]
        if not (watch and any(isinstance(r, Proposal) for r in results)):
            raise
    proposals: list[Proposal] = []
    notes: list[str] = []
    for part, result in zip(parts, results, strict=True):
        if result is None:
            notes.append(f"{', '.join(part)}: not answered, the run was stopped")
        elif isinstance(result, FixerError):  # one request failing never costs the others
            notes.append(f"{', '.join(part)}: {str(result).splitlines()[0]}")
        elif isinstance(result, BaseException):
            raise result
        elif isinstance(result, Proposal):
            proposals.append(result)
            notes += result.notes
    if not proposals:
        first = next(r for r in results if isinstance(r, FixerError))
        raise first
    review = Review(
        tuple(f for p in proposals for f in p.review.files),
        tuple(h for p in proposals for h in p.review.hunks),
    )
    attempts = tuple(a for p in proposals for a in p.attempts)
    return Proposal(review, run.sources, proposals[0].route, attempts, tuple(notes))


def _finished(task: asyncio.Future[Proposal]) -> object:
    """A request's proposal or error when it was done before the run stopped, else None."""
    if not task.done() or task.cancelled():
        return None
    return task.exception() or task.result()


def progress_line(
    requests: tuple[int, int], files: tuple[int, int], tokens: int, spent: str, elapsed_s: float
) -> str:
    """How far a run of several requests has come: requests and files done of all, tokens and
    cost so far, and the time left if the rest go as fast."""
    (done, total), (files_done, files_total) = requests, files
    left = elapsed_s / done * (total - done) if done else 0.0
    eta = f", about {ceil(left)} s left" if done < total else f", in {elapsed_s:.1f} s"
    return (
        f"{done} of {total} requests done ({files_done} of {files_total} files), "
        f"{tokens:,} tokens, {spent} so far{eta}"
    )


def _check_plan(run: Run, route: Route | None, parts: Sequence[Mapping[str, Source]]) -> None:
    """Before a run of several requests sends anything: what it sends and costs at most, said,
    or refused above fixer.confirm_above (LargePrompt) until the user says yes."""
    job, scenario = run.job, _scenario(run.job)
    tokens = 0
    costs = []
    for part in parts:
        rung = route or route_for(job, run.config, part, scenario, run.caller)
        if rung.is_local:
            return  # the offline fixers cost nothing
        raw, cost = run.caller.estimate(rung, job.agent.messages(part, job.instruction))
        tokens += raw
        costs.append(cost)
    run.caller.check_run(sum(len(part) for part in parts), len(parts), tokens, costs)


async def _ask_part(
    run: Run,
    route: Route | None,
    sources: Mapping[str, Source],
    on_progress: Callable[[Progress], None] | None = None,
) -> Proposal:
    """One request; a file longer than Router.longContextThreshold that the agent cuts (a
    post, at headings) is asked section by section, each section routed by its own size."""
    limit = long_context_threshold(run.config.router) if run.config else 0
    asked_whole = len(sources) != 1 or not limit or route is None or route.is_local
    (source,) = sources.values() if not asked_whole else (None,)
    parts = run.job.agent.sections(source.text, limit) if source is not None else []
    if source is None or len(parts) <= 1:
        return await run.ask(route, sources, on_progress)
    asked = await asyncio.gather(
        *(run.ask(None, {source.name: replace(source, text=part)}, on_progress) for part in parts),
        return_exceptions=True,
    )
    # Each section stands alone: one that no rung could answer leaves its text as it is, and
    # the others' corrections, already paid for, are kept.
    failed = [(k, a) for k, a in enumerate(asked, start=1) if isinstance(a, FixerError)]
    if len(failed) == len(parts):
        raise failed[0][1]
    for answer in asked:
        if isinstance(answer, BaseException) and not isinstance(answer, FixerError):
            raise answer
    proposals = [a for a in asked if isinstance(a, Proposal)]
    reviews = [a.review if isinstance(a, Proposal) else Review((), ()) for a in asked]
    review = join_parts(source.name, list(zip(parts, reviews, strict=True)), run.job.agent.view)
    attempts = tuple(
        x for a in asked for x in (a.attempts if isinstance(a, Proposal) else _attempts_of(a))
    )
    notes = [f"{source.name} was asked in {len(parts)} sections, cut at headings"]
    notes += [
        f"{source.name}: section {k} of {len(parts)} ({_opening(parts[k - 1])}) left as it is: "
        f"{_failure_outcome(error)}"
        for k, error in failed
    ]
    notes += [n for p in proposals for n in p.notes]
    return Proposal(review, {source.name: source}, proposals[0].route, attempts, tuple(notes))


def _attempts_of(error: BaseException) -> tuple[Attempt, ...]:
    """The calls a failed request made: they cost money too."""
    return error.attempts if isinstance(error, NoDiffError) else ()


def _opening(section: str, limit: int = 40) -> str:
    """A section's heading, for a note that names it; the first one may have none."""
    first = next((line.strip() for line in section.splitlines() if line.strip()), "")
    if not first.startswith("#"):
        return "the start of the post"
    return first if len(first) <= limit else first[: limit - 1] + "…"


async def compare(
    run: Run, routes: Sequence[Route], on_progress: Callable[[Progress], None] | None = None
) -> Proposal:
    """The same request to several models at once, merged into one review (--compare).

    Each model gets its one retry with the apply error but no escalation; a model that fails
    is named in the notes, and the run fails only when every model does.
    """
    results = await asyncio.gather(
        *(run.ask(route, run.sources, on_progress, escalate=False) for route in routes),
        return_exceptions=True,
    )
    reviews: dict[str, Review] = {}
    attempts: list[Attempt] = []
    notes: list[str] = []
    for route, result in zip(routes, results, strict=True):
        if isinstance(result, FixerError):
            attempts += _attempts_of(result)
            notes.append(f"{route} failed: {str(result).splitlines()[0]}")
        elif isinstance(result, BaseException):
            raise result
        else:
            reviews[str(route)] = result.review
            attempts += result.attempts
            notes += result.notes
    if not reviews:
        raise NoDiffError("no compared model gave a usable diff:\n" + "\n".join(notes))
    return Proposal(merge_reviews(reviews), run.sources, routes[0], tuple(attempts), tuple(notes))


def _hunks_outcome(review: Review, tests: TestOutcome | None = None) -> str:
    count = len(review.hunks)
    said = f"{count} hunk{'s' * (count != 1)}" if count else "no changes"
    return f"{said}, {tests.summary()}" if tests is not None else said


def _doing(on_progress: Callable[[Progress], None] | None, activity: str) -> None:
    """Say what runs between the calls, where the call's progress is shown."""
    from fixer.llm import Progress

    if on_progress is not None:
        on_progress(Progress(0, 0.0, activity=activity))


async def _tried(verifier: Verifier | None, review: Review) -> TestOutcome | None:
    """The test command on every hunk of the proposal, when the run has one."""
    return await verifier.on_proposal(review) if verifier is not None else None


def _failure_outcome(error: FixerError) -> str:
    """The reason on one line: a message whose first line ends in a colon goes on to what
    follows (how the reply began), never a bare colon."""
    said = " ".join(str(error).split())
    return said if len(said) <= 120 else said[:119] + "…"


def _attempt_notes(attempts: Sequence[Attempt]) -> tuple[str, ...]:
    """One line per failed attempt before the one reviewed, so escalation is never silent,
    then what the calls themselves had to say (a request field the provider refused)."""
    return tuple(
        f"{a.route} gave {a.outcome} (cost {a.cost}); "
        + (
            f"asked again with the {'apply error' if a.tests is None else 'test failure'}"
            if b.route == a.route
            else f"moved up to {b.route}"
        )
        for a, b in pairwise(attempts)
    ) + tuple(dict.fromkeys(n for a in attempts if a.reply for n in a.reply.notes))


def _reply_review(
    reply: Reply, sources: Mapping[str, Source], workspace: Workspace, agent: Agent
) -> Review:
    """The review of a model's reply; a cut-off reply is refused, since its diff may be partial."""
    if reply.text.strip() == prompts.NO_CHANGES:
        return Review((), ())
    if reply.finish_reason in (None, "length"):
        why = "its output limit" if reply.finish_reason == "length" else "a cut connection"
        why = reply.cut_by or why
        raise NoDiffError(
            f"the reply was cut off by {why}; a partial diff is never applied\n"
            f"{prompts.reply_preview(reply.text)}",
            prompts.CUT_OFF_FEEDBACK,
        )
    return refuse_unwritable(agent.review(reply.text, sources, _may_create(workspace)))


def _may_create(workspace: Workspace) -> Callable[[str], str | None]:
    """Whether a reply may create a file of that name in the workspace: None, or why not."""

    def may_create(name: str) -> str | None:
        try:
            new_source(workspace.root / name, workspace.root)
        except InputError as error:
            return str(error)
        return None

    return may_create


def _review(diff: str, sources: Mapping[str, Source], workspace: Workspace, agent: Agent) -> Review:
    """The review of the user's own diff (--from-diff), through the agent's guard."""
    originals = {name: s.text for name, s in sources.items()}
    return refuse_unwritable(agent.guarded(diff_review(diff, originals, _may_create(workspace))))


def to_commit(proposal: Proposal, workspace: Workspace) -> dict[str, int]:
    """The accepted hunks' count per file that the commit will hold: files that had changes
    before fixer ran are written but left out of the commit."""
    accepted = proposal.review.accepted()
    repo = workspace.repo
    if repo is None:
        return {name: len(hunks) for name, hunks in accepted.items()}
    paths = {workspace.root / name: name for name in accepted}
    dirty = {paths[p] for p in _git_before_writing(lambda: repo.dirty(list(paths))) if p in paths}
    return {name: len(hunks) for name, hunks in accepted.items() if name not in dirty}


async def commit_message(
    proposal: Proposal,
    committed: Mapping[str, int],
    config: Config,
    caller: Caller,
    *,
    reviewed: bool = True,
    secrets: Sequence[str] = (),
) -> tuple[str, str | None]:
    """A one-line commit message for the `committed` files (hunks per file), from the
    background route when configured; and a note why not. The diff of a file in `secrets`
    is never sent: the message comes from the template."""
    review = proposal.review
    fallback = template_commit_message(list(committed), sum(committed.values()), reviewed=reviewed)
    route = background_route(config)
    if route is None or route.is_local:
        return fallback, None
    if secrets:
        return fallback, f"commit message from the template: not sending {', '.join(secrets)}"
    try:
        messages = commit_message_messages(review.as_diff(True, files=committed))
        reply, estimate = await caller.send(route, messages, agent="commit-message")
    except FixerError as error:
        return fallback, f"commit message from the template: {error}"
    message = clean_commit_message(reply.text)
    caller.record(
        route, reply, "message" if message else "no message", estimate, agent="commit-message"
    )
    return (message, None) if message else (fallback, "the background model gave no message")


def write_and_commit(
    proposal: Proposal,
    workspace: Workspace,
    message: str,
    *,
    commit: bool = True,
) -> Outcome:
    """Write every file with accepted hunks atomically, then commit exactly those files.

    A file that had uncommitted changes before fixer ran is written but not committed, so the
    user's earlier changes are never committed silently. A file that changed on disk since it was
    read is not written at all.
    """
    texts = proposal.review.new_texts()
    repo = workspace.repo
    if commit and repo is not None and texts:
        problem = _git_before_writing(repo.commit_problem)
        if problem:
            raise WriteRefused(f"{problem} Nothing was written.")
    targets = [_source_of(proposal, workspace, name) for name in texts]
    dirty = set()
    if repo is not None and commit:
        paths = [t.path for t in targets if t.exists]
        dirty = _git_before_writing(lambda: repo.dirty(paths))
    written, refused, notes = _write_all(targets, texts)
    uncommitted = tuple(s.name for s in written if s.path in dirty)
    to_commit = [s.path for s in written if s.path not in dirty]
    sha = None
    if commit and repo is None and written:
        notes.append("not a git repository: files written, no commit made")
    if commit and repo is not None and to_commit:
        try:
            sha = repo.commit(to_commit, message)
        except WriteRefused as error:
            refused.append(
                _not_committed(error, [s.name for s in written if s.path in to_commit], message)
            )
    return Outcome(
        tuple(s.name for s in written),
        sha,
        message if sha else None,
        uncommitted,
        tuple(refused),
        tuple(notes),
    )


def _write_all(
    targets: Sequence[Source], texts: Mapping[str, str]
) -> tuple[list[Source], list[str], list[str]]:
    """Write the files: every new text beside its file first, then each renamed into place,
    so a disk that fails (full, I/O error) leaves every file as it was. A file refused on its
    own (changed on disk, read-only, swapped) is skipped and said. Returns the files written,
    the refusals and the notes."""
    pending: list[PendingWrite] = []
    refused: list[str] = []
    for source in targets:
        try:
            pending.append(prepare_write(source, texts[source.name]))
        except WriteFailed as error:
            for waiting in pending:
                waiting.discard()
            raise WriteFailed(f"{error} Nothing was written.") from error
        except WriteRefused as error:
            refused.append(f"not written: {error}")
    written: list[Source] = []
    notes: list[str] = []
    for waiting in pending:
        try:
            waiting.apply()
        except WriteRefused as error:
            refused.append(f"not written: {error}")
            continue
        written.append(waiting.source)
        if waiting.note:
            notes.append(waiting.note)
    return written, refused, notes


def _source_of(proposal: Proposal, workspace: Workspace, name: str) -> Source:
    source = proposal.sources.get(name)
    return source if source is not None else new_source(workspace.root / name, workspace.root)


def _git_before_writing(ask: Callable[[], T]) -> T:
    """A git question asked before anything is written; git failing to answer (a corrupt
    index, a repository gone) is a WriteRefused that says nothing was written, never a
    traceback."""
    try:
        return ask()
    except WriteRefused as error:
        raise WriteRefused(
            f"{error}\nNothing was written. Fix what git says (git status says it too), or run "
            "with --no-commit to write without git."
        ) from error


def _not_committed(error: WriteRefused, names: Sequence[str], message: str) -> str:
    """The files were written, the commit failed: what state they are in and what to run."""
    import shlex

    quoted = " ".join(shlex.quote(n) for n in names)
    return (
        f"written but not committed: {error}\n"
        f"{', '.join(names)} now hold the accepted hunks, uncommitted (nothing else changed). "
        f"Once git works again, commit them with: git add -- {quoted} && "
        f"git commit -m {shlex.quote(message)} -- {quoted}"
    )
