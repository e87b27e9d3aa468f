"""Shared pytest fixtures."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakeserver import FAKE_API_KEY, FakeProvider
from tests.helpers import clean_env, make_repo
from tests.shop import LINES, Shop


@pytest.fixture
def fake_provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProvider]:
    """A started fake OpenAI-compatible server on 127.0.0.1, stopped after the test."""
    # A proxy set in the environment must not swallow loopback requests, ours or a subprocess's.
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, ",".join(filter(None, [os.environ.get(name), "127.0.0.1"])))
    with FakeProvider() as server:
        yield server


@pytest.fixture
def fake_provider_config(
    tmp_path_factory: pytest.TempPathFactory, fake_provider: FakeProvider
) -> Path:
    """A claude-code-router config.json whose only provider, "fake", is the fake server.

    It lives outside tmp_path so that a git repository made there stays clean.
    """
    config = {
        "Providers": [
            {
                "name": "fake",
                "api_base_url": fake_provider.url,
                "api_key": FAKE_API_KEY,
                "models": ["cheap-model", "strong-model"],
            }
        ],
        "Router": {"default": "fake,cheap-model", "think": "fake,strong-model"},
    }
    path = tmp_path_factory.mktemp("fixer-config") / "config.json"
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return path


@pytest.fixture
def shop(tmp_path: Path, fake_provider: FakeProvider, fake_provider_config: Path) -> Shop:
    repo = make_repo(tmp_path / "repo", {"calc.py": LINES})
    return Shop(tmp_path, repo, clean_env(tmp_path / "home"), fake_provider, fake_provider_config)


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound without listening for the whole test, so
    no test running beside it can take the port between choosing it and connecting to it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
