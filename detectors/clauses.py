"""Clause matching: the sentences of a document where a clause of a rule holds.

A clause holds in a sentence when every `all` group (or one `any` group) has a
hit there that no modality guard cancels and no excluded phrase covers, no
`none` group matches (near the anchors, if `none_near` is set), the `all`
groups lie within `near` words, and the `where` conditions hold on the
sentence's figures. Scope is applied later, by the engine. The same pass, with
`explain`, records why each candidate sentence failed.
"""

from __future__ import annotations

from dataclasses import dataclass

from detectors.compiled import CompiledRule, Guard
from detectors.explain import ZONE_NAMES, SentenceReport
from detectors.figures import sentence_figures
from detectors.locate import Located
from detectors.matcher import Span
from detectors.state import DocState


@dataclass(slots=True)
class Match:
    """Where a rule's clauses hold in one document. Rules of one shape whose groups hit
    alike share one Match, so the engine fills `located` and `summary` once for all."""

    matched: dict[int, dict[str, int]]  # sentence → figures
    anchors: dict[int, list[Span]]  # sentence → the hits that made the clause hold
    approx: set[str]
    reports: list[SentenceReport]
    located: Located | None = None
    # figures, score, evidence, approximate: the same for every rule sharing this match
    summary: tuple[dict[str, int], float, tuple[str, ...], tuple[str, ...]] | None = None


def guard_reason(guards: tuple[Guard, ...], state: DocState, span: Span,
                 kinds: tuple[str, ...]) -> str | None:
    """The first guard of `kinds` that cancels the hit `span` ("negation by 'not'"), if any."""
    toks = state.toks
    start, end = span
    clause = toks.clause_of[start]
    sentence = toks.sentence_of[start]
    for guard in guards:
        if guard.kind not in kinds:
            continue
        framing = state.headline.get(guard.kind)
        if framing is not None:
            return f"{guard.kind} by {framing!r} in the headline"
        back = state.carried.get(guard.kind)
        if back and sentence in back:
            return f"{guard.kind} by {back[sentence]!r} in the next sentence"
        # a window of 99 or more means the whole sentence, not just the clause
        wide = guard.before >= 99
        for pos in state.guarded.get(guard.kind, ()):
            if start <= pos < end:
                continue
            if (toks.sentence_of[pos] != sentence) if wide else (toks.clause_of[pos] != clause):
                continue
            if wide and guard.contrast and pos < start and any(
                    toks.words[j] in guard.contrast for j in range(pos, start)):
                continue  # "has no plans to join … but is sending battalions" (not "…, but
                # the detention was denied": that points back)
            if start - guard.before <= pos < start or end <= pos < end + guard.after:
                return f"{guard.kind} by {toks.words[pos]!r}"
    return None


def unexcluded(rule: CompiledRule, state: DocState, label: int, sent: int) -> list[Span]:
    """The group's hits in the sentence that no phrase of its `exclude` groups covers."""
    hits = state.hits(label, sent)
    masks = [sp for other in rule.exclude.get(label, ()) for sp in state.hits(other, sent)]
    if not masks:
        return hits
    return [(s, e) for s, e in hits if not any(ms < e and s < me for ms, me in masks)]


def match(rule: CompiledRule, state: DocState, guards: tuple[Guard, ...], *,
          explain: bool) -> Match:
    """The sentences where a clause of the rule holds (scope not yet applied)."""
    toks = state.toks
    names = rule.group_names
    reports: list[SentenceReport] = []
    matched: dict[int, dict[str, int]] = {}  # sentence → figures
    held: dict[int, list[Span]] = {}
    approx: set[str] = set()
    for c_idx, clause in enumerate(rule.clauses):
        required = clause.all or clause.any
        candidates: set[int] = set()
        if clause.all:
            candidates = state.sentences_with(clause.all[0])
            for label in clause.all[1:]:
                candidates &= state.sentences_with(label)
        else:
            for label in clause.any:
                candidates |= state.sentences_with(label)
        if not candidates or not required:
            continue
        for sent in sorted(candidates):
            if sent in matched and not explain:
                continue
            failed: list[str] = []
            dropped: list[str] = []  # hits a guard or an excluded phrase took; not a failure
            used: dict[str, tuple[str, ...]] = {}
            free: dict[int, list[Span]] = {}
            for label in (*clause.all, *clause.any):
                ok = []
                masks = [sp for other in rule.exclude.get(label, ())
                         for sp in state.hits(other, sent)]
                for span in state.hits(label, sent):
                    if masks and any(s < span[1] and span[0] < e for s, e in masks):
                        if explain:
                            dropped.append(f"{names[label]}: "
                                          f"{' '.join(toks.words[span[0]:span[1]])!r} "
                                          "is part of an excluded phrase")
                        continue
                    why = guard_reason(guards, state, span, clause.guards)
                    if why is None:
                        ok.append(span)
                    elif explain:
                        dropped.append(
                            f"{names[label]}: {' '.join(toks.words[span[0]:span[1]])!r} "
                            f"{why.split(' by ')[0]} by {why.split(' by ', 1)[1]}"
                            .replace(" negation by", " negated by")
                        )
                free[label] = ok
                if ok:
                    used[names[label]] = tuple(
                        " ".join(toks.words[s:e]) for s, e in ok
                    )
            for label in clause.all:
                if not free[label]:
                    failed.append(f"{names[label]}: no unguarded match")
            if clause.any and not any(free[label] for label in clause.any):
                failed.append("any: no group matched")
            anchors = [sp for label in clause.all for sp in free[label]]
            for label in clause.none:
                hits = unexcluded(rule, state, label, sent)  # "за сутки" is no "15 суток"
                if clause.none_near is not None and anchors:
                    hits = [
                        (s, e) for s, e in hits
                        if any(abs(s - a) <= clause.none_near or abs(e - b) <= clause.none_near
                               for a, b in anchors)
                    ]
                if hits:
                    s, e = hits[0]
                    failed.append(f"none: {names[label]} matched "
                                  f"{' '.join(toks.words[s:e])!r}")
            if (not failed and clause.near is not None and len(clause.all) > 1
                    and not _within(free, clause.all, clause.near)):
                failed.append(f"near: the groups are more than {clause.near} words apart")
            figures: dict[str, int] = {}
            fig_approx: set[str] = set()
            if not failed or explain:
                figures, fig_approx = sentence_figures(rule, state, sent)
            for cond in clause.where:
                if not cond.holds(figures):
                    got = figures.get(cond.figure)
                    failed.append(f"where {cond}: {cond.figure} = "
                                  f"{'not found' if got is None else got}")
            ok_sentence = not failed
            if ok_sentence and sent not in matched:
                matched[sent] = figures
                held[sent] = [sp for label in (*clause.all, *clause.any) for sp in free[label]]
                approx |= fig_approx
            if explain:
                reports.append(SentenceReport(
                    sentence=sent, zone=ZONE_NAMES[toks.zone[sent]],
                    text=toks.sentences[sent], clause=c_idx, matched=ok_sentence,
                    groups=used, failed=(*dropped, *failed), figures=figures,
                    locations=state.locations.of_sentence(sent),
                ))
    return Match(matched, held, approx, reports)


def _within(free: dict[int, list[Span]], labels: tuple[int, ...], near: int) -> bool:
    """Is there one hit of each group such that all lie within `near` words?"""
    anchors = free[labels[0]]
    for a_start, a_end in anchors:
        if all(
            any(abs(s - a_start) <= near or abs(e - a_end) <= near for s, e in free[label])
            for label in labels[1:]
        ):
            return True
    return False
