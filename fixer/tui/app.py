"""The review screen: one hunk at a time, y / n to decide, c to write and commit, q to quit."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from fixer.review import Decision, Review, ReviewHunk
from fixer.session import Proposal
from fixer.themes import Theme, load_theme

MARKS = {Decision.PENDING: "?", Decision.ACCEPTED: "✓", Decision.REJECTED: "✗"}
LINE_KEYS = {"+": "added", "-": "removed", " ": "context"}


def hunk_text(item: ReviewHunk, decision: Decision, theme: Theme) -> Text:
    """A hunk as git shows it, with its decision and flag in the title line."""
    hunk = item.hunk
    title = Text(f"{MARKS[decision]} {item.name} ", style="bold")
    title.append(
        f"@@ -{hunk.old_start},{hunk.old_count} +{hunk.new_start},{hunk.new_count} @@",
        style=theme.diff["hunk_header"],
    )
    if item.flag:
        title.append(f"  [{item.flag}]", style=theme.diff["flag"])
    body = Text("\n").join(Text(line, style=theme.diff[LINE_KEYS[line[0]]]) for line in hunk.lines)
    return Text("\n").join([title, body])


class ReviewApp(App[bool]):
    """Decide each hunk; the app returns True when the user asks to write and commit."""

    CSS = """
    .hunk { padding: 0 1; margin-bottom: 1; }
    .hunk.current { border-left: thick $accent; }
    #status { dock: top; height: 1; background: $panel; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "decide('accepted')", "Accept", id="accept"),
        Binding("n", "decide('rejected')", "Reject", id="reject"),
        Binding("j,down", "move(1)", "Next", id="next"),
        Binding("k,up", "move(-1)", "Previous", id="previous"),
        Binding("c", "commit", "Write + commit", id="commit"),
        Binding("q", "quit_review", "Quit", id="quit"),
    ]

    def __init__(self, review: Review, title: str = "fixer") -> None:
        super().__init__()
        self.review = review
        self.theme_styles = load_theme()
        self.current = 0
        self.title = title

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        with VerticalScroll(id="hunks"):
            for index in range(len(self.review.hunks)):
                yield Static(classes="hunk", id=f"hunk-{index}")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_view()

    def refresh_view(self) -> None:
        review = self.review
        for index, item in enumerate(review.hunks):
            widget = self.query_one(f"#hunk-{index}", Static)
            widget.update(hunk_text(item, review.decisions[index], self.theme_styles))
            widget.set_class(index == self.current, "current")
        counts = review.counts()
        decided = len(review.hunks) - counts[Decision.PENDING]
        self.query_one("#status", Static).update(
            f"{self.title}  hunk {self.current + 1}/{len(review.hunks)}  decided {decided}/"
            f"{len(review.hunks)}  accepted {counts[Decision.ACCEPTED]}"
        )
        if review.hunks:
            self.query_one(f"#hunk-{self.current}").scroll_visible()

    def action_decide(self, decision: str) -> None:
        if not self.review.hunks:
            return
        self.review.decide(self.current, Decision(decision))
        pending = [
            i
            for i, d in enumerate(self.review.decisions)
            if d is Decision.PENDING and i > self.current
        ]
        if pending:
            self.current = pending[0]
        self.refresh_view()

    def action_move(self, step: int) -> None:
        self.current = max(0, min(len(self.review.hunks) - 1, self.current + step))
        self.refresh_view()

    def action_commit(self) -> None:
        if not self.review.accepted():
            self.notify("Accept at least one hunk (y) before committing.", severity="warning")
            return
        self.exit(True)

    def action_quit_review(self) -> None:
        self.exit(False)


def run_review(proposal: Proposal) -> bool:
    """Show the review screen; True when the user asked to write and commit."""
    title = f"fixer · {proposal.route or 'your diff'}"
    return bool(ReviewApp(proposal.review, title).run())
