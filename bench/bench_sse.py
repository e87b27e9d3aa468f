"""The event-stream parser on hostile input: one 10 or 20 MB line, cut into small chunks.

Twice the input must take about twice the time, whatever the chunk size (no rebuffering per
chunk); the peer is str.splitlines over the whole text at once, the floor of any line split.
"""

from __future__ import annotations

import statistics
import time

from fixer.sse import EventParser

RUNS = 5


def median_s(size: int, chunk: int) -> float:
    """Median time to parse one `data:` line of `size` characters fed `chunk` at a time."""
    text = "data: " + "x" * size + "\r\n\r\n"
    pieces = [text[k : k + chunk] for k in range(0, len(text), chunk)]
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        parser = EventParser()
        for piece in pieces:
            parser.feed(piece)
        parser.close()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def splitlines_s(size: int) -> float:
    text = "data: " + "x" * size + "\r\n\r\n"
    start = time.perf_counter()
    text.splitlines()
    return time.perf_counter() - start


def run(quick: bool = False) -> None:
    mb = 1 << 20
    for chunk in (1024, 65536) if not quick else (65536,):
        small, large = median_s(10 * mb, chunk), median_s(20 * mb, chunk)
        print(
            f"one line, {chunk:>6} B chunks: 10 MB {small:6.3f} s, 20 MB {large:6.3f} s "
            f"({large / small:4.2f}x for twice the input)"
        )
    print(f"str.splitlines of 20 MB at once (peer): {splitlines_s(20 * mb):6.3f} s")
