"""The backtest engine: given rules over archived entries, against the installed ones.

Pure: it reads entries and returns values, so `eventwatch backtest` and the rule studio
share it (they differ only in where the entries come from and how results are shown).
Only the given rules are reported. Against the installed rules, a hit is new unless an
installed rule of the same id makes it too, and an installed rule's hit that the given
rule of its id no longer makes is lost; installed rules that were not given are left out.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from bot.archive.types import ArchivedEntry
from bot.backtest.grouping import group_by_story
from bot.backtest.types import BacktestResult, Change, Count, Hit, StoryGroup
from bot.config.settings import StorySettings
from bot.stories.decisions import combine
from detectors.engine import RuleSet
from detectors.explain import RuleExplanation
from detectors.types import Detection, Document


class Backtester:
    """Feed it entries (`add`, any number of times), then take the `result`."""

    def __init__(self, rules: RuleSet, installed: RuleSet | None = None, *,
                 explain: bool = False) -> None:
        self.rules = rules
        self.installed = installed
        self.explain = explain
        self.rule_ids = rules.rule_ids
        mine = set(self.rule_ids)
        self.compared = tuple(r for r in (installed.rule_ids if installed else ()) if r in mine)
        self.entries = 0
        self._hits: list[Hit] = []
        self._lost: list[Hit] = []
        self._started = time.perf_counter()

    def add(self, items: Iterable[ArchivedEntry]) -> None:
        compared = set(self.compared)
        for item in items:
            self.entries += 1
            doc = item.entry.document()
            found = _by_rule(self.rules.detect(doc))
            before = _by_rule(self.installed.detect(doc)) if self.installed and compared else {}
            before = {rule: d for rule, d in before.items() if rule in compared}
            for rule, det in found.items():
                change = (Change.UNCOMPARED if self.installed is None
                          else Change.SAME if rule in before else Change.NEW)
                self._hits.append(Hit(item, det, change,
                                      explanation=self._why(doc, rule)))
            for rule, det in before.items():
                if rule not in found:
                    self._lost.append(Hit(item, det, Change.LOST,
                                          explanation=self._why(doc, rule)))

    def _why(self, doc: Document, rule: str) -> RuleExplanation | None:
        if not self.explain:
            return None
        return next((e for e in self.rules.explain(doc) if e.rule == rule), None)

    def result(self, stories: StorySettings, *, since: datetime | None = None,
               until: datetime | None = None) -> BacktestResult:
        hits, groups = group_by_story(self._hits, stories)
        return BacktestResult(
            since=since, until=until or datetime.now(UTC), entries=self.entries,
            rules=self.rule_ids, compared=self.compared, hits=hits, lost=tuple(self._lost),
            stories=groups,
            by_rule=_counts(hits, self._lost, groups, lambda h: (h.detection.rule,)),
            by_country=_counts(hits, self._lost, groups, lambda h: h.detection.countries),
            seconds=round(time.perf_counter() - self._started, 3),
        )


def _by_rule(detections: Iterable[Detection]) -> dict[str, Detection]:
    return {d.rule: d for d in combine(list(detections))}


def _counts(hits: tuple[Hit, ...], lost: list[Hit], groups: tuple[StoryGroup, ...],
            keys: Callable[[Hit], Iterable[str]]) -> tuple[Count, ...]:
    total: Counter[str] = Counter()
    new: Counter[str] = Counter()
    gone: Counter[str] = Counter()
    stories: Counter[str] = Counter()
    for hit in hits:
        for key in keys(hit):
            total[key] += 1
            new[key] += hit.change is Change.NEW
    for hit in lost:
        for key in keys(hit):
            gone[key] += 1
    for group in groups:
        for key in dict.fromkeys(k for h in group.hits for k in keys(h)):
            stories[key] += 1
    names = sorted(set(total) | set(gone), key=lambda k: (-total[k], k))
    return tuple(Count(k, total[k], stories[k], new[k], gone[k]) for k in names)
