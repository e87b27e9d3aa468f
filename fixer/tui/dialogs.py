"""Small modal screens of the review: confirm, ask for a line, edit a hunk, help."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static, TextArea

from fixer.printable import printable, printable_lines

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 80%; max-width: 100; height: auto; max-height: 90%;
    border: round $primary; background: $panel; padding: 0 1;
}}
{name} Label {{ width: 100%; margin-bottom: 1; }}
"""


class ConfirmScreen(ModalScreen[bool]):
    """A yes / no question: y or Enter says yes, n or Esc says no."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmScreen")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question, markup=False)
            yield Label("[b]y[/b] yes   [b]n[/b] no", classes="keys")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class RiskyConfirmScreen(ConfirmScreen):
    """A yes / no question whose yes is a risk: only y says yes, so that a second Enter never
    does by accident."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="risky-yes"),
        Binding("n,escape,enter", "answer(False)", "No", id="risky-no"),
    ]


class AskScreen(ModalScreen[str | None]):
    """One line of input (a hunk number, a search); Enter gives it, Esc gives None."""

    DEFAULT_CSS = DIALOG_CSS.format(name="AskScreen")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="ask-cancel")
    ]

    def __init__(self, prompt: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.prompt = prompt
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.prompt, markup=False)
            yield Input(self.value, placeholder=self.placeholder, select_on_focus=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)


class EditScreen(ModalScreen[list[str] | None]):
    """The new side of a hunk in an editor; Ctrl+S keeps the edit, Esc drops it."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="EditScreen")
        + """
    EditScreen > Vertical { width: 95%; max-width: 160; height: 90%; }
    EditScreen TextArea { height: 1fr; }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Accept the edit", id="edit-save", priority=True),
        Binding("escape", "dismiss(None)", "Cancel", id="edit-cancel", priority=True),
    ]

    def __init__(self, title: str, lines: Iterable[str]) -> None:
        super().__init__()
        self.title_text = title
        self.text = "\n".join(lines)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(printable(self.title_text), markup=False)  # holds a file name
            yield Label("[b]Ctrl+S[/b] accept the edit   [b]Esc[/b] cancel")
            yield TextArea(self.text, tab_behavior="indent", soft_wrap=False)

    def action_save(self) -> None:
        text = self.query_one(TextArea).text
        self.dismiss(text.split("\n") if text else [])  # emptied: the new side is no lines


class TextScreen(ModalScreen[None]):
    """A text to read (the model's explanation, the test output), scrolled with the arrows;
    Esc closes it, and so does the key that opened it."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="TextScreen")
        + """
    TextScreen VerticalScroll { height: auto; max-height: 100%; }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,i,T", "dismiss(None)", "Close", id="text-close")
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        # The title on the border, so the text below has all the room the box has at any size.
        with Vertical() as box:
            # It may hold outside text (the test command): never markup.
            box.border_title = Content.styled(printable(self.title_text), "bold")
            box.border_subtitle = "Esc closes"
            with VerticalScroll():
                yield Static(printable_lines(self.text), markup=False)


class HelpScreen(ModalScreen[None]):
    """Every key of the review with what it does, as currently mapped, and the keys that are
    not the review's own (the palette, scrolling, the editor)."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="HelpScreen")
        + """
    HelpScreen > Vertical { height: 90%; }
    HelpScreen DataTable { height: 1fr; }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss(None)", "Close", id="help-close"),
        # A table without a cursor does not page on its own: these scroll it.
        Binding("end", "scroll('scroll_end')", show=False, priority=True),
        Binding("home", "scroll('scroll_home')", show=False, priority=True),
        Binding("pagedown,space", "scroll('scroll_page_down')", show=False, priority=True),
        Binding("pageup", "scroll('scroll_page_up')", show=False, priority=True),
    ]
    OTHER_KEYS = (
        ("ctrl+p", "command palette: every action by name"),
        ("↑ ↓ ← →  PgUp PgDn  Home End", "scroll the hunks"),
        ("ctrl+s", "in the editor (e): accept the edit; Esc drops it"),
        ("escape", "cancel a request; close this help"),
    )

    def __init__(self, keys: Iterable[tuple[str, str]]) -> None:
        super().__init__()
        self.keys = list(keys)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                "[b]Keys[/b] (remap them in the config: fixer.keymap). "
                "↑ ↓ PgDn End scroll this list; [b]Esc[/b] closes it."
            )
            table: DataTable[str] = DataTable(cursor_type="none", zebra_stripes=True)
            table.add_columns("key", "action")
            table.add_rows([*self.keys, *self.OTHER_KEYS])
            yield table

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()  # so that the arrows scroll it

    def action_scroll(self, how: str) -> None:
        getattr(self.query_one(DataTable), how)(animate=False)
