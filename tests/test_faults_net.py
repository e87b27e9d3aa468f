"""Faults on the wire: runaway and huge replies, awkward SSE framing, credentials in URLs.

Each case runs against a real server on 127.0.0.1 that misbehaves on purpose, through the real
`fixer` command where that is the user's path, and checks the user's files, the ledger and
every file fixer wrote.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from fixer import agents
from fixer.ledger import Call, Ledger, ledger_path
from fixer.llm import ChatError, Endpoint, Reply, chat
from tests.fakeserver import FAKE_API_KEY, FakeProvider
from tests.helpers import clean_env, make_repo, run_fixer

LINES = "".join(f"value_{i} = {i}\n" for i in range(1, 31))
GOOD = "--- a/calc.py\n+++ b/calc.py\n@@ -5 +5 @@\n-value_5 = 5\n+value_5 = 50\n"


@dataclass
class Shop:
    """A repository with calc.py, the fake provider and a config naming it."""

    tmp: Path
    repo: Path
    env: dict[str, str]
    provider: FakeProvider
    config: Path

    def configured(self, **extra: object) -> Path:
        """The config with `extra` top-level keys."""
        config = json.loads(self.config.read_text()) | extra
        path = self.tmp / "config.json"
        path.write_text(json.dumps(config))
        return path

    def fixer(self, *args: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
        """`fixer ARGS --config CONFIG calc.py` in the repository."""
        config_args = ["--config", str(config or self.config)]
        return run_fixer(*args, *config_args, "calc.py", cwd=self.repo, env=self.env)

    def calls(self) -> list[Call]:
        with Ledger(ledger_path(self.env)) as ledger:
            return ledger.calls()

    def written(self) -> list[Path]:
        """Every file fixer keeps: the ledger, the request log, crash reports, state."""
        home = Path(self.env["HOME"])
        return [p for p in home.rglob("*") if p.is_file()]


@pytest.fixture
def shop(tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path) -> Shop:
    repo = make_repo(tmp_path / "repo", {"calc.py": LINES})
    return Shop(tmp_path, repo, clean_env(tmp_path / "home"), fake_provider, fake_provider_config)


def request_size(shop: Shop, index: int) -> int:
    return len(json.dumps(shop.provider.requests[index].body))


# Item 5: the retry turn is bounded


def test_clip_keeps_head_and_tail_and_says_how_much_is_left_out() -> None:
    assert agents.clip("short", 10, 10) == "short"
    clipped = agents.clip("a" * 50 + "b" * 1000 + "c" * 20, 50, 20)
    assert clipped == "a" * 50 + "\n[… 1,000 characters left out …]\n" + "c" * 20
    assert agents.clip("x" * 30, 10) == "x" * 10 + "\n[… 20 characters left out …]\n"


def test_a_huge_reply_without_a_diff_is_not_sent_back_whole(shop: Shop) -> None:
    huge = "".join(f"I am thinking about line {i} of the file.\n" for i in range(120_000))
    shop.provider.reply(huge, chunk_size=1 << 20)
    shop.provider.reply(GOOD)
    result = shop.fixer("--yes")
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
    result = shop.fixer("--yes")
    assert result.returncode == 0, result.stderr
    feedback = shop.provider.requests[1].body["messages"][-1]["content"]
    assert feedback.startswith("Your diff could not be applied:")
    assert len(feedback) < agents.RETRY_FEEDBACK_LIMIT + 500
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
