"""Parser and identity: real feed files compared against expected files beside them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.feeds.identity import canonical_url, content_hash, entry_key
from bot.feeds.parse import ParsedFeed, Parser, parse_feed
from bot.feeds.text import html_to_text
from tests.feedfiles import CASES, FEED_URL, FEEDS, PEER, as_expected


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_feed_file_matches_expected(path: Path) -> None:
    parsed = parse_feed(path.read_bytes(), feed_id="t", url=FEED_URL, source="T")
    expected = json.loads(path.with_suffix(".expected.json").read_text("utf-8"))
    assert as_expected(parsed) == expected


def parse(name: str, **kw: Any) -> ParsedFeed:
    return parse_feed((FEEDS / name).read_bytes(), feed_id="t", url=FEED_URL, source="T", **kw)


def test_rss2_html_to_text_and_relative_links() -> None:
    p = parse("rss2.xml")
    first = p.entries[0]
    assert first.title == "Troops arrive in Almaty"
    assert first.text == "First paragraph with a link.\nSecond paragraph & more."
    assert "alert(1)" not in first.text
    assert first.url is not None and first.url.startswith("https://news.example.kz/world/")
    assert first.published == datetime(2026, 11, 24, 10, tzinfo=UTC)
    assert first.source == "T" and first.feed_id == "t"
    assert p.ttl == 15 * 60


@pytest.mark.parametrize("name", ["cp1251.xml", "koi8r.xml"])
def test_russian_encodings(name: str) -> None:
    p = parse(name)
    assert p.error is None
    assert p.title == "Новости Казахстана"
    assert p.entries[0].title == "В Алматы введено чрезвычайное положение"
    assert p.entries[1].title == "Ёлка на площади"


def test_cp1251_declared_only_by_http_header() -> None:
    body = (FEEDS / "cp1251.xml").read_bytes().replace(b' encoding="windows-1251"', b"")
    p = parse_feed(body, feed_id="t", url=FEED_URL, content_type="text/xml; charset=windows-1251")
    assert p.entries[0].title == "В Алматы введено чрезвычайное положение"


def test_atom_and_rss1() -> None:
    atom = parse("atom.xml")
    assert atom.version == "atom10" and atom.title == "Новости Бишкека"
    assert atom.entries[0].text == "Сотни людей вышли на площадь."
    assert atom.entries[0].language == "ru"
    rss1 = parse("rss1.rdf")
    assert rss1.version == "rss10" and len(rss1.entries) == 2
    assert rss1.update_period == 1800  # hourly, twice


def test_language_from_feed_spec_wins() -> None:
    assert parse("rss2.xml", language="kk").entries[0].language == "kk"


def test_malformed_feed_keeps_entries_and_records_problem() -> None:
    p = parse("malformed.xml")
    assert p.error is None and p.problem and len(p.entries) == 2


def test_html_page_is_not_a_feed() -> None:
    p = parse("page.html")
    assert p.entries == () and p.error is not None and p.error.startswith("not a feed")


def test_garbage_is_not_a_feed() -> None:
    assert parse_feed(b"\x00\xff garbage", feed_id="t", url=FEED_URL).error


def test_duplicate_guid_distinct_links_issue14() -> None:
    """Miniflux's TestParseEntriesWithDuplicateGUIDAndDistinctLinks: three stories, one
    guid, two links. All three are kept, with three keys: the guid, guid plus link, and
    a position among the repeats of guid and link. Only a true repeat is dropped."""
    name = "miniflux/internal__reader__rss__parser_test.go__" \
           "TestParseEntriesWithDuplicateGUIDAndDistinctLinks.xml"
    p = parse_feed((PEER / name).read_bytes(), feed_id="t", url=FEED_URL)
    assert len(p.entries) == 3 and p.duplicates == 0
    assert len({e.key for e in p.entries}) == 3
    assert [e.title for e in p.entries] == ["Item A", "Item B", "Item C"]
    assert [e.key[0] for e in p.entries] == ["g", "l", "p"]
    assert set(p.guid_links) == {e.key for e in p.entries[:2]}

    dupes = parse("dupes.xml")  # A, A again (other link), A (a true repeat), B
    assert [e.title for e in dupes.entries] == ["A", "A again", "B"]
    assert dupes.duplicates == 1


def test_duplicate_guid_no_link_by_position_issue14() -> None:
    """Same guid, no link, other words: told apart by position; a true repeat is not."""
    items = "".join(f"<item><guid isPermaLink='false'>g</guid><title>{t}</title></item>"
                    for t in ("A", "B", "A"))
    p = parse_feed(reordered_feed([items]), feed_id="t", url=FEED_URL)
    assert [e.title for e in p.entries] == ["A", "B"] and p.duplicates == 1
    assert p.entries[0].key == entry_key("g", None, "A", None)
    assert p.entries[1].key.startswith("p")
    assert p.guid_links == {}


def test_duplicate_link_without_guid_by_position_issue14() -> None:
    items = "".join(f"<item><link>https://x.example/1</link><title>{t}</title></item>"
                    for t in ("A", "B"))
    p = parse_feed(reordered_feed([items]), feed_id="t", url=FEED_URL)
    assert [e.key[0] for e in p.entries] == ["u", "p"]


def test_plain_text_title_keeps_angle_brackets_issue14() -> None:
    """Text the feed marks as plain keeps "<" and "&"; only HTML loses its tags."""
    rss = reordered_feed([
        "<item><title>History of the &lt;blink&gt; tag</title><link>https://x.example/1</link>"
        "</item>",
        "<item><title>&lt;/example&gt;</title><link>https://x.example/2</link></item>",
        "<item><title><![CDATA[A <b>bold</b> title]]></title><link>https://x.example/3</link>"
        "</item>",
        "<item><title>a &amp;amp; b</title><link>https://x.example/4</link></item>",
    ])
    titles = [e.title for e in parse_feed(rss, feed_id="t", url=FEED_URL).entries]
    assert titles == ["History of the <blink> tag", "</example>", "A bold title", "a & b"]

    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        b'<entry><id>1</id><title type="text">AT&amp;T &lt;S&gt;</title>'
        b'<summary type="text">Use &lt;div&gt; literally: a &amp; b</summary></entry>'
        b'<entry><id>2</id><title type="html">AT&amp;amp;T &lt;b&gt;now&lt;/b&gt;</title>'
        b'<content type="html">&lt;p&gt;x &amp;amp; y&lt;/p&gt;</content></entry>'
        b'<entry><id>3</id><title>&lt;/example&gt;</title></entry>'
        b'<entry><id>4</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
        b'<b>XHTML</b> title</div></title></entry></feed>')
    entries = parse_feed(atom, feed_id="t", url=FEED_URL).entries
    assert [(e.title, e.text) for e in entries] == [
        ("AT&T <S>", "Use <div> literally: a & b"),
        ("AT&T now", "x & y"),
        ("</example>", ""),
        ("XHTML title", ""),
    ]


def test_miniflux_text_types_issue14() -> None:
    """TestParseEntryWithTextContent: content without a type, or type text or
    text/plain, is text; CDATA under no type is text too (Atom's default)."""
    name = "miniflux/internal__reader__atom__atom_10_test.go__TestParseEntryWithTextContent.xml"
    p = parse_feed((PEER / name).read_bytes(), feed_id="t", url=FEED_URL)
    assert [e.text for e in p.entries] == ["AT&T <strong>Strong Element</strong>"] * 4
    assert len({e.key for e in p.entries}) == 4


def test_entries_without_title_text_or_web_link_are_dropped() -> None:
    rss = reordered_feed(["<item><guid isPermaLink='false'>x</guid></item>",
                          "<item><link>mailto:a@example.org</link></item>",
                          "<item><title>kept</title></item>"])
    p = parse_feed(rss, feed_id="t", url=FEED_URL)
    assert [e.title for e in p.entries] == ["kept"] and p.useless == 2


def test_html_to_text() -> None:
    assert html_to_text("<p>a&amp;b</p><p>c<br>d</p>") == "a&b\nc\nd"
    assert html_to_text("plain   text ") == "plain text"
    assert html_to_text("<script>x()</script><b>bold</b>") == "bold"
    assert html_to_text("") == ""
    assert html_to_text("<<<>>>") == "<<<>>>"  # not markup: kept as text
    assert html_to_text("a < b > c") == "a < b > c"


# -- identity -------------------------------------------------------------

def test_canonical_url() -> None:
    assert canonical_url("HTTPS://News.Example.KZ:443/a?utm_source=x&id=7&fbclid=z#top") == (
        "https://news.example.kz/a?id=7")
    assert canonical_url("http://example.com") == "http://example.com/"
    assert canonical_url("http://example.com:8080/x") == "http://example.com:8080/x"


def test_key_prefers_guid_then_link_then_title_date() -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    assert entry_key("g1", "http://a/1", "T", when) == entry_key("g1", "http://b/2", "U", None)
    assert entry_key(None, "HTTP://A/1?utm_medium=rss#x", "T", None) == entry_key(
        "", "http://a/1", "Other", when)
    assert entry_key(None, None, "Title", when) == entry_key(None, None, " title ", when)
    assert entry_key(None, None, "Title", when) != entry_key(None, None, "Title", None)


def test_content_hash_ignores_whitespace_but_sees_edits() -> None:
    base = content_hash("T", "body")
    assert content_hash(" T ", "body\n") == base
    assert content_hash("T", "body, edited") != base
    assert content_hash("T, edited", "body") != base


def reordered_feed(entries: list[str]) -> bytes:
    items = "".join(entries)
    return f"<rss version='2.0'><channel><title>x</title>{items}</channel></rss>".encode()


ITEM = ("<item><title>{t}</title><link>https://x.example/{n}</link>"
        "<description>{d}</description><pubDate>Tue, 24 Nov 2026 0{n}:00:00 GMT</pubDate>"
        "</item>")


def test_keys_stable_under_reorder_and_edit() -> None:
    a = [ITEM.format(t=f"T{n}", n=n, d=f"D{n}") for n in range(1, 4)]
    first = parse_feed(reordered_feed(a), feed_id="t", url=FEED_URL)
    again = parse_feed(reordered_feed(a[::-1]), feed_id="t", url=FEED_URL)
    assert {(e.key, e.content_hash) for e in first.entries} == {
        (e.key, e.content_hash) for e in again.entries}
    edited = [*a[:2], ITEM.format(t="T3 (updated)", n=3, d="D3 and more")]
    after = {e.key: e.content_hash for e in parse_feed(
        reordered_feed(edited), feed_id="t", url=FEED_URL).entries}
    before = {e.key: e.content_hash for e in first.entries}
    assert after.keys() == before.keys()
    changed = [k for k in before if before[k] != after[k]]
    assert len(changed) == 1


# -- off the event loop -----------------------------------------------------

@pytest.fixture(scope="module")
def process_parser() -> Iterator[Parser]:
    with Parser("process", workers=2) as parser:
        yield parser


@pytest.mark.parametrize("mode", ["thread", "inline"])
async def test_parser_modes_agree(mode: str) -> None:
    body = (FEEDS / "atom.xml").read_bytes()
    with Parser(mode, workers=2) as parser:  # type: ignore[arg-type]
        got = await parser.parse(body, feed_id="t", url=FEED_URL)
    assert got == parse_feed(body, feed_id="t", url=FEED_URL)


async def test_process_pool_parses(process_parser: Parser) -> None:
    body = (FEEDS / "cp1251.xml").read_bytes()
    got = await process_parser.parse(body, feed_id="t", url=FEED_URL, source="S")
    assert got == parse_feed(body, feed_id="t", url=FEED_URL, source="S")


def test_coalesced_character_data_parses_identically() -> None:
    """The worker-only expat tweak must not change a single parsed value."""
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from bot.feeds.parse import parse_feed, _coalesce_character_data\n"
        "from tests.feedfiles import as_expected, CASES, FEED_URL\n"
        "plain = [as_expected(parse_feed(p.read_bytes(), feed_id='t', url=FEED_URL, source='T'))"
        " for p in CASES]\n"
        "_coalesce_character_data()\n"
        "fast = [as_expected(parse_feed(p.read_bytes(), feed_id='t', url=FEED_URL, source='T'))"
        " for p in CASES]\n"
        "sys.exit(0 if plain == fast else 1)\n"
    )
    root = Path(__file__).resolve().parent.parent
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0


def test_date_only_published_is_a_day_issue12() -> None:
    body = reordered_feed([
        "<item><title>A</title><link>https://x.example/a</link>"
        "<pubDate>Wed, 05 Jan 2022</pubDate></item>",
        "<item><title>B</title><link>https://x.example/b</link>"
        "<pubDate>Wed, 05 Jan 2022 10:30:00 GMT</pubDate></item>",
        "<item><title>C</title><link>https://x.example/c</link></item>",
    ])
    a, b, c = parse_feed(body, feed_id="t", url=FEED_URL, source="T").entries
    assert (a.published, a.day_only) == (datetime(2022, 1, 5, tzinfo=UTC), True)
    assert (b.published, b.day_only) == (datetime(2022, 1, 5, 10, 30, tzinfo=UTC), False)
    assert (c.published, c.day_only) == (None, False)
