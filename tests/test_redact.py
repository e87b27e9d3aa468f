"""fixer.redact: URLs shown without their credentials, echoed secrets redacted in every form."""

from __future__ import annotations

import base64

import pytest

from fixer.redact import REDACTED, mask_url, redact, secrets_of, url_secrets


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://api.test/v1/chat", "https://api.test/v1/chat"),
        ("http://user:pass@proxy.test:3128", "http://****@proxy.test:3128"),
        ("http://t0ken@proxy.test:3128/", "http://****@proxy.test:3128/"),
        (
            "https://x.test/v1?key=abc&api-version=2024-02-01",
            "https://x.test/v1?key=****&api-version=2024-02-01",
        ),
        ("https://x.test/v1?sk-bare-token", "https://x.test/v1?****"),
        ("https://x.test/v1?flag=&a=1#frag", "https://x.test/v1?flag=&a=****"),
        ("http://u:p@[::1:9/x?k=v", "http://****@[::1:9/x?****"),  # not a URL urlsplit reads
        ("http://u:p@host:port/x", "http://****@host:port/x"),
        ("", ""),
    ],
)
def test_mask_url(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_url_secrets_cover_userinfo_its_basic_form_and_query_values() -> None:
    found = url_secrets("http://us%40er:p%2Fss@proxy.test:3128/?token=tk-123&api-version=1")
    basic = base64.b64encode(b"us@er:p/ss").decode()
    for form in ("us%40er:p%2Fss", "p%2Fss", "p/ss", basic, "tk-123"):
        assert form in found
    assert "1" not in found and "us@er" not in found  # a user beside a password is no secret


def test_a_token_alone_is_the_secret_and_its_basic_form_has_an_empty_password() -> None:
    found = url_secrets("http://tok-123456@proxy.test")
    assert "tok-123456" in found
    assert base64.b64encode(b"tok-123456:").decode() in found


def test_redact_replaces_every_form_longest_first() -> None:
    key = "sk-a/b+c=d"
    secrets = secrets_of([key], ["http://u:pw-9876@p.test"])
    said = (
        f"{key} sk-a%2Fb%2Bc%3Dd sk-a\\/b+c=d {base64.b64encode(key.encode()).decode()} u:pw-9876"
    )
    assert redact(said, secrets) == " ".join([REDACTED] * 5)


def test_short_strings_are_not_secrets_worth_garbling_text_for() -> None:
    secrets = secrets_of(["ab"], ["http://a:b@p.test"])
    assert "ab" not in secrets and "b" not in secrets
    assert "a:b" in secrets
    assert redact("a table of b", secrets) == "a table of b"
