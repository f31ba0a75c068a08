"""How far the labels can be trusted: a second, blind annotation against the first.

    python bench/agreement.py

tests/data/annotation/cases-second.jsonl holds a second annotation of every holdout record
of tests/data/cases and of 250 tune records drawn at random, made from the text and the
label definitions alone (no first label, no rule output). Where the two disagreed, a third
reading settled the label (`settled`, now the corpus label; `first` is what it replaced).

Per part and type: Cohen's kappa of "has this type" between the first and second
annotation (records either side calls ambiguous left out), the records whose labels
differed in any way (type, country or the ambiguous flag), and which side the settlement
took. The baseline is chance agreement (kappa 0).

tests/data/annotation/stories-second.jsonl holds a blind second clustering of the holdout
reports of the real story set: pairwise P/R/F1 of the second clustering against `cluster`.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from stories import pairwise  # noqa: E402

from tests import cases  # noqa: E402

ANNOTATION = ROOT / "tests" / "data" / "annotation"
STORIES = ROOT / "tests" / "data" / "stories" / "real" / "stories.jsonl"

Label = Mapping[str, Any]


def events(label: Label) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for e in label["events"]:
        out.setdefault(e["type"], set()).update(e["countries"])
    return {t: frozenset(c) for t, c in out.items()}


def same(a: Label, b: Label) -> bool:
    return events(a) == events(b) and bool(a.get("ambiguous")) == bool(b.get("ambiguous"))


def kappa(table: Counter[tuple[bool, bool]]) -> float:
    n = sum(table.values())
    observed = (table[True, True] + table[False, False]) / n
    first = (table[True, True] + table[True, False]) / n
    second = (table[True, True] + table[False, True]) / n
    chance = first * second + (1 - first) * (1 - second)
    return (observed - chance) / (1 - chance) if chance < 1 else 1.0


def cases_agreement() -> None:
    corpus = {r["id"]: r for r in cases.load()}
    rows = cases.read(ANNOTATION / "cases-second.jsonl")
    print("part         records  differed  settled as first / second / other")
    for batch in ("holdout", "tune-sample"):
        part = [r for r in rows if r["batch"] == batch]
        tables = {t: Counter[tuple[bool, bool]]() for t in cases.TYPES}
        took: Counter[str] = Counter()
        for row in part:
            first = row.get("first", corpus[row["id"]])
            second = row["second"]
            if "settled" in row:
                settled = row["settled"]
                took["first" if same(settled, first) else
                     "second" if same(settled, second) else "other"] += 1
            if first.get("ambiguous") or second.get("ambiguous"):
                continue
            a, b = events(first), events(second)
            for t, table in tables.items():
                table[t in a, t in b] += 1
        differed = sum(took.values())
        print(f"{batch:12} {len(part):7}  {differed:8}  "
              f"{took['first']} / {took['second']} / {took['other']}")
        for t, table in tables.items():
            print(f"  {t:20} kappa {kappa(table):.2f}  (both {table[True, True]}, "
                  f"first only {table[True, False]}, second only {table[False, True]}; "
                  f"baseline 0.00)")


def stories_agreement() -> None:
    cluster = {r["id"]: r["cluster"] for r in cases.read(STORIES)}
    second = {r["id"]: r["second_story"] for r in cases.read(ANNOTATION / "stories-second.jsonl")}
    p, r, f1 = pairwise(second, {i: cluster[i] for i in second})
    print(f"\nstories holdout: {len(second)} reports, {len(set(cluster[i] for i in second))} "
          f"stories labelled, {len(set(second.values()))} formed blind; second clustering "
          f"against the labels: P {p:.3f} R {r:.3f} F1 {f1:.3f}")


def main() -> int:
    cases_agreement()
    stories_agreement()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
