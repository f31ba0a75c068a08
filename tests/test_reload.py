"""Hot reload (issue 7 §3): file changes and SIGHUP reload settings, feeds and rules
atomically; an invalid config keeps the old one running and is reported."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot.app import Eventwatch
from bot.config.loader import load_config
from bot.config.settings import Env
from bot.store.keys import Keys
from tests.conftest import ROOT
from tests.fakebotapi import FakeBotAPI
from tests.feedserver import FeedServer, feed_server  # noqa: F401
from tests.reference import reference_feed
from tests.waiting import drained, until

RULES = ROOT / "config" / "rules"
ADMIN_CHAT, CHANNEL = 4242, -1001234


@pytest.fixture
def config_dir(tmp_path: Path, feed_server: FeedServer) -> Path:  # noqa: F811
    feed_server.route("/wire.xml", body=reference_feed(), etag='"v1"')
    cfg = tmp_path / "cfg"
    (cfg / "rules").mkdir(parents=True)
    shutil.copy(RULES / "troop-deployment.yaml", cfg / "rules")
    (cfg / "settings.yaml").write_text(
        "poll:\n  backfill: all\n"
        f"telegram:\n  admin_chat: {ADMIN_CHAT}\n  channels: [{CHANNEL}]\n", encoding="utf-8")
    (cfg / "feeds.yaml").write_text(
        f"feeds:\n  - id: wire\n    url: {feed_server.url('/wire.xml')}\n    language: en\n",
        encoding="utf-8")
    return cfg


@pytest.fixture
async def app(
    redis_url: str, keys: Keys, redis_client: aioredis.Redis, config_dir: Path,
    fake_bot_api: FakeBotAPI, tmp_path: Path,
) -> AsyncIterator[Eventwatch]:
    env = Env(redis_url=redis_url, telegram_token=fake_bot_api.token,
              telegram_api_url=fake_bot_api.url, config_dir=config_dir,
              data_dir=tmp_path / "data")
    async with Eventwatch(env, load_config(config_dir), keys=keys, updates_timeout=0.2,
                          watch_config=True, reload_debounce=0.1) as ew:
        await ew.start()
        await asyncio.sleep(0.3)  # the watcher is armed
        try:
            yield ew
        finally:
            await ew.stop()


async def test_rule_file_change_is_used_by_the_running_app(
    app: Eventwatch, config_dir: Path, fake_bot_api: FakeBotAPI,
) -> None:
    assert set(app.config.rules.rule_ids) == {"troop-deployment"}
    shutil.copy(RULES / "mass-detention.yaml", config_dir / "rules")
    await until(lambda: "mass-detention" in app.config.rules.rule_ids, 10)

    assert app.scheduler is not None
    await app.scheduler.poll_now("wire")
    await until(lambda: len(fake_bot_api.plain_texts(CHANNEL)) >= 1, 10)
    await drained(app.outbox)  # nothing more may follow
    # One message for the article, a line per event type (issue 12).
    texts = fake_bot_api.plain_texts(CHANNEL)
    assert len(texts) == 1, texts
    headers = texts[0].split("\n")[:2]
    assert any("Mass detention" in h for h in headers), headers
    assert any("Troop deployment" in h for h in headers), headers


async def test_feeds_change_reschedules(
    app: Eventwatch, config_dir: Path, feed_server: FeedServer,  # noqa: F811
) -> None:
    feed_server.route("/other.xml", body=reference_feed())
    text = (config_dir / "feeds.yaml").read_text("utf-8")
    (config_dir / "feeds.yaml").write_text(
        text + f"  - id: other\n    url: {feed_server.url('/other.xml')}\n", "utf-8")
    await until(lambda: app.config.feed("other") is not None, 10)
    assert app.scheduler is not None and app.scheduler.next_run("other") is not None


async def test_broken_rule_keeps_old_config_and_reports(
    app: Eventwatch, config_dir: Path, fake_bot_api: FakeBotAPI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    before = app.config
    # A burst of writes (an editor's save): debounced into few reloads, the last one broken.
    target = config_dir / "rules" / "troop-deployment.yaml"
    good = target.read_text("utf-8")
    for _ in range(3):
        target.write_text(good, "utf-8")
    target.write_text(good.replace("severity:", "severity: [oops\n  bogus:", 1), "utf-8")

    await until(lambda: bool(fake_bot_api.texts(ADMIN_CHAT)), 10)
    report = fake_bot_api.plain_texts(ADMIN_CHAT)[0]
    assert "Config reload failed" in report and "old config keeps running" in report
    assert str(target) in report
    assert app.config is before  # the old config keeps running, untouched
    assert any("config reload failed" in r.getMessage() for r in caplog.records)

    target.write_text(good, "utf-8")  # fixed again: reloads cleanly
    await until(lambda: app.config is not before, 10)
    assert set(app.config.rules.rule_ids) == {"troop-deployment"}


async def test_reload_debounces_a_burst(
    app: Eventwatch, config_dir: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.app")

    def reloads() -> int:  # the app logs each reload it applies
        return sum(r.getMessage() == "config reloaded" for r in caplog.records)

    target = config_dir / "feeds.yaml"
    text = target.read_text("utf-8")
    for i in range(20):
        target.write_text(text + f"# {i}\n", "utf-8")
    await until(lambda: reloads() >= 1, 10)
    # The watcher reloads one burst at a time, so once a later, distinct change is in
    # force every reload the burst caused has run.
    target.write_text(text + "  - id: marker\n    url: http://marker.test/feed.xml\n", "utf-8")
    await until(lambda: app.config.feed("marker") is not None, 10)
    assert 2 <= reloads() <= 4, reloads()  # the burst's few reloads, then the marker's own


def test_sighup_reloads_a_running_process(tmp_path: Path) -> None:
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "settings.yaml").write_text(f"rule_paths: [{RULES}]\n", "utf-8")
    (cfg / "feeds.yaml").write_text("feeds: []\n", "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVENTWATCH_")}
    env["EVENTWATCH_DATA_DIR"] = str(tmp_path / "data")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--config", str(cfg)], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    try:
        assert proc.stderr is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            lines.append(line)
            if "eventwatch running" in line:
                break
        else:
            pytest.fail("".join(lines))
        proc.send_signal(signal.SIGHUP)
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            lines.append(line)
            if "config reloaded" in line or not line:
                break
        assert any("SIGHUP received" in ln for ln in lines), "".join(lines)
        assert any("config reloaded" in ln for ln in lines), "".join(lines)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()
    assert proc.returncode == 0



async def test_reload_applies_story_and_telegram_settings(
    app: Eventwatch, config_dir: Path, fake_bot_api: FakeBotAPI,
) -> None:
    """Every section is in force after a reload, not only feeds and rules."""
    from bot.delivery.sender import Sender

    settings = config_dir / "settings.yaml"
    base = settings.read_text(encoding="utf-8")
    settings.write_text(base + "stories:\n  edit_interval: 120\n  bogus: 1\n", "utf-8")
    await until(lambda: any("Config reload failed" in t
                            for t in fake_bot_api.plain_texts(ADMIN_CHAT)), 10)  # refused
    assert app.stories.settings.edit_interval == 600
    settings.write_text(
        base.replace(f"  channels: [{CHANNEL}]\n", f"  channels: [{CHANNEL}]\n"
                     "  rate_limits: {overall: 10, private: 0.5, group: 6}\n")
        + "stories:\n  edit_interval: 120\n  breaking_outlets: 5\n  window: 7200\n", "utf-8")
    await until(lambda: app.stories.settings.edit_interval == 120, 10)
    assert app.stories.settings.breaking_outlets == 5
    assert isinstance(app.consumer, Sender)
    assert app.consumer.stories.edit_interval == 120
    assert app.consumer.telegram.rate_limits.overall == 10
    assert app.consumer.pacer.interval(is_group=False) == 2.0
    assert app.consumer.pacer.interval(is_group=True) == 10.0
    # The outbox's story message maps follow the new window too (they once kept the old one).
    await app.outbox.remember_story_message("st-reload", 5, 1)
    ttl = await app.redis_handle.client.ttl(app.keys.story_messages("st-reload"))
    assert 7200 + 86400 - 5 <= ttl <= 7200 + 86400
