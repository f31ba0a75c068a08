"""/healthz against a real Redis, a real APScheduler and a real HTTP client."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import redis.asyncio as aioredis
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from bot.config.settings import MetricsSettings
from bot.ops.health import (
    Health,
    PollTracker,
    build_health,
    main,
    poll_check,
    url_from_settings,
)
from bot.ops.metrics import Metrics, MetricsServer, start_metrics_server

ROOT = Path(__file__).resolve().parent.parent


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def scheduler() -> AsyncIterator[AsyncIOScheduler]:
    sched = AsyncIOScheduler()
    sched.start()
    try:
        yield sched
    finally:
        if sched.running:
            sched.shutdown(wait=False)


async def _serve(health: Health) -> MetricsServer:
    server = await start_metrics_server(MetricsSettings(port=0), Metrics(), health)
    assert server is not None
    return server


async def _get(url: str) -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as http, http.get(url) as resp:
        return resp.status, await resp.json()


async def test_healthy_with_redis_scheduler_and_a_recent_poll(
    redis_client: aioredis.Redis, scheduler: AsyncIOScheduler
) -> None:
    tracker = PollTracker()
    tracker.record()
    health = build_health(
        redis_ping=redis_client.ping,
        scheduler_alive=lambda: scheduler.running,
        last_poll=tracker,
        max_poll_age=600,
    )
    server = await _serve(health)
    try:
        status, body = await _get(f"{server.url}/healthz")
        assert status == 200, body
        assert body["status"] == "ok"
        checks = body["checks"]
        assert isinstance(checks, dict)
        assert checks["redis"]["ok"] is True and checks["redis"]["latency_ms"] >= 0
        assert checks["scheduler"] == {"ok": True, "running": True}
        assert checks["poll"]["ok"] is True and checks["poll"]["last_success_age_s"] < 5

        # The scheduler stops: the same endpoint now answers 503.
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0)
        status, body = await _get(f"{server.url}/healthz")
        assert status == 503
        assert body["status"] == "unhealthy"
        assert body["checks"]["scheduler"] == {"ok": False, "running": False}  # type: ignore[index]
        assert body["checks"]["redis"]["ok"] is True  # type: ignore[index]
    finally:
        await server.stop()


async def test_unreachable_redis_is_503() -> None:
    # Nothing listens on port 1: the connection is refused at once.
    # No retries, so the refusal itself (not the timeout) is what the check reports.
    dead = aioredis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5,
                          retry=Retry(NoBackoff(), 0))
    server = await _serve(build_health(redis_ping=dead.ping, redis_timeout=2))
    try:
        status, body = await _get(f"{server.url}/healthz")
    finally:
        await server.stop()
        await dead.aclose()
    assert status == 503
    redis_check = body["checks"]["redis"]  # type: ignore[index]
    assert redis_check["ok"] is False and "Connection" in redis_check["error"]


async def test_a_redis_that_never_answers_times_out() -> None:
    # A TCP server that accepts and then says nothing, like a wedged Redis.
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(-1)
        writer.close()

    tcp = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = tcp.sockets[0].getsockname()[1]
    client = aioredis.Redis(host="127.0.0.1", port=port)
    health = build_health(redis_ping=client.ping, redis_timeout=0.3)
    try:
        started = asyncio.get_running_loop().time()
        report = await health.report()
        elapsed = asyncio.get_running_loop().time() - started
    finally:
        await client.aclose()
        tcp.close()
        await tcp.wait_closed()
    assert not report.healthy
    assert "within 0.3s" in report.checks["redis"].detail["error"]
    assert elapsed < 2


async def test_poll_age_grace_then_stale() -> None:
    clock = Clock()
    tracker = PollTracker(clock)
    check = poll_check(tracker, max_age=300, clock=clock)

    assert (await check()).ok  # just started, no poll yet: grace
    clock.now += 301
    stale = await check()
    assert not stale.ok and stale.detail["last_success_age_s"] is None

    tracker.record()
    clock.now += 100
    fresh = await check()
    assert fresh.ok and fresh.detail["last_success_age_s"] == 100
    clock.now += 250
    old = await check()
    assert not old.ok and old.detail["last_success_age_s"] == 350


async def test_a_check_that_raises_is_a_failure_not_a_crash() -> None:
    def broken() -> bool:
        raise RuntimeError("scheduler gone")

    async def exploding() -> object:
        raise ValueError("boom")

    health = Health({"scheduler": build_health(scheduler_alive=broken).checks["scheduler"],
                     "custom": exploding})  # type: ignore[dict-item]
    report = await health.report()
    assert not report.healthy
    assert report.checks["scheduler"].detail["error"] == "RuntimeError: scheduler gone"
    assert report.checks["custom"].detail["error"] == "ValueError: boom"


async def test_probe_main_exit_codes(tmp_path: Path) -> None:
    ok = await _serve(build_health(scheduler_alive=lambda: True))
    bad = await _serve(build_health(scheduler_alive=lambda: False))
    try:
        assert await asyncio.to_thread(main, ["--url", f"{ok.url}/healthz"]) == 0
        assert await asyncio.to_thread(main, ["--url", f"{bad.url}/healthz"]) == 1
        # The port comes from settings.yaml when no --url is given.
        (tmp_path / "settings.yaml").write_text(f"metrics:\n  port: {bad.port}\n  host: 0.0.0.0\n")
        assert url_from_settings(tmp_path) == f"http://127.0.0.1:{bad.port}/healthz"
        assert await asyncio.to_thread(main, ["--config", str(tmp_path)]) == 1
    finally:
        await ok.stop()
        await bad.stop()
    # Nothing listens any more: the probe fails quickly.
    assert await asyncio.to_thread(main, ["--url", f"{ok.url}/healthz", "--timeout", "1"]) == 1


def test_probe_is_off_when_metrics_port_is_unset(tmp_path: Path) -> None:
    (tmp_path / "settings.yaml").write_text("metrics:\n  port: null\n")
    assert url_from_settings(tmp_path) is None
    # As the container's HEALTHCHECK runs it: a module, in its own process.
    done = subprocess.run(
        [sys.executable, "-m", "bot.ops.health", "--config", str(tmp_path)],
        capture_output=True, text=True, timeout=60, cwd=ROOT, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "not probed" in done.stdout
