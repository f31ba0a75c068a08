"""The engine's working state for one document: tokens, the one automaton scan,
guard cue positions, place mentions (`Locations`), and per-sentence indexes of
hits and quantities.

The indexes are built lazily: a label's hits are grouped by sentence, and a
sentence's quantities parsed, only when a rule first asks, and then kept for
every other rule. The state is never shared between documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from detectors.locate import Locations
from detectors.matcher import Matcher, Scan, Span
from detectors.numbers import Quantity, find_quantities
from detectors.tokens import Tokens


@dataclass(slots=True)
class DocState:
    """Per-document working state (not shared)."""

    toks: Tokens
    scan: Scan
    matcher: Matcher
    language: str
    guarded: dict[str, list[int]]  # guard kind → cue token positions
    locations: Locations
    headline: dict[str, str]  # guard kind → the headline cue that frames the whole document
    # guard kind → sentence → the next sentence's cue that points back at it
    carried: dict[str, dict[int, str]] = field(default_factory=dict)
    by_sentence: dict[int, dict[int, list[Span]]] = field(default_factory=dict)
    _quantities: dict[int, list[Quantity]] = field(default_factory=dict)

    def quantities(self, sentence: int) -> list[Quantity]:
        found = self._quantities.get(sentence)
        if found is None:
            toks = self.toks
            start = toks.sentence_start[sentence]
            end = (toks.sentence_start[sentence + 1] if sentence + 1 < len(toks.sentence_start)
                   else len(toks.words))
            found = [
                Quantity(q.value, q.start + start, q.end + start, q.approximate)
                for q in find_quantities(toks.words[start:end])
            ]
            self._quantities[sentence] = found
        return found

    def hits(self, label: int, sentence: int) -> list[Span]:
        per = self.by_sentence.get(label)
        if per is None:
            per = {}
            sentence_of = self.toks.sentence_of
            for span in self.matcher.spans(self.scan, label):
                per.setdefault(sentence_of[span[0]], []).append(span)
            self.by_sentence[label] = per
        return per.get(sentence, [])

    def sentences_with(self, label: int) -> set[int]:
        self.hits(label, -1)
        return set(self.by_sentence[label])

