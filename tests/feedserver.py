"""A local feed server for tests: every path is configurable.

    async with FeedServer() as server:
        server.route("/a.xml", body=RSS, etag='"v1"')          # honours If-None-Match
        server.route("/old", status=301, location="/a.xml")    # redirects
        server.route("/slow", body=RSS, delay=5)               # timeouts
        server.route("/drip", body=RSS, drip=(100, 0.5))       # slow trickle (chunked=True)
        server.route("/gated", body=RSS, gate=event)           # waits for the test
        url = server.url("/a.xml"); server.hits("/a.xml"); server.requests
        await server.wait_hits("/gated", 2)                    # until 2 requests arrived

Binds 127.0.0.1 on a free port. Use the `feed_server` fixture, or the class directly.
"""

from __future__ import annotations

import asyncio
import gzip as gzip_module
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import pytest
from aiohttp import web
from multidict import CIMultiDict


@dataclass
class Route:
    body: bytes | str = b""
    status: int = 200
    content_type: str | None = "application/rss+xml"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # sent, and a matching If-None-Match gets a 304
    last_modified: str | None = None  # sent, and an equal If-Modified-Since gets a 304
    gzip: bool = False  # compress the body and say so
    content_encoding: str | None = None  # send `body` as-is with this Content-Encoding
    location: str | None = None  # Location header (redirects)
    delay: float = 0.0  # seconds before the response starts
    drip: tuple[int, float] | None = None  # (chunk bytes, seconds between chunks)
    gate: asyncio.Event | None = None  # the response waits until the test sets it
    chunked: bool = False  # with drip: no Content-Length, chunked transfer encoding

    def payload(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass(frozen=True)
class Seen:
    path: str
    headers: CIMultiDict[str]
    at: float = field(default_factory=time.monotonic)  # when the request arrived


class FeedServer:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self._runner: web.AppRunner | None = None
        self._arrived = asyncio.Condition()
        self._open: dict[str, int] = {}
        self.most_open: dict[str, int] = {}  # path → the most requests it handled at once

    def route(self, path: str, **options: object) -> Route:
        route = Route(**options)  # type: ignore[arg-type]
        self.routes[path] = route
        return route

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    async def wait_hits(self, path: str, n: int = 1, within: float = 5.0) -> None:
        """Wait until `path` has been requested `n` times (no polling with sleeps)."""
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(lambda: self.hits(path) >= n), within)

    def last(self, path: str) -> Seen:
        return [r for r in self.requests if r.path == path][-1]

    async def __aenter__(self) -> FeedServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        server: Any = site._server
        self.port = server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path_qs if request.path_qs in self.routes else request.path
        self.requests.append(Seen(path, CIMultiDict(request.headers)))
        self._open[path] = self._open.get(path, 0) + 1
        self.most_open[path] = max(self.most_open.get(path, 0), self._open[path])
        try:
            async with self._arrived:
                self._arrived.notify_all()
            return await self._respond(request, path)
        finally:
            self._open[path] -= 1

    async def _respond(self, request: web.Request, path: str) -> web.StreamResponse:
        route = self.routes.get(path)
        if route is None:
            return web.Response(status=404, text="no such route")
        if route.gate is not None:
            await route.gate.wait()
        if route.delay:
            await asyncio.sleep(route.delay)
        headers = dict(route.headers)
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        if route.location:
            headers["Location"] = route.location
        inm = request.headers.get("If-None-Match")
        ims = request.headers.get("If-Modified-Since")
        if route.status == 200 and (
            (route.etag and inm == route.etag)
            or (route.last_modified and not route.etag and ims == route.last_modified)
        ):
            return web.Response(status=304, headers=headers)
        body = route.payload()
        if route.gzip:
            body = gzip_module.compress(body)
            headers["Content-Encoding"] = "gzip"
        elif route.content_encoding:
            headers["Content-Encoding"] = route.content_encoding
        if route.content_type and route.status == 200:
            headers["Content-Type"] = route.content_type
        if route.drip is None:
            return web.Response(status=route.status, body=body, headers=headers)
        size, pause = route.drip
        resp = web.StreamResponse(status=route.status, headers=headers)
        if route.chunked:
            resp.enable_chunked_encoding()
        else:
            resp.content_length = len(body)
        await resp.prepare(request)
        for i in range(0, len(body), size):
            await resp.write(body[i:i + size])
            await asyncio.sleep(pause)
        await resp.write_eof()
        return resp


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as server:
        yield server
