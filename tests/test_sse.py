"""fixer.sse: server-sent events as the HTML standard parses them, however the bytes are cut."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixer.sse import Event, EventParser


def parse(*chunks: str) -> list[Event]:
    parser = EventParser()
    events = [e for chunk in chunks for e in parser.feed(chunk)]
    return events + parser.close()


def test_data_lines_of_one_event_join_with_lf() -> None:
    assert parse('data: {"a":\ndata: 1}\n\n') == [Event('{"a":\n1}')]


@pytest.mark.parametrize("end", ["\n", "\r", "\r\n"])
def test_only_cr_lf_and_crlf_end_lines(end: str) -> None:
    text = f"data: one{end}data: two{end}{end}data: three{end}{end}"
    assert [e.data for e in parse(text)] == ["one\ntwo", "three"]


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c"])
def test_unicode_line_separators_are_text(char: str) -> None:
    assert parse(f'data: {{"t": "a{char}b"}}\n\n') == [Event(f'{{"t": "a{char}b"}}')]


def test_comments_fields_and_a_field_without_colon() -> None:
    text = ": keep-alive\nevent: error\nid: 7\nretry: 1000\nfoo: bar\ndata\n\ndata:x\n\n"
    assert parse(text) == [Event("", "error", "7"), Event("x", "", "7")]


def test_a_blank_line_without_data_dispatches_nothing() -> None:
    assert parse(": hi\n\n\n\nevent: ping\n\n") == []


def test_only_one_space_after_the_colon_is_dropped() -> None:
    assert parse("data:  two spaces\n\n") == [Event(" two spaces")]


def test_the_last_event_is_kept_without_its_blank_line() -> None:
    assert parse("data: a\n\ndata: [DONE]") == [Event("a"), Event("[DONE]")]


def test_a_bom_is_dropped_only_at_the_start() -> None:
    assert parse("\ufeffdata: a\n\n", "data: \ufeffb\n\n") == [Event("a"), Event("\ufeffb")]


def test_crlf_split_across_chunks_is_one_line_break() -> None:
    assert parse("data: a\r", "\ndata: b\r", "\n\r", "\n") == [Event("a\nb")]


def test_a_cr_then_a_chunk_not_starting_with_lf() -> None:
    assert parse("data: a\r", "data: b\r\r") == [Event("a\nb")]


def test_a_twenty_megabyte_line_a_megabyte_at_a_time() -> None:
    parser = EventParser()
    line = "x" * (1 << 20)
    assert parser.feed("data: ") == []
    for _ in range(20):
        assert parser.feed(line) == []
    [event] = parser.feed("\n\n")
    assert len(event.data) == 20 << 20


STREAM = (
    ': OPENROUTER PROCESSING\r\n\r\ndata: {"a":\r\ndata: "x\u2028y"}\r\n\r\n'
    "event: message\nid: 1\ndata: 2\n\ndata: [DONE]\n\n"
)


@settings(max_examples=60)
@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=12))
def test_any_chunking_gives_the_same_events(cuts: list[int]) -> None:
    points = [0, *sorted(cuts), len(STREAM)]
    chunks = [STREAM[a:b] for a, b in pairwise(points)]
    assert (
        parse(*chunks)
        == parse(STREAM)
        == [
            Event('{"a":\n"x\u2028y"}'),
            Event("2", "message", "1"),
            Event("[DONE]", "", "1"),
        ]
    )


TEXT = st.text(alphabet=st.sampled_from('ab :\u2028\u2029\x85\ufeff{}"\n'), max_size=12)


@settings(max_examples=60)
@given(
    st.lists(TEXT, min_size=1, max_size=5),
    st.sampled_from(["\n", "\r", "\r\n"]),
    st.lists(st.integers(min_value=1, max_value=7), min_size=1, max_size=6),
)
def test_what_is_written_is_what_is_read(data: list[str], end: str, sizes: list[int]) -> None:
    """Events written as the standard says (a data: line per line of data) come back whole,
    whatever the line ending and however the stream is cut."""
    stream = (
        ": hello"
        + end
        + "".join("".join(f"data: {line}{end}" for line in text.split("\n")) + end for text in data)
    )
    chunks, at, k = [], 0, 0
    while at < len(stream):
        chunks.append(stream[at : at + sizes[k % len(sizes)]])
        at, k = at + sizes[k % len(sizes)], k + 1
    assert parse(*chunks) == [Event(text) for text in data]
