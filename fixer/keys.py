"""Every key of the review, once: the review screen's bindings, the ids `fixer config --check`
accepts in "fixer.keymap", and the key list of `fixer --help` are all built from REVIEW_KEYS.

No Textual here: checking a config and printing the help never load it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Key:
    """One key of the review screen (the fields of a Textual Binding, plus what fixer needs)."""

    id: str  # the binding id a keymap remaps
    key: str  # Textual's key name; "a,b" binds both
    action: str  # the screen's action, with its parameters
    description: str  # shown in the footer, the help and the command palette
    group: str | None = None  # keys of one group share one footer entry
    needs_hunks: bool = True  # acts only on hunks on screen, not while asking (dimmed)
    show: bool = True  # shown in the footer

    @property
    def action_name(self) -> str:
        """The action without its parameters: "decide" for "decide('accepted')"."""
        return self.action.split("(", 1)[0]


DECIDE, REST, UNDECIDED, HUNK = "decide", "whole file", "undecided", "hunk"

# git add -p's keys where it has them (y n a d j k J K s e g /). The footer shows them in this
# order, and a narrow footer cuts from the right: deciding first, then help and quit.
REVIEW_KEYS: tuple[Key, ...] = (
    Key("accept", "y", "decide('accepted')", "accept", DECIDE),
    Key("reject", "n", "decide('rejected')", "reject", DECIDE),
    Key("help", "question_mark", "help", "help", needs_hunks=False),
    Key("quit", "q", "quit", "quit", needs_hunks=False),
    Key("commit", "c", "commit", "commit"),
    Key("accept-file", "a", "decide_rest('accepted')", "accept rest of file", REST),
    Key("reject-file", "d", "decide_rest('rejected')", "reject rest of file", REST),
    Key("next-undecided", "j", "next_undecided(1)", "next undecided", UNDECIDED),
    Key("prev-undecided", "k", "next_undecided(-1)", "previous undecided", UNDECIDED),
    Key("split", "s", "split", "split"),
    Key("edit", "e", "edit", "edit"),
    Key("undo", "u", "undo", "undo"),
    Key("ask-again", "r", "ask_again", "stronger model", needs_hunks=False),
    Key("cancel", "escape", "cancel", "cancel request", needs_hunks=False),
    Key("interrupt", "ctrl+c", "interrupt", "cancel request", needs_hunks=False, show=False),
    Key("next-hunk", "J", "move(1)", "next hunk", HUNK),
    Key("previous-hunk", "K", "move(-1)", "previous hunk", HUNK),
    Key("next-file", "tab", "next_file", "next file"),
    Key("accept-all", "A", "accept_all", "accept all unflagged"),
    Key("accept-kind", "plus", "decide_kind('accepted')", "accept all this kind"),
    Key("reject-kind", "minus", "decide_kind('rejected')", "reject all this kind"),
    Key("goto", "g", "goto", "go to hunk"),
    Key("search", "slash", "search", "search"),
    # Not git add -p's keys (n rejects): > and < go to the next and previous match.
    Key("next-match", "greater_than_sign", "next_match(1)", "next match"),
    Key("previous-match", "less_than_sign", "next_match(-1)", "previous match"),
    Key("side-by-side", "v", "side_by_side", "side by side"),
    Key("wrap", "w", "wrap", "wrap long lines"),
    Key("explain", "i", "explain", "model's explanation", needs_hunks=False),
    # Not git add -p's keys: a note on the hunk, which goes to the model asked again (r).
    Key("note", "m", "note", "note on the hunk"),
    Key("test-output", "T", "test_output", "test output", needs_hunks=False),
)

# How `fixer --help` writes the Textual key names that are not the key's own character.
_SHOWN = {
    "question_mark": "?",
    "plus": "+",
    "minus": "-",
    "slash": "/",
    "greater_than_sign": ">",
    "less_than_sign": "<",
    "escape": "Esc",
    "tab": "Tab",
    "ctrl+c": "Ctrl+C",
}


def key_help() -> str:
    """The review's keys for `fixer --help`: key, what it does, and the id to remap it by."""
    rows = [f"  {_SHOWN.get(k.key, k.key):<8}{k.description:<22}{k.id}" for k in REVIEW_KEYS]
    title = 'review keys (remap one in the config: "fixer": {"keymap": {"ID": "KEY"}}):'
    return "\n".join([title, *rows])
