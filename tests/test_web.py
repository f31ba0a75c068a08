"""The operator pages over HTTP (issue 15): the token, escaping of what feeds send, the
studio's JSON API; the browser tests are in test_web_browser.py."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from pathlib import Path

import aiohttp
import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestClient, TestServer

from bot.app import Eventwatch
from bot.archive import EntryArchive
from bot.backtest.engine import Backtester
from bot.config.loader import Config, load_config
from bot.config.settings import StorySettings
from bot.delivery.outbox import Outbox
from bot.errors import ConfigErrors
from bot.feeds.health import feed_health
from bot.ops.metrics import Metrics, build_app
from bot.store.keys import Keys
from bot.stories.store import StoryStore
from bot.types import Entry
from bot.web import WebPages, WebServices
from bot.web.auth import COOKIE
from bot.web.chart import build_chart
from bot.web.explanation import explanation_view
from detectors.types import Document
from tests.conftest import REFERENCE_ARTICLE, ROOT
from tests.fakebotapi import FakeBotAPI, fake_bot_api  # noqa: F401
from tests.feedserver import FeedServer, feed_server  # noqa: F401
from tests.reference import week

TOKEN = "s3cret-token-for-tests"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
NOW = datetime(2022, 1, 10, 17, tzinfo=UTC)
RULE = """\
rules:
  - id: detentions
    title: {en: Detentions}
    terms:
      detain:
        en: [detain*, detention]
    match:
      - all: [detain]
"""
PAGES = ("/studio", "/stories", "/feeds", "/chart")
APIS = ("/api/archive", "/api/rulefiles", "/api/backtest/x")


def hostile_config(tmp_path: Path) -> Config:
    (tmp_path / "settings.yaml").write_text(
        f"rule_paths: [{ROOT / 'config' / 'rules'}]\n", encoding="utf-8")
    (tmp_path / "feeds.yaml").write_text(
        "feeds:\n  - id: evil\n    name: '" + HOSTILE.replace("'", "''") + "'\n"
        "    url: http://evil.test/feed.xml\n", encoding="utf-8")
    return load_config(tmp_path)


@pytest.fixture
async def client(redis_client: aioredis.Redis, keys: Keys, tmp_path: Path
                 ) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    config = hostile_config(tmp_path)
    archive = EntryArchive(redis_client, keys, lambda: config.settings.archive)
    stories = StoryStore(redis_client, keys, lambda: config.settings.stories)
    for item in week():
        await archive.keep([item.entry], now=datetime.now(UTC))
    evil = Entry("evil", "k1", "javascript:alert(1)", HOSTILE,
                 REFERENCE_ARTICLE.read_text(encoding="utf-8"), NOW, "en", "h", HOSTILE)
    await archive.keep([evil], now=datetime.now(UTC))
    await stories.ingest(evil, config.rules.detect(evil.document()), now=NOW)
    services = WebServices(
        token=TOKEN, config=lambda: config, archive=archive, stories=stories,
        outbox=Outbox(redis_client, keys),
        feed_health=lambda: feed_health(redis_client, keys, config.feeds))
    app = build_app(Metrics(), extend=WebPages(services).install)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


BEARER = {"Authorization": f"Bearer {TOKEN}"}


async def test_every_page_and_api_needs_the_token_issue15(client: TestClient) -> None:  # type: ignore[type-arg]
    for path in PAGES:
        response = await client.get(path)
        assert response.status == 401, path
        assert 'name="token"' in await response.text()  # the login form
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        wrong = await client.get(path, headers={"Authorization": "Bearer nope"})
        assert wrong.status == 401
    for path in APIS:
        response = await client.get(path)
        assert response.status == 401 and (await response.json())["error"]
    for path in ("/api/validate", "/api/explain", "/api/backtest"):
        assert (await client.post(path, json={})).status == 401
    assert (await client.get("/metrics")).status == 200  # not behind the token
    assert (await client.get("/static/style.css")).status == 200  # the login form's CSS
    for path in PAGES:
        response = await client.get(path, headers=BEARER)
        assert response.status == 200, path
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]


async def test_login_sets_a_session_cookie_not_the_token(client: TestClient) -> None:  # type: ignore[type-arg]
    refused = await client.post("/login", data={"token": "wrong", "next": "/feeds"})
    assert refused.status == 401 and "not the token" in await refused.text()
    response = await client.post("/login", data={"token": TOKEN, "next": "//evil.test/"},
                                 allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/studio"
    cookie = response.cookies[COOKIE]
    assert TOKEN not in cookie.value and cookie["httponly"] and cookie["samesite"] == "Strict"
    assert (await client.get("/feeds")).status == 200  # the client keeps the cookie
    ok = await client.post("/api/validate", json={"name": "r.yaml", "yaml": RULE})
    assert ok.status == 200
    forged = await client.post("/api/validate", json={"name": "r.yaml", "yaml": RULE},
                               headers={"Origin": "http://evil.test"})
    assert forged.status == 401  # a cross-site POST with the cookie
    out = await client.post("/logout", allow_redirects=False)
    assert out.status == 303
    assert (await client.get("/feeds")).status == 401


async def test_what_feeds_send_is_escaped_issue15(client: TestClient) -> None:  # type: ignore[type-arg]
    for path in ("/stories", "/feeds"):
        body = await (await client.get(path, headers=BEARER)).text()
        assert "<script>alert" not in body and "<img src=x" not in body, path
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in body, path
        assert 'href="javascript:' not in body
    stories = await (await client.get("/stories", headers=BEARER)).text()
    assert "sent to 0 chats" in stories and "detained 8,000" in stories


async def test_validate_reports_check_errors_with_lines(client: TestClient) -> None:  # type: ignore[type-arg]
    bad = RULE.replace("all: [detain]", "all: [detained]")
    data = await (await client.post("/api/validate", headers=BEARER,
                                    json={"name": "mine.yaml", "yaml": bad})).json()
    assert not data["ok"] and not data["compiled"]
    assert data["errors"][0]["text"] == (
        "mine.yaml:8: rules[0].match[0].all[0]: unknown term group 'detained'")
    syntax = await (await client.post("/api/validate", headers=BEARER,
                                      json={"name": "mine.yaml", "yaml": "rules: [\n"})).json()
    assert syntax["errors"][0]["line"] == 2 and "invalid YAML" in syntax["errors"][0]["message"]
    good = await (await client.post("/api/validate", headers=BEARER,
                                    json={"name": "mine.yaml", "yaml": RULE})).json()
    assert good["ok"] and good["rules"] == ["detentions"] and good["replaces"] == []
    refused = await client.post("/api/validate", headers=BEARER,
                                json={"name": "../../etc/passwd", "yaml": RULE})
    assert refused.status == 400


async def test_explain_highlights_terms_figures_and_guards(client: TestClient) -> None:  # type: ignore[type-arg]
    text = "Police detained 300 protesters in Minsk. Officials denied that anyone was detained."
    data = await (await client.post("/api/explain", headers=BEARER, json={
        "name": "mine.yaml", "yaml": RULE, "title": "", "text": text, "language": "en"})).json()
    assert [e["rule"] for e in data["events"]] == ["detentions"]
    marked = {(r["text"], k) for r in data["view"]["text"] for k in r["marks"]}
    assert ("detained", "term") in marked
    assert ("denied", "guard") in marked
    assert any(k == "guarded" and t == "detained" for t, k in marked)


async def test_backtest_api_pages_through_hits(client: TestClient) -> None:  # type: ignore[type-arg]
    data = await (await client.post("/api/backtest", headers=BEARER, json={
        "name": "mine.yaml", "yaml": RULE, "since": "1d"})).json()
    assert data["summary"]["entries"] == 5 and data["summary"]["hits"] >= 3
    first = await (await client.get(f"/api/backtest/{data['id']}?offset=0&limit=2",
                                    headers=BEARER)).json()
    second = await (await client.get(f"/api/backtest/{data['id']}?offset=2&limit=2",
                                     headers=BEARER)).json()
    assert first["total"] == data["summary"]["hits"] and len(first["items"]) == 2
    assert {h["entry"]["id"] for h in first["items"]}.isdisjoint(
        h["entry"]["id"] for h in second["items"])
    bad = await client.post("/api/backtest", headers=BEARER, json={
        "name": "mine.yaml", "yaml": "rules: 3"})
    assert bad.status == 422 and (await bad.json())["errors"]


async def test_archive_picker_and_installed_files(client: TestClient) -> None:  # type: ignore[type-arg]
    found = await (await client.get("/api/archive?q=central+bank", headers=BEARER)).json()
    (item,) = found["items"]
    full = await (await client.get(f"/api/archive/{item['id']}", headers=BEARER)).json()
    assert full["text"].startswith("The central bank")
    files = (await (await client.get("/api/rulefiles", headers=BEARER)).json())["files"]
    assert {f["name"] for f in files} == {"mass-detention.yaml", "state-of-emergency.yaml",
                                          "troop-deployment.yaml"}
    one = await (await client.get("/api/rulefile", params={"path": files[0]["path"]},
                                  headers=BEARER)).json()
    assert "rules:" in one["yaml"]
    outside = await client.get("/api/rulefile", params={"path": "/etc/passwd"}, headers=BEARER)
    assert outside.status == 404


def test_the_adapter_passes_unknown_keys_through() -> None:
    rules = load_config(ROOT / "config").rules
    doc = Document("Kazakhstan", REFERENCE_ARTICLE.read_text(encoding="utf-8"), "en")
    view = explanation_view(rules.explain(doc), doc.title, doc.text)
    assert "".join(r["text"] for r in view["text"]) == doc.text  # nothing lost or added
    assert any("figure" in r["marks"] and r["text"] == "8,000" for r in view["text"])
    assert {r["rule"] for r in view["rules"]} == set(rules.rule_ids)


def test_chart_counts_events_per_day_country_and_type() -> None:
    rules = load_config(ROOT / "config").rules
    tester = Backtester(rules)
    tester.add(week())
    result = tester.result(StorySettings())
    start = datetime(2022, 1, 9, tzinfo=UTC)
    chart = build_chart(result, {r: rules.rule_title(r) for r in rules.rule_ids},
                        start=start, end=datetime(2022, 1, 11, tzinfo=UTC))
    assert len(chart.days) == 3
    assert chart.counts[("KZ", date(2022, 1, 10), "mass-detention")] == 1
    assert chart.panels[0].country == "KZ" and chart.panels[0].bars


def test_web_needs_the_metrics_port(tmp_path: Path) -> None:
    (tmp_path / "settings.yaml").write_text("web:\n  enabled: true\n", encoding="utf-8")
    (tmp_path / "feeds.yaml").write_text("feeds: []\n", encoding="utf-8")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "r.yaml").write_text(RULE, encoding="utf-8")
    with pytest.raises(ConfigErrors) as caught:
        load_config(tmp_path)
    assert any(str(e).endswith(":1: web: Value error, the pages are served with /metrics: "
                               "set metrics.port too") for e in caught.value.errors), \
        caught.value.errors


async def test_without_a_token_the_pages_are_off_issue15(
    app_factory: Callable[[], Eventwatch], config_dir: Path,
    fake_bot_api: FakeBotAPI, caplog: pytest.LogCaptureFixture,  # noqa: F811
) -> None:
    with (config_dir / "settings.yaml").open("a", encoding="utf-8") as fh:
        fh.write("metrics:\n  port: 0\nweb:\n  enabled: true\n")
    caplog.set_level(logging.WARNING, logger="bot.app")
    async with app_factory() as app:
        await app.start()
        try:
            assert app.metrics_server is not None
            async with aiohttp.ClientSession() as session:
                for path in PAGES:
                    async with session.get(app.metrics_server.url + path) as response:
                        assert response.status == 404, path
                async with session.get(app.metrics_server.url + "/metrics") as response:
                    assert response.status == 200
        finally:
            await app.stop()
    assert sum("EVENTWATCH_WEB_TOKEN is not" in r.getMessage() for r in caplog.records) == 1
