"""Issue 4: the reference article yields exactly its three events, located in KZ."""

from __future__ import annotations

import pytest

from detectors import ALL, Document, RuleSet
from tests import cases
from tests.conftest import REFERENCE_ARTICLE

SAMPLE = REFERENCE_ARTICLE


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return cases.load_rules()


def _article() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def _variants() -> list[Document]:
    text = _article()
    first, rest = text.split(". ", 1)
    return [Document(title="", text=text), Document(title=first + ".", text=rest)]


@pytest.mark.parametrize("variant", [0, 1], ids=["text-only", "first-sentence-as-title"])
@pytest.mark.parametrize("scope", [None, ALL], ids=["watch-list", "all"])
def test_reference_article_issue_4(rules: RuleSet, variant: int,
                                   scope: frozenset[str] | None) -> None:
    doc = _variants()[variant]
    detections = {d.rule: d for d in rules.detect(doc, countries=scope)}
    assert sorted(detections) == ["mass-detention", "state-of-emergency", "troop-deployment"]
    assert len(rules.detect(doc, countries=scope)) == 3
    for det in detections.values():
        assert det.countries == ("KZ",), det
        assert "RU" not in det.countries
        assert det.language == "en"
        assert det.evidence
        assert 0 < det.score <= 1
    troops = detections["troop-deployment"]
    assert troops.figures == {"troops": 2030, "equipment": 250}
    assert set(troops.actors) <= {"RU"}
    detention = detections["mass-detention"]
    assert detention.figures == {"detained": 8000}
    assert "detained" in detention.approximate
    assert any("8,000 people" in s for s in detention.evidence)
    emergency = detections["state-of-emergency"]
    assert any("state of emergency has been imposed" in s for s in emergency.evidence)


def test_reference_article_traps_are_not_evidence(rules: RuleSet) -> None:
    for det in rules.detect(Document("", _article())):
        for sentence in det.evidence:
            assert "colour revolutions" not in sentence
            assert "attempt to intervene" not in sentence


def test_reference_article_explain_names_russia_only_as_actor(rules: RuleSet) -> None:
    for exp in rules.explain(Document("", _article())):
        assert exp.fired
        assert exp.countries == ("KZ",)
        for report in exp.sentences:
            if report.matched:
                assert "RU" not in report.locations, report
