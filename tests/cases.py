"""The labelled regression corpus in tests/data/cases: loading, the holdout rule, scoring.

Shared by the corpus and detector tests and by `bench/eval.py`, so that the gate and the
bench count alike. Scoring follows `../shared/eval/score.py` (per record and per type,
ambiguous records skipped, optional country scope and strict country), without needing it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from detectors import ALL, Document, RuleSet

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "data" / "cases"
SHARED_EVAL = ROOT.parent / "shared" / "eval"
CSTO = ("AM", "BY", "KZ", "KG", "RU", "TJ")
TYPES = ("troop_deployment", "state_of_emergency", "mass_detention")
RULE_TYPES = {
    "troop-deployment": "troop_deployment",
    "state-of-emergency": "state_of_emergency",
    "mass-detention": "mass_detention",
}
# written: texts written for eventwatch; tune: real excerpts rules may be tuned on;
# holdout: real excerpts nothing is tuned on (chosen by `in_holdout`, never by hand).
PARTS = {
    "written": CASES / "written",
    "tune": CASES / "real" / "tune",
    "holdout": CASES / "real" / "holdout",
}
HOLDOUT_PERCENT = 24

Record = dict[str, Any]
Event = tuple[str, frozenset[str]]  # type, countries


def in_holdout(source: str) -> bool:
    """Whether a real record belongs to the holdout: by its source URL, so that every
    excerpt of one page lands on the same side."""
    return int(hashlib.sha1(source.encode("utf-8")).hexdigest()[:8], 16) % 100 < HOLDOUT_PERCENT


def files(part: str | None = None) -> list[Path]:
    """The JSONL files of one part, or of the whole corpus."""
    base = CASES if part is None else PARTS[part]
    return sorted(base.rglob("*.jsonl"))


def read(path: Path) -> list[Record]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def load(part: str | None = None) -> list[Record]:
    paths = files(part)
    assert paths, f"no regression cases under {CASES}"
    return [record for path in paths for record in read(path)]


def load_rules(directory: Path = ROOT / "config" / "rules",
               watch: Iterable[str] = CSTO) -> RuleSet:
    """The rules as `eventwatch check` loads them: a duplicate key or a bad term is an error
    here too, never a silently different rule set."""
    from bot.config.loader import load_rules as load
    from bot.config.loader import rule_files_at

    loaded = load(rule_files_at(directory), watch=tuple(sorted(watch)))
    if loaded.rules is None:
        raise ValueError("\n".join(str(e) for e in loaded.errors))
    return loaded.rules


def document(record: Mapping[str, Any]) -> Document:
    """A record as `eventwatch detect` reads it (a `published` date included)."""
    published = record.get("published")
    when = None
    if published:
        when = datetime.fromisoformat(str(published))
        when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return Document(str(record.get("title", "")), str(record["text"]),
                    record.get("language"), None, when)


def detect(rules: RuleSet, record: Mapping[str, Any], *, csto: bool) -> list[Event]:
    """The rules' events for one record: CSTO scope, or anywhere (`--countries all`)."""
    scope = frozenset(CSTO) if csto else ALL
    return [(RULE_TYPES[d.rule], frozenset(d.countries))
            for d in rules.detect(document(record), countries=scope) if d.rule in RULE_TYPES]


@dataclass(slots=True)
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    support: int = 0
    fp_ids: list[str] = field(default_factory=list)
    fn_ids: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(records: Iterable[Mapping[str, Any]], predict: Callable[[Mapping[str, Any]], list[Event]],
          *, scope: frozenset[str] | None, strict: bool) -> dict[str, Tally]:
    """Per type, as score.py counts with `--countries <scope> --scope-predictions` (or no
    scope) and `--strict-country` when `strict`; ambiguous records are skipped."""
    tallies = {t: Tally() for t in TYPES}
    for record in records:
        if record.get("ambiguous"):
            continue
        gold = [(e["type"], frozenset(e["countries"])) for e in record["events"]]
        if scope is not None:
            gold = [(t, c) for t, c in gold if c & scope]
        predicted = predict(record)
        if scope is not None:
            predicted = [(t, c) for t, c in predicted if not c or c & scope]
        for kind, tally in tallies.items():
            gold_hits = [c for t, c in gold if t == kind]
            pred_hits = [c for t, c in predicted if t == kind]
            gold_countries = frozenset().union(*gold_hits)
            pred_countries = frozenset().union(*pred_hits)
            tally.support += bool(gold_hits)
            if gold_hits and pred_hits:
                if strict and gold_countries and not gold_countries & pred_countries:
                    tally.fp += 1
                    tally.fn += 1
                    tally.fp_ids.append(record["id"])
                    tally.fn_ids.append(record["id"])
                else:
                    tally.tp += 1
            elif pred_hits:
                tally.fp += 1
                tally.fp_ids.append(record["id"])
            elif gold_hits:
                tally.fn += 1
                tally.fn_ids.append(record["id"])
    return tallies


def score_rules(rules: RuleSet, records: Iterable[Mapping[str, Any]], *,
                csto: bool) -> dict[str, Tally]:
    """The rules on `records`: CSTO scope with strict country, or anywhere with strict country
    (every record here names the country of each event)."""
    return score(records, lambda r: detect(rules, r, csto=csto),
                 scope=frozenset(CSTO) if csto else None, strict=True)


def counts_table() -> str:
    """The counts tables of tests/data/cases/README.md (a test checks they are current)."""
    summary = ["| part | language | records | with a CSTO event | other events only "
               "| no event | ambiguous |", "|---|---|---:|---:|---:|---:|---:|"]
    detail = ["| part | type | language | " + " | ".join(CSTO) + " | outside the CSTO |",
              "|---|---|---|" + "---:|" * (len(CSTO) + 1)]
    total: dict[str, list[int]] = {}
    for part in PARTS:
        records = load(part)
        for language in ("en", "ru"):
            mine = [r for r in records if r["language"] == language]
            csto = [r for r in mine if any(set(e["countries"]) & set(CSTO) for e in r["events"])]
            empty = [r for r in mine if not r["events"]]
            row = [len(mine), len(csto), len(mine) - len(csto) - len(empty), len(empty),
                   sum(bool(r.get("ambiguous")) for r in mine)]
            total[language] = [a + b for a, b in zip(total.get(language, [0] * 5), row,
                                                      strict=True)]
            summary.append(f"| {part} | {language} | " + " | ".join(f"{n:,}" for n in row) + " |")
            for kind in TYPES:
                cells = []
                for country in CSTO:
                    cells.append(sum(any(e["type"] == kind and country in e["countries"]
                                         for e in r["events"]) for r in mine))
                cells.append(sum(
                    any(e["type"] == kind for e in r["events"])
                    and not any(e["type"] == kind and set(e["countries"]) & set(CSTO)
                                for e in r["events"]) for r in mine))
                detail.append(f"| {part} | {kind} | {language} | "
                              + " | ".join(str(n) for n in cells) + " |")
    for language, row in total.items():
        summary.append(f"| **all** | {language} | " + " | ".join(f"{n:,}" for n in row) + " |")
    return "\n".join(summary) + "\n\n" + "\n".join(detail) + "\n"


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["--counts"]:
        sys.exit("usage: python -m tests.cases --counts")
    print(counts_table(), end="")


def assert_detects(rules: RuleSet, doc: Document, expected: Mapping[str, str]) -> None:
    """The rules report exactly `expected` (rule → its one country) for `doc`."""
    got = {d.rule: d.countries for d in rules.detect(doc)}
    assert got == {rule: (country,) for rule, country in expected.items()}, got


def assert_countries(rules: RuleSet, doc: Document, expected: Mapping[str, tuple[str, ...]],
                     countries: frozenset[str] | None = None) -> None:
    """The rules report exactly `expected` (rule → its countries, sorted) for `doc`, in
    each rule's own scope or in `countries`."""
    got = {d.rule: tuple(sorted(d.countries)) for d in rules.detect(doc, countries=countries)}
    assert got == expected, (doc.text, got)
