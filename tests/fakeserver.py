"""A fake OpenAI-compatible chat-completions server on 127.0.0.1, for tests.

Real HTTP in a background thread, so both in-process tests and a `fixer` subprocess can talk
to it. Replies are scripted with `reply(...)` and consumed in order (the last one repeats);
every request is recorded in `requests`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

AUTO: Literal["auto"] = "auto"
FAKE_API_KEY = "sk-test-000000001234"  # the key fake_provider_config writes


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


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the server saw it; header names are lower-cased."""

    path: str
    headers: dict[str, str]
    body: Any  # the parsed JSON body, or the raw text when it was not JSON


class FakeProvider:
    """The server: start it (or use it as a context manager), script replies, read requests."""

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._replies: list[ScriptedReply] = []
        self._last: ScriptedReply | None = None
        self._lock = threading.Lock()
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
    ) -> ScriptedReply:
        """Queue a reply.

        text: the content; usage: the usage object, AUTO for rough counts, None for none;
        status: HTTP status, with `error` as the OpenAI-shaped error message (default: the
        status phrase) or `body` as the verbatim body (also for a 200 that is not JSON);
        stream: None follows the request's stream flag, True/False force SSE/JSON;
        cut: end the stream after the text, before finish reason, usage and [DONE];
        stream_error: after the text, send {"error": {"message": ...}} in the stream and end;
        chunk_size: characters per streamed delta; model: reported model (default: the one
        asked for); delay_s: wait before answering (for timeouts and in-flight UI tests).
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
        )
        with self._lock:
            self._replies.append(scripted)
        return scripted

    def _next_reply(self, request: RecordedRequest) -> ScriptedReply | None:
        """Record the request and take the next scripted reply (the last one repeats)."""
        with self._lock:
            self.requests.append(request)
            if self._replies:
                self._last = self._replies.pop(0)
            return self._last


def _handler_for(server: FakeProvider) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to one FakeProvider."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            request = RecordedRequest(
                self.path, {k.lower(): v for k, v in self.headers.items()}, _parse(raw)
            )
            scripted = server._next_reply(request)
            if scripted is None:
                self._send(500, "text/plain", b"fake server: no reply scripted")
                return
            if server._closing.wait(scripted.delay_s):
                return
            asked = request.body if isinstance(request.body, dict) else {}
            model = scripted.model or str(asked.get("model") or "fake-model")
            if scripted.status != 200 or scripted.body is not None:
                self._send_error(scripted)
            elif scripted.stream if scripted.stream is not None else asked.get("stream"):
                self._send_stream(scripted, model, asked)
            else:
                body = json.dumps(_completion(scripted, model, asked)).encode()
                self._send(200, "application/json", body)

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def _send_error(self, scripted: ScriptedReply) -> None:
            if scripted.body is not None:
                self._send(scripted.status, "text/plain", scripted.body.encode())
                return
            message = scripted.error or self.responses.get(scripted.status, ("error",))[0]
            error = {"error": {"message": message, "code": scripted.status}}
            self._send(scripted.status, "application/json", json.dumps(error).encode())

        def _send_stream(self, scripted: ScriptedReply, model: str, asked: Mapping) -> None:
            # No Content-Length and Connection: close, so the stream ends when the socket does.
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            for line in _sse_lines(scripted, model, asked):
                self.wfile.write(line.encode() + b"\n")
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
    if scripted.cut:
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
