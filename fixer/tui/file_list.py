"""The file list beside the hunks: each file with its accepted / rejected / pending counts."""

from __future__ import annotations

from collections.abc import Mapping

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from fixer.printable import printable
from fixer.review import Decision, Review


def file_label(name: str, counts: dict[Decision, int]) -> Content:
    """`✓2 ✗1 ?3 path`: the counts first, so they line up."""
    pending = counts[Decision.PENDING]
    return Content.assemble(
        (f"✓{counts[Decision.ACCEPTED]:<3}", "$success"),
        (f"✗{counts[Decision.REJECTED]:<3}", "$error"),
        (f"?{pending:<3}", "$warning" if pending else "$text-muted"),
        printable(name),
    )


def state_label(name: str, state: str) -> Content:
    """`asking      path`: a file of the run that is not in the review (yet); a failure's
    reason is in the note, the list says only that it failed."""
    word = state.split(":", 1)[0]
    style = "$error" if word == "failed" else "$text-muted"
    return Content.assemble((f"{word:<12}", style), printable(name))


class FileList(OptionList, can_focus=False):
    """The files of the review; choosing one moves to its first hunk."""

    DEFAULT_CSS = """
    FileList { width: 36; border: none; border-right: vkey $panel-lighten-2; padding: 0; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._names: list[str] = []
        self._others: dict[str, str] = {}
        self._labels: dict[str, Content] = {}

    def show(self, review: Review, states: Mapping[str, str] | None = None) -> None:
        """List the files (again, after the hunks changed), then those of a run's requests
        not in the review, with their state (waiting, asking, failed: why); only the counts
        when the same files are listed, so a split does not rebuild hundreds of lines."""
        counts = review.counts_by_file()
        others = {n: state for n, state in (states or {}).items() if state and n not in counts}
        if list(counts) == self._names and others == self._others:
            self.update_counts(review)
            return
        self._names, self._others = list(counts), others
        self._labels = {name: file_label(name, c) for name, c in counts.items()}
        self.clear_options()
        self.add_options([self._labels[name] for name in self._names])
        # After the files to review, and not to be chosen: they have no hunk to go to.
        self.add_options(
            [Option(state_label(n, state), disabled=True) for n, state in others.items()]
        )

    def update_counts(self, review: Review) -> None:
        """Redraw only the files whose counts changed."""
        for name, counts in review.counts_by_file().items():
            label = file_label(name, counts)
            if label.plain != self._labels[name].plain:
                self._labels[name] = label
                self.replace_option_prompt_at_index(self._names.index(name), label)

    def follow(self, name: str) -> None:
        """Highlight the file of the current hunk."""
        index = self._names.index(name)
        if self.highlighted != index:
            self.highlighted = index

    def name_at(self, index: int) -> str:
        return self._names[index]
