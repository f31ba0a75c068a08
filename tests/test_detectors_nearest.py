"""`RuleSet.explain` names each rule's closest call: the sentence that made it fire or, for a
miss, the nearest sentence and what it lacks, in words a rule author reads (issue 11).

The texts are real excerpts from the regression corpus (by id); the rule is fixed here, so
that these checks hold while the reference rules grow.
"""

from __future__ import annotations

import io
import json

import pytest
import yaml

from bot.cli.detect import run_detect
from detectors import Document, RuleFile, RuleSet, compile_rules
from detectors.explain import RuleExplanation
from tests import cases

RULE = """
rules:
  - id: deploy
    countries: watch
    terms:
      force:
        en: [troop*, soldiers, military formations, national guard]
        ru: [войска, подразделени*, военн* группировк*, национальн* гварди*]
      send:
        en: [deploy*, sent, send]
        ru: [перебро*, направ*, увелич*]
      police:
        en: [police units, police officers]
        ru: [подразделени* милиции, подразделени* полиции]
      exercise:
        en: [exercise*, drills]
        ru: [учени*]
    match:
      - all: [force, send]
        none: [exercise]
    guards: [denial, historical]
    exclude:
      force: [police]
    headline_none: [exercise]
"""


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return compile_rules([("deploy.yaml", RuleFile.model_validate(yaml.safe_load(RULE)))],
                         watch=cases.CSTO)


@pytest.fixture(scope="module")
def corpus() -> dict[str, dict[str, object]]:
    return {r["id"]: r for r in cases.load()}


def explain(rules: RuleSet, doc: Document) -> RuleExplanation:
    (only,) = rules.explain(doc)
    assert only.nearest is not None
    return only


def test_an_english_miss_names_the_missing_group(rules: RuleSet, corpus: dict) -> None:
    # "instructed to bring military formations … into the territory of the city"
    exp = explain(rules, cases.document(corpus["en-se-0017"]))
    assert not exp.fired
    assert exp.nearest is not None
    assert exp.nearest.text.startswith("The General Staff of Kyrgyzstan was instructed")
    assert exp.nearest.found == {"force": ("military formations",)}
    assert exp.nearest.missing == ("no send word",)
    summary = exp.to_dict()["summary"]
    assert summary.startswith("nearest: clause 1, lead: 'The General Staff of Kyrgyzstan")
    assert summary.endswith(": no send word")


def test_a_russian_miss_names_the_guard_and_its_word(rules: RuleSet, corpus: dict) -> None:
    # "Министерство обороны опровергло информацию … увеличвает военную группировку": the
    # first sentence (the next one moves units toward Ukraine: a place outside the scope)
    first = str(corpus["ru-td-0206"]["text"]).split(". ")[0] + "."
    exp = explain(rules, Document("", first, "ru"))
    assert not exp.fired
    assert exp.nearest is not None
    # both groups are there, cancelled by the denial; "учений" (exercises) rules it out too
    assert exp.nearest.found == {}
    assert exp.nearest.missing == ("guard denial fired: 'опровергло'",
                                   "exercise word 'учений' rules it out")


def test_a_russian_miss_names_an_excluded_phrase(rules: RuleSet, corpus: dict) -> None:
    # "стягиваются многочисленные подразделения милиции": police only is not a force
    doc = cases.document(corpus["ru-md-0266"])
    exp = explain(rules, Document(doc.title, doc.text.replace("стягиваются", "направлены"),
                                  "ru"))
    assert not exp.fired
    assert exp.nearest is not None
    assert any("'подразделения' is part of an excluded phrase" in m
               for m in exp.nearest.missing), exp.nearest


def test_a_match_framed_by_the_headline_says_so(rules: RuleSet) -> None:
    # the lead's drills make the article an exercise: that, not the place, is what is missing
    exp = explain(rules, Document("Russia sends troops to its base in Tajikistan",
                                  "The soldiers took part in exercises at the base.", "en"))
    assert not exp.fired
    assert exp.nearest is not None
    assert exp.nearest.text == "Russia sends troops to its base in Tajikistan"
    assert exp.nearest.missing == ("headline: exercise 'exercises' frames the article",)


def test_a_match_outside_the_scope_says_where(rules: RuleSet) -> None:
    exp = explain(rules, Document("", "Turkey sent troops to Syria on Monday."))
    assert not exp.fired
    assert exp.nearest is not None
    assert exp.nearest.found == {"force": ("troops",), "send": ("sent",)}
    assert exp.nearest.missing == ("place outside scope: SY",)
    no_place = explain(rules, Document("", "Troops were deployed overnight."))
    assert no_place.nearest is not None and no_place.nearest.missing == ("no place in scope",)


def test_a_clause_condition_is_said_plainly(rules: RuleSet) -> None:
    exp = explain(rules, Document("", "Russian troops were sent to Belarus for joint drills."))
    assert exp.nearest is not None
    assert exp.nearest.missing == ("exercise word 'drills' rules it out",)


def test_a_rule_that_fired_names_its_sentence(rules: RuleSet) -> None:
    exp = explain(rules, Document("Kazakhstan", "Calm in Almaty. Russian troops were deployed "
                                  "to Kazakhstan on Thursday, the ministry said."))
    assert exp.fired
    assert exp.nearest is not None and exp.nearest.missing == ()
    assert exp.to_dict()["summary"] == (
        "fired on clause 1, body: 'Russian troops were deployed to Kazakhstan on Thursday, "
        "the ministry said.'")


def test_a_figure_below_its_threshold_is_said_plainly() -> None:
    rules = compile_rules([("d.yaml", RuleFile.model_validate(yaml.safe_load("""
rules:
  - id: detained
    countries: watch
    terms:
      detain: {en: [detain*], ru: [задерж*]}
      people: {en: [people, activists], ru: [человек]}
    match:
      - all: [detain]
        where: ["detained >= 20"]
    figures:
      detained: {counts: [people], window: 3}
""")))], watch=cases.CSTO)
    exp = explain(rules, Document("", "In Minsk, police detained 14 people on Sunday."))
    assert exp.nearest is not None
    assert exp.nearest.missing == ("detained = 14, needs detained >= 20",)
    exp = explain(rules, Document("", "In Minsk, police detained protesters on Sunday."))
    assert exp.nearest is not None
    assert exp.nearest.missing == ("no detained figure (needs detained >= 20)",)


def test_no_word_of_the_rule(rules: RuleSet) -> None:
    exp = explain(rules, Document("", "Wheat prices rose in Astana."))
    assert exp.nearest is not None and exp.nearest.sentence is None
    assert exp.to_dict()["summary"] == (
        "no word of the rule in the text: no force word; no send word")


def test_detect_explain_prints_the_summary(rules: RuleSet, corpus: dict) -> None:
    record = corpus["en-se-0017"]
    stdout, stderr = io.StringIO(), io.StringIO()
    line = json.dumps({"id": record["id"], "title": record["title"], "text": record["text"],
                       "language": record["language"]}, ensure_ascii=False)
    code = run_detect(rules, io.StringIO(line + "\n"), stdout, stderr, explain=True,
                      countries=None, file=None)
    assert code == 0, stderr.getvalue()
    (out,) = [json.loads(x) for x in stdout.getvalue().splitlines()]
    (rule,) = out["explain"]
    assert rule["summary"].endswith(": no send word")
    assert rule["nearest"]["missing"] == ["no send word"]
    assert rule["nearest"]["found"] == {"force": ["military formations"]}
