"""Faults on the wire: runaway and huge replies, awkward SSE framing, credentials in URLs.

Each case runs against a real server on 127.0.0.1 that misbehaves on purpose, through the real
`fixer` command where that is the user's path, and checks the user's files, the ledger and
every file fixer wrote.
"""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest

from fixer import prompts
from fixer.llm import ChatError, Endpoint, Reply, chat, output_field
from tests.fakeserver import FAKE_API_KEY, FakeProvider
from tests.helpers import FAST_RETRY, run_fixer
from tests.shop import GOOD, LINES, Shop


def request_size(shop: Shop, index: int) -> int:
    return len(json.dumps(shop.provider.requests[index].body))


# Item 5: the retry turn is bounded


def test_clip_keeps_head_and_tail_and_says_how_much_is_left_out() -> None:
    assert prompts.clip("short", 10, 10) == "short"
    clipped = prompts.clip("a" * 50 + "b" * 1000 + "c" * 20, 50, 20)
    assert clipped == "a" * 50 + "\n[… 1,000 characters left out …]\n" + "c" * 20
    assert prompts.clip("x" * 30, 10) == "x" * 10 + "\n[… 20 characters left out …]\n"


def test_a_huge_reply_without_a_diff_is_not_sent_back_whole(shop: Shop) -> None:
    huge = "".join(f"I am thinking about line {i} of the file.\n" for i in range(120_000))
    shop.provider.reply(huge, chunk_size=1 << 20)
    shop.provider.reply(GOOD)
    result = shop.fixer("--yes", config=shop.configured(fixer={"max_output_tokens": 10**7}))
    assert result.returncode == 0, result.stderr
    assert "value_5 = 50\n" in (shop.repo / "calc.py").read_text()
    first, second = request_size(shop, 0), request_size(shop, 1)
    assert len(huge) > 5_000_000
    # The file, the rules, the cut reply (head and tail) and the feedback: not the 5 MB.
    assert second - first < 40_000
    turn = shop.provider.requests[1].body["messages"][-2]["content"]
    assert turn.startswith(huge[:1000]) and turn.endswith(huge[-1000:])
    assert "characters left out" in turn


def test_a_reply_of_hundreds_of_refused_hunks_gets_bounded_feedback(shop: Shop) -> None:
    long_line = "x = '" + "y" * 5_000 + "'"
    broken = "".join(f"@@ -{k} +{k} @@\n-{long_line}{k}\n+value = {k}\n" for k in range(1, 600))
    shop.provider.reply("--- a/calc.py\n+++ b/calc.py\n" + broken, chunk_size=1 << 20)
    shop.provider.reply(GOOD)
    result = shop.fixer("--yes", config=shop.configured(fixer={"max_output_tokens": 10**7}))
    assert result.returncode == 0, result.stderr
    feedback = shop.provider.requests[1].body["messages"][-1]["content"]
    assert feedback.startswith("Your diff could not be applied:")
    assert len(feedback) < prompts.RETRY_FEEDBACK_LIMIT + 500
    assert request_size(shop, 1) - request_size(shop, 0) < 60_000


# Item 6: SSE framing as the standard says


def sse_body(texts: list[str], end: str = "\n") -> bytes:
    """An event stream of content deltas, each event's JSON spread over several data lines,
    raw U+2028 and friends kept inside its strings, with comments and fields around."""
    events = [{"choices": [{"index": 0, "delta": {"content": t}}]} for t in texts]
    events.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    lines = [": OPENROUTER PROCESSING", "", "retry: 3000", "event: message"]
    for number, event in enumerate(events):
        dumped = json.dumps(event, indent=1, ensure_ascii=False)
        lines += [f"id: {number}", *(f"data: {line}" for line in dumped.split("\n")), ""]
    lines += ["data: [DONE]", ""]
    return end.join(lines).encode()


def endpoint(url: str, **changes: object) -> Endpoint:
    fields: dict = {"provider": "fake", "url": url, "api_key": FAKE_API_KEY, "model": "m"}
    return Endpoint(**(fields | changes))


def ask(url: str, **changes: object) -> Reply:
    messages = [{"role": "user", "content": "hi"}]
    return asyncio.run(chat(endpoint(url, **changes), messages))


AWKWARD = ["print('a\u2028b')", " and \u2029 or \x85", "\n\r\n", "汉字 done"]


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_multi_line_events_and_unicode_separators_a_byte_at_a_time(
    fake_provider: FakeProvider, end: str
) -> None:
    body = sse_body(AWKWARD, end)
    fake_provider.reply(frames=[body[k : k + 1] for k in range(len(body))])
    reply = ask(fake_provider.url)
    assert reply.text == "".join(AWKWARD)
    assert reply.finish_reason == "stop"


def test_crlf_split_across_chunks(fake_provider: FakeProvider) -> None:
    body = sse_body(AWKWARD, "\r\n")
    fake_provider.reply(frames=[part + b"\r" for part in body.split(b"\r")])
    assert ask(fake_provider.url).text == "".join(AWKWARD)


def test_events_ended_by_a_single_lf_are_still_read(fake_provider: FakeProvider) -> None:
    chunks = [{"choices": [{"delta": {"content": t}}]} for t in ("a", "b")]
    body = "".join(f"data: {json.dumps(c)}\n" for c in chunks) + "data: [DONE]\n"
    fake_provider.reply(frames=[body.encode()])
    assert ask(fake_provider.url).text == "ab"


def test_empty_data_events_are_heartbeats(fake_provider: FakeProvider) -> None:
    chunk = json.dumps({"choices": [{"delta": {"content": "ok"}, "finish_reason": "stop"}]})
    fake_provider.reply(frames=[f"data:\n\ndata: \n\ndata: {chunk}\n\ndata: [DONE]\n\n".encode()])
    assert ask(fake_provider.url).text == "ok"


def test_an_error_event_is_a_provider_error(fake_provider: FakeProvider) -> None:
    body = f'event: error\ndata: {{"error": {{"message": "overloaded {FAKE_API_KEY}"}}}}\n\n'
    fake_provider.reply(frames=[body.encode()])
    with pytest.raises(ChatError) as caught:
        ask(fake_provider.url)
    assert "fake reported an error in its reply: overloaded [redacted]" in str(caught.value)


def test_the_real_command_applies_a_diff_streamed_in_awkward_frames(shop: Shop) -> None:
    body = sse_body([GOOD[:20], GOOD[20:]], "\r\n")
    shop.provider.reply(frames=[body[k : k + 3] for k in range(0, len(body), 3)])
    result = shop.fixer("--yes")
    assert result.returncode == 0, result.stderr
    assert "value_5 = 50\n" in (shop.repo / "calc.py").read_text()


# Item 4: every call is bounded in time and in output

PRICING = {"fake,cheap-model": {"input": 1, "output": 2, "currency": "USD"}}
BLOCK = "x" * 400  # one delta of a runaway stream


@pytest.mark.parametrize("field", ["content", "reasoning_content", "reasoning"])
def test_a_runaway_stream_stops_at_the_output_limit(
    fake_provider: FakeProvider, field: str
) -> None:
    fake_provider.reply(BLOCK, runaway=field)
    reply = ask(fake_provider.url, max_output_tokens=1000)
    assert reply.finish_reason == "length"
    assert reply.cut_by is not None and "output limit of 1,000 tokens" in reply.cut_by
    received = len(reply.text) + len(reply.reasoning)
    assert 8000 < received <= 8000 + len(BLOCK)
    assert (reply.text == "") is (field != "content")
    [request] = fake_provider.requests
    assert request.body["max_tokens"] == 1000


def test_a_json_body_with_a_bom_is_read(fake_provider: FakeProvider) -> None:
    body = {"choices": [{"message": {"content": "ok"}, "finish_reason": "stop"}]}
    fake_provider.reply(body="\ufeff" + json.dumps(body))
    assert ask(fake_provider.url).text == "ok"


def test_a_huge_non_streamed_reply_is_cut_at_the_output_limit(fake_provider: FakeProvider) -> None:
    fake_provider.reply("y" * 100_000, stream=False)
    reply = ask(fake_provider.url, max_output_tokens=1000)
    assert reply.finish_reason == "length" and "output limit" in (reply.cut_by or "")


def test_a_slow_endless_stream_stops_at_the_deadline(fake_provider: FakeProvider) -> None:
    fake_provider.reply(BLOCK, runaway="content", runaway_interval_s=0.02)
    reply = ask(fake_provider.url, deadline_s=0.5)
    assert reply.finish_reason == "length"
    assert reply.cut_by == "the 0.5 s deadline of a call (API_TIMEOUT_MS)"
    assert reply.text.startswith(BLOCK) and reply.elapsed_s < 2


def test_openai_hosts_get_max_completion_tokens() -> None:
    assert output_field("https://api.openai.com/v1/chat/completions") == "max_completion_tokens"
    assert output_field("https://me.openai.azure.com/openai/v1/chat") == "max_completion_tokens"
    assert output_field("https://api.deepseek.com/chat/completions") == "max_tokens"
    assert output_field("http://127.0.0.1:9/v1/chat/completions") == "max_tokens"


@pytest.mark.parametrize(
    ("said", "second"),
    [
        ("Invalid max_tokens value, the valid range of max_tokens is [1, 8192]", {}),
        (
            "Unsupported parameter: 'max_tokens' is not supported with this model. "
            "Use 'max_completion_tokens' instead.",
            {"max_completion_tokens": 32768},
        ),
    ],
)
def test_a_400_naming_max_tokens_is_sent_again_at_once_without_it(
    fake_provider: FakeProvider, said: str, second: dict
) -> None:
    fake_provider.reply(status=400, error=said)
    fake_provider.reply("fine")
    reply = ask(fake_provider.url, max_output_tokens=32768)
    assert (reply.text, reply.attempts) == ("fine", 2)
    [note] = reply.notes
    assert note.startswith("fake refused max_tokens")
    first, again = (r.body for r in fake_provider.requests)
    assert first["max_tokens"] == 32768
    limits = {k: v for k, v in again.items() if k in ("max_tokens", "max_completion_tokens")}
    assert limits == second


def test_the_command_says_when_the_provider_refused_the_output_limit(shop: Shop) -> None:
    said = "Invalid max_tokens value, the valid range of max_tokens is [1, 8192]"
    shop.provider.reply(status=400, error=said)
    shop.provider.reply(GOOD)
    result = shop.fixer("--yes")
    assert result.returncode == 0, result.stderr
    assert "fake refused max_tokens=32,768, so it was sent without an output limit" in (
        result.stderr
    )
    assert "value_5 = 50\n" in (shop.repo / "calc.py").read_text()


def test_a_second_400_on_the_output_field_is_not_a_loop(fake_provider: FakeProvider) -> None:
    fake_provider.reply(status=400, error="bad 'max_tokens'; use 'max_completion_tokens'")
    fake_provider.reply(status=400, error="bad 'max_completion_tokens' too")
    fake_provider.reply(status=400, error="something else entirely")
    with pytest.raises(ChatError) as caught:
        ask(fake_provider.url, max_output_tokens=100)
    assert "something else entirely" in str(caught.value)
    assert len(fake_provider.requests) == 3


def test_the_command_refuses_runaway_replies_asks_again_once_per_rung_and_stops(
    shop: Shop,
) -> None:
    shop.provider.reply(BLOCK, runaway="reasoning_content")
    config = shop.configured(Pricing=PRICING, fixer={"max_output_tokens": 2000})
    result = shop.fixer("--yes", config=config)
    assert result.returncode == 3, result.stderr
    assert "cut off by fixer's output limit of 2,000 tokens" in result.stderr
    assert "the reply held no text" in result.stderr
    assert (shop.repo / "calc.py").read_text() == LINES
    # Asked again once with the cut-off feedback, then the next rung once more: no loop.
    models = [r.body["model"] for r in shop.provider.requests]
    assert models == ["cheap-model", "cheap-model", "strong-model", "strong-model"]
    assert all(r.body["max_tokens"] == 2000 for r in shop.provider.requests)
    calls = shop.calls()
    assert len(calls) == 4
    assert all("cut off by fixer's output limit" in c.outcome for c in calls)
    cheap = [c for c in calls if c.model == "cheap-model"]
    assert all(c.estimated and c.cost is not None and c.cost > 0 for c in cheap)


def test_api_timeout_ms_bounds_a_whole_call_of_the_command(shop: Shop) -> None:
    shop.provider.reply(BLOCK, runaway="content", runaway_interval_s=0.05)
    config = shop.configured(API_TIMEOUT_MS=600)
    result = shop.fixer("--yes", "-m", "fake,cheap-model", config=config)
    assert result.returncode == 3, result.stderr
    assert "cut off by the 0.6 s deadline of a call (API_TIMEOUT_MS)" in result.stderr
    assert len(shop.provider.requests) == 2
    assert (shop.repo / "calc.py").read_text() == LINES
    assert [c.outcome.startswith("the reply was cut off") for c in shop.calls()] == [True, True]


def test_a_providers_maxtoken_transformer_is_what_the_command_sends(shop: Shop) -> None:
    shop.provider.reply(GOOD)
    config = json.loads(shop.config.read_text())
    config["Providers"][0]["transformer"] = {"use": [["maxtoken", {"max_tokens": 1500}]]}
    path = shop.configured(**config)
    result = shop.fixer("--yes", config=path)
    assert result.returncode == 0, result.stderr
    assert shop.provider.requests[0].body["max_tokens"] == 1500


def test_a_body_that_never_becomes_text_stops_at_its_size_limit(
    fake_provider: FakeProvider,
) -> None:
    fake_provider.reply(body="{" + " " * (3 << 20) + "}")  # a 200 that is all padding
    reply = ask(fake_provider.url, max_output_tokens=100)
    assert reply.finish_reason == "length" and reply.text == ""
    assert "bytes that held 0 characters of reply" in (reply.cut_by or "")


# Item 7: credentials in URLs and echoed credentials are never shown or stored


def with_provider(shop: Shop, url: str, **extra: object) -> Path:
    """The shop's config with the fake provider at `url`, the request log on."""
    config = json.loads(shop.config.read_text())
    config["Providers"][0]["api_base_url"] = url
    return shop.configured(**(config | {"LOG": True} | extra))


def assert_nowhere(shop: Shop, results: list[subprocess.CompletedProcess[str]], *secrets: str):
    """None of the secrets in what fixer printed or in any file it wrote."""
    files = shop.written()
    assert any(p.name == "fixer-requests.jsonl" for p in files)
    assert any(p.name == "ledger.db" for p in files)
    for secret in secrets:
        for result in results:
            assert secret not in result.stdout + result.stderr, secret
        for path in files:
            assert secret.encode() not in path.read_bytes(), (secret, path)


def basic(userinfo: str) -> str:
    return base64.b64encode(userinfo.encode()).decode()


def test_userinfo_and_query_of_api_base_url_are_masked_on_a_connection_error(
    shop: Shop, closed_port: int
) -> None:
    url = f"http://bob:pw-s3cret-1@127.0.0.1:{closed_port}/v1/chat/completions?key=QK-s3cret-2"
    config = with_provider(shop, url, fixer={"retry": FAST_RETRY})
    result = shop.fixer("--yes", config=config)
    assert result.returncode == 1, result.stderr
    assert "Gave up after 3 attempts" in result.stderr
    assert "Could not connect to fake at http://****@127.0.0.1:" in result.stderr
    assert "/v1/chat/completions?key=****" in result.stderr
    shown = run_fixer("config", "--config", str(config), cwd=shop.repo, env=shop.env)
    assert "?key=****" in shown.stdout
    assert_nowhere(shop, [result, shown], "pw-s3cret-1", "QK-s3cret-2", basic("bob:pw-s3cret-1"))
    assert (shop.repo / "calc.py").read_text() == LINES


def test_a_provider_echoing_the_key_and_the_urls_credentials_is_redacted(shop: Shop) -> None:
    url = shop.provider.url.replace("http://", "http://bob:pw-s3cret-1@") + "?key=QK-s3cret-2"
    echo = (
        f"bad key {FAKE_API_KEY} {quote(FAKE_API_KEY, safe='')} for {url} "
        f"{quote('QK-s3cret-2')} Basic {basic('bob:pw-s3cret-1')}"
    )
    shop.provider.reply(status=401, error=echo)
    result = shop.fixer("--yes", config=with_provider(shop, url))
    assert result.returncode == 1
    assert "fake answered 401" in result.stderr and "[redacted]" in result.stderr
    assert_nowhere(
        shop, [result], FAKE_API_KEY, "pw-s3cret-1", "QK-s3cret-2", basic("bob:pw-s3cret-1")
    )


@pytest.mark.parametrize(
    "proxy",
    ["http://u:s3cret-pw@127.0.0.1:notaport", "http://s3cret-pw@[::1:1", "ftp://s3cret-pw@x"],
)
def test_a_bad_proxy_url_is_blamed_on_the_proxy_without_its_credentials(proxy: str) -> None:
    url = "http://127.0.0.1:9/v1/chat/completions"
    with pytest.raises(ChatError) as caught:
        ask(url, proxy=proxy)
    message = str(caught.value)
    assert message.startswith("The proxy URL for fake is not usable")
    assert "Check PROXY_URL" in message and "s3cret-pw" not in message


@pytest.mark.parametrize("userinfo", ["tok-s3cret-3456", "pxuser:px-s3cret-4567"])
@pytest.mark.parametrize("where", ["PROXY_URL", "HTTP_PROXY"])
def test_a_proxy_answering_407_with_the_credentials_it_got_is_redacted(
    shop: Shop, userinfo: str, where: str, closed_port: int
) -> None:
    # The fake server is the proxy: it sees the request for the provider and answers 407 with
    # the Proxy-Authorization it was sent, as some proxies' error pages do.
    proxy = shop.provider.url.split("/v1")[0].replace("http://", f"http://{userinfo}@")
    credential = basic(userinfo if ":" in userinfo else userinfo + ":")
    shop.provider.reply(
        status=407, body=f"Proxy-Authorization: Basic {credential} refused ({userinfo})"
    )
    target = f"http://127.0.0.1:{closed_port}/v1/chat/completions"
    if where == "PROXY_URL":
        config = with_provider(shop, target, PROXY_URL=proxy)
    else:
        config = with_provider(shop, target)
        shop.env[where] = proxy
        shop.env.pop("NO_PROXY", None)
        shop.env.pop("no_proxy", None)
    result = shop.fixer("--yes", config=config)
    shown = run_fixer("config", "--config", str(config), cwd=shop.repo, env=shop.env)
    [request] = shop.provider.requests
    assert request.headers["proxy-authorization"] == f"Basic {credential}"
    assert result.returncode == 1
    assert "fake answered 407" in result.stderr and "check the user and password" in result.stderr
    assert "Proxy: " in shown.stdout and "http://****@127.0.0.1:" in shown.stdout
    secret = userinfo.rpartition(":")[2]
    assert_nowhere(shop, [result, shown], secret, credential, userinfo)
