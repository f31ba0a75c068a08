"""A rule's closest call on one document, in words a rule author reads.

For a rule that did not fire: the sentence that satisfies most of one clause's groups, and
what it lacks ("no movement word", "guard denial fired: 'denied'", "no place in scope").
For a rule that fired: the sentence and clause that made it fire. Built only on the
`explain` path, from the same per-document state the match used.
"""

from __future__ import annotations

from detectors.clauses import guard_reason
from detectors.compiled import ALL, CompiledClause, CompiledRule, Guard
from detectors.explain import ZONE_NAMES, Nearest, RuleExplanation
from detectors.state import DocState

CONDITIONS = ("none: ", "near: ", "where ")  # a clause's failures beyond its groups


def nearest(rule: CompiledRule, state: DocState, guards: tuple[Guard, ...],
            explanation: RuleExplanation, scope: frozenset[str]) -> Nearest:
    if explanation.fired or any(r.matched for r in explanation.sentences):
        # a clause holds: the first sentence where it does; what is left is the headline
        # that frames the article as something else, or else the place
        report = next(r for r in explanation.sentences if r.matched)
        framed = tuple(r for r in explanation.reasons if not r.startswith("countries:"))
        left = () if explanation.fired else framed or _place(explanation.countries, scope)
        return Nearest(report.clause, report.sentence, report.zone, report.text,
                       dict(report.groups), left)
    best: tuple[tuple[float, int, int, int], Nearest] | None = None
    for c_idx, clause in enumerate(rule.clauses):
        required = clause.all or clause.any
        if not required:
            continue
        sentences: set[int] = set()
        for label in required:
            sentences |= state.sentences_with(label)
        for sent in sorted(sentences):
            found, missing, satisfied, present = _groups(rule, state, guards, clause, sent)
            total = len(clause.all) + (1 if clause.any else 0)
            # the clause's other conditions, as the match reported them for this sentence
            missing.extend(_plain(why) for r in explanation.sentences
                           if r.clause == c_idx and r.sentence == sent
                           for why in r.failed if why.startswith(CONDITIONS))
            located = state.locations.of_event({sent: None}).countries
            missing.extend(_place(located, scope))
            # a guarded word is nearer than none; the earlier sentence wins a tie
            rank = (satisfied / total, satisfied, present, -sent)
            if best is None or rank > best[0]:
                best = rank, Nearest(c_idx, sent, ZONE_NAMES[state.toks.zone[sent]],
                                     state.toks.sentences[sent], found, tuple(missing))
    if best is not None:
        return best[1]
    # no group of any clause has a word in the document
    names = rule.group_names
    first = rule.clauses[0]
    absent = [f"no {names[label]} word" for label in first.all]
    if first.any:
        absent.append(f"no {' or '.join(names[label] for label in first.any)} word")
    return Nearest(0, None, "", "", {}, tuple(absent))


def _groups(rule: CompiledRule, state: DocState, guards: tuple[Guard, ...],
            clause: CompiledClause, sent: int
            ) -> tuple[dict[str, tuple[str, ...]], list[str], int, int]:
    """The groups with a usable word in `sent`, what keeps the others out, how many of the
    clause's requirements hold (all `all` groups, plus one for the `any` groups) and how
    many groups have a word there at all, usable or not."""
    names = rule.group_names
    words = state.toks.words
    found: dict[str, tuple[str, ...]] = {}
    problems: dict[int, list[str]] = {}
    for label in (*clause.all, *clause.any):
        masks = [sp for other in rule.exclude.get(label, ()) for sp in state.hits(other, sent)]
        usable = []
        for span in state.hits(label, sent):
            phrase = " ".join(words[span[0]:span[1]])
            if any(s < span[1] and span[0] < e for s, e in masks):
                problems.setdefault(label, []).append(
                    f"{names[label]} word {phrase!r} is part of an excluded phrase")
                continue
            why = guard_reason(guards, state, span, clause.guards)
            if why is None:
                usable.append(phrase)
            else:
                kind, _, cue = why.partition(" by ")
                problems.setdefault(label, []).append(f"guard {kind} fired: {cue}")
        if usable:
            found[names[label]] = tuple(usable)
    missing: list[str] = []
    satisfied = 0
    for label in clause.all:
        if names[label] in found:
            satisfied += 1
        else:
            missing.extend(problems.get(label) or [f"no {names[label]} word"])
    if clause.any:
        if any(names[label] in found for label in clause.any):
            satisfied += 1
        else:
            guarded = [p for label in clause.any for p in problems.get(label, ())]
            missing.extend(guarded or [f"no {' or '.join(names[g] for g in clause.any)} word"])
    present = len(found.keys() | {names[label] for label in problems})
    return found, list(dict.fromkeys(missing)), satisfied, present


def _place(located: tuple[str, ...], scope: frozenset[str]) -> tuple[str, ...]:
    if scope == ALL:
        return ()
    if not located:
        return ("no place in scope",)
    if scope.isdisjoint(located):
        return (f"place outside scope: {', '.join(located)}",)
    return ()


def _plain(why: str) -> str:
    """A clause condition's failure, said plainly: "none: exercise matched 'drills'" is
    "exercise word 'drills' rules it out", "where detained >= 20: detained = 12" is
    "detained = 12, needs detained >= 20"."""
    if why.startswith("none: ") and " matched " in why:
        group, _, phrase = why.removeprefix("none: ").partition(" matched ")
        return f"{group} word {phrase} rules it out"
    if why.startswith("where ") and ": " in why:
        condition, _, got = why.removeprefix("where ").partition(": ")
        figure, _, value = got.partition(" = ")
        if value == "not found":
            return f"no {figure} figure (needs {condition})"
        return f"{figure} = {value}, needs {condition}"
    return why
