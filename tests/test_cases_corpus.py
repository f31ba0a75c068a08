"""The labelled regression corpus in tests/data/cases/ is well-formed and covers what it claims.

The detectors' own tests score against this corpus; these checks keep it trustworthy as it grows:
a typo in a label would silently skew precision and recall.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pycountry
import pytest

CASES = Path(__file__).resolve().parent / "data" / "cases"
DEV_SET = Path(__file__).resolve().parents[2] / "shared" / "eval" / "events-dev.jsonl"

LANGUAGES = ("en", "ru")
TYPES = ("troop_deployment", "state_of_emergency", "mass_detention")
CSTO = ("AM", "BY", "KZ", "KG", "RU", "TJ")
REQUIRED_KEYS = {"id", "language", "title", "text", "events", "notes"}
OPTIONAL_KEYS = {"ambiguous"}
ID_RE = re.compile(r"^(en|ru)-[a-z]{2}-\d{3}$")
# The corpus promises at least this many positives for every CSTO country × type × language.
MIN_POSITIVES = 2


def load(language: str) -> list[dict[str, Any]]:
    path = CASES / f"{language}.jsonl"
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        assert line.strip(), f"{path.name}:{number}: blank line"
        record = json.loads(line)
        assert isinstance(record, dict), f"{path.name}:{number}: not an object"
        records.append(record)
    return records


def csto_events(record: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (event["type"], country)
        for event in record["events"]
        for country in event["countries"]
        if country in CSTO
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_records_are_well_formed(language: str) -> None:
    records = load(language)
    assert len(records) >= 150
    for record in records:
        rid = record.get("id")
        keys = set(record)
        assert keys >= REQUIRED_KEYS, f"{rid}: missing {REQUIRED_KEYS - keys}"
        assert keys <= REQUIRED_KEYS | OPTIONAL_KEYS, f"{rid}: unknown {keys - REQUIRED_KEYS}"
        assert isinstance(rid, str) and ID_RE.match(rid), f"bad id {rid!r}"
        assert rid.startswith(f"{language}-"), f"{rid}: id does not match the file's language"
        assert record["language"] == language, rid
        for field in ("title", "text", "notes"):
            value = record[field]
            assert isinstance(value, str) and value.strip() == value and value, f"{rid}: {field}"
        assert isinstance(record["events"], list), rid
        seen = set()
        for event in record["events"]:
            assert set(event) == {"type", "countries"}, f"{rid}: event keys {set(event)}"
            assert event["type"] in TYPES, f"{rid}: unknown type {event['type']!r}"
            countries = event["countries"]
            assert isinstance(countries, list), rid
            assert len(set(countries)) == len(countries), f"{rid}: repeated country"
            for code in countries:
                assert re.fullmatch(r"[A-Z]{2}", code), f"{rid}: country {code!r} not alpha-2"
                assert pycountry.countries.get(alpha_2=code), f"{rid}: unknown country {code}"
            key = (event["type"], tuple(countries))
            assert key not in seen, f"{rid}: duplicate event {key}"
            seen.add(key)
        if "ambiguous" in record:
            assert record["ambiguous"] is True, f"{rid}: write ambiguous only when true"


def test_ids_are_unique_across_languages() -> None:
    ids = [record["id"] for language in LANGUAGES for record in load(language)]
    duplicates = [rid for rid, count in Counter(ids).items() if count > 1]
    assert not duplicates


@pytest.mark.parametrize("language", LANGUAGES)
def test_files_are_plain_utf8_jsonl(language: str) -> None:
    raw = (CASES / f"{language}.jsonl").read_bytes()
    raw.decode("utf-8")
    # ensure_ascii=False keeps the Russian readable in review and diffs.
    assert b"\\u04" not in raw
    assert raw.endswith(b"\n")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_csto_country_and_type_has_positives(language: str) -> None:
    counts = Counter(pair for record in load(language) for pair in csto_events(record))
    missing = [
        (kind, country)
        for kind in TYPES
        for country in CSTO
        if counts[(kind, country)] < MIN_POSITIVES
    ]
    assert not missing, f"{language}: fewer than {MIN_POSITIVES} positives for {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_hard_negatives_make_up_at_least_half(language: str) -> None:
    records = load(language)
    outside_csto = [r for r in records if not csto_events(r)]
    assert len(outside_csto) * 2 >= len(records)
    # Both kinds of hard negative: no event at all, and the same events in non-CSTO countries.
    assert sum(1 for r in outside_csto if not r["events"]) >= 50
    assert sum(1 for r in outside_csto if r["events"]) >= 10
    # Every hard negative says what makes it negative.
    assert all(r["notes"] for r in outside_csto)


@pytest.mark.parametrize("language", LANGUAGES)
def test_multi_event_records_present(language: str) -> None:
    multi = [r for r in load(language) if len({e["type"] for e in r["events"]}) == 3]
    assert multi, "at least one record carries all three event types, like the reference article"


NO_DEV_SET = "the shared development set is not on this machine"


@pytest.mark.skipif(not DEV_SET.exists(), reason=NO_DEV_SET)
def test_no_text_is_copied_from_the_dev_set() -> None:
    """The dev set is internal-only (two sources state no licence): nothing may leak in here."""
    window = 10

    def shingles(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"\w+", text.lower())
        return {tuple(words[i : i + window]) for i in range(len(words) - window + 1)}

    dev: set[tuple[str, ...]] = set()
    for line in DEV_SET.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        dev |= shingles(f"{record.get('title', '')} {record['text']}")
    for language in LANGUAGES:
        for record in load(language):
            shared = shingles(f"{record['title']} {record['text']}") & dev
            assert not shared, f"{record['id']} shares text with the dev set: {sorted(shared)[:1]}"
