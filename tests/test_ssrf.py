"""Feed content cannot make the bot read local files or fetch internal URLs (SSRF).

Article pages (full text) come from entry links, i.e. from whoever writes the feed.
Everything here runs against a real server on 127.0.0.1 and counts its requests.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.config.settings import PollSettings
from bot.feeds.fetch import Fetcher
from bot.feeds.fulltext import FullText
from bot.feeds.parse import parse_feed
from bot.store.keys import Keys
from bot.types import Entry
from tests.feedserver import FeedServer

SECRET = "root:x:0:0:eventwatch-secret-marker"
PAGE = "<html><body><article>" + "<p>Internal metadata page, never to be read.</p>" * 40


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as s:
        yield s


def _entry(url: str) -> Entry:
    return Entry(feed_id="f", key="k1", url=url, title="Teaser", text="A short teaser.",
                 published=datetime(2026, 1, 1, tzinfo=UTC), language="en",
                 content_hash="h1", source="Feed")


def _rss(link: str) -> bytes:
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
            f"<item><title>Teaser</title><link>{link}</link><guid>g1</guid>"
            f"<description>A short teaser.</description></item></channel></rss>").encode()


def test_parser_keeps_only_http_links() -> None:
    for link in ("file:///etc/passwd", "file://localhost/etc/passwd", "javascript:alert(1)",
                 "ftp://example.org/x", "data:text/html,hi", "gopher://127.0.0.1:6379/_INFO"):
        parsed = parse_feed(_rss(link), feed_id="f", url="https://feeds.example/rss")
        assert parsed.entries and parsed.entries[0].url is None, link
    ok = parse_feed(_rss("https://news.example/a"), feed_id="f", url="https://feeds.example/rss")
    assert ok.entries[0].url == "https://news.example/a"
    # A local (demo) feed is no exception: its relative links resolve to paths, dropped.
    rel = parse_feed(_rss("/etc/passwd"), feed_id="f", url="/srv/demo/feed.xml")
    assert rel.entries[0].url is None


async def test_file_link_with_fulltext_never_reads_the_file(
    tmp_path: Path, redis_client: aioredis.Redis, keys: Keys
) -> None:
    secret = tmp_path / "passwd"
    secret.write_text(SECRET + "\n" + "filler line of the secret file\n" * 50)
    # Even with private pages allowed: a file is never an article page.
    async with Fetcher(PollSettings(allow_private_pages=True), trust_env=False) as fetcher:
        full = FullText(redis_client, keys, fetcher)
        for url in (f"file://{secret}", f"file://localhost{secret}", str(secret)):
            assert (await fetcher.get(url)).body is None
            entry = _entry(url)
            enriched = await full.enrich(entry)
            assert enriched == entry and SECRET not in enriched.text
            assert SECRET not in (await full.text(url) or "")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "169.254.169.254", "10.1.2.3",
                                  "[::1]", "192.168.0.10", "100.64.0.1"])
async def test_private_pages_are_refused_by_default(
    host: str, server: FeedServer, redis_client: aioredis.Redis, keys: Keys
) -> None:
    server.route("/latest/meta-data", body=PAGE, content_type="text/html")
    port = server.url("/").split(":")[2].split("/")[0]
    url = f"http://{host}:{port}/latest/meta-data"
    async with Fetcher(PollSettings(), trust_env=False) as fetcher:
        res = await fetcher.get(url)
        assert not res.ok and res.error and "non-public" in str(res.error)
        enriched = await FullText(redis_client, keys, fetcher).enrich(_entry(url))
        assert "Internal metadata" not in enriched.text
    assert server.hits("/latest/meta-data") == 0


async def test_allow_private_pages_lets_local_pages_through(server: FeedServer) -> None:
    server.route("/a", body=PAGE, content_type="text/html")
    async with Fetcher(PollSettings(allow_private_pages=True), trust_env=False) as fetcher:
        assert (await fetcher.get(server.url("/a"))).ok
    assert server.hits("/a") == 1


class StaticDNS(AbstractResolver):
    """Names that exist only in this test, each with its answers; counts the lookups."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.lookups: list[str] = []

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        self.lookups.append(host)
        if host not in self.answers:
            raise OSError(f"unknown host {host}")
        return [ResolveResult(hostname=host, host=a, port=port, family=socket.AF_INET,
                              proto=0, flags=socket.AI_NUMERICHOST) for a in self.answers[host]]

    async def close(self) -> None:
        pass


# The test server stands in for the public internet: 127.0.0.1 is trusted, nothing else.
PUBLIC_HERE = ["127.0.0.1/32"]


@pytest.mark.parametrize("target", ["http://127.0.0.2:{port}/secret",
                                    "http://169.254.169.254/latest/meta-data/",
                                    "http://10.0.0.7/admin", "http://intranet.test:{port}/secret",
                                    "http://mixed.test:{port}/secret", "file:///etc/passwd"])
async def test_redirect_from_public_page_to_private_address_is_refused(
    target: str, server: FeedServer
) -> None:
    port = server.url("/").split(":")[2].split("/")[0]
    server.route("/story", status=302, location=target.format(port=port))
    server.route("/hop", status=301, location="/story")
    server.route("/secret", body=PAGE, content_type="text/html")
    dns = StaticDNS({"news.test": ["127.0.0.1"], "intranet.test": ["10.0.0.7"],
                     "mixed.test": ["127.0.0.1", "192.168.1.1"]})
    async with Fetcher(PollSettings(), trust_env=False, resolver=dns,
                       trusted_networks=PUBLIC_HERE) as fetcher:
        res = await fetcher.get(f"http://news.test:{port}/hop")
    assert not res.ok and res.body is None and res.error and "refused" in str(res.error)
    assert server.hits("/hop") == 1 and server.hits("/story") == 1  # public hops were fetched
    assert server.hits("/secret") == 0


async def test_redirect_between_public_hosts_is_followed(server: FeedServer) -> None:
    port = server.url("/").split(":")[2].split("/")[0]
    server.route("/story", status=302, location=f"http://wire.test:{port}/page")
    server.route("/page", body=PAGE, content_type="text/html")
    dns = StaticDNS({"news.test": ["127.0.0.1"], "wire.test": ["127.0.0.1"]})
    async with Fetcher(PollSettings(), trust_env=False, resolver=dns,
                       trusted_networks=PUBLIC_HERE) as fetcher:
        res = await fetcher.get(f"http://news.test:{port}/story")
    assert res.ok and server.hits("/page") == 1
    assert dns.lookups == ["news.test", "wire.test"]  # one lookup per host, no second opinion


async def test_the_checked_address_is_the_connected_address(server: FeedServer) -> None:
    """DNS rebinding: the first answer is public, every later one internal. The only
    lookup is the one the connection uses, so the internal address is never reached."""

    class Rebinding(StaticDNS):
        async def resolve(self, host: str, port: int = 0,
                          family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
            answers = await super().resolve(host, port, family)
            self.answers[host] = ["10.0.0.7"]
            return answers

    port = server.url("/").split(":")[2].split("/")[0]
    server.route("/page", body=PAGE, content_type="text/html")
    dns = Rebinding({"rebind.test": ["127.0.0.1"]})
    async with Fetcher(PollSettings(), trust_env=False, resolver=dns,
                       trusted_networks=PUBLIC_HERE) as fetcher:
        assert (await fetcher.get(f"http://rebind.test:{port}/page")).ok
    assert dns.lookups == ["rebind.test"]  # checked and connected on one answer
    async with Fetcher(PollSettings(), trust_env=False, resolver=dns,
                       trusted_networks=PUBLIC_HERE) as fetcher:
        res = await fetcher.get(f"http://rebind.test:{port}/page")
    assert not res.ok and res.error and "non-public" in str(res.error)
    assert server.hits("/page") == 1


async def test_through_a_proxy_the_name_is_checked_before_connecting(
    server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The proxy resolves page hosts itself; the only check left is ours, before the request.
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", server.url("/"))
    server.route("/page", body=PAGE, content_type="text/html")
    async with Fetcher(PollSettings(), trust_env=True) as fetcher:
        res = await fetcher.get("http://localhost/page")
    assert not res.ok and res.error and "non-public" in str(res.error)
    assert server.hits("/page") == 0
