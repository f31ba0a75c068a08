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
class Nearest:
    """A rule's closest call on a document (built by `detectors.nearest`): the sentence
    that made it fire or, for a miss, the one that satisfies most of one clause's groups,
    and what that sentence lacks, in words a rule author reads."""

    clause: int
    sentence: int | None  # None: no group of the rule has a word in the document
    zone: str
    text: str
    found: Mapping[str, tuple[str, ...]]  # group → the usable words
    missing: tuple[str, ...]  # "no movement word", "guard denial fired: 'denied'", …

    def to_dict(self) -> dict[str, Any]:
        return {
            "clause": self.clause, "sentence": self.sentence, "zone": self.zone,
            "text": self.text, "found": {k: list(v) for k, v in self.found.items()},
            "missing": list(self.missing),
        }


SUMMARY_TEXT = 100  # characters of the sentence quoted in a summary


def summary(fired: bool, nearest: Nearest) -> str:
    """One line: "fired on clause 1, title: '…'" or "nearest: clause 2, body: '…': no
    movement word; no place in scope" (clauses counted from 1, as a rule file lists them)."""
    if nearest.sentence is None:
        return "no word of the rule in the text: " + "; ".join(nearest.missing)
    text = nearest.text
    if len(text) > SUMMARY_TEXT:
        text = text[: SUMMARY_TEXT - 1].rstrip() + "…"
    where = f"clause {nearest.clause + 1}, {nearest.zone}: {text!r}"
    if fired:
        return f"fired on {where}"
    return f"nearest: {where}: " + ("; ".join(nearest.missing) or "every condition holds")


@dataclass(frozen=True, slots=True)
class RuleExplanation:
    rule: str
    fired: bool
    scope: tuple[str, ...]
    countries: tuple[str, ...]
    actors: tuple[str, ...]
    reasons: tuple[str, ...]  # document-level reasons ("countries: none found")
    sentences: tuple[SentenceReport, ...]
    nearest: Nearest | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            **({} if self.nearest is None else {
                "summary": summary(self.fired, self.nearest),
                "nearest": self.nearest.to_dict(),
            }),
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
