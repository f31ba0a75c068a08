"""Fetcher against a real local HTTP server: limits, conditional GET, redirects."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import __version__
from bot.config.settings import PollSettings
from bot.errors import FeedErrorKind
from bot.feeds.fetch import Fetcher, decompress, parse_max_age, parse_retry_after
from tests.feedserver import FeedServer

FEEDS = Path(__file__).parent / "data" / "feeds"
RSS = (FEEDS / "rss2.xml").read_bytes()


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as s:
        yield s


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    settings = PollSettings(timeout=2, connect_timeout=1, max_body=64 * 1024)
    async with Fetcher(settings, trust_env=False) as f:
        yield f


async def test_200_then_304_with_etag(server: FeedServer, fetcher: Fetcher) -> None:
    server.route("/f.xml", body=RSS, etag='"v1"')
    first = await fetcher.fetch(server.url("/f.xml"))
    assert first.ok and first.body == RSS and first.etag == '"v1"'
    seen = server.last("/f.xml").headers
    assert seen["User-Agent"].startswith(f"eventwatch/{__version__}")
    assert "gzip" in seen["Accept-Encoding"]
    assert "If-None-Match" not in seen
    second = await fetcher.fetch(server.url("/f.xml"), etag=first.etag)
    assert second.not_modified and second.body is None and second.error is None
    assert server.last("/f.xml").headers["If-None-Match"] == '"v1"'


async def test_304_with_last_modified(server: FeedServer, fetcher: Fetcher) -> None:
    lm = "Tue, 24 Nov 2026 10:00:00 GMT"
    server.route("/lm.xml", body=RSS, last_modified=lm)
    first = await fetcher.fetch(server.url("/lm.xml"))
    assert first.ok and first.last_modified == lm
    second = await fetcher.fetch(server.url("/lm.xml"), last_modified=lm)
    assert second.status == 304
    assert server.last("/lm.xml").headers["If-Modified-Since"] == lm


async def test_gzip_is_inflated(server: FeedServer, fetcher: Fetcher) -> None:
    server.route("/gz.xml", body=RSS * 3, gzip=True)
    res = await fetcher.fetch(server.url("/gz.xml"))
    assert res.ok and res.body == RSS * 3
    assert res.wire_bytes < len(RSS * 3)


async def test_gzip_bomb_is_stopped(server: FeedServer, fetcher: Fetcher) -> None:
    bomb = gzip.compress(b"\0" * (20 * 1024 * 1024))  # 20 MB → ~20 KB on the wire
    server.route("/bomb.xml", body=bomb, content_encoding="gzip")
    res = await fetcher.fetch(server.url("/bomb.xml"))
    assert not res.ok and res.body is None
    assert res.error is not None and "decompressed" in str(res.error)


def test_decompress_bounds_and_deflate() -> None:
    import zlib

    data = b"x" * 5000
    assert decompress(zlib.compress(data), "deflate", 10_000) == data
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    assert decompress(raw.compress(data) + raw.flush(), "deflate", 10_000) == data
    with pytest.raises(ValueError):
        decompress(b"not gzip", "gzip", 100)


async def test_oversized_body_is_aborted(server: FeedServer, fetcher: Fetcher) -> None:
    server.route("/big.xml", body=b"<rss>" + b"x" * 200_000)
    res = await fetcher.fetch(server.url("/big.xml"))
    assert not res.ok and res.error is not None and "exceeds" in str(res.error)
    assert res.error.kind is FeedErrorKind.TOO_LARGE


async def test_oversized_body_without_length_is_aborted(
    server: FeedServer, fetcher: Fetcher
) -> None:
    server.route("/stream.xml", body=b"y" * 200_000, drip=(50_000, 0.0), chunked=True)
    res = await fetcher.fetch(server.url("/stream.xml"))
    assert not res.ok and res.error is not None and "exceeds" in str(res.error)
    assert res.error.kind is FeedErrorKind.TOO_LARGE


async def test_temporary_redirect_keeps_url(server: FeedServer, fetcher: Fetcher) -> None:
    server.route("/tmp", status=302, location="/f.xml")
    server.route("/f.xml", body=RSS)
    res = await fetcher.fetch(server.url("/tmp"))
    assert res.ok and res.effective_url == server.url("/f.xml")
    assert res.permanent_url is None


async def test_permanent_redirect_chain_moves_feed(server: FeedServer, fetcher: Fetcher) -> None:
    server.route("/a", status=301, location=server.url("/b"))
    server.route("/b", status=308, location="/new.xml")
    server.route("/new.xml", body=RSS)
    res = await fetcher.fetch(server.url("/a"))
    assert res.ok and res.permanent_url == server.url("/new.xml")


async def test_mixed_redirect_chain_is_not_permanent(
    server: FeedServer, fetcher: Fetcher
) -> None:
    server.route("/a", status=301, location="/b")
    server.route("/b", status=307, location="/new.xml")
    server.route("/new.xml", body=RSS)
    res = await fetcher.fetch(server.url("/a"))
    assert res.ok and res.permanent_url is None


async def test_too_many_redirects(server: FeedServer, fetcher: Fetcher) -> None:
    for i in range(7):
        server.route(f"/r{i}", status=302, location=f"/r{i + 1}")
    server.route("/r7", body=RSS)
    res = await fetcher.fetch(server.url("/r0"))
    assert not res.ok and res.error is not None and "redirects" in str(res.error)
    assert res.error.kind is FeedErrorKind.REDIRECT
    assert server.hits("/r6") == 0  # stopped after 5 redirects


@pytest.mark.parametrize("status", [404, 410, 500, 503])
async def test_error_statuses(server: FeedServer, fetcher: Fetcher, status: int) -> None:
    server.route("/e", status=status, body=b"nope", headers={"Retry-After": "120"})
    res = await fetcher.fetch(server.url("/e"))
    assert res.status == status and not res.ok and res.body is None
    assert str(res.error) == f"HTTP {status}"
    assert res.error is not None and res.error.kind is FeedErrorKind.HTTP
    assert res.retry_after == 120


async def test_timeout(server: FeedServer) -> None:
    gate = asyncio.Event()
    server.route("/slow", body=RSS, gate=gate)
    async with Fetcher(PollSettings(timeout=0.3, connect_timeout=0.3), trust_env=False) as f:
        res = await f.fetch(server.url("/slow"))
    gate.set()
    assert res.status == 0 and str(res.error) == "timeout"
    assert res.error is not None and res.error.kind is FeedErrorKind.TIMEOUT


async def test_drip_feed_hits_total_timeout(server: FeedServer) -> None:
    server.route("/drip", body=RSS * 4, drip=(64, 0.05))
    async with Fetcher(PollSettings(timeout=0.4, connect_timeout=0.3), trust_env=False) as f:
        res = await f.fetch(server.url("/drip"))
    assert str(res.error) == "timeout"


async def test_connection_refused_is_a_value() -> None:
    async with Fetcher(PollSettings(timeout=1, connect_timeout=1), trust_env=False) as f:
        res = await f.fetch("http://127.0.0.1:9/feed.xml")
    assert res.status == 0 and res.error


async def test_per_host_limit(server: FeedServer) -> None:
    gate = asyncio.Event()
    server.route("/g", body=RSS, gate=gate)
    async with Fetcher(PollSettings(per_host=2), trust_env=False) as f:
        tasks = [asyncio.create_task(f.fetch(server.url("/g"))) for _ in range(6)]
        await server.wait_hits("/g", 2)
        gate.set()
        results = await asyncio.gather(*tasks)
    assert all(r.ok for r in results) and server.hits("/g") == 6
    assert server.most_open["/g"] == 2  # the other four always waited for a slot


async def test_local_file_uses_mtime_validator(tmp_path: Path, fetcher: Fetcher) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(RSS)
    first = await fetcher.fetch(str(path), local=True)
    assert first.ok and first.body == RSS and first.etag
    again = await fetcher.fetch(f"file://{path}", etag=first.etag, local=True)
    assert again.status == 304
    missing = await fetcher.fetch(str(tmp_path / "gone.xml"), local=True)
    assert missing.status == 404 and not missing.ok


async def test_files_are_read_only_for_configured_local_feeds(
    tmp_path: Path, fetcher: Fetcher
) -> None:
    path = tmp_path / "secret.txt"
    path.write_bytes(b"root:x:0:0")
    for url in (str(path), f"file://{path}", f"file://localhost{path}"):
        for res in (await fetcher.fetch(url), await fetcher.get(url)):
            assert not res.ok and res.body is None and res.error and "refused" in str(res.error)


async def test_get_for_article_pages(server: FeedServer, fetcher: Fetcher) -> None:
    server.route("/article", body="<html><p>text</p></html>", content_type="text/html")
    settings = PollSettings(timeout=2, connect_timeout=1, allow_private_pages=True)
    async with Fetcher(settings, trust_env=False) as pages:
        res = await pages.get(server.url("/article"))
    assert res.ok and res.content_type == "text/html"


def test_header_parsing() -> None:
    assert parse_max_age("public, max-age=600") == 600
    assert parse_max_age("no-store, max-age=600") is None
    assert parse_max_age(None) is None
    assert parse_retry_after("30") == 30
    assert parse_retry_after("garbage") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0
