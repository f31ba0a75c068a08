"""Liveness for /healthz: Redis answers PING, the scheduler runs, polls are recent.

The checks take small callables, not the app's objects, so the composition root wires
the real scheduler and Redis client and the tests wire whatever they need:

    health = build_health(
        redis_ping=redis.ping,                     # PING, bounded by a timeout
        scheduler_alive=lambda: scheduler.running,
        last_poll=tracker,                         # PollTracker, or any () -> float | None
        max_poll_age=3 * settings.poll.interval,
    )

A role that does not poll (sender, bot) leaves `last_poll` out, and its /healthz
simply has no poll check. `python -m bot.ops.health` is the container's HEALTHCHECK.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CheckResult:
    ok: bool
    detail: Mapping[str, Any] = field(default_factory=dict)


Check = Callable[[], Awaitable[CheckResult]]


@dataclass(frozen=True, slots=True)
class HealthReport:
    healthy: bool
    checks: Mapping[str, CheckResult]

    def to_json(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.healthy else "unhealthy",
            "checks": {name: {"ok": r.ok, **r.detail} for name, r in self.checks.items()},
        }


class PollTracker:
    """Remembers when a poll last succeeded. The poller calls `record()` when a poll
    job completes (including one skipped because another process held the lease)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self.last_success: float | None = None

    def record(self, at: float | None = None) -> None:
        self.last_success = self._clock() if at is None else at

    def __call__(self) -> float | None:
        return self.last_success


def redis_check(ping: Callable[[], Awaitable[object]], timeout: float = 1.0) -> Check:
    async def check() -> CheckResult:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                await ping()
        except TimeoutError:
            return CheckResult(False, {"error": f"no answer to PING within {timeout:g}s"})
        except Exception as exc:  # any failure to answer is "unreachable"
            return CheckResult(False, {"error": f"{type(exc).__name__}: {exc}"})
        return CheckResult(True, {"latency_ms": round((time.perf_counter() - started) * 1000, 1)})

    return check


def scheduler_check(alive: Callable[[], bool]) -> Check:
    async def check() -> CheckResult:
        try:
            running = bool(alive())
        except Exception as exc:
            return CheckResult(False, {"error": f"{type(exc).__name__}: {exc}"})
        return CheckResult(running, {"running": running})

    return check


def poll_check(
    last_success: Callable[[], float | None],
    max_age: float,
    *,
    clock: Callable[[], float] = time.time,
    started: float | None = None,
) -> Check:
    """Healthy while the last successful poll is at most `max_age` seconds old. Before the
    first one, the process gets `max_age` seconds of grace from `started`."""
    since = clock() if started is None else started

    async def check() -> CheckResult:
        now = clock()
        last = last_success()
        if last is None:
            waited = now - since
            return CheckResult(
                waited <= max_age,
                {"last_success_age_s": None, "waiting_s": round(waited, 1), "max_age_s": max_age},
            )
        age = max(0.0, now - last)
        return CheckResult(age <= max_age, {"last_success_age_s": round(age, 1),
                                            "max_age_s": max_age})

    return check


class Health:
    """Runs named checks concurrently; healthy only when every one of them passes."""

    def __init__(self, checks: Mapping[str, Check]) -> None:
        self.checks = dict(checks)

    async def report(self) -> HealthReport:
        names = list(self.checks)
        results = await asyncio.gather(*(self._run(self.checks[n]) for n in names))
        checks = dict(zip(names, results, strict=True))
        return HealthReport(all(r.ok for r in results), checks)

    @staticmethod
    async def _run(check: Check) -> CheckResult:
        try:
            return await check()
        except Exception as exc:  # a broken check is a failed check, never a 500
            return CheckResult(False, {"error": f"{type(exc).__name__}: {exc}"})


def build_health(
    *,
    redis_ping: Callable[[], Awaitable[object]] | None = None,
    scheduler_alive: Callable[[], bool] | None = None,
    last_poll: Callable[[], float | None] | None = None,
    max_poll_age: float = 900.0,
    redis_timeout: float = 1.0,
) -> Health:
    checks: dict[str, Check] = {}
    if redis_ping is not None:
        checks["redis"] = redis_check(redis_ping, redis_timeout)
    if scheduler_alive is not None:
        checks["scheduler"] = scheduler_check(scheduler_alive)
    if last_poll is not None:
        checks["poll"] = poll_check(last_poll, max_poll_age)
    return Health(checks)


def healthz_handler(health: Health) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        report = await health.report()
        if not report.healthy:
            log.warning("health check failed", extra={"health": report.to_json()["checks"]})
        return web.json_response(report.to_json(), status=200 if report.healthy else 503)

    return handler


# -- the probe: `python -m bot.ops.health`, the container's HEALTHCHECK ---------------

def probe(url: str, timeout: float = 4.0) -> tuple[bool, str]:
    """GET url; healthy only on 200. Returns (healthy, the body or the error)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:  # 503 lands here, with the report as body
        return False, exc.read().decode("utf-8", "replace")
    except (OSError, ValueError) as exc:
        return False, f"{type(exc).__name__}: {exc}"


def url_from_settings(config_dir: Path) -> str | None:
    """The /healthz URL that settings.yaml's `metrics:` section serves, or None if off."""
    path = config_dir / "settings.yaml"
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    section = data.get("metrics") if isinstance(data, dict) else None
    if not isinstance(section, dict) or section.get("port") is None:
        return None
    host = str(section.get("host") or "127.0.0.1")
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{int(section['port'])}/healthz"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="eventwatch health", description="Probe a running eventwatch's /healthz."
    )
    parser.add_argument("--url", help="default: from metrics: in the config's settings.yaml")
    parser.add_argument("--config", type=Path,
                        default=Path(os.environ.get("EVENTWATCH_CONFIG") or "config"))
    parser.add_argument("--timeout", type=float, default=4.0)
    args = parser.parse_args(argv)
    url = args.url or url_from_settings(args.config)
    if url is None:
        # Nothing serves /healthz when metrics.port is unset: there is nothing to probe.
        print("health endpoint off (metrics.port is unset): not probed")
        return 0
    healthy, body = probe(url, args.timeout)
    print(body.strip())
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
