"""The user's test command, run on a proposal before they decide.

The running itself (run_tests): in its own process group, so a time limit or a Ctrl+C ends
every process it started. What a run gave is fixer.testoutcome; the copy of the working tree
the proposal is tried in is fixer.scratch; its output cut for a prompt is fixer.failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Mapping
from pathlib import Path

from fixer.errors import InputError
from fixer.testoutcome import TestOutcome

# The tail of the output a run keeps: the end is where a test runner says what failed.
MAX_OUTPUT_BYTES = 1_048_576
# How long the command's process group has after SIGTERM to clean up before SIGKILL.
GRACE_S = 1.0
# How long the output may still come in after the group is gone: a process that left the group
# (setsid) may hold the pipe open for ever.
DRAIN_S = 1.0
_CHUNK = 65_536


async def run_tests(
    command: str, cwd: Path, env: Mapping[str, str], timeout_s: float
) -> TestOutcome:
    """Run the user's test command through /bin/sh in cwd, killed at timeout_s; never raises
    for a failing command. Its whole process group is ended when it returns, times out or
    is cancelled: a test run leaves nothing running (a background child of the shell included).
    InputError when the command cannot start (no /bin/sh, cwd gone)."""
    start = time.monotonic()
    # Our own pipe, not stdout=PIPE: asyncio's Process.wait() also waits for its pipes to
    # close, which a background child holding the pipe would put off until the time limit.
    read_end, write_end = os.pipe()
    try:
        process = await _start(command, cwd, env, write_end)
    except BaseException:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)
    tail = _Tail(MAX_OUTPUT_BYTES)
    reading = asyncio.ensure_future(tail.read(read_end))
    exit_code: int | None = None
    try:
        async with asyncio.timeout(timeout_s):
            exit_code = await process.wait()
    except TimeoutError:
        exit_code = None
    finally:
        seconds = time.monotonic() - start  # the command's time, not the clean-up's
        await _end_group(process)
        await _drain(reading)
    return TestOutcome(command, exit_code, seconds, tail.text())


async def _start(
    command: str, cwd: Path, env: Mapping[str, str], output: int
) -> asyncio.subprocess.Process:
    if not cwd.is_dir():
        raise InputError(f"cannot run the test command in {cwd}: that directory is gone.")
    try:
        return await asyncio.create_subprocess_exec(
            "/bin/sh",
            "-c",
            command,
            cwd=cwd,
            env=dict(env),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=output,
            stderr=output,  # one pipe: the lines interleaved as they came
            start_new_session=True,  # its own process group, so the group can be killed whole
        )
    except OSError as exc:
        raise InputError(
            f"cannot run the test command {command!r} in {cwd}: {exc.strerror or exc}. "
            "Check that /bin/sh exists and the directory is readable."
        ) from exc


async def _end_group(process: asyncio.subprocess.Process) -> None:
    """SIGTERM the command's process group, SIGKILL what is left after GRACE_S; reap the shell.
    The SIGKILL is in a finally: a second Ctrl+C during the grace still kills the group."""
    group = process.pid  # start_new_session: the shell leads a group of its own pid
    try:
        if _signal_group(group, signal.SIGTERM):
            deadline = time.monotonic() + GRACE_S
            # Zombies count as members here (an init that does not reap keeps them), so this
            # waits the whole grace at worst, never longer.
            while time.monotonic() < deadline and _signal_group(group, 0):
                await asyncio.sleep(0.02)
    finally:
        _signal_group(group, signal.SIGKILL)
        await process.wait()


def _signal_group(group: int, signum: int) -> bool:
    """Send signum to the group; False when the group has no member left."""
    try:
        os.killpg(group, signum)
    except ProcessLookupError:
        return False
    except PermissionError:  # macOS: a group of zombies only
        return False
    return True


async def _drain(reading: asyncio.Future[None]) -> None:
    """Let the reader take what is left in the pipe; give up on a pipe held open elsewhere."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(reading, DRAIN_S)


class _Tail:
    """The last `limit` bytes of a stream, and how many came before them."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
        self.dropped = 0

    async def read(self, fd: int) -> None:
        """Read fd to its end (then close it), keeping the tail."""
        loop = asyncio.get_running_loop()
        stream = asyncio.StreamReader(limit=_CHUNK)
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(stream), os.fdopen(fd, "rb", buffering=0)
        )
        try:
            while chunk := await stream.read(_CHUNK):
                self.data += chunk
                if len(self.data) > 2 * self.limit:  # cut now and then: linear, not per chunk
                    self._cut()
        finally:
            transport.close()

    def _cut(self) -> None:
        extra = len(self.data) - self.limit
        if extra > 0:
            del self.data[:extra]
            self.dropped += extra

    def text(self) -> str:
        self._cut()
        data = bytes(self.data)
        if not self.dropped:
            return data.decode("utf-8", "replace")
        # Start at a character, not inside one (UTF-8 continuation bytes are 0b10xxxxxx).
        skip = next((i for i, byte in enumerate(data[:4]) if byte & 0xC0 != 0x80), 0)
        left_out = self.dropped + skip
        return f"[... {left_out} bytes left out ...]\n" + data[skip:].decode("utf-8", "replace")
