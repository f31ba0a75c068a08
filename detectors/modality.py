"""Modality guards: negation, denial, hypothetical, advice, future, lifted, historical.

The cue lexicons live in `data/guards.yaml`. A cue cancels a term hit when it
stands in the same clause, within the kind's window before or after the hit,
and is not part of one of the kind's exception phrases ("не менее", "refusing
to lift"). A kind's `headline` cues cancel every hit of the document when the
headline carries them: a retrospective is framed once, in its title. Its `back` cues
point to what the previous sentence said ("Moscow refuted these reports") and cancel
that sentence's hits too. Its `question` cues, as the first or second word of a headline
that ends in a question mark, cancel that headline's hits ("Will Russia send troops…?").
Its `headline_infinitive` cues, right after a headline's subject (no verb of its own before
them), make the rest of the headline that kind ("Russia to beef up its base in Armenia").
Its `ordered` words, a few words before a cue, make the cue what an order says ("instructed
the army to deploy"), so it cancels nothing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import yaml


@dataclass(frozen=True, slots=True)
class GuardLexicon:
    kind: str
    before: int
    after: int
    cues: tuple[tuple[str, str], ...]  # (language, term)
    exceptions: tuple[tuple[str, str], ...]
    # cues that, in the headline, frame the whole document ("Kazakhstan marks anniversary of…")
    headline: tuple[tuple[str, str], ...] = ()
    # cues that point back ("Moscow refuted these reports"): they cancel the previous sentence
    back: tuple[tuple[str, str], ...] = ()
    # first or second word of a headline that asks ("Will Russia send troops…?", "Введут ли
    # ЧП…?"): the question reports nothing by itself, so its hits are cancelled
    question: tuple[tuple[str, str], ...] = ()
    # a headline's "to" after its subject: the headline's plan ("Russia to reinforce base…");
    # `headline_verbs`: words before it that show the "to" is a destination ("Troops sent to")
    headline_infinitive: tuple[tuple[str, str], ...] = ()
    headline_verbs: frozenset[str] = frozenset()
    # an order given, up to `ordered_within` words before a cue of its clause, makes the cue
    # what was ordered, not a plan ("directed the defence ministry to deploy 20,000 troops")
    ordered: tuple[tuple[str, str], ...] = ()
    ordered_within: int = 0
    # words that set a sentence-wide cue's half of a sentence apart from the other ("has no
    # plans to join the invasion but is sending battalions to its border"): plain words
    contrast: frozenset[str] = frozenset()


@functools.cache
def lexicons() -> tuple[GuardLexicon, ...]:
    text = resources.files("detectors").joinpath("data/guards.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    out = []
    for kind, spec in data.items():
        out.append(
            GuardLexicon(
                kind=kind,
                before=int(spec.get("before", 4)),
                after=int(spec.get("after", 0)),
                cues=_terms(spec["cues"]),
                exceptions=_terms(spec.get("except")),
                headline=_terms(spec.get("headline")),
                back=_terms(spec.get("back")),
                question=_terms(spec.get("question")),
                headline_infinitive=_terms(spec.get("headline_infinitive")),
                headline_verbs=frozenset(w for _, w in _terms(spec.get("headline_verbs"))),
                ordered=_terms(spec.get("ordered")),
                ordered_within=int(spec.get("ordered_within", 0)),
                contrast=frozenset(w for _, w in _terms(spec.get("contrast"))),
            )
        )
    return tuple(out)


def _terms(by_language: dict[str, list[str] | None] | None) -> tuple[tuple[str, str], ...]:
    """{language: [term, …]} of guards.yaml as (language, term) pairs."""
    return tuple((lang, t) for lang, terms in (by_language or {}).items() for t in terms or ())
