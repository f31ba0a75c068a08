"""`eventwatch detect` (issue 2's JSONL contract + issue 4's options) and `eventwatch schema`."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from bot.cli.detect import print_schema, run_detect
from bot.config.loader import load_config
from bot.errors import ConfigErrors
from detectors import ALL, RuleSet
from tests.conftest import REFERENCE_ARTICLE

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = REFERENCE_ARTICLE


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_config(ROOT / "config").rules


def _run(rules: RuleSet, lines: str, **kwargs: object) -> tuple[int, list[dict[str, object]], str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    options: dict[str, object] = {"explain": False, "countries": None, "file": None, **kwargs}
    code = run_detect(rules, io.StringIO(lines), stdout, stderr, **options)  # type: ignore[arg-type]
    out = [json.loads(line) for line in stdout.getvalue().splitlines()]
    return code, out, stderr.getvalue()


def test_jsonl_in_and_out(rules: RuleSet) -> None:
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "a", "title": "В Бишкеке задержаны более 100 участников акции", "text": ""},
        {"id": "b", "title": "Markets", "text": "Stocks rose.", "language": "en",
         "url": "https://example.org/b", "published": "2022-01-10T10:00:00Z"},
    ]) + "\n"
    code, out, err = _run(rules, lines)
    assert code == 0 and err == ""
    assert [o["id"] for o in out] == ["a", "b"]
    (event,) = out[0]["events"]  # type: ignore[misc]
    assert event["rule"] == "mass-detention"
    assert event["countries"] == ["KG"]
    assert event["figures"] == {"detained": 100}
    assert event["severity"] == "medium"
    assert event["evidence"] == ["В Бишкеке задержаны более 100 участников акции"]
    assert out[1]["events"] == []


def test_bad_lines_are_reported_with_their_number(rules: RuleSet) -> None:
    lines = ('{"id": "ok", "title": "", "text": "Quiet day."}\n'
             "not json\n"
             '{"id": "no-text"}\n'
             "\n"
             '{"id": "ok2", "title": "", "text": "Quiet again.", "published": "yesterday"}\n'
             '{"id": "ok3", "title": "", "text": "Still quiet."}\n')
    code, out, err = _run(rules, lines)
    assert code == 1
    assert [o["id"] for o in out] == ["ok", "ok3"]
    assert "line 2: invalid JSON" in err
    assert "line 3: text: Field required" in err
    assert "line 5: published" in err


def test_countries_override(rules: RuleSet) -> None:
    line = json.dumps({"id": "sy", "title": "", "text": "Turkish troops were deployed in Idlib."})
    assert _run(rules, line)[1][0]["events"] == []
    (event,) = _run(rules, line, countries=ALL)[1][0]["events"]  # type: ignore[misc]
    assert event["countries"] == ["SY"]
    assert _run(rules, line, countries=frozenset({"SY"}))[1][0]["events"]


def test_explain(rules: RuleSet) -> None:
    line = json.dumps({"id": "x", "title": "",
                       "text": "The Kremlin denied sending troops to Kazakhstan."})
    code, out, _ = _run(rules, line, explain=True)
    assert code == 0 and out[0]["events"] == []
    explain = {e["rule"]: e for e in out[0]["explain"]}  # type: ignore[union-attr]
    assert set(explain) == {"troop-deployment", "state-of-emergency", "mass-detention"}
    failed = [f for s in explain["troop-deployment"]["sentences"] for f in s["failed"]]
    assert any("denial by 'denied'" in f for f in failed), failed


def test_file_option_reference_article(rules: RuleSet) -> None:
    code, out, _ = _run(rules, "", file=SAMPLE)
    assert code == 0
    events = {e["rule"]: e for e in out[0]["events"]}  # type: ignore[union-attr]
    assert sorted(events) == ["mass-detention", "state-of-emergency", "troop-deployment"]
    assert all(e["countries"] == ["KZ"] for e in events.values())
    assert events["troop-deployment"]["figures"] == {"troops": 2030, "equipment": 250}
    assert events["mass-detention"]["figures"] == {"detained": 8000}


def test_file_option_missing_file(rules: RuleSet, tmp_path: Path) -> None:
    code, out, err = _run(rules, "", file=tmp_path / "nope.txt")
    assert code == 1 and out == [] and "cannot read" in err


def test_schema_is_json_schema_of_rule_files() -> None:
    out = io.StringIO()
    assert print_schema(out) == 0
    schema = json.loads(out.getvalue())
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert "rules" in schema["properties"]
    rule = schema["$defs"]["RuleSpec"]
    assert {"id", "terms", "match", "countries", "figures", "examples"} <= set(rule["properties"])


def _config_with_rule(tmp_path: Path, name: str, text: str) -> Path:
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    (config / "rules" / name).write_text(text, encoding="utf-8")
    return config


def test_rule_errors_name_file_line_and_key(tmp_path: Path) -> None:
    config = _config_with_rule(tmp_path, "zz-extra.yaml", (
        "rules:\n"
        "  - id: extra\n"
        "    terms:\n"
        "      v: {en: [riot]}\n"
        "    match:\n"
        "      - all: [v]\n"
        "        nearr: 3\n"
        "  - id: mass-detention\n"
        "    terms:\n"
        "      v: {en: [riot]}\n"
        "    match:\n"
        "      - all: [w]\n"
    ))
    with pytest.raises(ConfigErrors) as info:
        load_config(config)
    messages = [str(e) for e in info.value.errors]
    assert len(messages) == 1, messages  # one error, not a cascade
    assert "zz-extra.yaml:7: rules[0].match[0].nearr: unknown key" in messages[0]


def test_semantic_rule_errors_have_lines(tmp_path: Path) -> None:
    config = _config_with_rule(tmp_path, "zz-extra.yaml", (
        "rules:\n"
        "  - id: mass-detention\n"
        "    terms:\n"
        "      v: {en: [riot]}\n"
        "    match:\n"
        "      - all: [v]\n"
        "  - id: riots\n"
        "    terms:\n"
        "      v: {en: [riot]}\n"
        "    match:\n"
        "      - all: [w]\n"
    ))
    with pytest.raises(ConfigErrors) as info:
        load_config(config)
    messages = [str(e) for e in info.value.errors]
    assert len(messages) == 2, messages
    assert "zz-extra.yaml:2: rules[0].id: duplicate rule id 'mass-detention'" in messages[0]
    assert "zz-extra.yaml:11: rules[1].match[0].all[0]: unknown term group 'w'" in messages[1]


def test_check_runs_inline_examples(tmp_path: Path) -> None:
    config = _config_with_rule(tmp_path, "zz-extra.yaml", (
        "rules:\n"
        "  - id: riots\n"
        "    countries: all\n"
        "    terms:\n"
        "      v: {en: [riot]}\n"
        "    match:\n"
        "      - all: [v]\n"
        "    examples:\n"
        "      match: [A riot broke out., Nothing at all.]\n"
    ))
    load_config(config)  # examples are only run by `eventwatch check`
    with pytest.raises(ConfigErrors) as info:
        load_config(config, run_examples=True)
    (error,) = info.value.errors
    assert str(error).endswith(
        "zz-extra.yaml:9: rules[0].examples.match[1]: example does not match rule 'riots': "
        "'Nothing at all.'"
    )
