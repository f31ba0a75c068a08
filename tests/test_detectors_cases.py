"""The reference rules on the labelled regression corpus (tests/data/cases), part by part.

A regression gate, not the target: each floor is what the rules reached when it was set,
less a small margin (the figure then is in the comment). Raise a floor when the rules
improve; never lower one to let a change through. The holdout is measured here and in
`bench/eval.py` only: rules are never tuned on its texts.
"""

from __future__ import annotations

import pytest

from detectors import RuleSet
from tests import cases

# (part, scope) → type → (precision floor, recall floor). "csto": CSTO scope with strict
# country (as score.py --countries AM,BY,KZ,KG,RU,TJ --scope-predictions --strict-country);
# "all": `--countries all`, still strict on country. Comments: P / R when the floor was set.
FLOORS: dict[tuple[str, str], dict[str, tuple[float, float]]] = {
    ("written", "csto"): {
        "troop_deployment": (0.93, 0.97),  # 0.964 / 1.000
        "state_of_emergency": (0.97, 0.93),  # 1.000 / 0.968
        "mass_detention": (0.97, 0.97),  # 1.000 / 1.000
    },
    ("written", "all"): {
        "troop_deployment": (0.90, 0.95),  # 0.932 / 0.986
        "state_of_emergency": (0.93, 0.93),  # 0.962 / 0.962
        "mass_detention": (0.97, 0.97),  # 1.000 / 1.000
    },
    ("tune", "csto"): {
        "troop_deployment": (0.90, 0.84),  # 0.923 / 0.864 (grown with untuned collections)
        "state_of_emergency": (0.94, 0.91),  # 0.964 / 0.933
        "mass_detention": (0.95, 0.88),  # 0.978 / 0.909
    },
    ("tune", "all"): {
        "troop_deployment": (0.86, 0.81),  # 0.890 / 0.837
        "state_of_emergency": (0.86, 0.89),  # 0.890 / 0.915
        "mass_detention": (0.88, 0.86),  # 0.913 / 0.893
    },
    ("holdout", "csto"): {
        # A second, blind annotation of every holdout record (issue 11) agreed with the first
        # (kappa >= 0.97 per type); a third reading settled the differences. The part grew with
        # 371 real troop-deployment excerpts, which the rules of their day scored 0.70 / 0.64,
        # 0.96 / 0.86, 0.88 / 0.82, 0.88 / 0.58, 0.83 / 0.63, 0.63 / 0.63, 1.00 / 0.56,
        # 0.67 / 0.67, 0.71 / 0.56 and 1.00 / 0.71 (troop_deployment P / R) before any rule
        # was changed.
        "troop_deployment": (0.76, 0.69),  # 0.790 / 0.713
        "state_of_emergency": (0.88, 0.86),  # 0.908 / 0.885
        # and with 28 real mass-detention excerpts, scored 1.000 / 0.667 before any rule changed
        "mass_detention": (0.95, 0.77),  # 0.987 / 0.800
    },
    ("holdout", "all"): {
        "troop_deployment": (0.76, 0.66),  # 0.789 / 0.691
        "state_of_emergency": (0.84, 0.85),  # 0.866 / 0.879
        "mass_detention": (0.86, 0.76),  # 0.889 / 0.786
    },
}


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return cases.load_rules()


@pytest.mark.parametrize(("part", "scope"), sorted(FLOORS), ids=lambda v: str(v))
def test_regression_cases_hold_their_floors_issue_11(rules: RuleSet, part: str,
                                                     scope: str) -> None:
    records = cases.load(part)
    tallies = cases.score_rules(rules, records, csto=scope == "csto")
    below = []
    for kind, (p_floor, r_floor) in FLOORS[(part, scope)].items():
        t = tallies[kind]
        assert t.support > 0, (part, scope, kind)
        if t.precision < p_floor or t.recall < r_floor:
            below.append(f"{kind}: P {t.precision:.3f} (floor {p_floor}), "
                         f"R {t.recall:.3f} (floor {r_floor}); FP {t.fp_ids}; FN {t.fn_ids}")
    assert not below, f"{part}, {scope}:\n" + "\n".join(below)


@pytest.mark.skipif(not (cases.SHARED_EVAL / "score.py").exists(),
                    reason="the shared score.py is not on this machine")
def test_scoring_counts_as_the_shared_score_py(rules: RuleSet) -> None:
    """The helper counts exactly as ../shared/eval/score.py does (imported, never copied)."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("shared_score", cases.SHARED_EVAL / "score.py")
    assert spec is not None and spec.loader is not None
    shared = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = shared  # its dataclasses look their module up there
    try:
        spec.loader.exec_module(shared)
    finally:
        del sys.modules[spec.name]
    records = cases.load("holdout")
    gold = {}
    for p in cases.files("holdout"):
        gold.update(shared.load_gold(p))
    assert len(gold) == len(records)
    predicted = {r["id"]: [shared.Event(t, c) for t, c in cases.detect(rules, r, csto=True)]
                 for r in records}
    theirs, _, _ = shared.score(gold, predicted, scope=frozenset(cases.CSTO),
                                scope_predictions=True, strict_country=True,
                                include_ambiguous=False)
    ours = cases.score_rules(rules, records, csto=True)
    for kind in cases.TYPES:
        assert (ours[kind].tp, ours[kind].fp, ours[kind].fn, ours[kind].support) == (
            theirs[kind].tp, theirs[kind].fp, theirs[kind].fn, theirs[kind].support), kind
