"""The usage ledger: schema, round trips, decisions, the estimate ratio, broken and shared files."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from fixer.errors import FixerError
from fixer.ledger import (
    MIGRATIONS,
    RATIO_WINDOW,
    AcceptedCorrection,
    Call,
    Ledger,
    LedgerError,
    ledger_path,
)

AT = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
CALL = Call(
    at=AT,
    agent="fix",
    scenario="default",
    provider="deepseek",
    model="deepseek-chat",
    cache_hit=1000,
    cache_miss=3000,
    output=500,
    reasoning=None,
    cost=Decimal("0.0041"),
    currency="CNY",
    estimated=False,
    latency_s=1.25,
    outcome="proposed",
    hunks_proposed=3,
    hunks_refused=1,
    estimated_prompt_tokens=3600,
    cost_cache_hit=Decimal("0.0001"),
    cost_cache_miss=Decimal("0.003"),
    cost_output=Decimal("0.001"),
)

SPELLING = AcceptedCorrection(AT, "grammar", "en", "spelling", "recieve", "receive")


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger(tmp_path / "data" / "fixer" / "ledger.db") as opened:
        yield opened


def test_ledger_path_follows_xdg_data_home_else_home(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert ledger_path({"XDG_DATA_HOME": str(data)}) == data / "fixer" / "ledger.db"
    home = {"HOME": str(tmp_path)}
    expected = tmp_path / ".local" / "share" / "fixer" / "ledger.db"
    assert ledger_path(home) == expected
    # The XDG spec says a relative value is ignored.
    assert ledger_path({**home, "XDG_DATA_HOME": "relative/data"}) == expected


def test_a_call_comes_back_exactly_as_recorded(ledger: Ledger) -> None:
    beijing = timezone(timedelta(hours=8))
    call = replace(CALL, at=datetime(2025, 3, 1, 20, 0, 0, 123456, tzinfo=beijing))
    row_id = ledger.record(call)
    [back] = ledger.calls()
    assert back == call  # equal instants, exact Decimal, every field
    assert back.at.utcoffset() == timedelta(0)  # stored and returned as UTC
    assert back.cost == Decimal("0.0041") and isinstance(back.cost, Decimal)
    assert row_id == 1


def test_unknown_numbers_stay_unknown(ledger: Ledger) -> None:
    call = replace(
        CALL,
        cache_hit=None,
        cache_miss=None,
        output=None,
        cost=None,
        currency=None,
        cost_cache_hit=None,
        cost_cache_miss=None,
        cost_output=None,
        estimated_prompt_tokens=None,
        outcome="failed: connection refused",
    )
    ledger.record(call)
    assert ledger.calls() == [call]


def test_a_naive_time_is_refused(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ledger.record(replace(CALL, at=datetime(2025, 3, 1, 12, 0)))
    assert ledger.calls() == []


def test_decisions_are_set_after_the_review(ledger: Ledger) -> None:
    first = ledger.record(CALL)
    second = ledger.record(CALL)
    ledger.set_decisions(second, accepted=2, rejected=1)
    calls = ledger.calls()
    assert (calls[0].hunks_accepted, calls[0].hunks_rejected) == (None, None)
    assert (calls[1].hunks_accepted, calls[1].hunks_rejected) == (2, 1)
    assert first != second
    with pytest.raises(LedgerError, match="no call #99"):
        ledger.set_decisions(99, accepted=1, rejected=0)


def test_calls_between_bounds_include_since_and_exclude_until(ledger: Ledger) -> None:
    for hours in (0, 1, 2, 3):
        ledger.record(replace(CALL, at=AT + timedelta(hours=hours), latency_s=float(hours)))
    picked = ledger.calls(since=AT + timedelta(hours=1), until=AT + timedelta(hours=3))
    assert [call.latency_s for call in picked] == [1.0, 2.0]
    assert [c.latency_s for c in ledger.calls(since=AT + timedelta(hours=2))] == [2.0, 3.0]
    assert [c.latency_s for c in ledger.calls(until=AT + timedelta(hours=1))] == [0.0]


def test_schema_is_versioned_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    with Ledger(path) as ledger:
        ledger.record(CALL)
    with Ledger(path) as ledger:  # reopening migrates nothing and keeps the rows
        assert len(ledger.calls()) == 1
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(len(MIGRATIONS),)]
    finally:
        db.close()


def test_a_file_from_a_later_fixer_with_more_columns_still_works(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    Ledger(path).close()
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE calls ADD COLUMN future TEXT")
    db.execute("UPDATE schema_version SET version = 99")
    db.commit()
    db.close()
    with Ledger(path) as ledger:
        ledger.record(CALL)
        assert ledger.calls() == [CALL]
    db = sqlite3.connect(path)
    assert db.execute("SELECT version FROM schema_version").fetchone() == (99,)
    db.close()


def test_accepted_corrections_come_back_exactly_with_their_call(ledger: Ledger) -> None:
    call = ledger.record(replace(CALL, agent="grammar"))
    beijing = timezone(timedelta(hours=8))
    proposed = replace(
        SPELLING, at=datetime(2025, 3, 1, 20, 0, tzinfo=beijing), kind="article", call_id=call
    )
    later = replace(SPELLING, at=AT + timedelta(hours=1), language="fr", before="", after="un")
    assert ledger.record_corrections([later, proposed, SPELLING]) == 3
    assert ledger.record_corrections([]) == 0
    back = ledger.corrections()
    assert back == [proposed, SPELLING, later]  # by time, then as recorded
    assert back[0].at.utcoffset() == timedelta(0) and back[1].call_id is None
    assert ledger.corrections(since=AT + timedelta(minutes=1)) == [later]
    assert ledger.corrections(until=AT + timedelta(minutes=1)) == [proposed, SPELLING]


def test_corrections_are_written_all_or_none(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ledger.record_corrections([SPELLING, replace(SPELLING, at=datetime(2025, 3, 1))])
    assert ledger.corrections() == []


def test_a_ledger_of_the_previous_schema_gains_corrections_and_keeps_its_calls(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ledger.db"
    db = sqlite3.connect(path)  # the file as the fixer before corrections left it
    for script in MIGRATIONS[:2]:
        db.executescript(script)
    db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    db.execute("INSERT INTO schema_version VALUES (2)")
    db.execute(
        "INSERT INTO calls (at, agent, scenario, provider, model, estimated, latency_s, outcome,"
        " hunks_proposed, hunks_refused) VALUES (?, 'grammar', 'default', 'deepseek',"
        " 'deepseek-chat', 0, 1.5, '2 hunks', 2, 0)",
        (AT.isoformat(timespec="microseconds"),),
    )
    db.commit()
    db.close()
    with Ledger(path) as ledger:
        assert ledger.corrections() == []
        ledger.record_corrections([replace(SPELLING, call_id=1)])
    with Ledger(path) as ledger:  # migrated once: reopening keeps both
        [call] = ledger.calls()
        assert (call.agent, call.at, call.hunks_proposed) == ("grammar", AT, 2)
        assert ledger.corrections() == [replace(SPELLING, call_id=1)]
    db = sqlite3.connect(path)
    assert db.execute("SELECT version FROM schema_version").fetchall() == [(len(MIGRATIONS),)]
    db.close()


def test_estimate_ratio_is_reported_over_estimated_tokens(ledger: Ledger) -> None:
    assert ledger.estimate_ratio("deepseek", "deepseek-chat") is None
    # 4000 reported for 3600 estimated, then 1000 reported for 400 estimated: the sum ratio
    # weighs the big prompt most (5000 / 4000), where the median of 1.11 and 2.5 would not.
    ledger.record(CALL)
    ledger.record(replace(CALL, cache_hit=0, cache_miss=1000, estimated_prompt_tokens=400))
    # Not counted: another model, an estimated usage, and a call without an estimate.
    ledger.record(replace(CALL, model="deepseek-reasoner", estimated_prompt_tokens=1))
    ledger.record(replace(CALL, estimated=True, estimated_prompt_tokens=1))
    ledger.record(replace(CALL, estimated_prompt_tokens=None))
    assert ledger.estimate_ratio("deepseek", "deepseek-chat") == pytest.approx(5000 / 4000)
    assert ledger.estimate_ratio("deepseek", "deepseek-reasoner") == pytest.approx(4000)
    assert ledger.estimate_ratio("other", "deepseek-chat") is None


def test_estimate_ratio_follows_the_latest_calls(ledger: Ledger) -> None:
    ledger.record(replace(CALL, estimated_prompt_tokens=100))  # an old tokenizer, far off
    for _ in range(RATIO_WINDOW):
        ledger.record(replace(CALL, estimated_prompt_tokens=2000))  # 4000 reported each time
    assert ledger.estimate_ratio("deepseek", "deepseek-chat") == pytest.approx(2.0)


def test_a_corrupt_file_raises_a_ledger_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    path.write_bytes(b"this is not a database, it is a shopping list\n" * 200)
    with pytest.raises(LedgerError) as raised:
        Ledger(path)
    message = str(raised.value)
    assert str(path) in message and "move it aside" in message
    assert isinstance(raised.value, FixerError) and raised.value.exit_code == 1


def test_a_locked_file_raises_a_ledger_error_and_keeps_nothing_half_written(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ledger.db"
    with Ledger(path, timeout_s=0.05) as ledger:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")  # another process in the middle of a long write
        try:
            with pytest.raises(LedgerError, match="another fixer run may be holding it"):
                ledger.record(CALL)
        finally:
            other.execute("ROLLBACK")
            other.close()
        ledger.record(CALL)  # the lock gone, the same ledger writes again
        assert len(ledger.calls()) == 1


WRITER = """
import sys
from dataclasses import replace
from pathlib import Path
from tests.test_ledger import CALL
from fixer.ledger import Ledger

with Ledger(Path(sys.argv[1])) as ledger:
    for i in range(40):
        ledger.record(replace(CALL, agent=sys.argv[2], hunks_proposed=i))
"""


def test_concurrent_processes_both_land_every_row(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "ledger.db"  # both processes create the file and schema at once
    root = Path(__file__).resolve().parents[1]
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), agent], cwd=root)
        for agent in ("fix", "grammar")
    ]
    assert [writer.wait(timeout=60) for writer in writers] == [0, 0]
    with Ledger(path) as ledger:
        calls = ledger.calls()
    for agent in ("fix", "grammar"):
        mine = [call.hunks_proposed for call in calls if call.agent == agent]
        assert sorted(mine) == list(range(40))


def test_threads_sharing_one_ledger_both_land(ledger: Ledger) -> None:
    def write(agent: str) -> None:
        for _ in range(30):
            ledger.set_decisions(ledger.record(replace(CALL, agent=agent)), 1, 0)

    threads = [threading.Thread(target=write, args=(agent,)) for agent in ("fix", "grammar")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    calls = ledger.calls()
    assert len(calls) == 60 and all(call.hunks_accepted == 1 for call in calls)
    assert sum(call.agent == "grammar" for call in calls) == 30
