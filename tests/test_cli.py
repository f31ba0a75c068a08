"""The `eventwatch` command as a new user runs it (issue 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def _eventwatch(
    *args: str, data_dir: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVENTWATCH_")}
    env["EVENTWATCH_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, input=stdin,
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_demo_alerts_once_then_nothing(tmp_path: Path) -> None:
    """Two `run --once` on the demo: alerts the first time, none the second, because the
    embedded Redis keeps its data in EVENTWATCH_DATA_DIR."""
    first = _eventwatch("run", "--once", "--config", "examples/demo", data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    headers = [line for line in first.stdout.splitlines() if "·" in line and "🇰🇿" in line]
    assert sorted(headers) == [
        "Mass detention · 🇰🇿 Kazakhstan",
        "State of emergency · 🇰🇿 Kazakhstan",
        "Troop deployment · 🇰🇿 Kazakhstan",
    ]
    assert "Russia" not in "\n".join(headers)
    assert "troops: 2,030" in first.stdout and "detained: 8,000" in first.stdout
    assert (tmp_path / "appendonly.aof").exists() or (tmp_path / "eventwatch.rdb").exists()

    second = _eventwatch("run", "--once", "--config", "examples/demo", data_dir=tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout == ""
    assert "0 alert(s) delivered" in second.stderr


def test_run_exits_non_zero_only_on_config_error(tmp_path: Path) -> None:
    (tmp_path / "feeds.yaml").write_text("feeds: [{id: x, url: nowhere.xml, bogus: 1}]\n",
                                         encoding="utf-8")
    result = _eventwatch("run", "--once", "--config", str(tmp_path), data_dir=tmp_path)
    assert result.returncode == 1
    assert f"{tmp_path / 'feeds.yaml'}:1: feeds[0].bogus: unknown key" in result.stderr


def test_broken_feed_does_not_fail_once(tmp_path: Path) -> None:
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "settings.yaml").write_text(f"rule_paths: [{ROOT / 'config' / 'rules'}]\n", "utf-8")
    (cfg / "broken.xml").write_text("<rss><channel><item><title>x</ti", encoding="utf-8")
    (cfg / "feeds.yaml").write_text(
        "feeds:\n  - {id: broken, url: broken.xml}\n  - {id: missing, url: missing.xml}\n",
        encoding="utf-8")
    result = _eventwatch("run", "--once", "--config", str(cfg), data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stderr


async def test_run_once_reads_a_json_feed_issue14(tmp_path: Path) -> None:
    """`eventwatch run --once` over HTTP on a JSON Feed (application/feed+json): the
    reference article alerts like it does from RSS."""
    import asyncio
    import json

    from tests.conftest import REFERENCE_ARTICLE
    from tests.feedserver import FeedServer

    article = REFERENCE_ARTICLE.read_text(encoding="utf-8").strip().splitlines()[:-1]
    body = json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "Wire", "language": "en",
        "items": [
            {"id": "kz-csto", "url": "https://wire.example/kz-csto",
             "title": "Putin explains deployment of CSTO troops in Kazakhstan",
             "content_text": "\n".join(article), "date_published": "2022-01-10T16:20:00Z"},
            {"id": "rate", "url": "https://wire.example/rate",
             "title": "Central bank keeps key rate unchanged",
             "content_html": "<p>The central bank kept its key rate at 4.5% on Monday.</p>",
             "date_published": "2022-01-10T12:00:00Z"},
        ],
    })
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    (cfg / "settings.yaml").write_text(
        f"rule_paths: [{ROOT / 'config' / 'rules'}]\npoll:\n  backfill: all\n", "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVENTWATCH_")}
    env["EVENTWATCH_DATA_DIR"] = str(tmp_path / "data")
    async with FeedServer() as server:
        server.route("/feed.json", body=body, content_type="application/feed+json")
        (cfg / "feeds.yaml").write_text(
            f"feeds:\n  - {{id: wire, name: Wire, url: \"{server.url('/feed.json')}\"}}\n",
            "utf-8")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--once", "--config", str(cfg), cwd=ROOT,
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, err.decode()
    stdout = out.decode()
    headers = sorted(line for line in stdout.splitlines() if "·" in line and "🇰🇿" in line)
    assert headers == ["Mass detention · 🇰🇿 Kazakhstan", "State of emergency · 🇰🇿 Kazakhstan",
                       "Troop deployment · 🇰🇿 Kazakhstan"], stdout
    assert "https://wire.example/kz-csto" in stdout
    assert server.hits("/feed.json") == 1
    assert "application/feed+json" in server.last("/feed.json").headers["Accept"]
