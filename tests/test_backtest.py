"""`eventwatch backtest` and its engine (issue 15): given rules over the archive, grouped
by story, counted per rule and country, with the change against the installed rules."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
import yaml

from bot.archive import EntryArchive
from bot.backtest.engine import Backtester
from bot.backtest.run import parse_since
from bot.backtest.types import Change
from bot.cli.main import main
from bot.config.loader import RuleText, load_config, load_rules
from bot.config.settings import ArchiveSettings, StorySettings
from bot.store.keys import Keys
from tests.conftest import ROOT, delete_prefix
from tests.reference import week

INSTALLED = load_config(ROOT / "config").rules


def candidate_yaml() -> str:
    """mass-detention raised to 10,000 detained, and a new rule: curfew."""
    data = yaml.safe_load((ROOT / "config/rules/mass-detention.yaml").read_text("utf-8"))
    rule = data["rules"][0]
    rule["match"][0]["where"] = ["detained >= 10000"]
    del rule["examples"]
    data["rules"].append({"id": "curfew", "title": {"en": "Curfew"},
                          "terms": {"regime": {"en": ["curfew", "state of emergency"]}},
                          "match": [{"all": ["regime"]}]})
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def test_hits_are_grouped_by_story_counted_and_compared_issue15() -> None:
    loaded = load_rules([RuleText("candidate.yaml", candidate_yaml()),
                         ROOT / "config/rules/troop-deployment.yaml"],
                        watch=INSTALLED.watch, run_examples=True)
    assert loaded.rules is not None and not loaded.errors
    tester = Backtester(loaded.rules, INSTALLED)
    tester.add(week())
    result = tester.result(StorySettings())

    assert result.entries == 4
    assert result.compared == ("mass-detention", "troop-deployment")
    curfew = [h for h in result.hits if h.detection.rule == "curfew"]
    assert {h.item.id for h in curfew} == {"wire-1", "steppe-2", "eurasia-3"}
    assert all(h.change is Change.NEW for h in curfew)  # no installed rule of that id
    troops = [h for h in result.hits if h.detection.rule == "troop-deployment"]
    assert troops and all(h.change is Change.SAME for h in troops)
    lost = {(h.item.id, h.detection.rule) for h in result.lost}
    assert ("wire-1", "mass-detention") in lost  # 8,000 is below the new threshold
    # "the number detained has risen to nearly 12,000" is above it, for both rule sets
    detentions = [h for h in result.hits if h.detection.rule == "mass-detention"]
    assert [(h.item.id, h.change) for h in detentions] == [("eurasia-3", Change.SAME)]
    assert not any(h.item.id == "wire-4" for h in (*result.hits, *result.lost))

    # three outlets, one event: one story for all its rules, as the live decisions merge
    # them (issue 12: one message per article)
    stories = {g.rule: g for g in result.stories}
    assert list(stories) == ["curfew"]
    assert len(stories["curfew"].hits) == len(curfew) + len(troops) + len(detentions) == 7
    assert stories["curfew"].sources == ("Wire", "Steppe", "Eurasia")
    assert {h.story for h in (*curfew, *troops, *detentions)} == {stories["curfew"].id}
    by_rule = {c.key: c for c in result.by_rule}
    assert (by_rule["curfew"].hits, by_rule["curfew"].stories, by_rule["curfew"].new) == (3, 1, 3)
    assert by_rule["mass-detention"].lost == len([h for h in result.lost
                                                  if h.detection.rule == "mass-detention"])
    assert "KZ" in {c.key for c in result.by_country}


def test_explain_says_why_a_hit_was_lost() -> None:
    loaded = load_rules([RuleText("candidate.yaml", candidate_yaml())], watch=INSTALLED.watch)
    assert loaded.rules is not None
    tester = Backtester(loaded.rules, INSTALLED, explain=True)
    tester.add(week()[:1])
    (lost,) = tester.result(StorySettings()).lost
    assert lost.explanation is not None and not lost.explanation.fired
    failed = [f for s in lost.explanation.sentences for f in s.failed]
    assert any("detained >= 10000" in f for f in failed), failed


def test_parse_since() -> None:
    now = datetime(2026, 1, 10, tzinfo=UTC)
    assert parse_since("7d", now=now) == now - timedelta(days=7)
    assert parse_since("12h", now=now) == now - timedelta(hours=12)
    assert parse_since("2w", now=now) == now - timedelta(days=14)
    assert parse_since("2026-01-09", now=now) == datetime(2026, 1, 9, tzinfo=UTC)
    with pytest.raises(ValueError, match="expected a period"):
        parse_since("yesterday", now=now)


def test_rule_text_errors_are_those_of_a_file(tmp_path: Path) -> None:
    broken = "rules:\n  - id: x\n    terms: {a: {en: [foo]}}\n    match:\n      - all: [b]\n"
    (tmp_path / "x.yaml").write_text(broken, encoding="utf-8")
    from_file = load_rules([tmp_path / "x.yaml"], watch=("KZ",))
    from_text = load_rules([RuleText(str(tmp_path / "x.yaml"), broken)], watch=("KZ",))
    assert [str(e) for e in from_text.errors] == [str(e) for e in from_file.errors]
    assert from_file.rules is None
    assert str(from_file.errors[0]).endswith(":5: rules[0].match[0].all[0]: unknown term group 'b'")


# -- the command ------------------------------------------------------------------------

@pytest.fixture
def archive_env(redis_url: str, keys: Keys, monkeypatch: pytest.MonkeyPatch
                ) -> Iterator[Keys]:
    """The week above in the archive of a Redis the command finds through the environment."""
    monkeypatch.setenv("EVENTWATCH_REDIS_URL", redis_url)
    monkeypatch.setenv("EVENTWATCH_REDIS_PREFIX", keys.prefix)
    now = datetime.now(UTC)

    async def fill() -> None:
        client = aioredis.Redis.from_url(redis_url)
        try:
            archive = EntryArchive(client, keys, lambda: ArchiveSettings())
            for i, item in enumerate(week()):
                assert await archive.keep([item.entry], now=now - timedelta(hours=10 - i))
        finally:
            await client.aclose()

    async def clean() -> None:
        client = aioredis.Redis.from_url(redis_url)
        try:
            await delete_prefix(client, keys)
        finally:
            await client.aclose()

    asyncio.run(fill())
    try:
        yield keys
    finally:
        asyncio.run(clean())


def lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line]


def test_backtest_command_json_lines_issue15(archive_env: Keys, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "candidate.yaml"
    rules.write_text(candidate_yaml(), encoding="utf-8")
    code = main(["backtest", "--config", str(ROOT / "config"), "--rules", str(rules),
                 "--json", "--since", "2d"])
    out = capsys.readouterr().out
    assert code == 0
    records = lines(out)
    summary = records[0]
    assert summary["type"] == "summary" and summary["entries"] == 4
    assert summary["rules"] == ["mass-detention", "curfew"]
    assert summary["compared"] == ["mass-detention"]
    kinds = {r["type"] for r in records}
    assert kinds == {"summary", "story", "hit", "lost", "count"}
    hits = [r for r in records if r["type"] == "hit"]
    assert {h["entry"]["feed"] for h in hits} == {"wire", "steppe", "eurasia"}
    assert all(h["story"] for h in hits)
    # the new rule's hits are new; 12,000 detained is above the raised threshold, as before
    assert {h["change"] for h in hits if h["event"]["rule"] == "curfew"} == {"new"}
    assert {h["change"] for h in hits if h["event"]["rule"] == "mass-detention"} <= {"same"}
    counts = {(r["by"], r["key"]): r for r in records if r["type"] == "count"}
    assert counts[("rule", "curfew")]["hits"] == 3
    assert counts[("rule", "mass-detention")]["lost"] >= 1


def test_backtest_command_text_and_since(archive_env: Keys,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backtest", "--config", str(ROOT / "config"), "--since", "8.5h"]) == 0
    out = capsys.readouterr().out
    assert "over 2 archived entries" in out  # the last two of the week were polled since
    assert main(["backtest", "--config", str(ROOT / "config"), "--explain"]) == 0
    out = capsys.readouterr().out
    assert "[mass-detention] KZ" in out and "By country:" in out and "matched (" in out


def test_backtest_errors_are_those_of_check_issue15(archive_env: Keys, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config"
    shutil.copytree(ROOT / "examples/demo", config)
    (config / "settings.yaml").write_text(f"rule_paths: [{ROOT / 'config/rules'}, extra]\n",
                                          encoding="utf-8")
    broken = tmp_path / "extra"
    broken.mkdir()
    (broken / "bad.yaml").write_text(
        "rules:\n  - id: bad\n    terms: {a: {en: [foo]}}\n    severity: huge\n"
        "    match:\n      - all: [b]\n", encoding="utf-8")
    shutil.copytree(broken, config / "extra")
    assert main(["check", "--config", str(config)]) == 1
    checked = capsys.readouterr().err.splitlines()
    assert any("bad.yaml:4: rules[0].severity:" in line for line in checked), checked
    assert main(["backtest", "--config", str(ROOT / "config"), "--rules",
                 str(config / "extra")]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == checked  # the same lines, word for word
    assert captured.out == ""
