"""The operator pages in a real browser (issue 15): every page loads (a screenshot of
each is kept in test-artifacts/), and the rule studio's whole journey: write a rule, see
its error with its line, fix it, see the matches highlighted, backtest it over the
archived entries, download it, drop it into the config's rules and have it alert after
a reload."""

from __future__ import annotations

import asyncio
import io
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.app import Eventwatch
from bot.config.loader import load_config
from bot.config.settings import Env
from bot.store.keys import Keys
from tests.browser import chromium, require_browser, screenshot, wait
from tests.conftest import ROOT
from tests.feedserver import FeedServer, feed_server  # noqa: F401
from tests.reference import wire_rss
from tests.waiting import until

pytestmark = pytest.mark.slow

TOKEN = "browser-test-token"
HOSTILE = "<script>document.title='pwned'</script><b>bold?</b>"
ITEMS = [
    ("Police detained 120 protesters at a rally in Minsk", "http://wire.test/minsk",
     "Sun, 09 Jan 2022 18:00:00 +0000",
     "Police in Minsk detained 120 protesters at an opposition rally on Sunday, a rights "
     "group said."),
    (HOSTILE, "http://wire.test/hostile", "Sun, 09 Jan 2022 12:00:00 +0000",
     "Nothing to see here: a plain item with a hostile headline."),
]
LATER = ("Police in Yerevan detained 45 people at an opposition rally", "http://wire.test/yerevan",
         "Tue, 11 Jan 2022 09:00:00 +0000",
         "Police in Yerevan detained 45 people at an opposition rally on Tuesday.")
# What the user types: an error on line 10 (a group that does not exist), fixed after.
RULE = """rules:
  - id: rally-detentions
    title: {en: Rally detentions}
    severity: high
    terms:
      detain:
        en: [detain*, arrest*]
      rally:
        en: [rally, protest*]
    match:
      - all: [detain, rallies]
"""


@dataclass
class Site:
    app: Eventwatch
    url: str
    config: Path
    out: io.StringIO
    feeds: FeedServer


@pytest.fixture
async def site(redis_url: str, keys: Keys, redis_client: aioredis.Redis, tmp_path: Path,
               feed_server: FeedServer) -> AsyncIterator[Site]:  # noqa: F811
    require_browser()
    feed_server.route("/wire.xml", body=wire_rss(ITEMS))
    config = tmp_path / "config"
    (config / "rules").mkdir(parents=True)
    (config / "settings.yaml").write_text(
        f"rule_paths: [{ROOT / 'config' / 'rules'}, rules]\npoll:\n  backfill: all\n"
        "metrics:\n  port: 0\nweb:\n  enabled: true\n", encoding="utf-8")
    (config / "feeds.yaml").write_text(
        f"feeds:\n  - id: wire\n    name: The Wire\n    url: {feed_server.url('/wire.xml')}\n"
        "    language: en\n  - id: down\n    name: Down\n"
        f"    url: {feed_server.url('/missing.xml')}\n", encoding="utf-8")
    # rule_paths needs a file in rules/: start with an empty one (disabled rules only)
    (config / "rules" / "local.yaml").write_text("rules: []\n", encoding="utf-8")
    env = Env(redis_url=redis_url, telegram_token=None, telegram_api_url="http://unused",
              config_dir=config, data_dir=tmp_path / "data", web_token=TOKEN)
    out = io.StringIO()
    async with Eventwatch(env, load_config(config), keys=keys, out=out) as app:
        await app.start()
        try:
            assert app.scheduler is not None and app.metrics_server is not None
            await app.scheduler.poll_now("wire")
            await app.scheduler.poll_now("down")
            await until(lambda: "Minsk" in out.getvalue())  # polled, archived, alerted
            yield Site(app, app.metrics_server.url, config, out, feed_server)
        finally:
            await app.stop()


def login(driver: Any, url: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(url + "/studio")
    assert driver.find_element(By.ID, "token")  # 401: the login form
    screenshot(driver, "login")
    driver.find_element(By.ID, "token").send_keys(TOKEN)
    driver.find_element(By.ID, "login").click()
    wait(driver, lambda d: d.current_url.endswith("/studio") and d.find_elements(By.ID, "studio"))


def visit_pages(driver: Any, url: str) -> dict[str, str]:
    from selenium.webdriver.common.by import By

    login(driver, url)
    seen = {}
    wait(driver, lambda d: "Valid" in d.find_element(By.ID, "rule-status").text)
    seen["studio"] = screenshot(driver, "studio").name
    driver.get(url + "/stories")
    titles = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".story h2")]
    assert any("Minsk" in t for t in titles), titles
    seen["stories"] = screenshot(driver, "stories").name
    driver.get(url + "/feeds")
    rows = driver.find_elements(By.CSS_SELECTOR, "#feeds tbody tr")
    assert rows[0].get_attribute("class").startswith("failing"), "failing feeds come first"
    assert "down" in rows[0].text and "wire" in rows[1].text
    seen["feeds"] = screenshot(driver, "feeds").name
    driver.get(url + "/chart")
    assert driver.find_elements(By.CSS_SELECTOR, "#chart-svg rect")
    seen["chart"] = screenshot(driver, "chart").name
    # the hostile headline is text, not markup: it never ran and never made a <b>
    driver.get(url + "/studio")
    driver.find_element(By.ID, "picker").click()
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#archive-list button")) >= 2)
    listed = driver.find_element(By.ID, "archive-list")
    assert "<script>document.title='pwned'</script>" in listed.text
    assert not listed.find_elements(By.TAG_NAME, "b") and "pwned" not in driver.title
    return seen


def type_rule_and_backtest(driver: Any, url: str, downloads: Path) -> Path:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    login(driver, url)
    # The file name first: every keystroke revalidates, and an error listed under the old
    # name may still be on the page for a moment after the name changes.
    name = driver.find_element(By.ID, "rule-name")
    name.clear()
    name.send_keys("rally-detentions.yaml")
    editor = driver.find_element(By.ID, "rule-yaml")
    editor.clear()
    editor.send_keys(RULE)
    # the error, with its line, in the list and in the gutter
    expected = "rally-detentions.yaml:11: rules[0].match[0].all[1]: unknown term group 'rallies'"
    wait(driver, lambda d: any(e.text == expected
                               for e in d.find_elements(By.CSS_SELECTOR, "#rule-errors li")))
    assert driver.find_element(By.CSS_SELECTOR, "#gutter .bad").text == "11"
    screenshot(driver, "studio-error")
    # fix it: the error goes, the rule is valid
    for _ in range(len("rallies]\n")):
        editor.send_keys("\b")
    editor.send_keys("rally]\n")
    wait(driver, lambda d: "Valid: rally-detentions" in d.find_element(By.ID, "rule-status").text)
    assert not driver.find_elements(By.CSS_SELECTOR, "#rule-errors li")
    # an article: the matches are highlighted, with the explanation
    driver.find_element(By.ID, "article-text").send_keys(
        "Riot police arrested 60 protesters after the rally in Almaty.")
    marks = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#highlight mark.m-term"))
    assert {m.text for m in marks} >= {"arrested", "protesters", "rally"}
    assert "rally-detentions fires" in driver.find_element(By.ID, "explain").text
    screenshot(driver, "studio-matches")
    # the backtest over the archive: what it would have caught
    driver.find_element(By.ID, "run-backtest").click()
    summary = wait(driver, lambda d: d.find_elements(By.ID, "backtest-result"))[0]
    assert summary.text.startswith("1 hit(s) in 1 story"), summary.text
    row = wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#hits tbody tr"))[0]
    assert "Minsk" in row.text and "new" in row.text
    assert "rally-detentions" in driver.find_element(By.ID, "by-rule").text
    Select(driver.find_element(By.ID, "hits-kind")).select_by_value("lost")  # nothing lost
    wait(driver, lambda d: d.find_element(By.ID, "hits-page").text == "none")
    screenshot(driver, "studio-backtest")
    # download it
    driver.find_element(By.ID, "download").click()
    target = downloads / "rally-detentions.yaml"
    wait(driver, lambda d: target.exists() and target.read_text(encoding="utf-8").endswith(
        "rally]\n"))
    return target


async def test_every_page_loads_and_is_kept_as_a_screenshot_issue15(
    site: Site, tmp_path: Path,
) -> None:
    with chromium(tmp_path) as driver:
        shots = await asyncio.to_thread(visit_pages, driver, site.url)
    assert set(shots) == {"studio", "stories", "feeds", "chart"}


async def test_write_backtest_download_install_reload_issue15(site: Site,
                                                              tmp_path: Path) -> None:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with chromium(downloads) as driver:
        rule_file = await asyncio.to_thread(type_rule_and_backtest, driver, site.url, downloads)
    assert rule_file.read_text(encoding="utf-8").startswith("rules:\n  - id: rally-detentions")

    # drop it into the config's rules directory and reload: the rule is live
    shutil.copy(rule_file, site.config / "rules" / rule_file.name)
    assert await site.app.reload() == []
    assert "rally-detentions" in site.app.config.rules.rule_ids
    site.feeds.route("/wire.xml", body=wire_rss([*ITEMS, LATER]))
    assert site.app.scheduler is not None
    await site.app.scheduler.poll_now("wire")
    await until(lambda: "Rally detentions" in site.out.getvalue())
    assert "Yerevan" in site.out.getvalue().split("Rally detentions", 1)[1]
