"""Why a rule did or did not fire on a document: the values `RuleSet.explain` returns.

`eventwatch detect --explain` prints them; they are built only on that path, so
`detect` pays nothing for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ZONE_NAMES = ("title", "lead", "body")  # by a sentence's zone in `Tokens.zone`


@dataclass(frozen=True, slots=True)
class SentenceReport:
    """Why one sentence did or did not satisfy one clause of a rule."""

    sentence: int
    zone: str
    text: str
    clause: int
    matched: bool
    groups: Mapping[str, tuple[str, ...]]  # group → the words that matched
    failed: tuple[str, ...]
    figures: Mapping[str, int]
    locations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RuleExplanation:
    rule: str
    fired: bool
    scope: tuple[str, ...]
    countries: tuple[str, ...]
    actors: tuple[str, ...]
    reasons: tuple[str, ...]  # document-level reasons ("countries: none found")
    sentences: tuple[SentenceReport, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "fired": self.fired,
            "scope": list(self.scope),
            "countries": list(self.countries),
            "actors": list(self.actors),
            "reasons": list(self.reasons),
            "sentences": [
                {
                    "sentence": s.sentence, "zone": s.zone, "text": s.text, "clause": s.clause,
                    "matched": s.matched, "groups": {k: list(v) for k, v in s.groups.items()},
                    "failed": list(s.failed), "figures": dict(s.figures),
                    "locations": list(s.locations),
                }
                for s in self.sentences
            ],
        }
