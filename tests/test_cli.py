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
