"""The fast paths of tokenising, scanning and rule evaluation give what the plain ones do."""

from __future__ import annotations

import random
import re
from dataclasses import replace

import pytest
import yaml

from detectors import ALL, RuleFile, RuleSet, compile_rules
from detectors.matcher import MatcherBuilder
from detectors.tokens import analyse, normalise, tokenize
from tests.cases import ROOT, document, load, load_rules

# the token grammar as plainly written; tokens.py spells it to start with one class
PLAIN_TOKEN = re.compile(r"\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+(?![\d])|\d+(?:[.,]\d+)?|[^\W\d_]+")


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules()


@pytest.fixture(scope="module")
def records() -> list[dict[str, object]]:
    return load()


@pytest.mark.parametrize("alphabet", [
    "ab1234567890 ,.\u00a0\u202f_-'йяЁ\n",  # basic letters and digits: the quick pattern
    "ab1234567890 ,.\u00a0\u202f_-'²½яЁé٣\n",  # other letters and digits: the full one
])
def test_tokens_follow_the_plain_grammar_on_random_text(alphabet: str) -> None:
    rng = random.Random(7)
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        assert tokenize(text) == PLAIN_TOKEN.findall(normalise(text)), repr(text)


def test_tokens_follow_the_plain_grammar_on_the_corpus(records: list[dict[str, object]]) -> None:
    for record in records:
        text = f"{record['title']}\n{record['text']}"
        assert tokenize(text) == PLAIN_TOKEN.findall(normalise(text))


@pytest.mark.parametrize("text,numbers", [
    ("2,030 people and 8 000 troops, 1.5 million", ["2,030", "8 000", "1.5"]),
    ("12,3456 and 1,234,567 and 7.", ["12,3456", "1,234,567", "7"]),
])
def test_numbers_keep_their_groups(text: str, numbers: list[str]) -> None:
    assert [t for t in tokenize(text) if t[0].isdigit()] == numbers


def test_scan_places_overlapping_hits_on_their_tokens() -> None:
    # the automaton reports "of" and "emergency" before the longer phrase that starts
    # earlier, so token positions must not assume hits come in order of their start
    builder = MatcherBuilder()
    terms = {t: builder.add(t, "en", i) for i, t in enumerate(
        ["state of emergency", "of", "emergency", "=state", "emerg*", "declared state"])}
    matcher = builder.build()
    toks = analyse("", "They declared a state of emergency. Then a state of emergency again.", "en")
    scan = matcher.scan(toks)
    assert scan.terms[terms["state of emergency"]] == [(3, 6), (8, 11)]
    assert scan.terms[terms["of"]] == [(4, 5), (9, 10)]
    assert scan.terms[terms["emergency"]] == [(5, 6), (10, 11)]
    assert scan.terms[terms["=state"]] == [(3, 4), (8, 9)]
    assert scan.terms[terms["emerg*"]] == [(5, 6), (10, 11)]
    assert terms["declared state"] not in scan.terms  # "a" stands between


def _variants(rules: RuleSet) -> RuleSet:
    """The reference rules and copies of them under other scopes: rules that share shapes."""
    specs = []
    for path in sorted((ROOT / "config" / "rules").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        copies = []
        for k, scope in enumerate(["all", ["KZ"], ["RU", "BY"]]):
            for rule in data["rules"]:
                copy = {**rule, "id": f"{rule['id']}-{k}", "countries": scope}
                copy.pop("examples", None)
                copies.append(copy)
        rule_file = RuleFile.model_validate({**data, "rules": data["rules"] + copies})
        specs.append((str(path), rule_file))
    return compile_rules(specs, watch=rules.watch)


@pytest.mark.parametrize("many", [False, True], ids=["reference", "with-copies"])
def test_skipping_entries_no_rule_can_match_changes_no_detection(
    rules: RuleSet, records: list[dict[str, object]], many: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Property over the corpus: the engine stops after the scan when no clause has a
    hit of each group it needs; evaluating every rule on the full state finds the same."""
    fast = _variants(rules) if many else rules
    slow = replace(fast, sharing=None)  # no sharing: every rule runs on the full state
    states = fast_states = 0
    full_state = RuleSet._state

    def counted(self: RuleSet, *args: object) -> object:
        nonlocal states
        states += 1
        return full_state(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(RuleSet, "_state", counted)
    sample = records[::3] if many else records  # the copies cost more; every third will do
    for record in sample:
        doc = document(record)
        for countries in (None, ALL):
            before = states
            got = fast.detect(doc, countries=countries)
            assert states - before <= 1
            fast_states += states - before
            assert got == slow.detect(doc, countries=countries), record.get("id")
    assert fast_states < 2 * len(sample)  # the fast path was taken: some entries stop early


def test_place_codes_are_those_of_the_mentions(
    rules: RuleSet, records: list[dict[str, object]],
) -> None:
    """The engine reads a document's countries from its place names and works out what
    each mention says only when a rule matches: both name the same countries."""
    named = 0
    for record in records:
        locations = rules._prepare(document(record)).locations
        assert locations.codes == {m.code for m in locations.mentions}
        assert {(m.start, m.end) for m in locations.mentions} == {
            (s, e) for s, e, _ in locations.names}
        named += bool(locations.names)
    assert named
