"""What fixer does with a bug of its own: the traceback goes to a file, the user gets one line.

Standard library only: it runs when anything else may be broken.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from pathlib import Path

from fixer.xdg import write_state_file

EXIT_CODE = 70  # EX_SOFTWARE in sysexits.h: an internal error, distinct from every user error


def write_crash_report(error: BaseException, env: Mapping[str, str]) -> Path | None:
    """Write the full traceback to a new file under $XDG_STATE_HOME/fixer/crashes and return its
    path (None if it cannot be written: the one-line message must still reach the user)."""
    text = "".join(traceback.format_exception(error))
    try:
        return write_state_file(env, "crashes", "crash", ".txt", text)
    except OSError:
        return None


def crash_message(error: BaseException, report: Path | None, written: bool) -> str:
    """The one line a crash gets on stderr (the caller makes it printable)."""
    where = f"the traceback is in {report}" if report else "the traceback could not be saved"
    state = "some accepted hunks may have been written" if written else "nothing was written"
    name = type(error).__name__
    return f"fixer crashed ({name}: {error}); {where}; {state}. Please report it."
