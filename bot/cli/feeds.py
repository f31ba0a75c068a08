"""`eventwatch feeds`: the feeds' health; `eventwatch feeds add URL`: find a site's feed,
check it, add it to feeds.yaml.

The URL may be the feed itself or any page of the site (`bot.feeds.discover`). The
feed is fetched and parsed by eventwatch's own fetcher and parser, so what is added is
known to work with them. It is appended to feeds.yaml with a free id and a comment that
says how it was found; nothing else in the file changes (`bot.cli.feedsfile`). A running
eventwatch picks the change up by itself (hot reload).

Private, loopback and link-local addresses are refused unless `--allow-private` is
given (or `poll.allow_private_pages` is on): see `bot.feeds.discover`.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from pydantic import ValidationError

from bot.cli.feedsfile import append_feed
from bot.config import yamlsource
from bot.config.loader import Config
from bot.config.settings import Env, FeedsFile
from bot.errors import ConfigError
from bot.feeds.discover import Discoverer, Discovery
from bot.feeds.fetch import Fetcher
from bot.feeds.health import feed_health, format_health
from bot.feeds.identity import canonical_url
from bot.feeds.parse import Parser
from bot.store import Keys, open_redis
from bot.store.keys import DEFAULT_PREFIX
from bot.urls import is_http_url

EXIT_OK, EXIT_ERROR = 0, 1
_ID = re.compile(r"^[a-z0-9_-]{1,64}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_FORMATS = {
    "rss20": "RSS 2.0", "rss10": "RSS 1.0", "rss090": "RSS 0.90", "rss091u": "RSS 0.91",
    "rss091n": "RSS 0.91", "rss092": "RSS 0.92", "rss093": "RSS 0.93", "rss094": "RSS 0.94",
    "rss": "RSS", "atom10": "Atom 1.0", "atom03": "Atom 0.3", "atom": "Atom", "cdf": "CDF",
    "json1": "JSON Feed 1.0", "json11": "JSON Feed 1.1", "json": "JSON Feed",
}


def feed_format(version: str) -> str:
    return _FORMATS.get(version, version or "unknown format")


def free_id(url: str, language: str | None, taken: set[str]) -> str:
    """An id in the config's style ("azattyq-ru") from the site's name, made unique."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    labels = [p for p in host.split(".") if p]
    if len(labels) >= 2 and not host.replace(".", "").isdigit():
        name = labels[-2] if len(labels[-2]) > 3 or len(labels) < 3 else labels[-3]
    else:
        name = "feed"
    slug = re.sub(r"[^a-z0-9]+", "-", name).strip("-")[:40] or "feed"
    base = f"{slug}-{language}" if language else slug
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _configured(config: Config, *urls: str | None) -> str | None:
    wanted = {canonical_url(u) for u in urls if u}
    return next((f.id for f in config.feeds if canonical_url(f.url) in wanted), None)


def _explain(found: Discovery, err: TextIO) -> None:
    print(f"eventwatch: no usable feed found at {found.url}", file=err)
    for url, why in found.tried:
        print(f"  {url}: {why}", file=err)
    if any("non-public address" in why for _, why in found.tried):
        print("  (private, loopback and link-local addresses are refused; add "
              "--allow-private for a feed on your own network)", file=err)


async def add_feed(config: Config, url: str, out: TextIO, err: TextIO, *,
                   feed_id: str | None = None, name: str | None = None,
                   language: str | None = None, allow_private: bool = False) -> int:
    """The `feeds add` command; its exit code."""
    if not is_http_url(url):
        print(f"eventwatch: {url!r} is not an http(s) URL (a local file is added by "
              "editing feeds.yaml)", file=err)
        return EXIT_ERROR
    taken = {f.id for f in config.feeds}
    if feed_id is not None and (not _ID.match(feed_id) or feed_id in taken):
        why = "is already used" if feed_id in taken else "must match [a-z0-9_-]+"
        print(f"eventwatch: --id {feed_id!r} {why}", file=err)
        return EXIT_ERROR
    if language is not None and not _LANGUAGE.match(language):
        print(f"eventwatch: --language {language!r} must be two lowercase letters", file=err)
        return EXIT_ERROR
    existing = _configured(config, url)
    if existing:
        print(f"eventwatch: {url} is already in feeds.yaml as {existing}", file=err)
        return EXIT_ERROR

    poll = config.settings.poll
    poll = poll.model_copy(update={"allow_private_pages": allow_private
                                   or poll.allow_private_pages})
    async with Fetcher(poll) as fetcher:
        with Parser("inline") as parser:
            found = await Discoverer(fetcher, parser).discover(url)
    if found.feed is None or found.feed_url is None:
        _explain(found, err)
        return EXIT_ERROR
    existing = _configured(config, found.feed_url)
    if existing:
        print(f"eventwatch: its feed {found.feed_url} is already in feeds.yaml as {existing}",
              file=err)
        return EXIT_ERROR

    feed = found.feed
    language = language or (feed.language if feed.language and _LANGUAGE.match(
        feed.language) else None)
    item = {"id": feed_id or free_id(found.feed_url, language, taken),
            "name": name or " ".join(feed.title.split())[:80]
            or urlsplit(found.feed_url).hostname or "",
            "url": found.feed_url}
    if language:
        item["language"] = language
    today = datetime.now(UTC).date().isoformat()
    comment = f"{found.via}; checked by eventwatch feeds add on {today}"
    path = config.directory / "feeds.yaml"
    try:
        written = _write(path, item, comment)
    except (OSError, ValueError, ConfigError) as exc:
        print(f"eventwatch: could not add it to {path}: {exc}", file=err)
        return EXIT_ERROR

    print(f"Added feed {item['id']}: {item['name']} <{item['url']}>", file=out)
    print(f"  {feed_format(feed.version)}, {len(feed.entries)} entries, language "
          f"{item.get('language') or 'not declared (guessed per entry)'}"
          + (f", {feed.duplicates} repeated item(s) dropped" if feed.duplicates else ""),
          file=out)
    print(f"  found: {found.via}", file=out)
    others = [link for link in found.links if canonical_url(link.url)
              != canonical_url(found.feed_url)]
    if others:
        print("  the page also names: " + ", ".join(
            f"{link.url} ({link.title})" for link in others[:5]), file=out)
    print(f"  written to {written}; a running eventwatch reloads it, and the feed's first "
          "poll only marks its entries seen", file=out)
    return EXIT_OK


def _write(path: Path, item: dict[str, str], comment: str) -> Path:
    """Append, check that the result is a valid feeds file, then replace atomically."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    new = append_feed(text, item, comment=comment)
    located = yamlsource.load(path, new)
    try:
        parsed = FeedsFile.model_validate(located.data)
    except ValidationError as exc:
        raise ValueError("; ".join(str(e) for e in located.validation_errors(exc))) from exc
    ids = [f.id for f in parsed.feeds]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate feed ids")
    fd, tmp = tempfile.mkstemp(prefix=".feeds.", suffix=".yaml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(new)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


async def show_feeds(env: Env, config: Config, out: TextIO) -> int:
    """`eventwatch feeds`: the health table of every configured feed."""
    handle = await open_redis(env.redis_url, env.data_dir)
    try:
        rows = await feed_health(handle.client, Keys(env.redis_prefix or DEFAULT_PREFIX),
                                 config.feeds)
    finally:
        await handle.close()
    out.write(format_health(rows) + "\n")
    return EXIT_OK
