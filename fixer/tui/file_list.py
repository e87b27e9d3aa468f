"""The file list beside the hunks: each file with its accepted / rejected / pending counts."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import OptionList

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


class FileList(OptionList, can_focus=False):
    """The files of the review; choosing one moves to its first hunk."""

    DEFAULT_CSS = """
    FileList { width: 36; border: none; border-right: vkey $panel-lighten-2; padding: 0; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._names: list[str] = []
        self._labels: dict[str, Content] = {}

    def show(self, review: Review) -> None:
        """List the files (again, after the hunks changed); only the counts when the same
        files are listed, so a split does not rebuild hundreds of lines."""
        counts = review.counts_by_file()
        if list(counts) == self._names:
            self.update_counts(review)
            return
        self._names = list(counts)
        self._labels = {name: file_label(name, c) for name, c in counts.items()}
        self.clear_options()
        self.add_options([self._labels[name] for name in self._names])

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
