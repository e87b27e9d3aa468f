"""A fake OpenAI-compatible chat-completions server on 127.0.0.1, for tests.

Real HTTP in a background thread, so both in-process tests and a `fixer` subprocess can talk
to it. Replies are scripted with `reply(...)` and consumed in order (the last one repeats);
every request is recorded in `requests`, and `peak_in_flight` counts how many were served at
once.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

AUTO: Literal["auto"] = "auto"
FAKE_API_KEY = "sk-test-000000001234"  # the key fake_provider_config writes
KEEPALIVE_INTERVAL_S = 0.02  # between keep-alives of a `keepalive_s` reply
TOGETHER_LIMIT_S = 5.0  # longest a `together` reply waits for its peers
RUNAWAY_LIMIT_S = 30.0  # a `runaway` reply streams until the client leaves, at most this long


@dataclass(frozen=True)
class ScriptedReply:
    """One reply the server will give; see FakeProvider.reply for the meaning of each field."""

    text: str
    usage: Mapping[str, Any] | Literal["auto"] | None
    status: int
    stream: bool | None
    error: str | None
    body: str | None
    cut: bool
    stream_error: str | None
    chunk_size: int
    model: str | None
    finish_reason: str
    delay_s: float
    headers: Mapping[str, str] = field(default_factory=dict)
    keepalive_s: float = 0.0
    broken: bool = False
    hang_up: bool = False
    together: int = 0
    frames: tuple[bytes, ...] | None = None
    runaway: str | None = None
    runaway_interval_s: float = 0.0
    asked: str | None = None


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the server saw it; header names are lower-cased."""

    path: str
    headers: dict[str, str]
    body: Any  # the parsed JSON body, or the raw text when it was not JSON
    received_s: float = 0.0  # time.monotonic() when it arrived (same clock as the client's)


class FakeProvider:
    """The server: start it (or use it as a context manager), script replies, read requests."""

    def __init__(self, *, keep_alive: bool = False) -> None:
        # keep_alive: connections stay open between replies (streams are chunked), so a
        # client can reuse them; `connections` counts the ones accepted.
        self.keep_alive = keep_alive
        self.connections = 0
        self.requests: list[RecordedRequest] = []
        self._replies: list[ScriptedReply] = []
        self._last: ScriptedReply | None = None
        self.in_flight = 0  # requests being served now
        self.peak_in_flight = 0  # the most ever served at once
        self._lock = threading.Condition()  # notified whenever in_flight changes
        self._closing = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        # A short poll interval: shutdown() waits up to one interval, once per test.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        """The chat-completions URL to put in a config's api_base_url (any path is served)."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1/chat/completions"

    def start(self) -> FakeProvider:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wake any reply that is still waiting out its delay."""
        self._closing.set()
        with self._lock:
            self._lock.notify_all()
        if self._thread.is_alive():  # shutdown() waits forever on a server never started
            self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FakeProvider:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def reply(
        self,
        text: str = "",
        usage: Mapping[str, Any] | Literal["auto"] | None = AUTO,
        status: int = 200,
        stream: bool | None = None,
        *,
        error: str | None = None,
        body: str | None = None,
        cut: bool = False,
        stream_error: str | None = None,
        chunk_size: int = 8,
        model: str | None = None,
        finish_reason: str = "stop",
        delay_s: float = 0.0,
        headers: Mapping[str, str] | None = None,
        keepalive_s: float = 0.0,
        broken: bool = False,
        hang_up: bool = False,
        together: int = 0,
        frames: Sequence[bytes] | None = None,
        runaway: str | None = None,
        runaway_interval_s: float = 0.0,
        asked: str | None = None,
    ) -> ScriptedReply:
        """Queue a reply.

        text: the content; usage: the usage object, AUTO for rough counts, None for none;
        status: HTTP status, with `error` as the OpenAI-shaped error message (default: the
        status phrase) or `body` as the verbatim body (also for a 200 that is not JSON);
        stream: None follows the request's stream flag, True/False force SSE/JSON;
        cut: end the stream after the text, before finish reason, usage and [DONE];
        stream_error: after the text, send {"error": {"message": ...}} in the stream and end;
        chunk_size: characters per streamed delta; model: reported model (default: the one
        asked for); delay_s: wait before answering (for timeouts and in-flight UI tests);
        headers: extra response headers, e.g. {"Retry-After": "0"} on a 429;
        keepalive_s: before the text, stream ": keep-alive" comments and empty deltas for this
        long (every KEEPALIVE_INTERVAL_S); broken: like cut, but chunked and without the last
        chunk, so the client sees a broken body; hang_up: close the connection without
        answering; together: answer only once this many requests are being served at once
        (at most TOGETHER_LIMIT_S), to prove calls run side by side; frames: a 200
        event-stream body given verbatim, each element one HTTP chunk (chunked encoding, so
        the client receives each one on its own: a CRLF split across two, a byte at a time);
        runaway: stream `text` again and again in this delta field ("content",
        "reasoning_content", "reasoning") until the client hangs up (at most RUNAWAY_LIMIT_S),
        every runaway_interval_s; asked: the reply is for a request whose messages hold this
        text only (requests sent at once arrive in any order), taken before the others.
        """
        scripted = ScriptedReply(
            text=text,
            usage=usage,
            status=status,
            stream=stream,
            error=error,
            body=body,
            cut=cut,
            stream_error=stream_error,
            chunk_size=chunk_size,
            model=model,
            finish_reason=finish_reason,
            delay_s=delay_s,
            headers=dict(headers or {}),
            keepalive_s=keepalive_s,
            broken=broken,
            hang_up=hang_up,
            together=together,
            frames=tuple(frames) if frames is not None else None,
            runaway=runaway,
            runaway_interval_s=runaway_interval_s,
            asked=asked,
        )
        with self._lock:
            self._replies.append(scripted)
        return scripted

    def _next_reply(self, request: RecordedRequest) -> ScriptedReply | None:
        """Record the request, count it in flight, take the next reply (the last one repeats)."""
        with self._lock:
            self.requests.append(request)
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            self._lock.notify_all()
            asked = json.dumps(request.body, ensure_ascii=False)
            found = [k for k, r in enumerate(self._replies) if r.asked and r.asked in asked]
            found += [k for k, r in enumerate(self._replies) if r.asked is None]
            if found:
                self._last = self._replies.pop(found[0])
            return self._last

    def _done(self) -> None:
        """One request less in flight."""
        with self._lock:
            self.in_flight -= 1
            self._lock.notify_all()

    def _wait_together(self, count: int) -> None:
        """Wait until `count` requests are in flight, the server stops, or the limit passes."""
        with self._lock:
            self._lock.wait_for(
                lambda: self.in_flight >= count or self._closing.is_set(), TOGETHER_LIMIT_S
            )


def _handler_for(server: FakeProvider) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to one FakeProvider."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:  # once per connection: handle() serves its requests
            super().setup()
            with server._lock:
                server.connections += 1

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            request = RecordedRequest(self.path, headers, _parse(raw), time.monotonic())
            scripted = server._next_reply(request)
            try:
                self._answer(request, scripted)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, which is what some tests wait for
            finally:
                server._done()

        def _answer(self, request: RecordedRequest, scripted: ScriptedReply | None) -> None:
            if scripted is None:
                self._send(500, "text/plain", b"fake server: no reply scripted")
                return
            if server._closing.wait(scripted.delay_s):
                return
            if scripted.together:
                server._wait_together(scripted.together)
            if scripted.hang_up:
                self.close_connection = True
                return
            asked = request.body if isinstance(request.body, dict) else {}
            model = scripted.model or str(asked.get("model") or "fake-model")
            if scripted.frames is not None:
                self._send_frames(scripted.frames)
            elif scripted.status != 200 or scripted.body is not None:
                self._send_error(scripted)
            elif scripted.stream if scripted.stream is not None else asked.get("stream"):
                self._send_stream(scripted, model, asked)
            else:
                body = json.dumps(_completion(scripted, model, asked)).encode()
                self._send(200, "application/json", body, scripted.headers)

        def _send(
            self,
            status: int,
            content_type: str,
            body: bytes,
            headers: Mapping[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if not server.keep_alive:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def _send_error(self, scripted: ScriptedReply) -> None:
            if scripted.body is not None:
                body = scripted.body.encode()
                self._send(scripted.status, "text/plain", body, scripted.headers)
                return
            message = scripted.error or self.responses.get(scripted.status, ("error",))[0]
            error = json.dumps({"error": {"message": message, "code": scripted.status}})
            self._send(scripted.status, "application/json", error.encode(), scripted.headers)

        def _send_stream(self, scripted: ScriptedReply, model: str, asked: Mapping) -> None:
            # No Content-Length: the stream ends with the socket (Connection: close), or with
            # its last chunk on a kept connection.
            self.send_response(200)
            for name, value in scripted.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "text/event-stream")
            # Chunked, so that a missing last chunk is a broken body, or for a kept connection.
            chunked = scripted.broken or server.keep_alive
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            if not server.keep_alive:
                self.send_header("Connection", "close")
            self.end_headers()
            keepalive = ": keep-alive\n\n" + _event(_chunk(model, {"content": ""})) + "\n"
            end = time.monotonic() + scripted.keepalive_s
            while time.monotonic() < end and not server._closing.wait(KEEPALIVE_INTERVAL_S):
                self._write(keepalive, chunked)
            if scripted.runaway is not None:
                delta = _event(_chunk(model, {scripted.runaway: scripted.text})) + "\n"
                end = time.monotonic() + RUNAWAY_LIMIT_S
                while time.monotonic() < end:  # the first delta at once, then one per interval
                    self._write(delta, chunked)
                    if server._closing.wait(scripted.runaway_interval_s):
                        break
                return
            for line in _sse_lines(scripted, model, asked):
                self._write(line + "\n", chunked)
            if server.keep_alive and not scripted.broken:
                self.wfile.write(b"0\r\n\r\n")

        def _send_frames(self, frames: tuple[bytes, ...]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
            self.end_headers()
            for frame in frames:
                if frame:  # an empty chunk would end the body
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(frame), frame))
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

        def _write(self, text: str, chunked: bool) -> None:
            data = text.encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
            self.wfile.flush()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: pytest output is no place for an access log."""

    return Handler


def _parse(raw: bytes) -> Any:
    """The request body as JSON, or as text when it is not JSON."""
    text = raw.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def _usage(scripted: ScriptedReply, asked: Mapping) -> Mapping[str, Any] | None:
    """The scripted usage, or rough counts (4 characters a token) when it is AUTO."""
    if scripted.usage != AUTO:
        return scripted.usage
    prompt = len(json.dumps(asked.get("messages", []))) // 4
    completion = len(scripted.text) // 4
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _completion(scripted: ScriptedReply, model: str, asked: Mapping) -> dict[str, Any]:
    """A non-streamed chat.completion body."""
    message = {"role": "assistant", "content": scripted.text}
    body: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": scripted.finish_reason}],
    }
    usage = _usage(scripted, asked)
    if usage is not None:
        body["usage"] = usage
    return body


def _sse_lines(scripted: ScriptedReply, model: str, asked: Mapping) -> Iterator[str]:
    """The lines of an SSE reply, with the comments real providers send between events."""
    yield ": OPENROUTER PROCESSING\n"
    yield _event(_chunk(model, {"role": "assistant", "content": ""}))
    step = max(1, scripted.chunk_size)
    for i in range(0, len(scripted.text), step):
        yield _event(_chunk(model, {"content": scripted.text[i : i + step]}))
        if i == 0:
            yield ": keep-alive\n"
    if scripted.stream_error is not None:
        yield _event({"error": {"message": scripted.stream_error, "code": 502}})
        return
    if scripted.cut or scripted.broken:
        return
    yield _event(_chunk(model, {}, scripted.finish_reason))
    usage = _usage(scripted, asked)
    if usage is not None:
        yield _event({"id": "chatcmpl-fake", "model": model, "choices": [], "usage": usage})
    yield _event("[DONE]")


def _chunk(model: str, delta: Mapping[str, Any], finish_reason: str | None = None) -> dict:
    """One chat.completion.chunk."""
    choice = {"index": 0, "delta": dict(delta), "finish_reason": finish_reason}
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "model": model,
        "choices": [choice],
    }


def _event(data: Mapping[str, Any] | str) -> str:
    """An SSE data event (JSON, or a bare string like [DONE]) with the blank line ending it."""
    payload = data if isinstance(data, str) else json.dumps(data)
    return f"data: {payload}\n"
