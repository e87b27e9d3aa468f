"""The usage ledger: one SQLite row per model call, in $XDG_DATA_HOME/fixer/ledger.db.

It answers "what did fixer spend, on what, with which model" long after the run, and it teaches
the router how far its token estimates are off for each model. WAL mode and a busy timeout let
concurrent fixer runs write at once; every SQLite failure becomes a LedgerError naming the file,
so a caller can warn and go on: a broken ledger must never cost the user an accepted fix.
Standard library only: `fixer usage` and the CLI import it without the heavy dependencies.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

from fixer.errors import FixerError
from fixer.xdg import base_dir

FILE_NAME = "ledger.db"
BUSY_TIMEOUT_S = 5.0  # how long a write waits for another fixer run holding the lock
RATIO_WINDOW = 20  # calls per model that estimate_ratio looks back over


class LedgerError(FixerError):
    """The ledger file could not be opened, read or written (locked, corrupt, unwritable)."""


@dataclass(frozen=True)
class Call:
    """One model call as the ledger keeps it.

    Token counts are the provider's, None where it reported none; `output` includes `reasoning`.
    `cost` is the whole call's price in `currency`, None when unknown; the `cost_*` fields split it
    by token type when the price table allowed it (a provider-reported total cannot be split).
    `estimated` marks a cost or tokens that are fixer's estimate rather than the provider's numbers.
    """

    at: datetime  # timezone-aware; stored as ISO 8601 UTC
    agent: str  # "fix", "grammar", "commit-message", ...
    scenario: str  # "default", "think", "background", "longContext", "escalation", ...
    provider: str
    model: str
    cache_hit: int | None
    cache_miss: int | None
    output: int | None
    reasoning: int | None
    cost: Decimal | None
    currency: str | None
    estimated: bool
    latency_s: float
    # "3 hunks" or "no changes" (then ", tests: ..." when they ran), "failed: <short reason>",
    # "cancelled", or why the reply held no usable diff (fixer/scoreboard.py tells them apart)
    outcome: str
    hunks_proposed: int = 0
    hunks_refused: int = 0
    hunks_accepted: int | None = None  # None until the review ends (set_decisions)
    hunks_rejected: int | None = None
    estimated_prompt_tokens: int | None = None  # fixer's estimate before the call
    cost_cache_hit: Decimal | None = None
    cost_cache_miss: Decimal | None = None
    cost_output: Decimal | None = None
    tests: str | None = None  # the test command on its hunks: "pass", "fail", "timeout"
    tests_s: float | None = None  # how long that run took


@dataclass(frozen=True)
class AcceptedCorrection:
    """One grammar hunk the user accepted, as the ledger keeps it: what kind of mistake it
    corrected, in which language, and the phrase before and after (Correction's)."""

    at: datetime  # timezone-aware; stored as ISO 8601 UTC
    agent: str
    language: str  # "en", "fr", "zh", ... (language.post_language of the file)
    kind: str  # a corrections.Kind value; text, so a later fixer's kinds still read
    before: str
    after: str
    call_id: int | None = None  # the model call that proposed it; None for the offline fixers


COLUMNS = tuple(f.name for f in fields(Call))
CORRECTION_COLUMNS = tuple(f.name for f in fields(AcceptedCorrection))
_DECIMAL_COLUMNS = frozenset({"cost", "cost_cache_hit", "cost_cache_miss", "cost_output"})

# MIGRATIONS[n] takes the schema from version n to n + 1; append, never edit, to add columns.
MIGRATIONS = (
    """
    CREATE TABLE calls (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,  -- ISO 8601 UTC with microseconds: sorts as text
        agent TEXT NOT NULL, scenario TEXT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL,
        cache_hit INTEGER, cache_miss INTEGER, output INTEGER, reasoning INTEGER,
        cost TEXT, currency TEXT,  -- Decimal as text: exact
        estimated INTEGER NOT NULL, latency_s REAL NOT NULL, outcome TEXT NOT NULL,
        hunks_proposed INTEGER NOT NULL, hunks_refused INTEGER NOT NULL,
        hunks_accepted INTEGER, hunks_rejected INTEGER,
        estimated_prompt_tokens INTEGER,
        cost_cache_hit TEXT, cost_cache_miss TEXT, cost_output TEXT
    );
    CREATE INDEX calls_at ON calls (at);
    CREATE INDEX calls_model ON calls (provider, model, id);
    """,
    """
    ALTER TABLE calls ADD COLUMN tests TEXT;
    ALTER TABLE calls ADD COLUMN tests_s REAL
    """,
    """
    CREATE TABLE corrections (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL, agent TEXT NOT NULL, language TEXT NOT NULL, kind TEXT NOT NULL,
        before TEXT NOT NULL, after TEXT NOT NULL,
        call_id INTEGER REFERENCES calls (id)  -- NULL: no model call proposed it (offline)
    );
    CREATE INDEX corrections_at ON corrections (at)
    """,
)


def ledger_path(env: Mapping[str, str]) -> Path:
    """$XDG_DATA_HOME/fixer/ledger.db, else ~/.local/share/fixer/ledger.db (HOME from `env`)."""
    return base_dir(env, "XDG_DATA_HOME", ".local/share") / "fixer" / FILE_NAME


def _iso(at: datetime) -> str:
    """A fixed-width UTC timestamp, so text order is time order in SQL."""
    if at.tzinfo is None:
        raise ValueError(f"ledger times must be timezone-aware, got {at!r}")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _bounds(since: datetime | None, until: datetime | None) -> tuple[str, str]:
    """The text bounds of a time range in SQL; an open end reaches every row."""
    low = "" if since is None else _iso(since)
    high = "~" if until is None else _iso(until)  # "~" sorts after every ISO timestamp
    return low, high


def _sql_value(name: str, value: Any) -> Any:
    """How one Call field is stored: times as ISO UTC, Decimal as exact text, bool as 0/1."""
    if value is None:
        return None
    if name == "at":
        return _iso(value)
    if name in _DECIMAL_COLUMNS:
        return str(value)
    return int(value) if name == "estimated" else value


def _from_row(row: sqlite3.Row) -> Call:
    """A Call back from its SQL values."""
    values = dict(zip(COLUMNS, row, strict=True))
    values["at"] = datetime.fromisoformat(values["at"])
    values["estimated"] = bool(values["estimated"])
    for name in _DECIMAL_COLUMNS:
        if values[name] is not None:
            values[name] = Decimal(values[name])
    return Call(**values)


def _failure(path: Path, action: str, error: sqlite3.Error) -> LedgerError:
    """A LedgerError that names the file and says what to do about it."""
    text = str(error)
    if "locked" in text or "busy" in text:
        advice = "another fixer run may be holding it; try again"
    elif isinstance(error, sqlite3.OperationalError):
        advice = f"check that {path.parent} is writable and the disk not full"
    else:
        advice = f"move it aside (mv {path} {path}.broken) and fixer will start a new one"
    return LedgerError(f"could not {action} the usage ledger {path}: {text}; {advice}.")


class Ledger:
    """The ledger file, open; safe to share between threads; use as a context manager."""

    def __init__(self, path: Path, *, timeout_s: float = BUSY_TIMEOUT_S) -> None:
        self.path = path
        self._lock = threading.Lock()
        with self._guard("open"):
            path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: transactions are explicit, BEGIN IMMEDIATE for every write.
            self._db = sqlite3.connect(
                path, timeout=timeout_s, isolation_level=None, check_same_thread=False
            )
            try:
                self._first_open(timeout_s)
            except BaseException:
                self._db.close()
                raise

    def _first_open(self, timeout_s: float) -> None:
        """WAL mode and the schema. Two runs creating the file at once can be told "locked"
        without SQLite waiting for the other (switching to WAL does not), so try again a while."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._migrate()
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        """Turn any SQLite or file-system failure into a LedgerError; one statement at a time."""
        with self._lock:
            try:
                yield
            except sqlite3.Error as error:
                raise _failure(self.path, action, error) from error
            except OSError as error:
                message = f"could not {action} the usage ledger {self.path}: {error}."
                raise LedgerError(message) from error

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once so concurrent writers queue on the busy timeout."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _migrate(self) -> None:
        """Bring the schema to the newest version; a newer file from a later fixer is left as is."""
        with self._write() as db:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT version FROM schema_version").fetchone()
            version = 0 if row is None else row[0]
            for script in MIGRATIONS[version:]:
                for statement in filter(str.strip, script.split(";")):
                    db.execute(statement)
            if row is None:
                db.execute("INSERT INTO schema_version VALUES (?)", (len(MIGRATIONS),))
            elif version < len(MIGRATIONS):
                db.execute("UPDATE schema_version SET version = ?", (len(MIGRATIONS),))

    def record(self, call: Call) -> int:
        """Append one call; returns its row id for set_decisions."""
        row = tuple(_sql_value(name, getattr(call, name)) for name in COLUMNS)
        sql = f"INSERT INTO calls ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(row))})"
        with self._guard("write to"), self._write() as db:
            row_id = db.execute(sql, row).lastrowid
        assert row_id is not None  # an INSERT always sets it
        return row_id

    def set_decisions(self, row_id: int, accepted: int, rejected: int) -> None:
        """Record how many of the call's hunks the user accepted and rejected in the review."""
        sql = "UPDATE calls SET hunks_accepted = ?, hunks_rejected = ? WHERE id = ?"
        with self._guard("write to"), self._write() as db:
            changed = db.execute(sql, (accepted, rejected, row_id)).rowcount
        if changed != 1:
            raise LedgerError(f"the usage ledger {self.path} has no call #{row_id} to update.")

    def record_corrections(self, corrections: Iterable[AcceptedCorrection]) -> int:
        """Append the accepted corrections of a review, all or none; returns how many."""
        rows = [
            (_iso(c.at), *(getattr(c, name) for name in CORRECTION_COLUMNS[1:]))
            for c in corrections
        ]
        if not rows:
            return 0
        names, marks = ", ".join(CORRECTION_COLUMNS), ", ".join("?" * len(CORRECTION_COLUMNS))
        sql = f"INSERT INTO corrections ({names}) VALUES ({marks})"
        with self._guard("write to"), self._write() as db:
            db.executemany(sql, rows)
        return len(rows)

    def corrections(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[AcceptedCorrection]:
        """The accepted corrections with since <= at < until (either bound optional), oldest
        first."""
        sql = (
            f"SELECT {', '.join(CORRECTION_COLUMNS)} FROM corrections "
            "WHERE at >= ? AND at < ? ORDER BY at, id"
        )
        with self._guard("read"):
            rows = self._db.execute(sql, _bounds(since, until)).fetchall()
        return [AcceptedCorrection(datetime.fromisoformat(row[0]), *row[1:]) for row in rows]

    def calls(self, since: datetime | None = None, until: datetime | None = None) -> list[Call]:
        """The calls with since <= at < until (either bound optional), oldest first."""
        sql = f"SELECT {', '.join(COLUMNS)} FROM calls WHERE at >= ? AND at < ? ORDER BY at, id"
        with self._guard("read"):
            rows = self._db.execute(sql, _bounds(since, until)).fetchall()
        return [_from_row(row) for row in rows]

    def estimate_ratio(self, provider: str, model: str) -> float | None:
        """Reported prompt tokens per estimated token for this model; None without history.

        Multiply an estimate by it to correct it. It is the sum of reported over the sum of
        estimated tokens across the last RATIO_WINDOW calls that have both numbers: a token-
        weighted mean, so large prompts (where the long-context threshold and cost matter)
        count most, and tiny prompts, whose ratio is skewed by fixed template overhead, least.
        The window follows a provider that changes its tokenizer.
        """
        sql = """
            SELECT SUM(reported), SUM(estimated_prompt_tokens) FROM (
                SELECT COALESCE(cache_hit, 0) + COALESCE(cache_miss, 0) AS reported,
                       estimated_prompt_tokens
                FROM calls
                WHERE provider = ? AND model = ? AND estimated = 0
                  AND estimated_prompt_tokens > 0
                  AND COALESCE(cache_hit, 0) + COALESCE(cache_miss, 0) > 0
                ORDER BY id DESC LIMIT ?
            )
        """
        with self._guard("read"):
            reported, estimated = self._db.execute(sql, (provider, model, RATIO_WINDOW)).fetchone()
        return reported / estimated if estimated else None

    def close(self) -> None:
        """Close the connection; the ledger object is unusable afterwards."""
        with self._guard("close"):
            self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
