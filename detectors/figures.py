"""The figures a rule reads in one sentence: "8,000 detained" → {"detained": 8000}.

A quantity counts for a figure when one of the figure's `counts` terms follows it
within its window (and before the next quantity), or when it follows one of its
`after` terms across linking words only ("detained: 8,000"); `near` terms, if
any, must stand close. The largest such value wins, and whether it was given
approximately ("over", "dozens") is kept with it.
"""

from __future__ import annotations

from detectors.compiled import CompiledRule
from detectors.numbers import LINKING
from detectors.state import DocState

# "Число задержанных в Минске превысило 500", "the number of detainees in Almaty has risen to
# 8,000": a verb of growth carries the count across a few words (a place) from its term.
_RISE = frozenset({
    "rose", "risen", "reached", "exceeded", "topped", "climbed", "increased", "превысило",
    "превысил", "составило", "составляет", "достигло", "достиг", "выросло", "возросло",
})
_RISE_SPAN = 6


def sentence_figures(rule: CompiledRule, state: DocState, sentence: int
                     ) -> tuple[dict[str, int], set[str]]:
    """The rule's figures in the sentence, and the names of those given approximately."""
    figures: dict[str, int] = {}
    approx: set[str] = set()
    if not rule.figures:
        return figures, approx
    quantities = state.quantities(sentence)
    if not quantities:
        return figures, approx
    for fig in rule.figures:
        count_starts = {s for label in fig.counts for s, _ in state.hits(label, sentence)}
        after_ends = {e for label in fig.after for _, e in state.hits(label, sentence)}
        near_hits = [sp for label in fig.near for sp in state.hits(label, sentence)]
        words = state.toks.words
        for i, q in enumerate(quantities):
            limit = q.end + fig.window
            if i + 1 < len(quantities):
                limit = min(limit, quantities[i + 1].start)
            counted = any(q.end <= s < limit for s in count_starts)
            follows = any(
                q.start - 3 <= e <= q.start
                and all(words[j] in LINKING for j in range(e, q.start))
                for e in after_ends
            ) or any(
                words[k] in _RISE and all(words[j] in LINKING for j in range(k + 1, q.start))
                and any(k - _RISE_SPAN <= e <= k for e in after_ends)
                for k in range(max(0, q.start - 3), q.start)
            )
            close = not fig.near or any(
                s - fig.distance <= q.start and q.end <= e + fig.distance for s, e in near_hits
            )
            if (counted or follows) and close and q.value > figures.get(fig.name, -1):
                figures[fig.name] = q.value
                if q.approximate:
                    approx.add(fig.name)
                else:
                    approx.discard(fig.name)
    return figures, approx
