"""Evaluate the reference rules on the shared development set (never copied here).

    python bench/eval.py [--show-errors] [--dev PATH]

Runs the detectors over ../shared/eval/events-dev.jsonl (relative to the repo
root) and scores the predictions with that folder's score.py twice: with
`--countries all` (event type irrespective of country) and with the CSTO scope.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from detectors import ALL, Document, RuleFile, compile_rules  # noqa: E402

CSTO = ("AM", "BY", "KZ", "KG", "RU", "TJ")
MAP = (
    "troop-deployment=troop_deployment,state-of-emergency=state_of_emergency,"
    "mass-detention=mass_detention"
)


def load_rules(directory: Path):  # type: ignore[no-untyped-def]
    files = [
        (str(p), RuleFile.model_validate(yaml.safe_load(p.read_text(encoding="utf-8"))))
        for p in sorted(directory.glob("*.yaml"))
    ]
    return compile_rules(files, watch=CSTO)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--rules", type=Path, default=ROOT / "config" / "rules")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    gold = args.dev / "events-dev.jsonl"
    if not gold.exists():
        print(f"development set not found: {gold}", file=sys.stderr)
        return 2
    rules = load_rules(args.rules)
    records = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line]
    with tempfile.TemporaryDirectory() as tmp:
        for label, scope, extra in (
            ("--countries all", ALL, []),
            ("CSTO scope", frozenset(CSTO), ["--countries", ",".join(CSTO), "--scope-predictions"]),
        ):
            out = Path(tmp) / "pred.jsonl"
            start = time.perf_counter()
            with out.open("w", encoding="utf-8") as fh:
                for rec in records:
                    doc = Document(rec.get("title", ""), rec["text"], rec.get("language"))
                    events = [{"rule": d.rule, "countries": list(d.countries)}
                              for d in rules.detect(doc, countries=scope)]
                    fh.write(json.dumps({"id": rec["id"], "events": events}) + "\n")
            took = time.perf_counter() - start
            print(f"== {label}: {len(records)} records in {took:.2f} s")
            cmd = [sys.executable, str(args.dev / "score.py"), str(gold), str(out), "--map", MAP,
                   *extra, *(["--show-errors"] if args.show_errors else [])]
            sys.stdout.flush()
            subprocess.run(cmd, check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
