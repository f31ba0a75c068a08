"""Feed discovery and `eventwatch feeds add` (issue 14), against a local page server.

The discovery pages are Miniflux's (tests/data/feeds/peer/discovery/, with the feeds
its tests expect); the site pages and feeds below are served by `tests.feedserver`.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml

from bot.cli.feeds import add_feed, free_id
from bot.config.loader import load_config
from bot.feeds.discover import feed_links
from tests.conftest import ROOT
from tests.feedserver import FeedServer

DISCOVERY = Path(__file__).parent / "data" / "feeds" / "peer" / "discovery"
PAGES: dict[str, dict[str, object]] = json.loads(
    (DISCOVERY / "expected.json").read_text("utf-8"))
FEEDS = Path(__file__).parent / "data" / "feeds"
JSON_FEED = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "JSON Wire",
                        "language": "en", "items": [{"id": "1", "title": "A", "url": "/a"}]})


@pytest.mark.parametrize("name", sorted(PAGES))
def test_miniflux_discovery_pages(name: str) -> None:
    case = PAGES[name]
    links = feed_links((DISCOVERY / name).read_text("utf-8"), str(case["page_url"]))
    assert len(links) == case["expected_count"]
    for want in case["feeds"]:  # type: ignore[attr-defined]
        assert any(link.url == want["url"] and link.title == want["title"]
                   and link.kind == want["type"] for link in links), (want, links)


def test_feed_links_base_href_rdf_and_other_rels() -> None:
    page = """<html><head><base href="https://cdn.example/site/">
      <link rel="stylesheet" type="text/css" href="a.css">
      <link rel="ALTERNATE" type="application/rdf+xml; charset=utf-8" href="index.rdf">
      <link rel="alternate" type="text/html" href="other.html">
      <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
    </head></html>"""
    (link,) = feed_links(page, "https://example.org/")
    assert (link.url, link.kind) == ("https://cdn.example/site/index.rdf", "rdf")


@pytest.mark.parametrize(("url", "language", "taken", "expected"), [
    ("https://rus.azattyq.org/api/zrqiteuuir", "ru", set(), "azattyq-ru"),
    ("https://www.bbc.co.uk/russian/index.xml", "ru", set(), "bbc-ru"),
    ("https://24.kg/rss/", None, {"24"}, "24-2"),
    ("http://127.0.0.1:8080/feed.xml", "en", {"feed-en", "feed-en-2"}, "feed-en-3"),
])
def test_free_id(url: str, language: str | None, taken: set[str], expected: str) -> None:
    assert free_id(url, language, taken) == expected


# -- feeds add ------------------------------------------------------------------

CONFIG = """# Feeds of the test site.
feeds:
  # The one we had
  - {id: wire, name: Wire, url: "https://wire.example/rss.xml", language: en}  # kept as is

# the end
"""


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "settings.yaml").write_text(
        f"rule_paths: [{ROOT / 'config' / 'rules'}]\n", "utf-8")
    (cfg / "feeds.yaml").write_text(CONFIG, "utf-8")
    return cfg


@pytest.fixture
async def site() -> AsyncIterator[FeedServer]:
    async with FeedServer() as s:
        s.route("/", content_type="text/html; charset=utf-8", body=(
            "<html><head><title>Site</title>"
            '<link rel="alternate" type="application/rss+xml" title="Latest" href="/rss.xml">'
            '<link rel="alternate" type="application/feed+json" title="JSON" href="/feed.json">'
            "</head><body>news</body></html>"))
        s.route("/rss.xml", body=(FEEDS / "rss2.xml").read_bytes())
        s.route("/feed.json", body=JSON_FEED, content_type="application/feed+json")
        s.route("/json-only", content_type="text/html", body=(
            '<link rel="alternate" type="application/json" href="/feed.json">'))
        s.route("/bare", content_type="text/html", body="<html>no links</html>")
        s.route("/feed.xml", body=(FEEDS / "atom.xml").read_bytes())
        s.route("/broken-link", content_type="text/html", body=(
            '<link rel="alternate" type="application/rss+xml" href="/missing.xml">'))
        s.route("/old-feed", status=301, location="/rss.xml")
        yield s


async def add(cfg: Path, url: str, **kw: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = await add_feed(load_config(cfg), url, out, err, **kw)  # type: ignore[arg-type]
    return code, out.getvalue(), err.getvalue()


async def test_add_from_a_site_page_keeps_comments_issue14(
    site: FeedServer, config_dir: Path
) -> None:
    code, out, err = await add(config_dir, site.url("/"), allow_private=True)
    assert code == 0, err
    text = (config_dir / "feeds.yaml").read_text("utf-8")
    assert text.startswith(CONFIG.split("\n# the end")[0])  # every line before is unchanged
    assert text.endswith("\n# the end\n")
    added = yaml.safe_load(text)["feeds"][-1]
    assert added == {"id": "feed-en", "name": "Steppe & Mountain News",
                     "url": site.url("/rss.xml"), "language": "en"}
    assert f'# <link rel="alternate"> "Latest" on {site.url("/")}' in text
    assert "Added feed feed-en: Steppe & Mountain News" in out
    assert "RSS 2.0" in out and "the page also names: " + site.url("/feed.json") in out
    config = load_config(config_dir)  # the whole config still loads
    assert [f.id for f in config.feeds] == ["wire", "feed-en"]

    # The same feed again, by its page or its own URL: refused, the file untouched.
    for url in (site.url("/"), site.url("/rss.xml")):
        code, _, err = await add(config_dir, url, allow_private=True)
        assert code == 1 and "already in feeds.yaml as feed-en" in err
    assert (config_dir / "feeds.yaml").read_text("utf-8") == text


async def test_add_a_json_feed_with_chosen_id_name_and_language(
    site: FeedServer, config_dir: Path
) -> None:
    code, out, err = await add(config_dir, site.url("/json-only"), allow_private=True,
                               feed_id="mine", name="Мой канал", language="ru")
    assert code == 0, err
    added = load_config(config_dir).feed("mine")
    assert added is not None and added.url == site.url("/feed.json")
    assert (added.name, added.language) == ("Мой канал", "ru")
    assert "JSON Feed 1.1, 1 entries" in out


async def test_add_a_feed_url_directly_and_follow_a_permanent_move(
    site: FeedServer, config_dir: Path
) -> None:
    code, out, _ = await add(config_dir, site.url("/old-feed"), allow_private=True)
    assert code == 0 and "found: the URL is a feed" in out
    assert load_config(config_dir).feeds[-1].url == site.url("/rss.xml")


async def test_a_page_without_links_is_probed_at_conventional_paths(
    site: FeedServer, config_dir: Path
) -> None:
    code, out, err = await add(config_dir, site.url("/bare"), allow_private=True)
    assert code == 0, err
    assert "the conventional path /feed.xml" in out
    assert site.hits("/feed") == 1 and site.hits("/rss") == 1  # tried in order before it
    assert load_config(config_dir).feeds[-1].language == "ru"  # the Atom feed's xml:lang


async def test_clear_errors_and_the_file_untouched(site: FeedServer, config_dir: Path) -> None:
    code, _, err = await add(config_dir, site.url("/broken-link"), allow_private=True)
    assert code == 1
    assert f"no usable feed found at {site.url('/broken-link')}" in err
    assert f"{site.url('/missing.xml')}: HTTP 404" in err

    code, _, err = await add(config_dir, site.url("/nothing-here"), allow_private=True)
    assert code == 1 and "HTTP 404" in err

    code, _, err = await add(config_dir, "file:///etc/passwd")
    assert code == 1 and "not an http(s) URL" in err
    code, _, err = await add(config_dir, site.url("/"), feed_id="wire", allow_private=True)
    assert code == 1 and "--id 'wire' is already used" in err
    code, _, err = await add(config_dir, site.url("/"), language="Russian",
                             allow_private=True)
    assert code == 1 and "two lowercase letters" in err
    assert (config_dir / "feeds.yaml").read_text("utf-8") == CONFIG


async def test_private_addresses_are_refused_unless_allowed(
    site: FeedServer, config_dir: Path
) -> None:
    """The same guard as article pages: a page or feed on 127.0.0.1 is refused."""
    code, _, err = await add(config_dir, site.url("/"))
    assert code == 1
    assert "non-public address refused: 127.0.0.1" in err and "--allow-private" in err
    assert site.hits("/") == 0  # refused before connecting
    assert (config_dir / "feeds.yaml").read_text("utf-8") == CONFIG


async def test_feeds_add_command_line_issue14(site: FeedServer, config_dir: Path,
                                              tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVENTWATCH_")}
    env["EVENTWATCH_DATA_DIR"] = str(tmp_path / "data")
    shutil.copy(config_dir / "feeds.yaml", tmp_path / "before.yaml")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "feeds", "add", site.url("/"), "--config",
        str(config_dir), "--allow-private", "--language", "kk", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    assert out.decode().startswith("Added feed feed-kk: Steppe & Mountain News")
    assert load_config(config_dir).feeds[-1].language == "kk"

    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "feeds", "--config", str(config_dir), cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    assert "feed-kk" in out.decode() and "2 feeds: 2 new" in out.decode()
