"""The review screen: the status line, the file list, the hunks, and every key of the review.

It asks for the proposal in a worker, so the screen is up before the model answers.
"""

from __future__ import annotations

from asyncio import CancelledError
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from time import monotonic
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, OptionList, Static

from fixer import prompts
from fixer.cost import Cost, format_money
from fixer.errors import FixerError, LargePrompt, NoDiffError
from fixer.keys import REVIEW_KEYS, Key
from fixer.llm import ChatError, Progress
from fixer.printable import printable, printable_lines, without_escapes
from fixer.report import counted, spend, total_cost
from fixer.review import Decision, Review, ReviewHunk
from fixer.router import Route
from fixer.session import Outcome, Proposal, Run, Watch, secrets_warning
from fixer.tui.commit_screen import CommitScreen
from fixer.tui.dialogs import AskScreen, ConfirmScreen, EditScreen, HelpScreen, TextScreen
from fixer.tui.file_list import FileList
from fixer.tui.hunk_view import HunkView
from fixer.tui.layout import StatusPart, fit_status, styled_spans
from fixer.tui.messages import (
    FilesState,
    PartReady,
    PromptTooLarge,
    ProposalCancelled,
    ProposalFailed,
    ProposalReady,
    Request,
    TestsChecked,
)

if TYPE_CHECKING:
    from fixer.tui.app import ReviewResult

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
NOTE_SECONDS = 6
# Keys that still run when they cannot act, to say why (u, c, s).
EXPLAINED = {"undo", "commit", "split"}
# Keys that need hunks on screen; dimmed while the model is still answering.
NEEDS_HUNKS = {entry.action_name for entry in REVIEW_KEYS if entry.needs_hunks}
KEY_IDS = {entry.id for entry in REVIEW_KEYS}


def bindings(keys: Sequence[Key]) -> list[BindingType]:
    """Textual's bindings for the registry's keys; a keymap remaps them by id."""
    groups = {k.group: Binding.Group(k.group) for k in keys if k.group is not None}
    return [
        Binding(
            k.key,
            k.action,
            k.description,
            show=k.show,
            id=k.id,
            group=groups[k.group] if k.group is not None else None,
        )
        for k in keys
    ]


def _matches(review: Review, index: int, needle: str) -> bool:
    item = review.hunks[index]
    return needle in item.name.lower() or any(needle in line.lower() for line in item.hunk.lines)


class ReviewScreen(Screen[None]):
    """One key per decision, as in git add -p; c opens the commit screen."""

    CSS_PATH = "review_screen.tcss"
    # Textual annotates this `ClassVar[...] | None`, which mypy reads as an instance variable.
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [  # type: ignore[misc]
        (0, "-narrow"),
        (100, "-wide"),
    ]
    AUTO_FOCUS = "HunkView"
    BINDINGS: ClassVar[list[BindingType]] = bindings(REVIEW_KEYS)

    def __init__(
        self, run: Run, result: ReviewResult, route: Route | None, syntax: Callable[[], str]
    ) -> None:
        """`syntax` gives the Pygments style of the theme in use (it follows theme changes)."""
        super().__init__()
        self.run = run
        self.result = result
        self.route = route
        self.syntax = syntax
        self.shown_hunks: tuple[ReviewHunk, ...] = ()
        self.asking_since: float | None = None
        # A run of several requests shows each one's files as it is answered: the review fills
        # while the rest are asked, and its hunks can be decided meanwhile.
        self.filling = False
        self.told: set[str] = set()  # the notes of the parts shown so far
        self.states: dict[str, str] = {}  # a run's files not in the review: waiting, asking...
        self.testing = False  # the tests run again on the review (after r)
        self.progress: Progress | None = None
        self.search_text = ""
        self.estimate = ""
        self.request = Request(route)  # the latest: its route is shown while asking, or failed
        self.binding_state: tuple[bool, ...] = ()
        self.note_timer: Timer | None = None

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="status", markup=False)
        with Horizontal(id="main"):
            yield FileList(id="files")
            with Vertical(id="right"):
                yield Static(id="note", markup=False)
                yield Static(id="message", markup=False)
                yield HunkView(self.syntax(), id="hunks")
        yield Footer()

    @property
    def review(self) -> Review | None:
        """The decisions on screen, or None while the first proposal is awaited."""
        return self.result.proposal.review if self.result.proposal is not None else None

    @property
    def proposal(self) -> Proposal:
        """The proposal on screen, for the keys that need one: can_act (through check_action)
        lets none of them act before there is one."""
        if self.result.proposal is None:
            raise RuntimeError("a key that needs a proposal acted before there was one")
        return self.result.proposal

    @property
    def hunks(self) -> HunkView:
        return self.query_one(HunkView)

    @property
    def cursor(self) -> int:
        return self.hunks.cursor

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self.on_theme_changed)
        self.spinner = self.set_interval(0.1, self.tick, pause=True)
        if self.result.problems:  # broken themes or keymap
            self.tell("\n".join(self.result.problems), "warning")
        self.run.caller.on_estimate = self.on_estimate  # before each call: its cost, in the status
        self.run.caller.on_run = self.tell  # what a run of several requests sends, then does
        if self.result.proposal is not None:
            self.record_attempts(self.result.proposal)
            self.show_proposal(self.result.proposal)
        elif warning := secrets_warning(self.run):
            self.ask_to_send_secrets(warning)
        else:
            self.ask(Request(self.route))

    def on_theme_changed(self, _theme: object) -> None:
        self.hunks.set_syntax(self.syntax())

    def tell(self, text: str, severity: str = "information") -> None:
        """A short message above the hunks, gone after a while: never over the current hunk."""
        note = self.query_one("#note", Static)
        note.update(printable_lines(text))
        note.set_classes(f"-{severity}")
        self.add_class("-note")
        if self.note_timer is not None:
            self.note_timer.stop()
        self.note_timer = self.set_timer(NOTE_SECONDS, self._untell)

    def _untell(self) -> None:
        self.note_timer = None
        self.remove_class("-note")

    def say(self, text: str) -> None:
        """A message in place of the hunks (asking, nothing to review, an error)."""
        self.query_one("#message", Static).update(printable_lines(text))
        self.add_class("-message")

    # -- asking the model ------------------------------------------------------------------

    @work(exclusive=True, group="proposal")
    async def ask(self, request: Request) -> None:
        """Ask for the whole proposal, or (`request.only`) again for one file, keeping the rest;
        the answer comes back as a message."""
        self.request = request
        self.asking_since = monotonic()
        self.spinner.resume()
        self.progress = None
        if request.only is None:
            who = f"{request.route}" if request.route else "your diff"
            files = ", ".join(self.run.sources)
            self.say(f"Asking {who} for a diff of {files}…\n\nEsc cancels.")
        self.update_bindings()
        try:
            proposal = await self.run.propose(
                request.route,
                on_progress=self.on_progress,
                only=request.only,
                feedback=request.feedback,
                watch=Watch(
                    part=lambda part: self._post(PartReady(request, part)),
                    state=lambda names, state: self._post(FilesState(names, state)),
                ),
            )
        except LargePrompt as error:
            self.post_message(PromptTooLarge(request, error))
        except FixerError as error:  # the user's to read; anything else is a bug and crashes
            self.post_message(ProposalFailed(request, error))
        except CancelledError:
            self.post_message(ProposalCancelled(request))
            raise
        else:
            self.post_message(ProposalReady(request, proposal))

    def on_progress(self, progress: Progress) -> None:
        self.progress = progress

    def on_estimate(self, route: Route, cost: Cost) -> None:
        self.estimate = f"about {format_money(cost.money)}" if cost.money else "price unknown"

    def _answered(self) -> None:
        """The request is over: the status stops counting."""
        self.asking_since = None
        self.spinner.pause()

    def _after_answer(self) -> None:
        self.update_bindings()
        self.tick()

    def _post(self, message: PartReady | FilesState) -> None:
        self.post_message(message)

    def on_files_state(self, event: FilesState) -> None:
        """A request of the run is waiting, asked, or failed: its files say so in the list."""
        self.states.update(dict.fromkeys(event.names, event.state))
        if self.review is not None:
            self.query_one(FileList).show(self.review, self.states)

    def on_part_ready(self, event: PartReady) -> None:
        """One request of the run answered: its files join the review on screen."""
        part = event.proposal
        self.record_attempts(part)
        self.told.update(part.all_notes)
        changed = {h.name for h in part.review.hunks}
        for name in part.sources:  # answered: in the review, or with nothing to change
            self.states[name] = "" if name in changed else "no changes"
        if not self.filling or self.result.proposal is None:
            self.filling = True
            # A review of its own: the parts' reviews are joined again when the run ends.
            fresh = Review(part.review.files, part.review.hunks)
            self.show_proposal(replace(part, review=fresh, sources=self.run.sources))
        elif self.proposal.review.extend(part.review):
            self.redraw(self.cursor)
        else:  # nothing to review in it: the list still says its files were answered
            self.query_one(FileList).show(self.proposal.review, self.states)
        self.update_bindings()

    def on_proposal_ready(self, event: ProposalReady) -> None:
        self._answered()
        if self.filling:  # every part is on screen, decided as it came: only the notes are new
            self.filling = False
            self.result.proposal = replace(event.proposal, review=self.proposal.review)
            fresh = [n for n in event.proposal.all_notes if n not in self.told]
            if fresh:
                self.tell("\n".join(fresh))
            if not self.proposal.review.hunks:
                self.show_proposal(self.proposal)
        elif event.request.only is None:
            self.record_attempts(event.proposal)
            self.show_proposal(event.proposal)
        else:
            self.record_attempts(event.proposal)
            self.take_file(event.request.only, event.request.route, event.proposal)
        self._after_answer()

    def on_proposal_failed(self, event: ProposalFailed) -> None:
        self._answered()
        self.filling = False
        if self.review is not None:  # asking again failed: the earlier proposal stays
            self.tell(str(event.error), "error")
            self.remove_class("-message")
        else:
            self.result.error = event.error
            instead = self._why_not_ask_again()
            keys = f"{instead}\n\nq quits." if instead else "r asks a stronger model, q quits."
            self.say(f"{event.error}\n\n{keys}")
        self._after_answer()

    def on_proposal_cancelled(self, _event: ProposalCancelled) -> None:
        self._answered()
        self.filling = False
        if self.review is not None:  # the earlier proposal stays
            self.tell("Cancelled.")
            self.remove_class("-message")
        else:
            self.result.cancelled = True
            self.say("Cancelled: nothing was written.\n\nr asks again, q quits.")
        self._after_answer()

    def on_prompt_too_large(self, event: PromptTooLarge) -> None:
        self._answered()
        self.ask_to_send_large(event.error, event.request)

    def ask_to_send_large(self, error: LargePrompt, request: Request) -> None:
        """A prompt over the size limit is sent only after a yes."""
        self.say(f"{error}\n\nWaiting for your answer.")
        self.update_bindings()

        def answer(yes: bool | None) -> None:
            if yes:
                self.run.caller.large_prompts_ok = True  # for the run's later calls too
                self.ask(request)
                return
            self.result.cancelled = self.review is None
            if self.review is not None:
                self.remove_class("-message")
                self.tell("Not sent.")
            else:
                self.say("Not sent: nothing was written.\n\nq quits.")

        self.app.push_screen(ConfirmScreen(f"{error}\n\nSend it anyway?"), answer)

    def ask_to_send_secrets(self, warning: str) -> None:
        """Files that likely hold secrets are sent only after a yes, asked before any call."""
        self.say(f"{warning}\n\nWaiting for your answer.")

        def answer(yes: bool | None) -> None:
            if yes:
                self.ask(Request(self.route))
                return
            self.result.cancelled = True
            self.say("Not sent: nothing was written.\n\nq quits.")

        question = printable_lines(f"{warning}\n\nSend it anyway?")
        self.app.push_screen(ConfirmScreen(question), answer)

    def record_attempts(self, proposal: Proposal) -> None:
        self.result.attempts.extend(proposal.attempts)
        if proposal.all_notes:
            self.tell("\n".join(proposal.all_notes))

    def take_file(self, name: str, route: Route | None, proposal: Proposal) -> None:
        """The file asked again: its new hunks replace its old ones; other files keep theirs."""
        count = self.proposal.review.replace_file(name, proposal.review, route)
        self.tell(f"{route} proposes {counted(count, 'hunk')} for {printable(name)}")
        self.redraw(self.cursor)
        if self.run.verifier is not None:  # what was tested is no longer the proposal
            self.result.proposal = replace(self.proposal, tests=None)
            self.check_tests()

    @work(exclusive=True, exit_on_error=False, group="tests")
    async def check_tests(self) -> None:
        """The test command on every hunk of the review as it is now, in a scratch copy."""
        verifier = self.run.verifier
        assert verifier is not None  # started only with a test command
        self.testing = True
        try:
            tests = await verifier.on_proposal(self.proposal.review)
        finally:
            self.testing = False
        if tests is not None:
            self.post_message(TestsChecked(tests))

    def on_tests_checked(self, event: TestsChecked) -> None:
        self.result.proposal = replace(self.proposal, tests=event.outcome)
        self.tick()

    def show_proposal(self, proposal: Proposal) -> None:
        self.result.proposal = proposal
        self.route = proposal.route
        self.result.error = None
        self.result.cancelled = False
        refusals = proposal.review.refusals
        if not proposal.review.hunks:
            why = "".join(f"\n\nrefused {refusal}" for refusal in refusals)
            self.say(f"No changes proposed: nothing to review.{why}\n\nq quits.")
            return
        if refusals:
            were = "was" if len(refusals) == 1 else "were"
            self.tell(
                f"{counted(len(refusals), 'hunk')} {were} refused; why is shown after the last "
                "hunk.",
                "warning",
            )
        if proposal.explanation:
            self.tell("The model explains its diff: i shows what it said.")
        self.remove_class("-message")
        self.redraw(0)
        self.hunks.focus()

    # -- keeping the view in step with the review -------------------------------------------

    def redraw(self, cursor: int | None = None) -> None:
        """After a change: re-lay out when the hunks changed, else only repaint."""
        review = self.proposal.review
        if not review.hunks:  # an edit that gave back the file as it was dropped the last hunk
            self.say("No hunk left to review: u undoes the last step, q quits.")
        else:
            self.remove_class("-message")
        if review.hunks is not self.shown_hunks:
            self.shown_hunks = review.hunks
            self.query_one(FileList).show(review, self.states)
            self.hunks.show(review, self.cursor if cursor is None else cursor)
        else:
            self.query_one(FileList).update_counts(review)
            if cursor is not None:
                self.hunks.move_to(cursor)
            self.hunks.changed()
        self.update_bindings()
        self.tick()

    def on_resize(self) -> None:
        self.tick()  # the status line is fitted to the width

    def on_hunk_view_cursor_moved(self, event: HunkView.CursorMoved) -> None:
        if self.review and self.review.hunks:
            self.query_one(FileList).follow(self.review.hunks[event.index].name)
        self.update_bindings()
        self.tick()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        name = self.query_one(FileList).name_at(event.option_index)
        first = next(i for i, h in enumerate(self.proposal.review.hunks) if h.name == name)
        self.hunks.move_to(first)
        self.hunks.focus()

    def tick(self) -> None:
        """The status line: progress while asking, then decisions, tokens and cost."""
        route = self.route
        if self.asking_since is not None:
            route = self.request.route
        elif self.review is not None and self.review.hunks:
            route = self._route_of(self.review, self.review.hunks[self.cursor].name)
        parts = [StatusPart("fixer", 0), StatusPart(str(route) if route else "your diff", 2)]
        if self.asking_since is not None:
            elapsed = monotonic() - self.asking_since
            spin = SPINNER[int(elapsed * 10) % len(SPINNER)]
            progress = self.progress or Progress(0, elapsed)
            doing = progress.describe(monotonic())
            said = progress.paused_until or progress.activity
            short = doing if said else f"{progress.received_tokens:,}"
            parts += [
                StatusPart(f"{spin} {doing}", 3, f"{spin} {short}"),
                StatusPart(f"{elapsed:.1f}s", 1),
            ]
            if self.estimate:
                parts.append(StatusPart(self.estimate, 5))
            parts.append(StatusPart("Esc cancels", 4))
        elif self.review is not None and self.review.hunks:
            review = self.review
            total = len(review.hunks)
            counts = review.counts()
            decided = total - counts[Decision.PENDING]
            accepted, rejected = counts[Decision.ACCEPTED], counts[Decision.REJECTED]
            parts += [
                StatusPart(f"hunk {self.cursor + 1}/{total}", 4, f"{self.cursor + 1}/{total}"),
                StatusPart(
                    f"decided {decided}/{total} (✓{accepted} ✗{rejected})",
                    3,
                    f"✓{accepted} ✗{rejected}",
                ),
            ]
        if self.review is not None and self.asking_since is None:
            kinds = self.review.kind_counts()
            if kinds:
                said = " ".join(f"{kind} {count}" for kind, count in kinds.items())
                parts.append(StatusPart(said, 2, f"{len(kinds)} kinds"))
        tests = self.result.proposal.tests if self.result.proposal is not None else None
        if self.testing and self.asking_since is None:
            parts.append(StatusPart("tests: running…", 4, "tests…"))
        elif tests is not None and self.asking_since is None:
            style = "$success" if tests.passed else "$error"
            parts.append(StatusPart(tests.summary(), 4, tests.summary().split(" (")[0], style))
        if self.result.attempts:
            cost = f"cost: {total_cost(self.result.attempts)}"
            parts.append(StatusPart(spend(self.result.attempts), 5, cost))
        status = self.query_one("#status", Static)
        width = (status.content_region.width or self.size.width) - 1
        line = fit_status(parts, max(width, 10))
        content = Content(line)
        for start, end, style in styled_spans(parts, line):
            content = content.stylize(style, start, end)
        status.update(content)

    def can_act(self, action: str) -> bool:
        """Whether the key's action can do something now (the command palette offers these)."""
        asking = self.asking_since is not None
        if action == "cancel":
            return asking
        if action == "ask_again":
            return not asking and self._can_ask_again()
        if action == "test_output":
            return self.result.proposal is not None and self.result.proposal.tests is not None
        if action not in NEEDS_HUNKS:
            return True
        review = self.review
        if action == "undo":
            return not asking and review is not None and review.can_undo
        # While the review fills, its hunks can be decided; writing waits for the last request.
        busy = asking and (not self.filling or action == "commit")
        if busy or review is None or not review.hunks:
            return False
        if action == "split":
            return review.can_split(self.cursor)
        if action == "decide_kind":
            return review.hunks[self.cursor].correction is not None
        if action == "commit":
            return Decision.ACCEPTED in review.decisions
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide Esc unless a request runs; dim the keys that cannot act right now, except those
        that say why when pressed."""
        if self.can_act(action):
            return True
        if action == "cancel" or (action == "decide_kind" and not self._prose()):
            return False  # hidden: Esc while nothing runs, + and - on a review of code
        review = self.review
        if action in EXPLAINED and self.asking_since is None and review is not None:
            return action == "undo" or bool(review.hunks) or None
        return None

    def update_bindings(self) -> None:
        """Refresh the footer only when what the keys can do changed: it is slow to rebuild."""
        review = self.review
        state = (
            self.asking_since is not None,
            review is not None and bool(review.hunks),
            self.result.proposal is not None and self.result.proposal.tests is not None,
            self._prose(),
        )
        if state != self.binding_state:
            self.binding_state = state
            self.refresh_bindings()

    def _prose(self) -> bool:
        """Whether the review's hunks are prose corrections, with a kind each (+ and - work)."""
        review = self.review
        return review is not None and any(h.correction is not None for h in review.hunks)

    def _can_ask_again(self) -> bool:
        """r helps only when there is a stronger rung that may answer otherwise: none for your
        own diff, none above the top, none on the same provider after it refused the key."""
        if self.run.job.diff_text is not None:
            return False
        return self._why_not_ask_again() is None

    def _why_not_ask_again(self) -> str | None:
        """What to do instead of r after the failure shown, or None when r can help."""
        error = self.result.error
        if error is None:
            return None
        failed = self._failed_route(error)
        try:
            above = self.run.next_rung(failed)
        except FixerError:
            above = None
        refused = isinstance(error, ChatError) and error.refused_key
        if refused and (above is None or above.provider == (failed and failed.provider)):
            return "Check the provider's api_key: fixer config shows where each key comes from."
        if above is None:
            return (
                "No stronger model is configured: add rungs to Escalation (or set Router.think) "
                "in the config, or try again later."
            )
        return None

    def _failed_route(self, error: FixerError) -> Route | None:
        """The last route that was asked before `error`: after escalation, the top one tried."""
        attempts = error.attempts if isinstance(error, NoDiffError) else ()
        return attempts[-1].route if attempts else self.request.route

    def commands(self) -> Iterable[SystemCommand]:
        """The review's keys for the command palette."""
        for entry in REVIEW_KEYS:
            if self.can_act(entry.action_name):
                yield SystemCommand(
                    entry.description.capitalize(),
                    f"key: {entry.key}",
                    lambda action=entry.action: self.run_action(action),
                )

    # -- keys ----------------------------------------------------------------------------
    # Every action but ask_again, explain, help, cancel, interrupt and quit needs a proposal:
    # can_act keeps them from acting before, so they read the non-optional self.proposal.

    def action_decide(self, decision: str) -> None:
        self.proposal.review.decide(self.cursor, Decision(decision))
        self.redraw(self._next_pending(self.cursor, 1, after_decision=True))

    def action_decide_rest(self, decision: str) -> None:
        self.proposal.review.decide_rest_of_file(self.cursor, Decision(decision))
        self.redraw(self._next_pending(self.cursor, 1, after_decision=True))

    def action_decide_kind(self, decision: str) -> None:
        """Every pending, unflagged hunk of the current hunk's kind of correction (+ / -)."""
        review = self.proposal.review
        correction = review.hunks[self.cursor].correction
        if correction is None:
            self.tell("This hunk has no kind of correction: + and - work on prose hunks.")
            return
        taken = review.decide_kind(self.cursor, Decision(decision))
        what = counted(taken, f"{correction.kind} hunk")
        self.tell(f"{decision} {what}")
        self.redraw(self._next_pending(self.cursor, 1, after_decision=True))

    def action_accept_all(self) -> None:
        review = self.proposal.review
        taken = review.accept_all()
        flagged = sum(
            1
            for h, d in zip(review.hunks, review.decisions, strict=True)
            if h.flag is not None and d is Decision.PENDING
        )
        note = f"; {counted(flagged, 'flagged hunk')} left for you" if flagged else ""
        self.tell(f"accepted {counted(taken, 'hunk')}{note}")
        self.redraw()

    def _next_pending(self, start: int, step: int, after_decision: bool = False) -> int | None:
        """The next undecided hunk from `start` in direction `step`, wrapping around."""
        decisions = self.proposal.review.decisions
        total = len(decisions)
        for offset in range(1, total + 1):
            index = (start + step * offset) % total
            if decisions[index] is Decision.PENDING:
                return index
        if after_decision:
            self.tell("Every hunk is decided: c commits, u undoes.")
        return None

    def action_next_undecided(self, step: int) -> None:
        found = self._next_pending(self.cursor, step)
        if found is None:
            self.tell("No undecided hunk left.")
        else:
            self.hunks.move_to(found)

    def action_move(self, step: int) -> None:
        self.hunks.move_to(self.cursor + step)

    def action_next_file(self) -> None:
        hunks = self.proposal.review.hunks
        name = hunks[self.cursor].name
        total = len(hunks)
        for offset in range(1, total):
            index = (self.cursor + offset) % total
            if hunks[index].name != name and (
                index == 0 or hunks[index - 1].name != hunks[index].name
            ):
                self.hunks.move_to(index)
                return
        self.tell("This is the only file.")

    def action_goto(self) -> None:
        total = len(self.proposal.review.hunks)

        def go(answer: str | None) -> None:
            if not answer:
                return
            if answer.strip().isdigit() and 1 <= int(answer) <= total:
                self.hunks.move_to(int(answer) - 1)
            else:
                self.tell(f"No hunk {answer!r}: give a number from 1 to {total}.", "warning")

        self.app.push_screen(AskScreen(f"Go to hunk (1-{total}):"), go)

    def action_search(self) -> None:
        def find(answer: str | None) -> None:
            if not answer:
                return
            self.search_text = answer
            self.hunks.highlight(answer)
            self.action_next_match(1)

        self.app.push_screen(
            AskScreen(
                "Search the hunks (Enter finds the next; > and < move on):", self.search_text
            ),
            find,
        )

    def action_next_match(self, step: int) -> None:
        if not self.search_text:
            self.tell("No search yet: / searches the hunks.")
            return
        review = self.proposal.review
        needle = self.search_text.lower()
        total = len(review.hunks)
        for offset in range(1, total + 1):
            index = (self.cursor + step * offset) % total
            if _matches(review, index, needle):
                self.hunks.move_to(index)
                return
        self.tell(f"No hunk contains {self.search_text!r}.", "warning")

    def action_split(self) -> None:
        review = self.proposal.review
        if not review.can_split(self.cursor):
            self.tell(
                "This hunk cannot be split: its changed lines are not separated by unchanged "
                "ones. e edits it.",
                "warning",
            )
            return
        pieces = review.split(self.cursor)
        self.tell(f"split into {counted(pieces, 'hunk')}")
        self.redraw(self.cursor)

    def action_edit(self) -> None:
        review = self.proposal.review
        index = self.cursor
        item = review.hunks[index]

        def save(lines: list[str] | None) -> None:
            if lines is None:
                return
            count = review.edit(index, lines)
            if count == 0:
                self.tell("The edit gives back the file as it was: hunk dropped.")
            if not review.hunks:
                self.redraw(0)
                return
            # The edit is a decision: move on as y does, so the next key is not about it.
            last = min(index + count, len(review.hunks)) - 1
            self.redraw(self._next_pending(max(last, 0), 1, after_decision=True))

        title = f"Edit the new lines of {item.name} hunk {index + 1}"
        self.app.push_screen(EditScreen(title, review.lines_to_edit(index)), save)

    def action_undo(self) -> None:
        review = self.proposal.review
        if not review.can_undo:
            self.tell("Nothing to undo.")
            return
        review.undo()  # a file asked again gets its earlier route back with its hunks
        self.redraw()

    def action_side_by_side(self) -> None:
        self.hunks.toggle_split()

    def action_wrap(self) -> None:
        self.hunks.toggle_wrap()
        self.tell("Long lines wrap." if self.hunks.wrap else "Long lines scroll sideways.")

    def action_commit(self) -> None:
        proposal = self.proposal
        if Decision.ACCEPTED not in proposal.review.decisions:
            self.tell("Nothing accepted yet: y accepts a hunk, then c commits it.")
            return

        def done(outcome: Outcome | None) -> None:
            if outcome is not None:
                self.result.outcome = outcome
                self.app.exit(self.result)

        self.app.push_screen(CommitScreen(self.run, proposal, self.result.attempts), done)

    def action_ask_again(self) -> None:
        """The next rung of the ladder, for the current file (or the whole run if none)."""
        review = self.review
        name = review.hunks[self.cursor].name if review is not None and review.hunks else None
        after = self._route_of(review, name) if review is not None and name else self.route
        try:
            route = self.run.next_rung(after)
        except FixerError as error:
            self.tell(str(error), "error")
            return
        if route is None:
            self.tell(
                f"No stronger model than {after}: add rungs to Escalation (or set Router.think) "
                "in the config.",
                "warning",
            )
            return
        if review is None or name is None:
            self.ask(Request(route))
            return
        counts = review.counts_by_file()[name]
        # The next model is told what the user rejected, and the notes they wrote, on this file.
        request = Request(route, name, prompts.review_feedback(review.feedback([name])))
        if not counts[Decision.ACCEPTED] + counts[Decision.REJECTED]:
            self.ask(request)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.ask(request)

        question = (
            f"Ask {route} again for {printable(name)}? Your decisions on its hunks will be lost "
            "(u brings them back); the hunks you rejected and your notes go with the request."
        )
        self.app.push_screen(ConfirmScreen(question), answer)

    def _route_of(self, review: Review, name: str) -> Route | None:
        """The route that proposed file `name`'s hunks: the one it was last asked again of (r),
        or the proposal's."""
        return review.file(name).route or self.route

    def action_note(self) -> None:
        review = self.proposal.review
        index = self.cursor
        name = printable(review.hunks[index].name)

        def save(answer: str | None) -> None:
            if answer is None:  # Esc: the note stays as it was
                return
            before = review.hunk_notes[index]
            review.write_note(index, answer)
            if review.hunk_notes[index] != before:
                self.tell(
                    "Note saved: r sends it." if review.hunk_notes[index] else "Note removed."
                )
                self.redraw()

        prompt = (
            f"A note on hunk {index + 1} of {name} (the model asked again with r reads it). "
            "Enter saves, an empty note removes it, Esc cancels:"
        )
        self.app.push_screen(AskScreen(prompt, review.hunk_notes[index]), save)

    def action_test_output(self) -> None:
        tests = self.proposal.tests
        if tests is None:
            return  # can_act dims the key: a proposal without a test run has no output
        title = f"{tests.summary()}: {tests.command}"
        self.app.push_screen(TextScreen(title, without_escapes(tests.output) or "(no output)"))

    def action_explain(self) -> None:
        proposal = self.result.proposal
        if proposal is None or not proposal.explanation:
            self.tell("The model said nothing besides its diff.")
            return
        route = proposal.route
        self.app.push_screen(TextScreen(f"What {route or 'the model'} said", proposal.explanation))

    def action_help(self) -> None:
        keys = [
            (self.app.get_key_display(active.binding), active.binding.description)
            for active in self.active_bindings.values()
            if active.node is self and active.binding.id in KEY_IDS
        ]
        self.app.push_screen(HelpScreen(keys))

    def action_cancel(self) -> None:
        self.workers.cancel_group(self, "proposal")

    def action_interrupt(self) -> None:
        """Ctrl+C: cancels a request as Esc does; otherwise quits as q does."""
        if self.asking_since is not None:
            self.action_cancel()
        else:
            self.action_quit()

    def action_quit(self) -> None:
        review = self.review
        if self.asking_since is not None:
            self.workers.cancel_group(self, "proposal")
            if review is None:  # the request was all there was: it is cancelled
                self.result.cancelled = True
        if review is None or review.pending == len(review.hunks):  # nothing decided
            self.app.exit(self.result)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.app.exit(self.result)

        question = "Quit without writing anything? Your decisions will be lost."
        self.app.push_screen(ConfirmScreen(question), answer)
