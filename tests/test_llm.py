"""fixer.llm against a real HTTP server on 127.0.0.1: replies, usage, errors, retries, deadlines,
concurrency and the request log."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime
from pathlib import Path

import pytest

from fixer.errors import ProviderError
from fixer.llm import (
    LONGEST_PAUSE_S,
    ChatError,
    Endpoint,
    Limiter,
    Progress,
    Reply,
    RetryPolicy,
    chat,
    provider_message,
    retry_after_s,
)
from tests.fakeserver import FAKE_API_KEY, FakeProvider

MESSAGES = [
    {"role": "system", "content": "You fix files."},
    {"role": "user", "content": "Fix hello.py"},
]
TEXT = "--- a/hello.py\n+++ b/hello.py\n@@ -1 +1 @@\n-print('helo')\n+print('hello')\n"
OPENAI_USAGE = {
    "prompt_tokens": 120,
    "completion_tokens": 40,
    "total_tokens": 160,
    "prompt_tokens_details": {"cached_tokens": 64},
    "completion_tokens_details": {"reasoning_tokens": 12},
}


# Retries with pauses of a few milliseconds, so that retry tests stay fast.
FAST = RetryPolicy(attempts=3, base_s=0.001, cap_s=0.01, max_wait_s=5.0)
# A backoff no test would wait out: a retry that returns quickly honoured the provider's pause.
SLOW_BACKOFF = RetryPolicy(attempts=3, base_s=1000.0, cap_s=1000.0, max_wait_s=5.0)


def endpoint_for(url: str, **changes: object) -> Endpoint:
    """An endpoint named "fake" for the given URL, with the test key and FAST retries."""
    fields: dict = {
        "provider": "fake",
        "url": url,
        "api_key": FAKE_API_KEY,
        "model": "cheap-model",
        "retry": FAST,
    }
    return Endpoint(**(fields | changes))


def ask(endpoint: Endpoint, **options: object) -> Reply:
    """Run chat() to completion from a plain test."""
    return asyncio.run(chat(endpoint, MESSAGES, **options))


def failure(endpoint: Endpoint, **options: object) -> str:
    """The ProviderError message chat() raises; fails the test if it returns instead."""
    return str(chat_error(endpoint, **options))


def chat_error(endpoint: Endpoint, **options: object) -> ChatError:
    """The ChatError chat() raises; fails the test if it returns instead."""
    with pytest.raises(ChatError) as caught:
        ask(endpoint, **options)
    assert isinstance(caught.value, ProviderError)  # what the CLI and the App catch
    return caught.value


def test_streamed_reply_carries_text_usage_and_model(fake_provider: FakeProvider) -> None:
    fake_provider.reply(TEXT, usage=OPENAI_USAGE, model="cheap-model-2025")
    reply = ask(endpoint_for(fake_provider.url))
    assert reply.text == TEXT
    assert reply.model == "cheap-model-2025"
    assert reply.finish_reason == "stop"
    assert reply.usage is not None
    # The usage of the last streamed chunk, normalised by fixer.cost (tested in full there).
    assert (reply.usage.prompt_tokens, reply.usage.output) == (120, 40)
    assert (reply.usage.cache_hit, reply.usage.reasoning) == (64, 12)
    assert reply.usage.provider_cost is None
    assert reply.usage.raw["total_tokens"] == 160


def test_request_carries_key_model_messages_and_stream_options(
    fake_provider: FakeProvider,
) -> None:
    fake_provider.reply(TEXT)
    ask(endpoint_for(fake_provider.url, max_output_tokens=500))
    [request] = fake_provider.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {FAKE_API_KEY}"
    assert request.body["model"] == "cheap-model"
    assert request.body["messages"] == MESSAGES
    assert request.body["stream"] is True
    assert request.body["stream_options"] == {"include_usage": True}
    assert request.body["max_tokens"] == 500
    assert "temperature" not in request.body


def test_non_streamed_reply_with_deepseek_cache_hits(fake_provider: FakeProvider) -> None:
    usage = {"prompt_tokens": 900, "completion_tokens": 30, "prompt_cache_hit_tokens": 800}
    fake_provider.reply(TEXT, usage=usage)
    reply = ask(endpoint_for(fake_provider.url), stream=False)
    [request] = fake_provider.requests
    assert request.body["stream"] is False
    assert "stream_options" not in request.body
    assert reply.text == TEXT
    assert reply.model == "cheap-model"  # the fake echoes the requested model
    assert reply.usage is not None
    assert (reply.usage.prompt_tokens, reply.usage.cache_hit) == (900, 800)
    assert reply.usage.reasoning is None


def test_openrouter_cost_is_an_exact_decimal(fake_provider: FakeProvider) -> None:
    fake_provider.reply(TEXT, usage={"prompt_tokens": 10, "completion_tokens": 5, "cost": 0.0001})
    reply = ask(endpoint_for(fake_provider.url))
    assert reply.usage is not None
    assert reply.usage.provider_cost is not None
    assert reply.usage.provider_cost.amount == Decimal("0.0001")


def test_json_reply_to_a_stream_request_is_still_read(fake_provider: FakeProvider) -> None:
    fake_provider.reply(TEXT, stream=False)  # a provider that ignores stream=true
    assert ask(endpoint_for(fake_provider.url)).text == TEXT


def test_progress_is_reported_up_to_the_last_delta(fake_provider: FakeProvider) -> None:
    fake_provider.reply(TEXT, chunk_size=4)
    seen: list[Progress] = []
    ask(endpoint_for(fake_provider.url), on_progress=seen.append)
    counts = [p.received_tokens for p in seen]
    assert counts, "on_progress was never called"
    assert counts == sorted(set(counts))
    assert counts[-1] == -(-len(TEXT) // 4)  # one delta per 4-character chunk
    assert all(p.elapsed_s >= 0 for p in seen)


@pytest.mark.parametrize(
    ("status", "said", "advice"),
    [
        (401, f"Incorrect API key provided: {FAKE_API_KEY}", "api_key"),
        (429, "Rate limit exceeded: free-models-per-min", "try again"),
        (500, "The model crashed", "try again later"),
    ],
)
def test_http_errors_name_status_and_provider_words_but_never_the_key(
    fake_provider: FakeProvider, status: int, said: str, advice: str
) -> None:
    fake_provider.reply(status=status, error=said, headers={"retry-after-ms": "1"})
    message = failure(endpoint_for(fake_provider.url))
    assert message.startswith(f"fake answered {status} ")
    assert said.split(":")[0] in message
    assert advice in message
    assert FAKE_API_KEY not in message


def test_plain_text_error_body_is_quoted_and_shortened(fake_provider: FakeProvider) -> None:
    fake_provider.reply(status=502, body="Bad gateway " + "x" * 1000)
    message = failure(endpoint_for(fake_provider.url), stream=False)
    assert "fake answered 502 Bad Gateway: Bad gateway xxx" in message
    assert len(message) < 500


def test_openrouter_upstream_message_is_shown() -> None:
    body = {"error": {"message": "Provider returned error", "metadata": {"raw": "model busy"}}}
    assert provider_message(json.dumps(body)) == "Provider returned error (upstream: model busy)"


def test_closed_port_is_a_connection_error_tried_again(closed_port: int) -> None:
    error = chat_error(endpoint_for(f"http://127.0.0.1:{closed_port}/v1/chat/completions"))
    assert "Could not connect to fake" in str(error)
    assert "api_base_url" in str(error)
    assert "Gave up after 3 attempts" in str(error)
    assert (error.attempts, error.partial) == (3, None)


def test_silent_provider_times_out(fake_provider: FakeProvider) -> None:
    fake_provider.reply(TEXT, delay_s=30)
    message = failure(endpoint_for(fake_provider.url, timeout_s=0.2))
    assert "fake went silent" in message
    assert len(fake_provider.requests) == 1  # the request arrived: a retry would cost twice


def test_cut_stream_keeps_the_text_without_usage(fake_provider: FakeProvider) -> None:
    fake_provider.reply(TEXT, usage=OPENAI_USAGE, cut=True)
    reply = ask(endpoint_for(fake_provider.url))
    assert reply.text == TEXT
    assert reply.usage is None
    assert reply.finish_reason is None
    assert reply.attempts == 1
    assert len(fake_provider.requests) == 1


def test_error_inside_the_stream_is_a_provider_error(fake_provider: FakeProvider) -> None:
    fake_provider.reply(TEXT, stream_error="upstream overloaded", chunk_size=len(TEXT))
    error = chat_error(endpoint_for(fake_provider.url))
    assert "fake reported an error in its reply: upstream overloaded" in str(error)
    assert len(fake_provider.requests) == 1  # content had streamed: never sent again
    assert error.partial is not None
    assert error.partial.text == TEXT


@pytest.mark.parametrize("stream", [True, False])
def test_empty_reply_is_returned_with_its_finish_reason(
    fake_provider: FakeProvider, stream: bool
) -> None:
    fake_provider.reply("", finish_reason="length")
    reply = asyncio.run(chat(endpoint_for(fake_provider.url), MESSAGES, stream=stream))
    assert (reply.text, reply.finish_reason) == ("", "length")


@pytest.mark.parametrize("stream", [True, False])
def test_200_that_is_not_a_completion_is_a_provider_error(
    fake_provider: FakeProvider, stream: bool
) -> None:
    fake_provider.reply(body="<html><title>Sign in to the proxy</title></html>")
    message = failure(endpoint_for(fake_provider.url), stream=stream)
    assert "answered 200 but not with a chat completion" in message
    assert "Sign in to the proxy" in message


def test_request_log_records_the_exchange_without_the_key(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    fake_provider.reply(TEXT, usage=OPENAI_USAGE)
    messages = [{"role": "user", "content": f"Fix .env: OPENAI_API_KEY={FAKE_API_KEY}"}]
    asyncio.run(chat(endpoint_for(fake_provider.url, log_dir=tmp_path / "logs"), messages))
    log = tmp_path / "logs" / "fixer-requests.jsonl"
    assert FAKE_API_KEY not in log.read_text(encoding="utf-8")
    [record] = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert (record["provider"], record["model"], record["status"]) == ("fake", "cheap-model", 200)
    assert record["url"] == fake_provider.url
    assert record["usage"]["prompt_tokens"] == 120
    assert record["messages"][0]["content"] == "Fix .env: OPENAI_API_KEY=[redacted]"
    assert record["reply"] == TEXT
    assert record["error"] is None
    assert record["time"].endswith("+00:00")


def test_failed_request_is_logged_without_proxy_credentials(
    tmp_path: Path, closed_port: int
) -> None:
    proxy = f"http://fixer:s3cret-pass@127.0.0.1:{closed_port}"
    endpoint = endpoint_for("http://127.0.0.1:9/v1/chat/completions", proxy=proxy, log_dir=tmp_path)
    message = failure(endpoint)
    logged = (tmp_path / "fixer-requests.jsonl").read_text(encoding="utf-8")
    assert "PROXY_URL" in message
    for secret in ("s3cret-pass", FAKE_API_KEY):
        assert secret not in message
        assert secret not in logged
    records = [json.loads(line) for line in logged.splitlines()]
    assert [r["attempt"] for r in records] == [1, 2, 3]  # one line per attempt
    assert all(r["status"] is None for r in records)
    assert message.startswith(records[-1]["error"])


def test_endpoint_repr_hides_key_proxy_and_url() -> None:
    endpoint = endpoint_for("http://bob:s3cr3t@x/?key=k3y", proxy="http://u:p4ss@proxy:3128")
    for secret in (FAKE_API_KEY, "p4ss", "s3cr3t", "k3y"):
        assert secret not in repr(endpoint)


def test_fake_provider_serves_replies_in_order_then_repeats_the_last(
    fake_provider: FakeProvider,
) -> None:
    fake_provider.reply("first")
    fake_provider.reply("second")
    endpoint = endpoint_for(fake_provider.url)
    assert [ask(endpoint).text for _ in range(3)] == ["first", "second", "second"]
    fake_provider.reply("third")
    assert ask(endpoint).text == "third"
    assert len(fake_provider.requests) == 4


# Retries


def http_date(moment: datetime) -> str:
    """An HTTP date (RFC 9110 IMF-fixdate)."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),  # the finer one wins
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": http_date(NOW + timedelta(seconds=90))}, 90.0),
        ({"retry-after": http_date(NOW - timedelta(hours=1))}, 0.0),  # a past date: now
        ({"retry-after": "-3"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({"retry-after-ms": "x"}, None),
        ({}, None),
        ({"retry-after": "inf"}, LONGEST_PAUSE_S),  # never a timedelta overflow
        ({"retry-after": "1000000000000"}, LONGEST_PAUSE_S),
        ({"retry-after-ms": "1e308"}, LONGEST_PAUSE_S),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "-inf"}, 0.0),
    ],
)
def test_retry_after_reads_every_header_form(headers: dict, expected: float | None) -> None:
    assert retry_after_s(headers, NOW) == expected


@pytest.mark.parametrize(
    "headers",
    [
        {"retry-after-ms": "5"},
        {"Retry-After": "0"},
        {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"},  # long past: no wait
    ],
    ids=["retry-after-ms", "retry-after-seconds", "retry-after-past-date"],
)
@pytest.mark.parametrize("status", [429, 503])
def test_provider_pause_is_honoured_then_the_call_succeeds(
    fake_provider: FakeProvider, headers: dict, status: int
) -> None:
    fake_provider.reply(status=status, headers=headers)
    fake_provider.reply(TEXT)
    # Had the header been ignored, the backoff would outlast the deadline and the call fail.
    reply = ask(endpoint_for(fake_provider.url, retry=SLOW_BACKOFF, deadline_s=30))
    assert (reply.text, reply.attempts) == (TEXT, 2)
    assert len(fake_provider.requests) == 2


@pytest.mark.parametrize("status", [408, 409, 500, 502])
def test_backoff_without_header_then_success(fake_provider: FakeProvider, status: int) -> None:
    fake_provider.reply(status=status)
    fake_provider.reply(status=status)
    fake_provider.reply(TEXT)
    reply = ask(endpoint_for(fake_provider.url))
    assert (reply.text, reply.attempts) == (TEXT, 3)
    assert [r.body for r in fake_provider.requests] == [fake_provider.requests[0].body] * 3


def test_retries_stop_at_the_attempt_limit(fake_provider: FakeProvider) -> None:
    fake_provider.reply(status=500, error="The model crashed")
    error = chat_error(endpoint_for(fake_provider.url))
    assert len(fake_provider.requests) == 3
    assert str(error).startswith("fake answered 500 Internal Server Error: The model crashed.")
    assert str(error).endswith("Gave up after 3 attempts.")
    assert (error.attempts, error.partial) == (3, None)  # refused attempts cost nothing


@pytest.mark.parametrize(
    "retry_after",
    ["3600", http_date(datetime.now(UTC) + timedelta(hours=2))],
    ids=["seconds", "date"],
)
def test_long_retry_after_fails_at_once_saying_when(
    fake_provider: FakeProvider, retry_after: str
) -> None:
    fake_provider.reply(status=429, headers={"Retry-After": retry_after})
    error = chat_error(endpoint_for(fake_provider.url))
    assert len(fake_provider.requests) == 1
    assert "longer than fixer waits (5 s)" in str(error)
    assert re.search(r"try again after \d\d:\d\d:\d\d\.$", str(error))
    assert error.attempts == 1


@pytest.mark.parametrize(
    ("retry_after", "said"),
    [
        ("inf", "a pause of a year or more"),
        ("1000000000000", "a year or more"),
        ("90000", "90000 s"),
    ],
)
def test_a_huge_retry_after_ends_the_call_saying_the_date(
    fake_provider: FakeProvider, retry_after: str, said: str
) -> None:
    fake_provider.reply(status=429, headers={"Retry-After": retry_after})
    error = chat_error(endpoint_for(fake_provider.url))
    assert said in str(error)
    assert re.search(r"try again after \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.$", str(error))


def test_no_retry_when_the_deadline_would_pass_first(fake_provider: FakeProvider) -> None:
    fake_provider.reply(status=503, headers={"Retry-After": "4"})
    message = failure(endpoint_for(fake_provider.url, deadline_s=1))
    assert message.endswith("Not tried again: a pause of 4 s would pass the 1 s deadline.")
    assert len(fake_provider.requests) == 1


@pytest.mark.parametrize(
    ("status", "said", "advice"),
    [
        (400, "max_tokens is too large", "Check the model name"),
        (401, "Invalid API key", "check the provider's api_key in the config"),
        (403, "Forbidden", "The api key has no access to cheap-model"),
        (404, "No such model", "Check the provider's api_base_url and the model name"),
    ],
)
def test_client_errors_are_not_retried_and_say_what_to_do(
    fake_provider: FakeProvider, status: int, said: str, advice: str
) -> None:
    fake_provider.reply(status=status, error=said, headers={"Retry-After": "0"})
    error = chat_error(endpoint_for(fake_provider.url))
    assert len(fake_provider.requests) == 1
    assert said in str(error) and advice in str(error)
    assert "Gave up" not in str(error)


def test_connection_lost_before_any_reply_is_tried_again(fake_provider: FakeProvider) -> None:
    fake_provider.reply(hang_up=True)
    fake_provider.reply(TEXT)
    reply = ask(endpoint_for(fake_provider.url))
    assert (reply.text, reply.attempts) == (TEXT, 2)
    assert len(fake_provider.requests) == 2


def test_broken_stream_is_not_retried_and_keeps_its_partial_text(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    fake_provider.reply(TEXT, broken=True)
    error = chat_error(endpoint_for(fake_provider.url, log_dir=tmp_path))
    assert len(fake_provider.requests) == 1
    assert "The connection to fake failed" in str(error)
    assert error.partial is not None
    assert (error.partial.text, error.partial.usage) == (TEXT, None)
    assert error.partial.elapsed_s >= 0
    [record] = [json.loads(line) for line in (tmp_path / "fixer-requests.jsonl").open()]
    assert (record["status"], record["reply"], record["error"]) == (200, TEXT, str(error))


# Deadlines


def test_keep_alives_without_content_stop_at_the_deadline(fake_provider: FakeProvider) -> None:
    fake_provider.reply(TEXT, keepalive_s=60)
    error = chat_error(endpoint_for(fake_provider.url, deadline_s=0.3))
    assert "fake did not finish within the 0.3 s deadline" in str(error)
    assert len(fake_provider.requests) == 1
    assert error.partial is not None  # the reply had begun: the provider may bill it
    assert error.partial.text == ""


def test_keep_alives_without_content_count_as_silence(fake_provider: FakeProvider) -> None:
    fake_provider.reply(TEXT, keepalive_s=60)
    message = failure(endpoint_for(fake_provider.url, timeout_s=0.2))
    assert "fake sent no content for 0.2 s, only keep-alives" in message
    assert len(fake_provider.requests) == 1


def test_keep_alives_before_content_are_harmless(fake_provider: FakeProvider) -> None:
    fake_provider.reply(TEXT, keepalive_s=0.1)
    assert ask(endpoint_for(fake_provider.url)).text == TEXT


# Concurrency


def test_limiter_bounds_calls_in_flight_and_shares_a_429_pause(
    fake_provider: FakeProvider,
) -> None:
    pause_s = 0.2
    # The first request waits for a second one in flight, so both calls surely ran together.
    fake_provider.reply(status=429, headers={"retry-after-ms": str(pause_s * 1000)}, together=2)
    fake_provider.reply(TEXT, delay_s=0.1)
    endpoint = endpoint_for(fake_provider.url)

    async def run_all() -> list[Reply]:
        limiter = Limiter(2)
        calls = [
            chat(endpoint, [{"role": "user", "content": f"file {i}"}], limiter=limiter)
            for i in range(4)
        ]
        return await asyncio.gather(*calls)

    replies = asyncio.run(run_all())
    assert [r.text for r in replies] == [TEXT] * 4
    assert sorted(r.attempts for r in replies) == [1, 1, 1, 2]
    assert fake_provider.peak_in_flight == 2
    refused, running, *later = fake_provider.requests
    assert len(later) == 3  # the refused call again, and the two that waited for a slot
    # The 429 was answered once the second request was in; no call started again until the
    # pause it asked for was over, not only the call that was refused.
    assert all(r.received_s >= running.received_s + pause_s for r in later)
    asked_again = [r.body["messages"] for r in later]
    assert refused.body["messages"] in asked_again


def test_a_pause_is_reported_with_its_reason_and_time_left(fake_provider: FakeProvider) -> None:
    fake_provider.reply(status=429, headers={"retry-after-ms": "300"})
    fake_provider.reply(status=503, headers={"retry-after-ms": "1"})
    fake_provider.reply(TEXT)
    seen: list[Progress] = []
    assert ask(endpoint_for(fake_provider.url), on_progress=seen.append).text == TEXT
    paused = [p for p in seen if p.paused_until is not None]
    assert [p.pause_reason for p in paused] == [
        "rate limited (HTTP 429)",
        "the provider failed (HTTP 503)",
    ]
    first = paused[0]
    assert first.describe(first.paused_until - 0.3) == (
        "rate limited (HTTP 429): trying again in 1 s"
    )
    assert first.describe(first.paused_until + 1) == "0 tokens received"  # the pause is over
    assert seen[-1].paused_until is None and seen[-1].received_tokens > 0


def test_a_call_held_back_by_another_calls_429_says_so(fake_provider: FakeProvider) -> None:
    fake_provider.reply(status=429, headers={"retry-after-ms": "300"}, together=2)
    fake_provider.reply(TEXT, delay_s=0.05)
    endpoint = endpoint_for(fake_provider.url)
    seen: list[list[Progress]] = [[], [], []]

    async def run_all() -> list[Reply]:
        limiter = Limiter(2)
        return await asyncio.gather(
            *(
                chat(endpoint, MESSAGES, limiter=limiter, on_progress=seen[i].append)
                for i in range(3)
            )
        )

    asyncio.run(run_all())
    # The third call waited for a slot and then for the pause the first call's 429 set.
    held = [p for progress in seen for p in progress if p.paused_until is not None]
    assert len(held) >= 2
    assert {p.pause_reason for p in held} == {"rate limited (HTTP 429)"}


def test_limiter_needs_a_slot() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Limiter(0)


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_reported_and_never_followed(
    fake_provider: FakeProvider, status: int
) -> None:
    elsewhere = "https://user:pw@evil.test/v1/chat?token=abc"
    fake_provider.reply(status=status, headers={"Location": elsewhere}, body="")
    error = chat_error(endpoint_for(fake_provider.url))
    message = str(error)
    assert f"answered {status}" in message
    assert "a redirect to https://****@evil.test/v1/chat?token=****:" in message
    assert "does not follow redirects" in message
    assert "pw" not in message and "abc" not in message
    assert len(fake_provider.requests) == 1 and error.attempts == 1
