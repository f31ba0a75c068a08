"""Child process of `bench/eval.py --new-since`: the events another revision's rules give.

    python bench/predict_cases.py TREE RECORDS.json

Imports `tests.cases`, `detectors` and the rule loader from TREE (put first on sys.path),
loads TREE's reference rules and prints one JSON line: for each record, its events with
CSTO scope as [[type, [countries]], ...].
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> int:
    tree, records_file = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    sys.path.insert(0, str(tree))
    from tests import cases

    if not Path(cases.__file__).resolve().is_relative_to(tree):
        raise SystemExit(f"tests.cases was imported from {cases.__file__}, not from {tree}")
    rules = cases.load_rules(tree / "config" / "rules")
    records = json.loads(records_file.read_text(encoding="utf-8"))
    print(json.dumps([[[kind, sorted(countries)]
                       for kind, countries in cases.detect(rules, r, csto=True)]
                      for r in records]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
