"""What counts as a web address: the test every URL from config or feeds goes through."""

from __future__ import annotations

import pytest

from bot.urls import is_http_url


@pytest.mark.parametrize("url", ["http://a.example/x", "https://a.example", "HTTPS://A.example/",
                                 "  https://a.example/rss  "])
def test_web_addresses(url: str) -> None:
    assert is_http_url(url)


@pytest.mark.parametrize("url", [None, "", "https://", "ftp://a.example/", "file:///etc/passwd",
                                 "javascript:alert(1)", "tg://resolve?domain=x", "/srv/feed.xml",
                                 "feeds/local.xml", "a.example/rss"])
def test_not_web_addresses(url: str | None) -> None:
    assert not is_http_url(url)
