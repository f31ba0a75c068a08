"""Is this a web address? The one test for http(s) URLs, wherever a URL comes in."""

from __future__ import annotations

from typing import TypeGuard


def is_http_url(url: str | None) -> TypeGuard[str]:
    """True for "http://host…" and "https://host…" (any case, surrounding spaces ignored).

    Everything else (a path, `file:`, `javascript:`, `tg:`, a bare "https://") is not a
    web address: the fetcher won't fetch it and an alert won't link it."""
    if not url:
        return False
    scheme, sep, rest = url.strip().partition("://")
    return bool(sep and rest) and scheme.lower() in ("http", "https")
