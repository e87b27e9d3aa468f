"""Chat completions over HTTP: one OpenAI-compatible client for every provider.

`chat` sends a request and returns the reply text with the provider's own token counts and
cost. It retries what waiting can fix (408, 409, 429, 5xx, a connection lost before any reply)
after the provider's Retry-After or a jittered backoff, never once a reply has begun, and stops
at a wall-clock deadline. Every failure is a ChatError (a ProviderError) whose message names
the provider, the status and the provider's words, never the api key or proxy credentials, and
which carries what a broken reply had sent, so that its cost is still counted.
`_attempt` is exactly one HTTP call; `chat` repeats it.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import json
import logging
import math
import os
import random
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from math import ceil
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fixer.cost import Usage, parse_usage
from fixer.errors import ProviderError
from fixer.printable import printable
from fixer.redact import mask_url, redact, secrets_of
from fixer.sse import Event, EventParser

if TYPE_CHECKING:
    import httpx

LOG_FILE_NAME = "fixer-requests.jsonl"
PROGRESS_INTERVAL_S = 0.1  # on_progress at most ~10 times a second: enough for a spinner
MESSAGE_LIMIT = 300  # characters of a provider's error text worth showing a user
CONNECT_TIMEOUT_S = 30.0  # a host that takes longer to accept is down, however long replies take
# A reply is stopped locally at its output limit, counted in characters as they arrive: no
# tokenizer packs more than about this many into a token on average, so an honest reply
# within its max_tokens is never stopped here.
CHARS_PER_TOKEN_LIMIT = 8
# And the stream itself, whatever it holds (JSON around each delta, fields that are not text):
# this many bytes per character of the limit, never less than the floor, is more than any
# honest stream sends.
BYTES_PER_CHAR_LIMIT = 256
BYTES_LIMIT_FLOOR = 1 << 20
# The request field that carries the output limit. OpenAI's reasoning models refuse
# max_tokens and every OpenAI chat model takes max_completion_tokens; elsewhere (DeepSeek,
# OpenRouter, Mistral, Gemini, local servers) max_tokens is the field that is understood.
OUTPUT_FIELDS = ("max_tokens", "max_completion_tokens")
_COMPLETION_TOKENS_HOSTS = ("api.openai.com", ".openai.azure.com")
# After [DONE] the body's end is read, at most this much within this long, so that the
# connection is kept for the run's next call.
DRAIN_BYTES = 1 << 16
DRAIN_S = 1.0
RETRY_STATUSES = frozenset({408, 409, 429, *range(500, 600)})  # what waiting can fix

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long chat() waits and tries again after a failure waiting can fix."""

    attempts: int = 5  # tries in all, the first included
    base_s: float = 0.5  # backoff before the second try; doubles each time, full jitter
    cap_s: float = 20.0  # longest backoff fixer picks itself
    max_wait_s: float = 60.0  # a provider asking for a longer pause is told "later" at once


@dataclass(frozen=True)
class Endpoint:
    """Where and how to reach one model: claude-code-router's provider entry plus the model."""

    provider: str  # provider name from config, e.g. "openrouter"
    # The full chat-completions URL (claude-code-router's api_base_url); it may hold
    # credentials, so an Endpoint in a traceback shows neither it nor the key.
    url: str = field(repr=False)
    api_key: str = field(repr=False)
    model: str
    proxy: str | None = field(default=None, repr=False)  # may hold user:pass@
    timeout_s: float = 600.0  # longest silence, or stream of keep-alives without content
    log_dir: Path | None = None  # when set, append each request to LOG_FILE_NAME there
    deadline_s: float = 600.0  # wall clock for a whole chat() call, retries and waits included
    retry: RetryPolicy = RetryPolicy()
    max_output_tokens: int | None = None  # sent, and enforced on what arrives; None: neither

    @property
    def max_output_chars(self) -> int | None:
        """Characters of reply and reasoning after which the reply is stopped locally."""
        if self.max_output_tokens is None:
            return None
        return self.max_output_tokens * CHARS_PER_TOKEN_LIMIT

    @property
    def max_stream_bytes(self) -> int | None:
        """Bytes of a reply's body after which it is stopped, text or not."""
        chars = self.max_output_chars
        return None if chars is None else max(BYTES_LIMIT_FLOOR, chars * BYTES_PER_CHAR_LIMIT)


@dataclass(frozen=True)
class Progress:
    """How far a streamed reply has come, for a spinner or a token counter; or, while no
    attempt may start, why and until when."""

    received_tokens: int  # approximate: streamed deltas carrying content or reasoning text
    elapsed_s: float  # since chat() was called
    paused_until: float | None = None  # time.monotonic() of the next attempt, while paused
    pause_reason: str = ""  # e.g. "rate limited (HTTP 429)"
    activity: str = ""  # what runs instead of a call, e.g. "running the tests"

    def describe(self, now: float) -> str:
        """What the call is doing, in a few words: tokens so far, or the pause and time left."""
        if self.activity:
            return self.activity
        if self.paused_until is not None and self.paused_until > now:
            return f"{self.pause_reason}: trying again in {ceil(self.paused_until - now)} s"
        return f"{self.received_tokens:,} tokens received"


def pause_reason(status: int | None) -> str:
    """Why chat() waits before trying again, from the status of the failed attempt."""
    if status == 429:
        return "rate limited (HTTP 429)"
    if status is None:
        return "no answer"
    return f"the provider failed (HTTP {status})"


@dataclass(frozen=True)
class Reply:
    """A model's answer: its text, what it cost and how it ended."""

    text: str
    usage: Usage | None  # None when the provider sent none (e.g. stream cut)
    model: str  # model name the provider reported, else the requested one
    elapsed_s: float  # the whole call, retries and their waits included
    finish_reason: str | None
    attempts: int = 1  # HTTP calls made; the failed ones got no reply and cost nothing
    reasoning: str = ""  # the reasoning text streamed beside the reply, billed as output
    # What stopped the reply before its end, when fixer did (its output limit, the deadline):
    # its finish_reason is then "length", as if the provider had cut it.
    cut_by: str | None = None
    notes: tuple[str, ...] = ()  # what the user should know about the call, e.g. a refused field


class ChatError(ProviderError):
    """A chat() call that failed, with what the provider had sent before it did.

    partial is the reply as far as it came when a 200 reply broke off (stream cut, deadline,
    error inside the stream): its text so far, usage usually None. The provider may bill it,
    so the ledger records it. None when no reply began: nothing was consumed.
    """

    def __init__(
        self,
        message: str,
        *,
        partial: Reply | None = None,
        attempts: int = 1,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.partial = partial
        self.attempts = attempts
        self.status = status  # the HTTP error status that ended it, if one did

    @property
    def refused_key(self) -> bool:
        """401 or 403: the provider refused the key; it will refuse it again."""
        return self.status in (401, 403)


class Limiter:
    """Shared by the concurrent calls of one run, so that rate limits slow the run down.

    At most `concurrency` HTTP calls are in flight; a pause a 429 asks for (or its backoff)
    holds back the next attempt of every call, not only the one that was refused.
    """

    def __init__(self, concurrency: int) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {concurrency}")
        self._slots = asyncio.Semaphore(concurrency)
        self._not_before = 0.0  # time.monotonic() before which no attempt starts

    def pause(self, seconds: float) -> None:
        """Start no attempt for the next `seconds`, unless a longer pause is already set."""
        self._not_before = max(self._not_before, time.monotonic() + seconds)

    @contextlib.asynccontextmanager
    async def turn(self, on_pause: Callable[[float], None] | None = None) -> AsyncIterator[None]:
        """Hold one of the slots, once any pause is over, for the length of one HTTP call;
        `on_pause` is told when a pause holds this call back, and until when."""
        async with self._slots:
            # A loop: the pause may grow while this call sleeps.
            while (wait := self._not_before - time.monotonic()) > 0:
                if on_pause is not None:
                    on_pause(self._not_before)
                await asyncio.sleep(wait)
            yield


class Clients:
    """The HTTP clients of a run: one per event loop and proxy, opened at its first call and
    reused by every later one (retries, escalation, --compare...), so a run pays one TCP and
    TLS handshake per host, not one per attempt. `aclose` ends them; call it on every exit."""

    def __init__(self) -> None:
        self._open: dict[tuple[asyncio.AbstractEventLoop, str | None], httpx.AsyncClient] = {}

    def get(self, endpoint: Endpoint) -> httpx.AsyncClient:
        """The client for the endpoint's proxy on the running loop; a bad proxy URL is an
        error. A client lives on one loop: httpx connections cannot move to another."""
        key = (asyncio.get_running_loop(), endpoint.proxy)
        client = self._open.get(key)
        if client is None or client.is_closed:
            client = self._open[key] = _client(endpoint)
        return client

    async def aclose(self) -> None:
        """Close the clients of the running loop (the others' loops are gone or not ours)."""
        loop = asyncio.get_running_loop()
        for key in [k for k in self._open if k[0] is loop]:
            await self._open.pop(key).aclose()


async def chat(
    endpoint: Endpoint,
    messages: list[dict[str, str]],
    *,
    stream: bool = True,
    on_progress: Callable[[Progress], None] | None = None,
    limiter: Limiter | None = None,
    clients: Clients | None = None,
) -> Reply:
    """Send messages to the endpoint's model and return its reply; ChatError on any failure.

    Retries follow endpoint.retry within endpoint.deadline_s. A reply still arriving at the
    deadline, or past endpoint.max_output_tokens, is stopped and returned cut (finish_reason
    "length", cut_by saying why). on_progress is called while a streamed reply arrives, never
    for a non-streamed one. limiter is shared by concurrent calls. The connection comes from
    `clients` (the run's, which its owner closes), else from clients of this call only.
    """
    if clients is None:
        own = Clients()
        try:
            return await chat(
                endpoint,
                messages,
                stream=stream,
                on_progress=on_progress,
                limiter=limiter,
                clients=own,
            )
        finally:
            await own.aclose()
    body = request_body(
        endpoint.model,
        messages,
        stream=stream,
        max_tokens=endpoint.max_output_tokens,
        field=output_field(endpoint.url),
    )
    started = time.monotonic()
    attempt = 0
    notes: list[str] = []
    while True:
        attempt += 1
        try:
            reply = await _attempt(endpoint, body, attempt, started, on_progress, limiter, clients)
            return replace(reply, notes=tuple(notes)) if notes else reply
        except _AttemptFailed as failed:
            wait_s = _retry_wait(endpoint, failed, attempt, started)
            reason = pause_reason(failed.status)
            if failed.refused_field is not None:
                body, note = without_output_field(body, failed.refused_field, failed.message)
                notes.append(f"{endpoint.provider} {note}")
        if on_progress is not None:
            now = time.monotonic()
            on_progress(Progress(0, now - started, now + wait_s, reason))
        await asyncio.sleep(wait_s)


def request_body(
    model: str,
    messages: list[dict[str, str]],
    *,
    stream: bool,
    max_tokens: int | None,
    field: str = "max_tokens",
) -> dict[str, Any]:
    """The JSON body of a chat request; no temperature, which some reasoning models reject.
    The output limit goes in `field` (one of OUTPUT_FIELDS)."""
    body: dict[str, Any] = {"model": model, "messages": messages, "stream": stream}
    if stream:
        body["stream_options"] = {"include_usage": True}
    if max_tokens is not None:
        body[field] = max_tokens
    return body


def output_field(url: str) -> str:
    """The request field for the output limit that the provider at `url` takes."""
    host = (urlsplit(url).hostname or "").lower()
    return OUTPUT_FIELDS[host.endswith(_COMPLETION_TOKENS_HOSTS)]


def without_output_field(
    body: Mapping[str, Any], refused: str, said: str
) -> tuple[dict[str, Any], str]:
    """The request again after a 400 that named its output-limit field, and what was done:
    max_completion_tokens instead of max_tokens when the provider's words name it (OpenAI:
    "use 'max_completion_tokens' instead"), else with no field, so at most two such retries;
    fixer still stops the reply at the limit as it arrives."""
    resent = {k: v for k, v in body.items() if k != refused}
    if refused == "max_tokens" and "max_completion_tokens" in said:
        resent["max_completion_tokens"] = body[refused]
        return resent, "refused max_tokens; it was sent as max_completion_tokens instead"
    return resent, (
        f"refused {refused}={body[refused]:,}, so it was sent without an output limit (fixer "
        "still stops the reply at it): give the provider a maxtoken transformer with a limit "
        "it takes"
    )


def provider_message(body: str) -> str:
    """The provider's own words from an error body (OpenAI JSON shape or plain text), shortened."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    text = _error_text(data) if data is not None else None
    return _shorten(" ".join((text if text is not None else body).split()))


def retry_after_s(headers: Mapping[str, str], now: datetime) -> float | None:
    """Seconds of pause a provider asks for; None when it asks for none or says it unreadably.

    `retry-after-ms` first (OpenAI's), else `Retry-After` in seconds or as an HTTP date (a past
    date is 0). Names are looked up in lower case: pass httpx.Headers or a lower-cased mapping.
    """
    with contextlib.suppress(ValueError):
        return _bounded(float(headers.get("retry-after-ms", "")) / 1000)
    value = headers.get("retry-after", "").strip()
    with contextlib.suppress(ValueError):
        return _bounded(float(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" parses naive; HTTP dates are always GMT
        when = when.replace(tzinfo=UTC)
    return _bounded((when - now).total_seconds())


LONGEST_PAUSE_S = 366 * 86400.0  # "inf", 1e12...: a pause past any date shown is said as this


def _bounded(seconds: float) -> float | None:
    """A pause in [0, LONGEST_PAUSE_S]; None for NaN, which says nothing."""
    if math.isnan(seconds):
        return None
    return min(max(0.0, seconds), LONGEST_PAUSE_S)


def _when(seconds: float) -> str:
    """The local time `seconds` from now: with its date when that is not within a day."""
    at = datetime.now().astimezone() + timedelta(seconds=seconds)
    return at.strftime("%H:%M:%S" if seconds < 20 * 3600 else "%Y-%m-%d %H:%M:%S")


def backoff_s(policy: RetryPolicy, attempt: int) -> float:
    """The pause after failed attempt number `attempt` when the provider named none.

    Exponential with full jitter, so that calls refused together do not return together.
    """
    return random.uniform(0.0, min(policy.cap_s, policy.base_s * 2 ** (attempt - 1)))


class _AttemptFailed(Exception):
    """One attempt's failure, with what chat() needs to decide whether to try again."""

    def __init__(
        self,
        message: str,
        *,
        wait_s: float | None = None,
        partial: Reply | None = None,
        status: int | None = None,
        refused_field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.wait_s = wait_s  # the pause before a retry; None when a retry cannot help
        self.partial = partial
        self.status = status
        self.refused_field = refused_field  # the output-limit field a 400 refused

    def final(self, attempts: int, note: str = "") -> ChatError:
        """The ChatError chat() raises when it tries no more."""
        message = f"{self.message} {note}" if note else self.message
        return ChatError(message, partial=self.partial, attempts=attempts, status=self.status)


def _retry_wait(endpoint: Endpoint, failed: _AttemptFailed, attempt: int, started: float) -> float:
    """Seconds to wait before the next attempt; raises the final ChatError when there is none."""
    policy, wait_s = endpoint.retry, failed.wait_s
    if wait_s is None:
        raise failed.final(attempt) from None
    if wait_s > policy.max_wait_s:  # only a provider's Retry-After can ask for this much
        if wait_s >= LONGEST_PAUSE_S:
            asked = "a pause of a year or more"
        else:
            asked = f"a pause of {wait_s:.0f} s"
        note = (
            f"It asks for {asked}, longer than fixer waits "
            f"({policy.max_wait_s:g} s): try again after {_when(wait_s)}."
        )
        raise failed.final(attempt, note) from None
    if attempt >= policy.attempts:
        note = f"Gave up after {attempt} attempts." if attempt > 1 else ""
        raise failed.final(attempt, note) from None
    if time.monotonic() + wait_s > started + endpoint.deadline_s:
        after = f" after {attempt} attempts" if attempt > 1 else ""
        note = (
            f"Not tried again{after}: a pause of {wait_s:.3g} s would pass the "
            f"{endpoint.deadline_s:g} s deadline."
        )
        raise failed.final(attempt, note) from None
    return wait_s


async def _attempt(
    endpoint: Endpoint,
    body: dict[str, Any],
    attempt: int,
    started: float,
    on_progress: Callable[[Progress], None] | None,
    limiter: Limiter | None,
    clients: Clients,
) -> Reply:
    """One HTTP call, logged when endpoint.log_dir is set; _AttemptFailed tells chat() the rest.

    It runs within what is left of the call's deadline, and within a turn of the limiter.
    """
    import httpx  # imported here so that importing fixer.llm stays cheap for `fixer --help`

    sent = time.monotonic()
    state = _ReplyState()
    status: int | None = None
    reply: Reply | None = None
    failed: _AttemptFailed | None = None

    def held_back(until: float) -> None:  # another call's 429 holds this one too
        if on_progress is not None:
            on_progress(Progress(0, time.monotonic() - started, until, pause_reason(429)))

    try:
        async with (
            asyncio.timeout(started + endpoint.deadline_s - time.monotonic()),
            limiter.turn(held_back) if limiter else contextlib.nullcontext(),
            clients.get(endpoint).stream(
                "POST",
                endpoint.url,
                json=body,
                headers=_headers(endpoint),
                timeout=_timeout(endpoint),
            ) as response,
        ):
            status = response.status_code
            if 300 <= status < 400:
                raise _redirected(endpoint, response)
            if status >= 400:
                raise await _status_failure(endpoint, response, body, attempt, limiter)
            await _read_stream(endpoint, response, state, on_progress, started)
        reply = state.reply(endpoint, time.monotonic() - started, attempt)
        return reply
    except _OutputLimit as limit:  # leaving the block closed the connection: nothing more comes
        state.cut_by = str(limit)
        reply = state.reply(endpoint, time.monotonic() - started, attempt)
        return reply
    except (_AttemptFailed, ProviderError, TimeoutError, httpx.HTTPError, httpx.InvalidURL) as exc:
        if isinstance(exc, TimeoutError) and state.chars:  # a reply still arriving is cut
            state.cut_by = f"the {endpoint.deadline_s:g} s deadline of a call (API_TIMEOUT_MS)"
            reply = state.reply(endpoint, time.monotonic() - started, attempt)
            return reply
        # Only a reply that began (status 200) may have cost something.
        partial = (
            state.reply(endpoint, time.monotonic() - started, attempt) if status == 200 else None
        )
        failed = _failure(endpoint, exc, status, attempt, partial)
        raise failed from None  # the cause may quote a proxy URL with its credentials
    finally:
        if endpoint.log_dir is not None:
            logged = reply or (failed.partial if failed else None)
            _write_log(
                endpoint.log_dir,
                endpoint,
                body,
                attempt,
                status,
                time.monotonic() - sent,
                logged,
                failed.message if failed else None,
            )


def _failure(
    endpoint: Endpoint,
    exc: _AttemptFailed | ProviderError | TimeoutError | httpx.HTTPError | httpx.InvalidURL,
    status: int | None,
    attempt: int,
    partial: Reply | None,
) -> _AttemptFailed:
    """What an exception inside one attempt means for the user and for a retry."""
    import httpx

    if isinstance(exc, _AttemptFailed):
        return exc
    if isinstance(exc, TimeoutError):
        return _AttemptFailed(_deadline_message(endpoint, partial), partial=partial)
    if isinstance(exc, ProviderError):
        return _AttemptFailed(str(exc), partial=partial)
    # Lost before any byte of a reply: the request may not even have arrived, so send it again.
    lost = isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError | httpx.ConnectTimeout)
    wait_s = backoff_s(endpoint.retry, attempt) if lost and status is None else None
    return _AttemptFailed(_transport_message(endpoint, exc), wait_s=wait_s, partial=partial)


def _client(endpoint: Endpoint) -> httpx.AsyncClient:
    """An httpx client with the endpoint's proxy; a bad proxy URL is an error."""
    import httpx

    try:
        return httpx.AsyncClient(proxy=endpoint.proxy)
    except (ValueError, httpx.InvalidURL) as exc:  # only the proxy URL is read here
        detail = redact(str(exc), _secrets(endpoint))
        raise ProviderError(
            f"The proxy URL for {endpoint.provider} is not usable: {detail}. Check PROXY_URL in "
            "the config (for example http://user:pass@host:3128)."
        ) from None


def _timeout(endpoint: Endpoint) -> httpx.Timeout:
    """The endpoint's timeouts, per request: clients are shared by endpoints of a run."""
    import httpx

    return httpx.Timeout(endpoint.timeout_s, connect=min(endpoint.timeout_s, CONNECT_TIMEOUT_S))


def _headers(endpoint: Endpoint) -> dict[str, str]:
    """Request headers: the bearer key and a JSON/SSE accept."""
    accept = "text/event-stream, application/json"
    return {"Authorization": f"Bearer {endpoint.api_key}", "Accept": accept}


def _redirected(endpoint: Endpoint, response: Any) -> _AttemptFailed:
    """A redirect is reported, never followed: the request carries the key, and the new place
    may be another host."""
    status = response.status_code
    # Only where it points, never its userinfo or query values (which may hold a token).
    where = mask_url(response.headers.get("location", ""))
    return _AttemptFailed(
        f"{endpoint.provider} answered {status} {_status_phrase(status)}, a redirect to "
        f"{printable(where) or 'nowhere'}: fixer does not follow redirects, which would send "
        "your key along. If you trust that address, put it in the provider's api_base_url.",
        status=status,
    )


async def _status_failure(
    endpoint: Endpoint,
    response: httpx.Response,
    sent: Mapping[str, Any],
    attempt: int,
    limiter: Limiter | None,
) -> _AttemptFailed:
    """The failure an HTTP error status means; a 429's pause holds back every limited call,
    and a 400 naming the output-limit field sent is tried again at once without it."""
    status = response.status_code
    body = (await response.aread()).decode("utf-8", "replace")
    message = _status_message(endpoint, status, response.reason_phrase, body)
    field = next((f for f in OUTPUT_FIELDS if f in sent), None)
    if status == 400 and field is not None and field in body:
        return _AttemptFailed(message, wait_s=0.0, status=status, refused_field=field)
    if status not in RETRY_STATUSES:
        return _AttemptFailed(message, status=status)
    asked = retry_after_s(response.headers, datetime.now(UTC))
    wait_s = asked if asked is not None else backoff_s(endpoint.retry, attempt)
    # Set while this call still holds its slot, so no other call starts before the pause.
    if status == 429 and limiter is not None and wait_s <= endpoint.retry.max_wait_s:
        limiter.pause(wait_s)
    return _AttemptFailed(message, wait_s=wait_s, status=status)


def _status_message(endpoint: Endpoint, status: int, reason: str, body: str) -> str:
    """What an HTTP error status means: status, the provider's words, what to do."""
    reason = reason or _status_phrase(status)
    # Redacted before it is shortened, so that no cut leaves a piece of a secret.
    said = provider_message(redact(body, _secrets(endpoint))).rstrip(".")
    said = f": {said}." if said and said.lower() != reason.lower() else "."
    message = (
        f"{endpoint.provider} answered {status} {reason}{said} {_status_advice(endpoint, status)}"
    )
    return redact(message, _secrets(endpoint))


def _status_phrase(status: int) -> str:
    """The standard reason phrase, for HTTP/2 replies that carry none."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "error"


def _status_advice(endpoint: Endpoint, status: int) -> str:
    """What the user can do about an HTTP error status."""
    if status == 401:
        return (
            "The api key was refused: check the provider's api_key in the config, or the "
            "environment variable it names."
        )
    if status == 403:
        return (
            f"The api key has no access to {endpoint.model}: check the account's permissions, "
            "region and credit, or choose another model."
        )
    if status == 402:
        return "Add credit to the provider account or choose another model."
    if status == 407:
        return (
            "The proxy refused its credentials: check the user and password in PROXY_URL (or "
            "in $HTTPS_PROXY / $HTTP_PROXY / $ALL_PROXY, which are used when it is not set)."
        )
    if status == 404:
        return "Check the provider's api_base_url and the model name."
    if status in (408, 409, 429):
        return "The provider is rate limiting or busy: wait a little and try again."
    if status >= 500:
        return "The provider failed: try again later or choose another provider."
    return "Check the model name and the provider's settings in the config."


def _transport_message(endpoint: Endpoint, exc: httpx.HTTPError | httpx.InvalidURL) -> str:
    """What a failure below HTTP means: connection, proxy, timeout, broken stream."""
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
        message = f"{name} has an unusable api_base_url {mask_url(endpoint.url)!r}: {detail}."
    elif isinstance(exc, httpx.ConnectError):
        message = (
            f"Could not connect to {name} at {mask_url(endpoint.url)}: {detail}. Check the "
            f"provider's api_base_url and your network{' and PROXY_URL' if endpoint.proxy else ''}."
        )
    else:
        message = f"The connection to {name} failed: {detail}. Try again."
    return redact(message, _secrets(endpoint))


def _deadline_message(endpoint: Endpoint, partial: Reply | None) -> str:
    """A call stopped by its wall-clock deadline, however busy the connection was."""
    got = f", after {len(partial.text):,} characters of reply" if partial and partial.text else ""
    return (
        f"{endpoint.provider} did not finish within the {endpoint.deadline_s:g} s deadline{got}. "
        "Try again or choose a faster model."
    )


@dataclass
class _ReplyState:
    """What has arrived so far of one reply, from a JSON body or from stream chunks."""

    parts: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    usage: Mapping[str, Any] | None = None
    model: str | None = None
    finish_reason: str | None = None
    deltas: int = 0
    chars: int = 0  # of reply and reasoning text, held against the output limit
    received: int = 0  # bytes of the body, held against the output limit too
    cut_by: str | None = None

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
        # Reasoning text is not part of the reply, but it is billed and shows the model is alive.
        thought = _str(content.get("reasoning_content")) or _str(content.get("reasoning"))
        for kept, piece in ((self.parts, text), (self.reasoning, thought)):
            if piece:
                kept.append(piece)
                self.chars += len(piece)
        if text or thought:
            self.deltas += 1

    def reply(self, endpoint: Endpoint, elapsed_s: float, attempts: int) -> Reply:
        """The Reply so far, even an empty or cut one: the session decides what it is worth."""
        text = "".join(self.parts)
        usage = parse_usage(self.usage) if self.usage is not None else None
        model = self.model or endpoint.model
        finish = "length" if self.cut_by else self.finish_reason
        return Reply(
            text,
            usage,
            model,
            elapsed_s,
            finish,
            attempts,
            reasoning="".join(self.reasoning),
            cut_by=self.cut_by,
        )


class _OutputLimit(Exception):
    """A reply grew past the endpoint's output limit; its message says so, for cut_by."""


def _read_completion(endpoint: Endpoint, body: str, state: _ReplyState) -> None:
    """Read a non-streamed chat completion body into state."""
    data = _json_object(endpoint, body, what="body")
    _raise_for_error_object(endpoint, data)
    state.add(data, "message")
    _check_output(endpoint, state)


def _check_output(endpoint: Endpoint, state: _ReplyState) -> None:
    """_OutputLimit once the reply and its reasoning, or the body that carries them, are past
    the endpoint's output limit."""
    chars, size = endpoint.max_output_chars, endpoint.max_stream_bytes
    if chars is None or size is None:
        return
    if state.chars > chars:
        after = f"{state.chars:,} characters"
    elif state.received > size:
        after = f"{state.received:,} bytes that held {state.chars:,} characters of reply"
    else:
        return
    raise _OutputLimit(
        f"fixer's output limit of {endpoint.max_output_tokens:,} tokens (stopped after {after}; "
        "fixer.max_output_tokens in the config)"
    )


async def _read_stream(
    endpoint: Endpoint,
    response: httpx.Response,
    state: _ReplyState,
    on_progress: Callable[[Progress], None] | None,
    started: float,
) -> None:
    """Read an SSE stream of chunks into state, reporting progress at most every 0.1 s.

    endpoint.timeout_s of keep-alives or empty deltas without any content is an error.
    A body without any `data:` field is read as a plain JSON completion instead: whatever was
    asked, some providers ignore stream=true and others label JSON as text.
    """
    reported, last_report = 0, float("-inf")
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")  # SSE is always UTF-8
    parser = EventParser()
    body: list[str] | None = []  # the whole body, kept until it proves to be an event stream
    # httpx's read timeout never fires while keep-alives arrive, so silence is timed here.
    alive = time.monotonic()
    stream = response.aiter_bytes()
    while True:
        raw = await anext(stream, None)
        state.received += len(raw or b"")
        _check_output(endpoint, state)
        text = decoder.decode(raw or b"", final=raw is None)
        if body is not None:
            body.append(text)
        events = parser.feed(text)
        if raw is None:  # the end: the last line and event may lack their blank line
            events += parser.close()
        if events:
            body = None
        for event in events:
            deltas = state.deltas
            chunks, done = _event_chunks(endpoint, event)
            for chunk in chunks:
                state.add(chunk, "delta")
            _check_output(endpoint, state)
            if done:
                _report(on_progress, state, reported, started)
                await _drain(stream)
                return
            if state.deltas > deltas:
                alive = time.monotonic()
        if raw is None:
            break
        now = time.monotonic()
        if now - alive > endpoint.timeout_s:
            raise ProviderError(
                f"{endpoint.provider} sent no content for {endpoint.timeout_s:g} s, only "
                "keep-alives. Try again or choose another model."
            )
        if on_progress and state.deltas > reported and now - last_report >= PROGRESS_INTERVAL_S:
            on_progress(Progress(state.deltas, now - started))
            reported, last_report = state.deltas, now
    if body is not None:
        _read_completion(endpoint, "".join(body).removeprefix("\ufeff"), state)
    else:
        _report(on_progress, state, reported, started)


async def _drain(stream: AsyncIterator[bytes]) -> None:
    """Read what follows [DONE] (the body's last chunk), so that its connection can serve the
    run's next call; a body that goes on, or is slow to end, is left and its connection
    closed. The reply is whole already: an error here changes nothing."""
    import httpx

    left = DRAIN_BYTES
    with contextlib.suppress(TimeoutError, httpx.HTTPError):
        async with asyncio.timeout(DRAIN_S):
            async for raw in stream:
                left -= len(raw)
                if left < 0:
                    return


def _report(
    on_progress: Callable[[Progress], None] | None,
    state: _ReplyState,
    reported: int,
    started: float,
) -> None:
    """The last progress of a stream, unless it was already reported."""
    if on_progress and state.deltas > reported:
        on_progress(Progress(state.deltas, time.monotonic() - started))


def _event_chunks(endpoint: Endpoint, event: Event) -> tuple[list[Mapping[str, Any]], bool]:
    """The chat.completion.chunk objects of one event, and whether the stream is [DONE];
    a ProviderError for an error event.

    An event is one JSON object, its data lines joined with LF. A provider that ends events
    with a single LF instead of a blank line makes one event of several: when the joined data
    is not JSON, each line is read as its own payload.
    """
    if event.event == "error":
        said = provider_message(redact(event.data, _secrets(endpoint))) or "no details"
        raise ProviderError(
            f"{endpoint.provider} reported an error in its reply: {said}. "
            "Try again or choose another model."
        )
    payloads = [event.data] if event.data.strip() else []  # an empty data: is a heartbeat
    if "\n" in event.data and not _is_json(event.data):
        payloads = [line for line in event.data.split("\n") if line.strip()]
    chunks: list[Mapping[str, Any]] = []
    for payload in payloads:
        if payload.strip() == "[DONE]":
            return chunks, True
        chunk = _json_object(endpoint, payload, what="stream chunk")
        _raise_for_error_object(endpoint, chunk)
        chunks.append(chunk)
    return chunks, False


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _not_completion_error(endpoint: Endpoint, body: str) -> ProviderError:
    """A 200 whose body is neither JSON nor an event stream (often a proxy or login page)."""
    said = _shorten(" ".join(redact(body, _secrets(endpoint)).split())) or "an empty body"
    message = (
        f"{endpoint.provider} answered 200 but not with a chat completion: {said}. "
        "Check that api_base_url is the full chat-completions URL."
    )
    return ProviderError(redact(message, _secrets(endpoint)))


def _json_object(endpoint: Endpoint, text: str, *, what: str) -> Mapping[str, Any]:
    """Parse a JSON object from the provider, or raise a ProviderError quoting the start of it."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, Mapping):
        if what == "body":
            raise _not_completion_error(endpoint, text)
        said = _shorten(" ".join(redact(text, _secrets(endpoint)).split()))
        raise ProviderError(f"{endpoint.provider} sent a malformed {what}: {said}. Try again.")
    return data


def _raise_for_error_object(endpoint: Endpoint, data: Mapping[str, Any]) -> None:
    """Providers report some failures as {"error": ...} with status 200, even mid-stream."""
    if data.get("error") is None:
        return
    said = redact(_error_text(data) or "no details", _secrets(endpoint)).rstrip(".")
    raise ProviderError(
        f"{endpoint.provider} reported an error in its reply: {_shorten(said)}. "
        "Try again or choose another model."
    )


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
    attempt: int,
    status: int | None,
    latency_s: float,
    reply: Reply | None,
    error: str | None,
) -> None:
    """Append one JSON line about this attempt; a failing log never costs the user the reply.

    reply is what arrived, also of a failed attempt; error is None for a success.
    """
    record = {
        "time": datetime.now(UTC).isoformat(),
        "provider": endpoint.provider,
        "model": endpoint.model,
        "url": mask_url(endpoint.url),
        "stream": body.get("stream"),
        "attempt": attempt,
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


def _log_error(reply: Reply | None, error: str | None) -> str | None:
    """The error column of the log: the message, or "interrupted" when the call was cancelled."""
    if error is not None:
        return error
    return None if reply is not None else "interrupted"


def _secrets(endpoint: Endpoint) -> tuple[str, ...]:
    """Strings that must never be shown or logged, in every form they may be echoed in: the
    api key, and the credentials of the endpoint's URL, its proxy and any proxy httpx takes
    from the environment (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, in either case)."""
    from_env = [v for k, v in os.environ.items() if k.lower().endswith("_proxy")]
    return secrets_of([endpoint.api_key], [endpoint.url, endpoint.proxy, *from_env])


def _redact_value(value: Any, secrets: tuple[str, ...]) -> Any:
    """A JSON-like value with every string redacted, keys included."""
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, Mapping):
        return {redact(str(k), secrets): _redact_value(v, secrets) for k, v in value.items()}
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
