"""Chat completions over HTTP: one OpenAI-compatible client for every provider.

`chat` sends one request and returns the reply text with the provider's own token counts
and cost. Every failure becomes a ProviderError whose message names the provider, the
status and the provider's words, and never contains the api key or proxy credentials.
`_attempt` is exactly one HTTP call so that retries can wrap it later.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from fixer.errors import ProviderError

if TYPE_CHECKING:
    import httpx

LOG_FILE_NAME = "fixer-requests.jsonl"
PROGRESS_INTERVAL_S = 0.1  # on_progress at most ~10 times a second: enough for a spinner
MESSAGE_LIMIT = 300  # characters of a provider's error text worth showing a user
CONNECT_TIMEOUT_S = 30.0  # a host that takes longer to accept is down, however long replies take
REDACTED = "[redacted]"

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Endpoint:
    """Where and how to reach one model: claude-code-router's provider entry plus the model."""

    provider: str  # provider name from config, e.g. "openrouter"
    url: str  # full chat-completions endpoint URL (claude-code-router's api_base_url)
    api_key: str = field(repr=False)  # repr=False: an Endpoint in a traceback shows no key
    model: str
    proxy: str | None = field(default=None, repr=False)  # may hold user:pass@
    timeout_s: float = 600.0  # longest silence allowed while connecting, sending or reading
    log_dir: Path | None = None  # when set, append each request to LOG_FILE_NAME there


@dataclass(frozen=True)
class Usage:
    """Token counts and cost as the provider reported them; None where it said nothing."""

    prompt_tokens: int | None
    completion_tokens: int | None
    cached_tokens: int | None  # OpenAI prompt_tokens_details.cached_tokens, DeepSeek hit tokens
    reasoning_tokens: int | None  # completion_tokens_details.reasoning_tokens
    cost: Decimal | None  # provider-reported cost in USD (OpenRouter usage.cost)
    raw: Mapping[str, Any]


@dataclass(frozen=True)
class Progress:
    """How far a streamed reply has come, for a spinner or a token counter."""

    received_tokens: int  # approximate: streamed deltas carrying content or reasoning text
    elapsed_s: float


@dataclass(frozen=True)
class Reply:
    """A model's answer: its text, what it cost and how it ended."""

    text: str
    usage: Usage | None  # None when the provider sent none (e.g. stream cut)
    model: str  # model name the provider reported, else the requested one
    elapsed_s: float
    finish_reason: str | None


async def chat(
    endpoint: Endpoint,
    messages: list[dict[str, str]],
    *,
    stream: bool = True,
    on_progress: Callable[[Progress], None] | None = None,
    max_tokens: int | None = None,
) -> Reply:
    """Send messages to the endpoint's model and return its reply; ProviderError on any failure.

    on_progress is called while a streamed reply arrives, never for a non-streamed one.
    """
    body = request_body(endpoint.model, messages, stream=stream, max_tokens=max_tokens)
    return await _attempt(endpoint, body, on_progress)


def request_body(
    model: str, messages: list[dict[str, str]], *, stream: bool, max_tokens: int | None
) -> dict[str, Any]:
    """The JSON body of a chat request; no temperature, which some reasoning models reject."""
    body: dict[str, Any] = {"model": model, "messages": messages, "stream": stream}
    if stream:
        body["stream_options"] = {"include_usage": True}
    if max_tokens is not None:
        body["max_tokens"] = max_tokens
    return body


def parse_usage(raw: Mapping[str, Any]) -> Usage:
    """Normalise an OpenAI-shaped usage object, including DeepSeek and OpenRouter extras."""
    prompt_details = _mapping(raw.get("prompt_tokens_details"))
    completion_details = _mapping(raw.get("completion_tokens_details"))
    cached = _first_int(
        prompt_details.get("cached_tokens"),
        raw.get("prompt_cache_hit_tokens"),  # DeepSeek
        raw.get("cached_tokens"),  # Moonshot
    )
    return Usage(
        prompt_tokens=_first_int(raw.get("prompt_tokens")),
        completion_tokens=_first_int(raw.get("completion_tokens")),
        cached_tokens=cached,
        reasoning_tokens=_first_int(completion_details.get("reasoning_tokens")),
        cost=_decimal(raw.get("cost")),
        raw=dict(raw),
    )


def provider_message(body: str) -> str:
    """The provider's own words from an error body (OpenAI JSON shape or plain text), shortened."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    text = _error_text(data) if data is not None else None
    return _shorten(" ".join((text if text is not None else body).split()))


async def _attempt(
    endpoint: Endpoint, body: dict[str, Any], on_progress: Callable[[Progress], None] | None
) -> Reply:
    """One HTTP call, logged when endpoint.log_dir is set; the unit a retry would repeat."""
    import httpx  # imported here so that importing fixer.llm stays cheap for `fixer --help`

    started = time.monotonic()
    status: int | None = None
    reply: Reply | None = None
    error: ProviderError | None = None
    try:
        async with (
            _client(endpoint) as client,
            client.stream("POST", endpoint.url, json=body, headers=_headers(endpoint)) as response,
        ):
            status = response.status_code
            reply = await _read_response(endpoint, response, on_progress, started)
        return reply
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        error = _transport_error(endpoint, exc)
        raise error from None  # the cause may quote a proxy URL with its credentials
    except ProviderError as exc:
        error = exc
        raise
    finally:
        if endpoint.log_dir is not None:
            _write_log(
                endpoint.log_dir, endpoint, body, status, time.monotonic() - started, reply, error
            )


def _client(endpoint: Endpoint) -> httpx.AsyncClient:
    """An httpx client with the endpoint's proxy and timeouts; a bad proxy URL is an error."""
    import httpx

    timeout = httpx.Timeout(endpoint.timeout_s, connect=min(endpoint.timeout_s, CONNECT_TIMEOUT_S))
    try:
        return httpx.AsyncClient(proxy=endpoint.proxy, timeout=timeout)
    except ValueError as exc:
        detail = _redact(str(exc), _secrets(endpoint))
        raise ProviderError(
            f"The proxy URL for {endpoint.provider} is not usable: {detail}. Check PROXY_URL in "
            "the config (for example http://user:pass@host:3128)."
        ) from None


def _headers(endpoint: Endpoint) -> dict[str, str]:
    """Request headers: the bearer key and a JSON/SSE accept."""
    accept = "text/event-stream, application/json"
    return {"Authorization": f"Bearer {endpoint.api_key}", "Accept": accept}


async def _read_response(
    endpoint: Endpoint,
    response: httpx.Response,
    on_progress: Callable[[Progress], None] | None,
    started: float,
) -> Reply:
    """Turn an open response into a Reply: status check, then an SSE stream or a JSON body."""
    if response.status_code >= 400:
        body = (await response.aread()).decode("utf-8", "replace")
        raise _status_error(endpoint, response.status_code, response.reason_phrase, body)
    state = await _read_stream(endpoint, response, on_progress, started)
    return state.reply(endpoint, time.monotonic() - started)


def _status_error(endpoint: Endpoint, status: int, reason: str, body: str) -> ProviderError:
    """A ProviderError for an HTTP error status: status, the provider's words, what to do."""
    reason = reason or _status_phrase(status)
    said = provider_message(body).rstrip(".")
    said = f": {said}." if said and said.lower() != reason.lower() else "."
    message = f"{endpoint.provider} answered {status} {reason}{said} {_status_advice(status)}"
    return ProviderError(_redact(message, _secrets(endpoint)))


def _status_phrase(status: int) -> str:
    """The standard reason phrase, for HTTP/2 replies that carry none."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "error"


def _status_advice(status: int) -> str:
    """What the user can do about an HTTP error status."""
    if status in (401, 403):
        return "Check the provider's api_key or its environment variable."
    if status == 402:
        return "Add credit to the provider account or choose another model."
    if status == 404:
        return "Check the provider's api_base_url and the model name."
    if status in (408, 429):
        return "The provider is rate limiting or busy: wait a little and try again."
    if status >= 500:
        return "The provider failed: try again later or choose another provider."
    return "Check the model name and the provider's settings in the config."


def _transport_error(endpoint: Endpoint, exc: httpx.HTTPError | httpx.InvalidURL) -> ProviderError:
    """A ProviderError for a failure below HTTP: connection, proxy, timeout, broken stream."""
    import httpx

    name = endpoint.provider
    detail = (str(exc) or type(exc).__name__).rstrip(".")
    if isinstance(exc, httpx.ProxyError):
        message = f"The proxy for {name} failed: {detail}. Check PROXY_URL in the config."
    elif isinstance(exc, httpx.TimeoutException):
        message = (
            f"{name} went silent for more than {endpoint.timeout_s:g} s ({type(exc).__name__}). "
            "Try again, raise the timeout, or choose a faster model."
        )
    elif isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        message = f"{name} has an unusable api_base_url {endpoint.url!r}: {detail}."
    elif isinstance(exc, httpx.ConnectError):
        message = (
            f"Could not connect to {name} at {endpoint.url}: {detail}. Check the provider's "
            f"api_base_url and your network{' and PROXY_URL' if endpoint.proxy else ''}."
        )
    else:
        message = f"The connection to {name} failed: {detail}. Try again."
    return ProviderError(_redact(message, _secrets(endpoint)))


@dataclass
class _ReplyState:
    """What has arrived so far of one reply, from a JSON body or from stream chunks."""

    parts: list[str] = field(default_factory=list)
    usage: Mapping[str, Any] | None = None
    model: str | None = None
    finish_reason: str | None = None
    deltas: int = 0

    def add(self, chunk: Mapping[str, Any], key: str) -> None:
        """Take text, usage, model and finish reason from a chunk; key is "delta" or "message"."""
        self.model = _str(chunk.get("model")) or self.model
        if isinstance(chunk.get("usage"), Mapping):
            self.usage = chunk["usage"]
        choices = chunk.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], Mapping):
            return
        choice = choices[0]
        self.finish_reason = _str(choice.get("finish_reason")) or self.finish_reason
        content = _mapping(choice.get(key))
        text = _str(content.get("content"))
        if text:
            self.parts.append(text)
        # Reasoning text is not part of the reply but shows the model is alive.
        if text or _str(content.get("reasoning")) or _str(content.get("reasoning_content")):
            self.deltas += 1

    def reply(self, endpoint: Endpoint, elapsed_s: float) -> Reply:
        """The finished Reply, even an empty or cut one: the session decides what it is worth."""
        text = "".join(self.parts)
        usage = parse_usage(self.usage) if self.usage is not None else None
        return Reply(text, usage, self.model or endpoint.model, elapsed_s, self.finish_reason)


def _completion_state(endpoint: Endpoint, body: str) -> _ReplyState:
    """Read a non-streamed chat completion body."""
    data = _json_object(endpoint, body, what="body")
    _raise_for_error_object(endpoint, data)
    state = _ReplyState()
    state.add(data, "message")
    return state


async def _read_stream(
    endpoint: Endpoint,
    response: httpx.Response,
    on_progress: Callable[[Progress], None] | None,
    started: float,
) -> _ReplyState:
    """Read an SSE stream of chunks, reporting progress at most every PROGRESS_INTERVAL_S.

    A body without any `data:` line is read as a plain JSON completion instead: whatever was
    asked, some providers ignore stream=true and others label JSON as text.
    """
    state = _ReplyState()
    reported, last_report = 0, float("-inf")
    saw_data, other_lines = False, []
    async for line in response.aiter_lines():
        payload = sse_data(line)
        if payload is None:
            other_lines.append(line)  # the whole body, should it turn out not to be SSE
            continue
        saw_data = True
        if payload == "[DONE]":
            break
        chunk = _json_object(endpoint, payload, what="stream chunk")
        _raise_for_error_object(endpoint, chunk)
        state.add(chunk, "delta")
        now = time.monotonic()
        if on_progress and state.deltas > reported and now - last_report >= PROGRESS_INTERVAL_S:
            on_progress(Progress(state.deltas, now - started))
            reported, last_report = state.deltas, now
    if not saw_data:
        return _completion_state(endpoint, "\n".join(other_lines))
    if on_progress and state.deltas > reported:
        on_progress(Progress(state.deltas, time.monotonic() - started))
    return state


def sse_data(line: str) -> str | None:
    """The payload of an SSE `data:` line; None for comments, keep-alives, blanks, other fields."""
    if not line.startswith("data:"):
        return None
    return line[len("data:") :].strip()


def _not_completion_error(endpoint: Endpoint, body: str) -> ProviderError:
    """A 200 whose body is neither JSON nor an event stream (often a proxy or login page)."""
    said = _shorten(" ".join(body.split())) or "an empty body"
    message = (
        f"{endpoint.provider} answered 200 but not with a chat completion: {said}. "
        "Check that api_base_url is the full chat-completions URL."
    )
    return ProviderError(_redact(message, _secrets(endpoint)))


def _json_object(endpoint: Endpoint, text: str, *, what: str) -> Mapping[str, Any]:
    """Parse a JSON object from the provider, or raise a ProviderError quoting the start of it."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, Mapping):
        if what == "body":
            raise _not_completion_error(endpoint, text)
        said = _redact(_shorten(" ".join(text.split())), _secrets(endpoint))
        raise ProviderError(f"{endpoint.provider} sent a malformed {what}: {said}. Try again.")
    return data


def _raise_for_error_object(endpoint: Endpoint, data: Mapping[str, Any]) -> None:
    """Providers report some failures as {"error": ...} with status 200, even mid-stream."""
    if data.get("error") is None:
        return
    said = (_error_text(data) or "no details").rstrip(".")
    message = (
        f"{endpoint.provider} reported an error in its reply: {_shorten(said)}. "
        "Try again or choose another model."
    )
    raise ProviderError(_redact(message, _secrets(endpoint)))


def _error_text(data: Any) -> str | None:
    """The message inside an error body: {"error": {"message"}}, {"error": "..."}, {"detail"}."""
    if not isinstance(data, Mapping):
        return None
    error = data.get("error")
    if isinstance(error, str):
        return error
    if isinstance(error, Mapping):
        text = _str(error.get("message")) or json.dumps(error)
        # OpenRouter wraps the upstream provider's words in metadata.raw.
        upstream = _str(_mapping(error.get("metadata")).get("raw"))
        return f"{text} (upstream: {upstream})" if upstream else text
    return _str(data.get("message")) or _str(data.get("detail"))


def _write_log(
    log_dir: Path,
    endpoint: Endpoint,
    body: Mapping[str, Any],
    status: int | None,
    latency_s: float,
    reply: Reply | None,
    error: ProviderError | None,
) -> None:
    """Append one JSON line about this request; a failing log never costs the user the reply."""
    record = {
        "time": datetime.now(UTC).isoformat(),
        "provider": endpoint.provider,
        "model": endpoint.model,
        "url": endpoint.url,
        "stream": body.get("stream"),
        "status": status,
        "latency_s": round(latency_s, 3),
        "usage": dict(reply.usage.raw) if reply and reply.usage else None,
        "finish_reason": reply.finish_reason if reply else None,
        "messages": body.get("messages"),
        "reply": reply.text if reply else None,
        "error": _log_error(reply, error),
    }
    line = json.dumps(_redact_value(record, _secrets(endpoint)), ensure_ascii=False) + "\n"
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        # 0o600: the log holds the user's files and prompts.
        fd = os.open(log_dir / LOG_FILE_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as log_file:
            log_file.write(line)
    except OSError as exc:
        _log.warning("could not write the request log in %s: %s", log_dir, exc)


def _log_error(reply: Reply | None, error: ProviderError | None) -> str | None:
    """The error column of the log: the message, or "interrupted" when the call was cancelled."""
    if error is not None:
        return str(error)
    return None if reply is not None else "interrupted"


def _secrets(endpoint: Endpoint) -> tuple[str, ...]:
    """Strings that must never be shown or logged: the api key and the proxy's credentials."""
    found = [endpoint.api_key]
    if endpoint.proxy:
        parts = urlsplit(endpoint.proxy)
        userinfo = parts.netloc.rpartition("@")[0]
        found += [userinfo, parts.password or "", unquote(parts.password or "")]
    # Longest first, so a secret containing another is replaced whole.
    return tuple(sorted({s for s in found if s}, key=len, reverse=True))


def _redact(text: str, secrets: tuple[str, ...]) -> str:
    """Text with every secret replaced by REDACTED."""
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


def _redact_value(value: Any, secrets: tuple[str, ...]) -> Any:
    """A JSON-like value with every string redacted, keys included."""
    if isinstance(value, str):
        return _redact(value, secrets)
    if isinstance(value, Mapping):
        return {_redact(str(k), secrets): _redact_value(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(v, secrets) for v in value]
    return value


def _shorten(text: str) -> str:
    """Text cut to MESSAGE_LIMIT characters, marked when cut."""
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


def _mapping(value: Any) -> Mapping[str, Any]:
    """The value if it is a mapping, else an empty one (providers send null for absent parts)."""
    return value if isinstance(value, Mapping) else {}


def _str(value: Any) -> str | None:
    """The value if it is a non-empty string, else None."""
    return value if isinstance(value, str) and value else None


def _first_int(*values: Any) -> int | None:
    """The first value that is a whole number, as an int; some providers send 12.0 for 12."""
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
    return None


def _decimal(value: Any) -> Decimal | None:
    """A JSON number or numeric string as an exact Decimal (via str, so 0.1 stays 0.1)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
