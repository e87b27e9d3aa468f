"""Secrets kept out of everything fixer shows or stores: URLs masked, echoed credentials redacted.

A URL can carry credentials in its userinfo (`user:pass@`, or a token alone) and its query
(`?key=...`); `mask_url` shows where a URL points without them. A provider or proxy can echo a
credential back in an error body, raw, URL-encoded or as the base64 of a Basic
`Proxy-Authorization`; `secret_forms` lists every form to redact, `redact` replaces them.
Pure, standard library only.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlsplit, urlunsplit

MASK = "****"
REDACTED = "[redacted]"
# Query parameters that say how to call an API, never who calls it: shown as they are.
HARMLESS_QUERY = frozenset({"api-version", "api_version", "alt", "beta"})
MIN_SECRET_LENGTH = 3  # shorter strings are everywhere in text; redacting them garbles it
_USERINFO = re.compile(r"(//)[^/?#@\s]*@")  # for a URL urlsplit cannot read
_QUERY = re.compile(r"\?[^#\s]*")


def mask_url(url: str) -> str:
    """`url` with its userinfo and the values of its query parameters (but the harmless
    HARMLESS_QUERY ones) shown as ****, its fragment dropped; the rest as written."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # a port that is not a number raises ValueError here
    except ValueError:
        return _QUERY.sub("?" + MASK, _USERINFO.sub(r"\1" + MASK + "@", url))
    netloc = parts.netloc
    if "@" in netloc:
        netloc = MASK + "@" + netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, _masked_query(parts.query), ""))


def _masked_query(query: str) -> str:
    """A query string with each value masked, but those of HARMLESS_QUERY parameters."""
    shown = []
    for item in query.split("&"):
        name, equals, value = item.partition("=")
        if equals and value and unquote(name).lower() not in HARMLESS_QUERY:
            item = f"{name}={MASK}"
        elif item and not equals:  # a bare ?TOKEN
            item = MASK
        shown.append(item)
    return "&".join(shown)


def url_secrets(url: str | None) -> list[str]:
    """The credentials a URL carries: its userinfo, password or lone token, and the values of
    its query parameters, each in every form it may be echoed in (see secret_forms)."""
    if not url:
        return []
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found: list[str] = []
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    if userinfo:
        user, _, password = userinfo.partition(":")
        # A proxy's Basic credentials are the base64 of "user:password", decoded.
        basic = f"{unquote(user)}:{unquote(password)}"
        found += [userinfo, password or user, base64.b64encode(basic.encode()).decode()]
    found += [
        value
        for name, value in parse_qsl(parts.query, keep_blank_values=False)
        if name.lower() not in HARMLESS_QUERY
    ]
    return [form for secret in found for form in secret_forms(secret)]


def secret_forms(secret: str) -> list[str]:
    """A secret as it may come back: raw, URL-decoded, URL-encoded (both ways), base64, and
    with JSON's escaped slashes."""
    forms = {secret, unquote(secret), quote(secret, safe=""), quote_plus(secret)}
    forms.add(base64.b64encode(unquote(secret).encode()).decode())
    forms |= {form.replace("/", "\\/") for form in forms if "/" in form}
    return [form for form in forms if len(form) >= MIN_SECRET_LENGTH]


def secrets_of(keys: Iterable[str], urls: Iterable[str | None]) -> tuple[str, ...]:
    """Every form of the keys and of the URLs' credentials, longest first, so that a secret
    holding another is replaced whole."""
    found = {form for key in keys if key for form in secret_forms(key)}
    found.update(form for url in urls for form in url_secrets(url))
    return tuple(sorted(found, key=len, reverse=True))


def redact(text: str, secrets: Iterable[str]) -> str:
    """Text with every secret replaced by REDACTED."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text
