"""What fixer does with a bug of its own: the traceback goes to a file, the user gets one line.

Standard library only: it runs when anything else may be broken.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from fixer.xdg import base_dir

EXIT_CODE = 70  # EX_SOFTWARE in sysexits.h: an internal error, distinct from every user error


def crash_dir(env: Mapping[str, str]) -> Path:
    """$XDG_STATE_HOME/fixer/crashes, else ~/.local/state/fixer/crashes."""
    return base_dir(env, "XDG_STATE_HOME", ".local/state") / "fixer" / "crashes"


def write_crash_report(error: BaseException, env: Mapping[str, str]) -> Path | None:
    """Write the full traceback to a new file and return its path (None if it cannot be written:
    the one-line message must still reach the user)."""
    folder = crash_dir(env)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    text = "".join(traceback.format_exception(error))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"crash-{stamp}.txt"
        path.write_text(text, encoding="utf-8", errors="backslashreplace")
    except OSError:
        return None
    return path


def crash_message(error: BaseException, report: Path | None, written: bool) -> str:
    """The one line a crash gets on stderr (the caller makes it printable)."""
    where = f"the traceback is in {report}" if report else "the traceback could not be saved"
    state = "some accepted hunks may have been written" if written else "nothing was written"
    name = type(error).__name__
    return f"fixer crashed ({name}: {error}); {where}; {state}. Please report it."
