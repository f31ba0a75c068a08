"""The labelled regression corpus in tests/data/cases/ is well-formed and covers what it claims.

The detectors' tests and `bench/eval.py` score against this corpus; these checks keep it
trustworthy as it grows: a typo in a label would silently skew precision and recall, and a
record moved across the holdout line would quietly let rules be tuned on it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pycountry
import pytest

from tests import cases

LANGUAGES = ("en", "ru")
REQUIRED_KEYS = {"id", "language", "title", "text", "events", "notes"}
REAL_KEYS = REQUIRED_KEYS | {"source", "published", "traps", "ambiguous"}
ID_RE = re.compile(r"^(en|ru)-([a-z]{2})-\d{3,4}$")
MIN_RECORDS = 2000
# Every CSTO country × type × language has at least this many positives in the corpus.
MIN_POSITIVES = 10
MAX_EXCERPT = 1500  # characters of title and text: real records are short quotes only
# The trap tags in use. Each names why a record is hard; `other` is the catch-all.
TRAPS = frozenset({
    "actor-not-place", "anniversary", "border-clash", "call-up", "denial", "emergency-ministry",
    "emergency-services", "exercise", "figurative", "headline-only", "in-absentia",
    "kidnapping", "lifted", "no-count", "other", "outside-csto", "paraphrased-movement",
    "plan-or-threat", "police-only", "proposed", "regime-in-force", "region-name", "release",
    "retrospective", "small-count", "sport", "withdrawal",
})
# The traps issue 11 lists ("What the misses look like"): each in both languages.
ISSUE_TRAPS = ("paraphrased-movement", "call-up", "actor-not-place", "region-name",
               "border-clash", "retrospective", "anniversary", "exercise", "denial",
               "withdrawal", "lifted", "regime-in-force", "headline-only")
MIN_TRAP = 5  # records per issue trap and language
SHARED = ("events-dev.jsonl", "csto-news.jsonl")


def all_records() -> list[tuple[Path, dict[str, Any]]]:
    return [(path, record) for path in cases.files() for record in cases.read(path)]


def csto_events(record: dict[str, Any]) -> list[tuple[str, str]]:
    return [(event["type"], country) for event in record["events"]
            for country in event["countries"] if country in cases.CSTO]


def test_the_corpus_has_its_parts_and_size() -> None:
    for part in cases.PARTS:
        assert cases.files(part), part
    assert {p.relative_to(cases.CASES).parts[0] for p in cases.files()} == {"written", "real"}
    assert len(all_records()) >= MIN_RECORDS


@pytest.mark.parametrize("path", cases.files(), ids=lambda p: str(p.relative_to(cases.CASES)))
def test_records_are_well_formed(path: Path) -> None:
    real = "real" in path.relative_to(cases.CASES).parts
    for record in cases.read(path):
        rid = record.get("id")
        keys = set(record)
        assert keys >= REQUIRED_KEYS, f"{rid}: missing {REQUIRED_KEYS - keys}"
        assert keys <= REAL_KEYS, f"{rid}: unknown {keys - REAL_KEYS}"
        match = ID_RE.match(rid) if isinstance(rid, str) else None
        assert match, f"bad id {rid!r}"
        assert match[1] == record["language"], f"{rid}: id does not match its language"
        if real:
            assert keys == REAL_KEYS, f"{rid}: a real record carries {REAL_KEYS - keys}"
            assert match[2] == path.stem, f"{rid}: in {path.name}, not {match[2]}.jsonl"
            assert re.match(r"https?://\S+$", record["source"]), f"{rid}: source is not a URL"
        else:
            assert path.stem == record["language"], f"{rid}: in {path.name}"
            assert record.get("source", "written") == "written", f"{rid}: a written record"
        for name in ("title", "text", "notes"):
            value = record[name]
            assert isinstance(value, str) and value.strip() == value, f"{rid}: {name}"
        assert record["text"] and record["notes"], rid
        assert len(record["title"]) + len(record["text"]) <= MAX_EXCERPT, f"{rid}: too long"
        published = record.get("published")
        if published is not None:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", published), f"{rid}: published {published}"
            date.fromisoformat(published)
        assert set(record.get("traps", ())) <= TRAPS, f"{rid}: unknown trap"
        assert isinstance(record.get("ambiguous", False), bool), rid
        assert isinstance(record["events"], list), rid
        seen = set()
        for event in record["events"]:
            assert set(event) == {"type", "countries"}, f"{rid}: event keys {set(event)}"
            assert event["type"] in cases.TYPES, f"{rid}: unknown type {event['type']!r}"
            countries = event["countries"]
            assert isinstance(countries, list), rid
            assert len(set(countries)) == len(countries), f"{rid}: repeated country"
            for code in countries:
                assert re.fullmatch(r"[A-Z]{2}", code), f"{rid}: country {code!r} not alpha-2"
                assert pycountry.countries.get(alpha_2=code), f"{rid}: unknown country {code}"
            key = (event["type"], tuple(countries))
            assert key not in seen, f"{rid}: duplicate event {key}"
            seen.add(key)


def test_ids_are_unique_across_all_files() -> None:
    ids = [record["id"] for _, record in all_records()]
    duplicates = [rid for rid, count in Counter(ids).items() if count > 1]
    assert not duplicates


@pytest.mark.parametrize("path", cases.files(), ids=lambda p: str(p.relative_to(cases.CASES)))
def test_files_are_plain_utf8_jsonl(path: Path) -> None:
    raw = path.read_bytes()
    raw.decode("utf-8")
    assert not raw.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
    assert b"\r" not in raw
    # ensure_ascii=False keeps the Russian readable in review and diffs.
    assert b"\\u04" not in raw
    assert raw.endswith(b"\n") and b"\n\n" not in raw
    for line in raw.decode("utf-8").splitlines():
        assert isinstance(json.loads(line), dict)


def test_holdout_follows_the_source_hash() -> None:
    """Membership is fixed by the source URL, never by hand, so no record can be moved to the
    side that suits a rule change; every excerpt of one page is on the same side."""
    for part, expected in (("tune", False), ("holdout", True)):
        moved = [r["id"] for r in cases.load(part) if cases.in_holdout(r["source"]) != expected]
        assert not moved, f"{part}: on the wrong side of the split: {moved}"
    real = len(cases.load("tune")) + len(cases.load("holdout"))
    # about a fifth of the whole corpus
    assert 0.15 <= len(cases.load("holdout")) / (real + len(cases.load("written"))) <= 0.25


def test_every_csto_country_type_and_language_has_positives() -> None:
    counts = Counter((record["language"], *pair) for _, record in all_records()
                     for pair in set(csto_events(record)))
    missing = [(language, kind, country) for language in LANGUAGES for kind in cases.TYPES
               for country in cases.CSTO if counts[(language, kind, country)] < MIN_POSITIVES]
    assert not missing, f"fewer than {MIN_POSITIVES} positives for {missing}"


def test_hard_negatives_make_up_at_least_half() -> None:
    records = [record for _, record in all_records()]
    outside_csto = [r for r in records if not csto_events(r)]
    assert len(outside_csto) * 2 >= len(records)
    # Both kinds: no event at all, and the same events in countries outside the CSTO.
    assert sum(1 for r in outside_csto if not r["events"]) >= 500
    assert sum(1 for r in outside_csto if r["events"]) >= 100


def test_the_issue_traps_are_covered_in_both_languages() -> None:
    counts = Counter((trap, record["language"]) for _, record in all_records()
                     for trap in record.get("traps", ()))
    thin = [(trap, language, counts[(trap, language)]) for trap in ISSUE_TRAPS
            for language in LANGUAGES if counts[(trap, language)] < MIN_TRAP]
    assert not thin, f"issue traps with fewer than {MIN_TRAP} records: {thin}"


def test_multi_event_records_present() -> None:
    multi = [r for r in cases.load("written") if len({e["type"] for e in r["events"]}) == 3]
    assert multi, "at least one record carries all three event types, like the reference article"


def test_counts_table_in_readme_is_current() -> None:
    readme = (cases.CASES / "README.md").read_text(encoding="utf-8")
    assert cases.counts_table() in readme, "regenerate: python -m tests.cases --counts"


@pytest.mark.parametrize("name", SHARED)
def test_no_text_is_shared_with_the_shared_eval_sets(name: str) -> None:
    """The shared sets are internal-only: nothing of theirs may be in here. A real excerpt of
    the same wire story as a shared record would also measure the rules on seen text."""
    path = cases.SHARED_EVAL / name
    if not path.exists():
        pytest.skip(f"{name} is not on this machine")
    window = 10

    def shingles(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"\w+", text.lower())
        return {tuple(words[i : i + window]) for i in range(len(words) - window + 1)}

    theirs: set[tuple[str, ...]] = set()
    sources = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        theirs |= shingles(f"{record.get('title', '')} {record['text']}")
        sources.add(record.get("source"))
    shared = [record["id"] for _, record in all_records()
              if shingles(f"{record['title']} {record['text']}") & theirs]
    assert not shared, f"share a {window}-word run with {name}: {shared}"
    same_page = [record["id"] for _, record in all_records()
                 if record.get("source", "written") != "written" and record["source"] in sources]
    assert not same_page, f"quote a page {name} quotes: {same_page}"


def _events(label: dict[str, Any]) -> tuple[dict[str, frozenset[str]], bool]:
    out: dict[str, set[str]] = {}
    for e in label["events"]:
        out.setdefault(e["type"], set()).update(e["countries"])
    return {t: frozenset(c) for t, c in out.items()}, bool(label.get("ambiguous"))


def test_the_second_annotation_covers_the_holdout_and_its_settlements_hold() -> None:
    """Every holdout record was labelled a second time, blind; where the two differed the
    settled label is the corpus label (bench/agreement.py reports the agreement)."""
    corpus = {r["id"]: r for r in cases.load()}
    rows = cases.read(cases.ROOT / "tests" / "data" / "annotation" / "cases-second.jsonl")
    assert {r["id"] for r in rows if r["batch"] == "holdout"} == {
        r["id"] for r in cases.load("holdout")}
    for row in rows:
        record = corpus[row["id"]]
        if "settled" in row:
            assert _events(row["settled"]) == _events(record), row["id"]
            assert _events(row["first"]) != _events(row["second"]), row["id"]
        else:
            assert _events(row["second"]) == _events(record), row["id"]
