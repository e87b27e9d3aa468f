"""fixer's diff engine: pure functions over strings, no I/O, no git, no UI."""

from __future__ import annotations

from fixer.patch.apply import (
    apply_hunks,
    apply_patch,
    apply_placements,
    diff_hunks,
    format_diff,
    hunk_range,
    split_hunk,
)
from fixer.patch.errors import PatchRejected, refusal_feedback
from fixer.patch.extract import cut_off, extract_diff
from fixer.patch.locate import Placement, locate_hunks
from fixer.patch.parse import FilePatch, Hunk, parse_diff

__all__ = [
    "FilePatch",
    "Hunk",
    "PatchRejected",
    "Placement",
    "apply_hunks",
    "apply_patch",
    "apply_placements",
    "cut_off",
    "diff_hunks",
    "extract_diff",
    "format_diff",
    "hunk_range",
    "locate_hunks",
    "parse_diff",
    "refusal_feedback",
    "split_hunk",
]
