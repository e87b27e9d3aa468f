"""Server-sent events, parsed as the HTML standard says, incrementally and in linear time.

Only CR, LF and CRLF end a line (a CR at the end of one chunk and an LF at the start of the
next are one line break), so U+2028, U+2029 and U+0085 inside a JSON string are text, as JSON
says. Consecutive `data:` lines of one event are joined with LF; a blank line ends the event;
`:` starts a comment; `event:` and `id:` are kept, `retry:` and unknown fields are ignored; a
line with no colon is a field with an empty value. Pure: text in, events out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Event:
    """One dispatched event: its data (lines joined with LF), its type and id, if any."""

    data: str
    event: str = ""
    id: str = ""


class EventParser:
    """Feed it the decoded stream, chunk by chunk; it returns the events each chunk completes.

    Partial lines and data are kept as lists of pieces joined once, so a 20 MB line arriving
    a byte at a time costs linear time, not a rebuild of the buffer per byte.
    """

    def __init__(self) -> None:
        self._line: list[str] = []  # pieces of the line not yet ended
        self._data: list[str] = []  # data values of the event not yet dispatched
        self._has_data = False
        self._event = ""
        self._id = ""
        self._after_cr = False  # the last chunk ended in CR: an LF starting the next is its pair
        self._started = False  # a BOM is dropped only at the very start of the stream

    def feed(self, text: str) -> list[Event]:
        """The events completed by this chunk of the stream."""
        if not text:
            return []
        if not self._started:
            self._started = True
            text = text.removeprefix("\ufeff")
        if self._after_cr and text.startswith("\n"):
            text = text[1:]
        self._after_cr = text.endswith("\r")
        events: list[Event] = []
        start = 0
        for match in _LINE_BREAK.finditer(text):
            self._line.append(text[start : match.start()])
            start = match.end()
            line = "".join(self._line)
            self._line.clear()
            event = self._take(line)
            if event is not None:
                events.append(event)
        if start < len(text):
            self._line.append(text[start:])
        return events

    def close(self) -> list[Event]:
        """The events left when the stream ends: the last line and event, even without the
        blank line the standard asks for (some providers end on `data: [DONE]` and close)."""
        events = self.feed("\n") if self._line else []
        if self._has_data:
            events.append(self._dispatch())
        return events

    def _take(self, line: str) -> Event | None:
        """Process one line; the event it completes, if any."""
        if not line:
            if self._has_data:
                return self._dispatch()
            self._reset()
            return None
        if line.startswith(":"):
            return None
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
            self._has_data = True
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value
        return None

    def _dispatch(self) -> Event:
        event = Event("\n".join(self._data), self._event, self._id)
        self._reset()
        return event

    def _reset(self) -> None:
        """Forget the event being built; the last event id stays, as the standard says."""
        self._data.clear()
        self._has_data = False
        self._event = ""
