"""The review app: registers the themes and the keymap, shows the review screen, returns a result.

The screens do the work; this file only wires them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from textual.app import App, SystemCommand
from textual.screen import Screen

from fixer.calls import Attempt
from fixer.errors import FixerError
from fixer.router import Route
from fixer.session import Outcome, Proposal, Run
from fixer.themes import DIFF_VARIABLES, load_themes, pick_theme
from fixer.tui.review_screen import ReviewScreen


@dataclass
class ReviewResult:
    """How the review ended: what was proposed, what was written, or what went wrong."""

    proposal: Proposal | None = None
    outcome: Outcome | None = None
    error: FixerError | None = None
    cancelled: bool = False
    attempts: list[Attempt] = field(default_factory=list)  # every model call, "r" included
    problems: list[str] = field(default_factory=list)  # broken themes or keymap, said once
    crash: BaseException | None = None  # a bug of fixer's own ended the review


class ReviewApp(App[ReviewResult]):
    """Review a proposal, or ask for one first; commit what the user accepts."""

    TITLE = "fixer"

    def __init__(
        self,
        run: Run,
        proposal: Proposal | None = None,
        *,
        route: Route | None = None,
        theme: str | None = None,
        keymap: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.run_state = run
        self.route = route if proposal is None else proposal.route
        self.result = ReviewResult(proposal=proposal)
        self.fixer_themes, problems = load_themes(os.environ if env is None else env)
        self.result.problems.extend(problems)
        for fixer_theme in self.fixer_themes.values():
            self.register_theme(fixer_theme.textual_theme())
        chosen, problem = pick_theme(theme, self.fixer_themes)
        if problem:
            self.result.problems.append(problem)
        self.theme = chosen.name
        if keymap:
            self.set_keymap(dict(keymap))

    def syntax_style(self) -> str:
        """The Pygments style of the theme in use (the default's for Textual's own themes)."""
        chosen = self.fixer_themes.get(self.theme) or pick_theme(None, self.fixer_themes)[0]
        return chosen.syntax

    def get_theme_variable_defaults(self) -> dict[str, str]:
        # Every theme, Textual's own included, must define fixer's diff variables.
        return {**super().get_theme_variable_defaults(), **DIFF_VARIABLES}

    def _handle_exception(self, error: Exception) -> None:
        # Textual would print the traceback with its locals (file contents, keys) on the
        # terminal: the CLI saves it to a file and says one line instead.
        self.result.crash = error
        super()._handle_exception(error)
        self._exit_renderables.clear()

    def on_mount(self) -> None:
        screen = ReviewScreen(self.run_state, self.result, self.route, self.syntax_style)
        self.push_screen(screen)

    async def on_unmount(self) -> None:
        # The run's connections live on this app's event loop: closed before the loop ends.
        await self.run_state.caller.clients.aclose()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, ReviewScreen):
            yield from screen.commands()


def run_review(
    run: Run, theme: str | None = None, proposal: Proposal | None = None
) -> ReviewResult:
    """Show the review screen until the user commits or quits."""
    settings = run.config.ui if run.config is not None else None
    app = ReviewApp(
        run,
        proposal,
        route=None if proposal else run.route(),  # a config error stops here, before the screen
        theme=theme or (settings.theme if settings else None),
        keymap=settings.keymap if settings else None,
    )
    app.run()
    return app.result
