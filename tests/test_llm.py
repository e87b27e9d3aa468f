"""fixer.llm against a real HTTP server on 127.0.0.1: replies, usage, errors, the request log."""

from __future__ import annotations

import asyncio
import json
import socket
from decimal import Decimal
from pathlib import Path

import pytest

from fixer.errors import ProviderError
from fixer.llm import Endpoint, Progress, Reply, chat, parse_usage, provider_message
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


def endpoint_for(url: str, **changes: object) -> Endpoint:
    """An endpoint named "fake" for the given URL, with the test key."""
    fields: dict = {"provider": "fake", "url": url, "api_key": FAKE_API_KEY, "model": "cheap-model"}
    return Endpoint(**(fields | changes))


def ask(endpoint: Endpoint, **options: object) -> Reply:
    """Run chat() to completion from a plain test."""
    return asyncio.run(chat(endpoint, MESSAGES, **options))


def failure(endpoint: Endpoint, **options: object) -> str:
    """The ProviderError message chat() raises; fails the test if it returns instead."""
    with pytest.raises(ProviderError) as caught:
        ask(endpoint, **options)
    return str(caught.value)


def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_streamed_reply_carries_text_usage_and_model(fake_provider: FakeProvider) -> None:
    fake_provider.reply(TEXT, usage=OPENAI_USAGE, model="cheap-model-2025")
    reply = ask(endpoint_for(fake_provider.url))
    assert reply.text == TEXT
    assert reply.model == "cheap-model-2025"
    assert reply.finish_reason == "stop"
    assert reply.usage is not None
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (120, 40)
    assert (reply.usage.cached_tokens, reply.usage.reasoning_tokens) == (64, 12)
    assert reply.usage.cost is None
    assert reply.usage.raw["total_tokens"] == 160


def test_request_carries_key_model_messages_and_stream_options(
    fake_provider: FakeProvider,
) -> None:
    fake_provider.reply(TEXT)
    ask(endpoint_for(fake_provider.url), max_tokens=500)
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
    assert (reply.usage.prompt_tokens, reply.usage.cached_tokens) == (900, 800)
    assert reply.usage.reasoning_tokens is None


def test_openrouter_cost_is_an_exact_decimal(fake_provider: FakeProvider) -> None:
    fake_provider.reply(TEXT, usage={"prompt_tokens": 10, "completion_tokens": 5, "cost": 0.0001})
    reply = ask(endpoint_for(fake_provider.url))
    assert reply.usage is not None
    assert reply.usage.cost == Decimal("0.0001")


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
    fake_provider.reply(status=status, error=said)
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


def test_closed_port_is_a_connection_error() -> None:
    message = failure(endpoint_for(f"http://127.0.0.1:{closed_port()}/v1/chat/completions"))
    assert "Could not connect to fake" in message
    assert "api_base_url" in message


def test_silent_provider_times_out(fake_provider: FakeProvider) -> None:
    fake_provider.reply(TEXT, delay_s=30)
    message = failure(endpoint_for(fake_provider.url, timeout_s=0.2))
    assert "fake went silent" in message


def test_cut_stream_keeps_the_text_without_usage(fake_provider: FakeProvider) -> None:
    fake_provider.reply(TEXT, usage=OPENAI_USAGE, cut=True)
    reply = ask(endpoint_for(fake_provider.url))
    assert reply.text == TEXT
    assert reply.usage is None
    assert reply.finish_reason is None


def test_error_inside_the_stream_is_a_provider_error(fake_provider: FakeProvider) -> None:
    fake_provider.reply(TEXT, stream_error="upstream overloaded")
    message = failure(endpoint_for(fake_provider.url))
    assert "fake reported an error in its reply: upstream overloaded" in message


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


def test_failed_request_is_logged_without_proxy_credentials(tmp_path: Path) -> None:
    proxy = f"http://fixer:s3cret-pass@127.0.0.1:{closed_port()}"
    endpoint = endpoint_for("http://127.0.0.1:9/v1/chat/completions", proxy=proxy, log_dir=tmp_path)
    message = failure(endpoint)
    logged = (tmp_path / "fixer-requests.jsonl").read_text(encoding="utf-8")
    assert "PROXY_URL" in message
    for secret in ("s3cret-pass", FAKE_API_KEY):
        assert secret not in message
        assert secret not in logged
    record = json.loads(logged)
    assert record["status"] is None
    assert record["error"] == message


def test_endpoint_repr_hides_key_and_proxy() -> None:
    endpoint = endpoint_for("http://x", proxy="http://u:p4ss@proxy:3128")
    assert FAKE_API_KEY not in repr(endpoint)
    assert "p4ss" not in repr(endpoint)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({}, (None, None, None, None)),
        (
            {
                "prompt_tokens": 5.0,
                "prompt_tokens_details": None,
                "completion_tokens_details": None,
            },
            (5, None, None, None),
        ),
        ({"prompt_tokens": True, "cost": "0.25"}, (None, None, None, Decimal("0.25"))),
        ({"completion_tokens": 3, "cost": "free"}, (None, 3, None, None)),
    ],
)
def test_parse_usage_tolerates_missing_and_odd_fields(raw: dict, expected: tuple) -> None:
    usage = parse_usage(raw)
    assert (usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens, usage.cost) == (
        expected
    )


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
