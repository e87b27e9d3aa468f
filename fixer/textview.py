"""How a file's text is cut into the lines a review's hunks are made of.

Code is reviewed line by line. A post's prose is reviewed sentence by sentence: each sentence of
a paragraph line is a view line of its own, marked when it goes on the line above, so that one
corrected sentence is one hunk. Review and HunkView ask the view, never which agent runs.
"""

from __future__ import annotations

from collections.abc import Sequence

from fixer.printable import CONTINUATION


class TextView:
    """The file's own lines: a hunk of the view is a hunk of the file."""

    joins_lines = False  # whether view lines are pieces of file lines
    wraps = False  # whether the review wraps long lines on its own (prose)

    def of(self, text: str) -> str:
        """The view of a file's text."""
        return text

    def to_file(self, view: str) -> str:
        """A view's text as the file's text."""
        return view

    def editable(self, lines: Sequence[str]) -> list[str]:
        """A hunk's new lines as the user edits them."""
        return list(lines)

    def edited(self, before: Sequence[str], lines: Sequence[str]) -> list[str]:
        """The user's edit of a hunk whose new lines were `before`, as view lines."""
        return list(lines)

    def file_numbers(self, view: str) -> list[int] | None:
        """The file line each view line is on (1-based), or None when they are the same."""
        return None


class SentenceView(TextView):
    """A post's prose, one sentence per view line; code, tables and front matter stay whole."""

    joins_lines = True
    wraps = True  # a changed word at the end of a long paragraph line must be seen

    def of(self, text: str) -> str:
        from fixer.markdown import protected_lines
        from fixer.sentences import sentence_view

        return sentence_view(text, protected_lines(text))

    def to_file(self, view: str) -> str:
        from fixer.sentences import file_view

        return file_view(view)

    def editable(self, lines: Sequence[str]) -> list[str]:
        # Without the marks that join a sentence to its line: an edit cannot split a paragraph.
        return [line.removeprefix(CONTINUATION) for line in lines]

    def edited(self, before: Sequence[str], lines: Sequence[str]) -> list[str]:
        joined = [line.startswith(CONTINUATION) for line in before]
        return [
            (CONTINUATION if k < len(joined) and joined[k] else "") + line
            for k, line in enumerate(lines)
        ]

    def file_numbers(self, view: str) -> list[int] | None:
        from fixer.sentences import view_line_numbers

        return view_line_numbers(view)


FILE_LINES = TextView()
SENTENCES = SentenceView()
