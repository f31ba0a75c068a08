"""Precision and recall of the reference rules, per event type, against a keyword baseline.

    python bench/eval.py [--show-errors] [--shared PATH] [--rules DIR] [--new-since REV]

Sets, each scored per record and per type by ../shared/eval/score.py's rules:
* csto-news: ../shared/eval/csto-news.jsonl, CSTO scope, strict country (`score.py
  --countries AM,BY,KZ,KG,RU,TJ --scope-predictions --strict-country`);
* dev: ../shared/eval/events-dev.jsonl with `--countries all` (type only);
* written, tune, holdout: the parts of tests/data/cases, CSTO scope, strict country.
The shared files are read where they are (imported score.py included), never copied;
a set whose file is missing is skipped with a note.

Baseline, in the same run: what a keyword bot does. A text is a troop deployment when it
holds a force noun and a movement word, an emergency when it holds an emergency phrase, a
mass detention when it holds a detention word; its countries are the CSTO states it names.
The last column is the rules' F1 over the baseline's. "target" marks P >= 0.90 and
R >= 0.85 (issue 11).

--new-since REV (a git revision) adds the real records that are not in the corpus at REV,
per part: scored by these rules ("new tune", "new holdout"), and by the rules of REV
("... @REV": its tree from `git archive`, run by `bench/predict_cases.py` in a child
process). Run it when the corpus grows, before any rule changes: the REV rows are what the
rules do on real text nobody tuned them to, the figure the holdout can only estimate.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from revisions import git, resolve, tree_of  # noqa: E402

from tests import cases  # noqa: E402

CSTO = frozenset(cases.CSTO)

FORCE = re.compile(
    r"\b(troops?|soldiers|forces|army|military|units|servicemen|contingents?|peacekeep\w*|"
    r"reservists|guards?(?:men)?|tanks|paratroop\w*|войск\w*|военн\w*|подразделени\w*|"
    r"контингент\w*|военнослужащ\w*|миротвор\w*|резервист\w*|пограничник\w*|росгвард\w*|"
    r"танк\w*|десант\w*|сил[аыу]?)\b", re.IGNORECASE)
MOVE = re.compile(
    r"\b(deploy\w*|sen[dt]|sending|mov(?:e|ed|ing)|arriv\w*|dispatch\w*|transferr?\w*|"
    r"reinforc\w*|mobili[sz]\w*|station\w*|ввел\w*|ввели|введ\w*|ввод\w*|направ\w*|"
    r"перебро\w*|стяну\w*|развер\w*|прибы\w*|выдвин\w*|усил\w*|мобилизац\w*)\b", re.IGNORECASE)
EMERGENCY = re.compile(
    r"(state of emergency|emergency (?:regime|rule|situation)|martial law|curfew|"
    r"counter-?terror\w* operation|чрезвычайн\w* положени\w*|режим\w* (?:ЧС|КТО|чрезвычайн\w*)|"
    r"военн\w* положени\w*|комендантск\w* час\w*|контртеррористическ\w* операц\w*)",
    re.IGNORECASE)
DETENTION = re.compile(r"\b(detain\w*|detention\w*|arrest\w*|rounded up|задерж\w*|арест\w*)",
                       re.IGNORECASE)
NAMES = {
    "AM": r"armenia|армени", "BY": r"belarus|беларус|белорусс", "KZ": r"kazakh|казах",
    "KG": r"kyrgyz|kirghiz|киргиз|кыргыз", "RU": r"russia|росси", "TJ": r"tajik|таджик",
}
COUNTRY_RE = {code: re.compile(pattern, re.IGNORECASE) for code, pattern in NAMES.items()}


def baseline(record: Mapping[str, Any]) -> list[cases.Event]:
    text = f"{record.get('title', '')}\n{record['text']}"
    named = frozenset(code for code, pattern in COUNTRY_RE.items() if pattern.search(text))
    out = []
    if FORCE.search(text) and MOVE.search(text):
        out.append(("troop_deployment", named))
    if EMERGENCY.search(text):
        out.append(("state_of_emergency", named))
    if DETENTION.search(text):
        out.append(("mass_detention", named))
    return out


def shared_score(path: Path) -> ModuleType:
    """../shared/eval/score.py, imported from where it is."""
    spec = importlib.util.spec_from_file_location("shared_score", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def score_shared(score_py: ModuleType, gold_path: Path, records: list[dict[str, Any]],
                 predict: Callable[[Mapping[str, Any]], list[cases.Event]],
                 scope: frozenset[str] | None, strict: bool) -> dict[str, cases.Tally]:
    gold = score_py.load_gold(gold_path)
    predicted = {r["id"]: [score_py.Event(t, c) for t, c in predict(r)] for r in records}
    tallies, _, _ = score_py.score(gold, predicted, scope=scope, scope_predictions=True,
                                   strict_country=strict, include_ambiguous=False)
    out = {}
    for kind, t in tallies.items():
        out[kind] = cases.Tally(t.tp, t.fp, t.fn, t.support, list(t.fp_ids), list(t.fn_ids))
    return out


def ids_at(commit: str) -> set[str]:
    """The ids of the corpus records at `commit`."""
    base = cases.CASES.relative_to(ROOT).as_posix()
    ids: set[str] = set()
    for path in git("ls-tree", "-r", "--name-only", commit, base).splitlines():
        if path.endswith(".jsonl"):
            text = git("show", f"{commit}:{path}")
            ids.update(json.loads(line)["id"] for line in text.splitlines() if line)
    return ids


def predictions_at(commit: str, records: list[dict[str, Any]]
                   ) -> dict[str, list[cases.Event]]:
    """Each record's events (CSTO scope) by the rules of `commit`, keyed by record id."""
    with tree_of(commit) as tree:
        records_file = tree.parent / "records.json"
        records_file.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        child = subprocess.run(
            [sys.executable, str(Path(__file__).resolve().parent / "predict_cases.py"),
             str(tree), str(records_file)], capture_output=True, text=True, cwd=tree.parent)
        if child.returncode != 0:
            raise SystemExit(f"the rules of {commit} failed:\n{child.stderr}")
    found = json.loads(child.stdout.splitlines()[-1])
    return {r["id"]: [(kind, frozenset(countries)) for kind, countries in events]
            for r, events in zip(records, found, strict=True)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=cases.SHARED_EVAL)
    parser.add_argument("--rules", type=Path, default=ROOT / "config" / "rules")
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--new-since", metavar="REV",
                        help="also score the real records added since git revision REV, "
                             "by these rules and by REV's")
    args = parser.parse_args()
    rules = cases.load_rules(args.rules)
    score_py_path = args.shared / "score.py"
    score_py = shared_score(score_py_path) if score_py_path.exists() else None

    # name, scope label, records, scorer(predict) → tallies, CSTO scope, predict (None:
    # these rules)
    Predict = Callable[[Mapping[str, Any]], list[cases.Event]]
    sets: list[tuple[str, str, int, Callable[..., dict[str, cases.Tally]], bool,
                     Predict | None]] = []
    for name, file, csto in (("csto-news", "csto-news.jsonl", True),
                             ("dev", "events-dev.jsonl", False)):
        path = args.shared / file
        if score_py is None or not path.exists():
            print(f"({name}: {path} not found, skipped)")
            continue
        records = cases.read(path)

        def scorer(predict: Callable[[Mapping[str, Any]], list[cases.Event]],
                   path: Path = path, records: list[dict[str, Any]] = records,
                   csto: bool = csto) -> dict[str, cases.Tally]:
            assert score_py is not None
            return score_shared(score_py, path, records, predict,
                                CSTO if csto else None, strict=csto)

        sets.append((name, "CSTO, strict" if csto else "all", len(records), scorer, csto, None))
    # part → its records and who predicts them (None: these rules)
    parts: dict[str, tuple[list[dict[str, Any]], Predict | None]] = {
        part: (cases.load(part), None) for part in cases.PARTS}
    if args.new_since:
        commit = resolve(args.new_since, "--new-since")
        known = ids_at(commit)
        new = {f"new {part}": [r for r in parts[part][0] if r["id"] not in known]
               for part in ("tune", "holdout")}
        before = predictions_at(commit, [r for records in new.values() for r in records])
        for name, records in new.items():
            parts[name] = records, None
            parts[f"{name} @{commit}"] = records, lambda r: before[r["id"]]
    for part, (records, predict) in parts.items():

        def scorer(predict: Callable[[Mapping[str, Any]], list[cases.Event]],
                   records: list[dict[str, Any]] = records) -> dict[str, cases.Tally]:
            return cases.score(records, predict, scope=CSTO, strict=True)

        sets.append((part, "CSTO, strict", len(records), scorer, True, predict))

    results = []
    for name, scope, count, scorer, csto, other in sets:
        start = time.perf_counter()
        ours = scorer(other or (lambda r, csto=csto: cases.detect(rules, r, csto=csto)))
        took = time.perf_counter() - start
        results.append((name, scope, count, ours, scorer(baseline), took))

    width = max(len(r[0]) for r in results)
    for kind in cases.TYPES:
        print(f"\n== {kind}")
        print(f"{'set':<{width}} {'scope':<13} {'records':>7} {'P':>6} {'R':>6} {'F1':>6} "
              f"{'TP':>4} {'FP':>4} {'FN':>4} {'target':>6}  {'base F1':>7} {'ratio':>6}")
        for name, scope, count, ours, base, _ in results:
            t, b = ours[kind], base[kind]
            met = "yes" if t.precision >= 0.90 and t.recall >= 0.85 else "no"
            ratio = f"{t.f1 / b.f1:.2f}" if b.f1 else "-"
            print(f"{name:<{width}} {scope:<13} {count:>7} {t.precision:>6.3f} {t.recall:>6.3f} "
                  f"{t.f1:>6.3f} {t.tp:>4} {t.fp:>4} {t.fn:>4} {met:>6}  {b.f1:>7.3f} {ratio:>6}")
    print("\nmacro-F1 (rules / baseline), time of the rules:")
    for name, _, count, ours, base, took in results:
        macro = sum(t.f1 for t in ours.values()) / len(ours)
        base_macro = sum(t.f1 for t in base.values()) / len(base)
        print(f"  {name:<{width}} {macro:.3f} / {base_macro:.3f}   {count} records in {took:.2f} s")
    if args.show_errors:
        for name, _, _, ours, _, _ in results:
            for kind, t in ours.items():
                print(f"{name} {kind} false positives: {', '.join(t.fp_ids) or '-'}")
                print(f"{name} {kind} false negatives: {', '.join(t.fn_ids) or '-'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
