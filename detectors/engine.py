"""The compiled rule set: evaluates every rule over a document in one scan.

Per document: tokens → one automaton scan → per rule and clause, the sentences
where every required group has a hit that no modality guard cancels → figures
and thresholds → locations (kept apart from actors) → scope → Detection.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from detectors.errors import RuleError
from detectors.matcher import Matcher, Scan, Span
from detectors.numbers import LINKING, MONTHS, Quantity, find_quantities
from detectors.tokens import Tokens, analyse, guess_language
from detectors.types import Detection, Document, Severity

ALL = frozenset({"*"})  # `countries=ALL`: report events wherever they happen

OPS: dict[str, Callable[[int, int], bool]] = {
    ">=": operator.ge, "<=": operator.le, "==": operator.eq, ">": operator.gt, "<": operator.lt,
}
ZONE_WEIGHT = (1.0, 0.8, 0.5)  # title, lead, body
ZONE_NAMES = ("title", "lead", "body")

_LOCATIVE = frozenset({
    "in", "into", "to", "across", "throughout", "near", "inside", "within", "at", "towards",
    "toward", "around", "along", "в", "во", "на", "по", "под", "у", "около", "близ", "вблизи",
    "к", "через", "по всей",
})
_BLOCKERS = frozenset({"with", "from", "between", "against", "с", "со", "из", "от", "между",
                       "против"})
# An adjective before one of these names a place: "the Kazakh capital".
_PLACE_NOUNS = ("city", "capital", "province", "region", "town", "village",
                "territory", "soil", "столиц", "город", "област", "район",
                "территори", "регион", "сел", "деревн", "поселк", "провинци")
# "the Ukrainian border", "Belarus border": the other side of a border is not the place.
_BORDER_NOUNS = ("border", "frontier", "границ", "рубеж")
_PAIR_NOUNS = ("deal", "agreement", "accord", "talks", "summit", "relations", "ties", "pact")
# An adjective before one of these names who acts at home: "Russian police".
_AUTHORITY_NOUNS = ("police", "authorit", "government", "security", "court", "official",
                    "interior", "border", "guard", "riot", "полиц", "власт", "силовик",
                    "правительств", "мвд", "суд", "правоохран", "омон", "погранич", "милиц")


@dataclass(frozen=True, slots=True)
class Condition:
    figure: str
    op: str
    value: int

    def holds(self, figures: Mapping[str, int]) -> bool:
        got = figures.get(self.figure)
        return got is not None and OPS[self.op](got, self.value)

    def __str__(self) -> str:
        return f"{self.figure} {self.op} {self.value}"


@dataclass(frozen=True, slots=True)
class CompiledClause:
    all: tuple[int, ...]
    any: tuple[int, ...]
    none: tuple[int, ...]
    near: int | None
    none_near: int | None
    where: tuple[Condition, ...]
    guards: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CompiledFigure:
    name: str
    counts: tuple[int, ...]
    after: tuple[int, ...]
    window: int
    near: tuple[int, ...] = ()
    distance: int = 10


@dataclass(frozen=True, slots=True)
class CompiledRule:
    id: str
    source: str
    index: int  # position in its file's `rules:` list
    titles: Mapping[str, str]
    descriptions: Mapping[str, str]
    severity: Severity
    scope: frozenset[str]  # ALL, or ISO codes
    clauses: tuple[CompiledClause, ...]
    figures: tuple[CompiledFigure, ...]
    escalate: tuple[tuple[Condition, Severity], ...]
    examples_match: tuple[str, ...]
    examples_no_match: tuple[str, ...]
    group_names: Mapping[int, str]
    exclude: Mapping[int, tuple[int, ...]] = field(default_factory=dict)  # group → groups


@dataclass(frozen=True, slots=True)
class Sharing:
    """How rules share work: rules with one shape (the same clauses over their own
    groups) whose groups hit the same vocabulary in a document match identically.

    Terms are partitioned into atoms (terms that belong to exactly the same groups),
    so a document's hits reduce to a few atoms, and each rule's signature is the
    bitmask of hit atoms per group slot."""

    term_atom: Mapping[int, int]
    atom_slots: Mapping[int, tuple[tuple[int, int], ...]]  # atom → (rule index, slot)
    shapes: tuple[int, ...]  # rule index → shape id
    slot_keys: tuple[tuple[tuple[int, int], ...], ...]  # rule index → its (rule, slot) keys


@dataclass(frozen=True, slots=True)
class Guard:
    kind: str
    cue: int  # label
    exception: int  # label
    before: int
    after: int


class Mention(NamedTuple):  # a tuple: built for every place name of every document
    start: int
    end: int
    code: str
    kind: str  # place | adj | leader
    locative: bool  # after "in", "to", "в", "на"…
    blocked: bool = False  # after "with", "from", "из": a partner or origin, not the place


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


@dataclass(slots=True)
class _Match:
    matched: dict[int, dict[str, int]]  # sentence → figures
    approx: set[str]
    reports: list[SentenceReport]
    located: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # countries, actors
    # figures, score, evidence, approximate: the same for every rule sharing this match
    summary: tuple[dict[str, int], float, tuple[str, ...], tuple[str, ...]] | None = None


@dataclass(slots=True)
class _Doc:
    """Per-document working state (not shared)."""

    toks: Tokens
    scan: Scan
    matcher: Matcher
    language: str
    guarded: dict[str, list[int]]  # guard kind → cue token positions
    mentions: list[Mention]
    _main: tuple[str, ...] | None = None
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


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Immutable once compiled; a reload builds a new one and swaps the reference."""

    rules: tuple[CompiledRule, ...]
    matcher: Matcher
    guards: tuple[Guard, ...]
    places: Mapping[int, tuple[str, str]]  # label → (code, kind)
    watch: tuple[str, ...]
    _by_id: Mapping[str, CompiledRule] = field(default_factory=dict)
    sharing: Sharing | None = None

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.rules)

    def rule(self, rule_id: str) -> CompiledRule:
        return self._by_id[rule_id]

    def rule_title(self, rule_id: str, lang: str = "en") -> str:
        titles = self._by_id[rule_id].titles
        return titles.get(lang) or titles.get("en") or next(iter(titles.values()), rule_id)

    def rule_description(self, rule_id: str, lang: str = "en") -> str:
        texts = self._by_id[rule_id].descriptions
        return texts.get(lang) or texts.get("en") or next(iter(texts.values()), "")

    # ---- public API ---------------------------------------------------------

    def detect(
        self, doc: Document, *, countries: frozenset[str] | None = None
    ) -> tuple[Detection, ...]:
        """Detections for one document. `countries=None`: each rule's own scope;
        `ALL` (frozenset({"*"})): anywhere; otherwise only these ISO codes."""
        state = self._prepare(doc)
        named = {m.code for m in state.mentions}  # every possible location is named
        sharing = self.sharing
        masks: dict[tuple[int, int], int] = {}
        if sharing is not None:
            term_atom, atom_slots = sharing.term_atom, sharing.atom_slots
            for atom in {term_atom[t] for t in state.scan.terms if t in term_atom}:
                bit = 1 << atom
                for key in atom_slots[atom]:
                    masks[key] = masks.get(key, 0) | bit
        memo: dict[object, _Match] = {}
        out = []
        for index, rule in enumerate(self.rules):
            scope = rule.scope if countries is None else countries
            if scope != ALL and scope.isdisjoint(named):
                continue  # cannot be in scope: skip the work
            found: _Match | None = None
            if sharing is not None:
                keys = sharing.slot_keys[index]
                signature = (sharing.shapes[index], tuple(map(masks.get, keys)))
                if not any(signature[1]):
                    continue  # none of its groups has a hit
                found = memo.get(signature)
                if found is None:
                    found = memo[signature] = self._match(rule, state, explain=False)
            det, _ = self._evaluate(rule, state, countries, explain=False, found=found)
            if det is not None:
                out.append(det)
        return tuple(out)

    def explain(
        self, doc: Document, *, countries: frozenset[str] | None = None
    ) -> tuple[RuleExplanation, ...]:
        state = self._prepare(doc)
        out = []
        for rule in self.rules:
            _, explanation = self._evaluate(rule, state, countries, explain=True)
            assert explanation is not None
            out.append(explanation)
        return tuple(out)

    def check_examples(self) -> list[RuleError]:
        """Run every rule's inline examples (each under its rule's own scope); one
        RuleError per example that fails."""
        errors: list[RuleError] = []
        for rule in self.rules:
            for key, texts, want in (
                ("match", rule.examples_match, True),
                ("no_match", rule.examples_no_match, False),
            ):
                for i, text in enumerate(texts):
                    got = any(d.rule == rule.id for d in self.detect(Document("", text)))
                    if got != want:
                        verb = "does not match" if want else "matches"
                        errors.append(RuleError(
                            rule.source, ("rules", rule.index, "examples", key, i),
                            f"example {verb} rule {rule.id!r}: {text[:80]!r}",
                        ))
        return errors

    # ---- evaluation ---------------------------------------------------------

    def _prepare(self, doc: Document) -> _Doc:
        language = doc.language or guess_language(doc.title + " " + doc.text)
        toks = analyse(doc.title, doc.text, language.lower()[:2])
        scan = self.matcher.scan(toks)
        spans = scan.eager
        guarded: dict[str, list[int]] = {}
        for guard in self.guards:
            cues = spans.get(guard.cue)
            if not cues:
                continue
            excluded = {t for s, e in spans.get(guard.exception, ()) for t in range(s, e)}
            positions = [t for s, e in cues for t in range(s, e) if t not in excluded]
            if positions:
                guarded[guard.kind] = positions
        when = _historical_when(toks)
        if doc.published is not None:
            when += _past_years(toks, doc.published.year, doc.published.month)
        if when:
            guarded["historical"] = sorted([*guarded.get("historical", ()), *when])
        return _Doc(toks, scan, self.matcher, language, guarded, self._mentions(toks, spans))

    def _mentions(self, toks: Tokens, spans: dict[int, list[Span]]) -> list[Mention]:
        found: list[tuple[int, int, str, str]] = []
        places = self.places
        for label, label_spans in spans.items():
            place = places.get(label)
            if place is not None:
                for s, e in label_spans:
                    found.append((s, e, place[0], place[1]))
        # longest match wins: "Saudi Arabia" over "Arabia", "Нур-Султан" over "Султан"
        found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
        out: list[Mention] = []
        last_end = -1
        words = toks.words
        for s, e, code, kind in found:
            if s < last_end:
                continue
            last_end = e
            if kind == "adj" and e < len(words) and words[e].startswith(_PLACE_NOUNS):
                kind = "place"
            sent = toks.sentence_of[s]
            locative = False
            blocked = False
            for j in range(s - 1, max(toks.sentence_start[sent], s - 4) - 1, -1):
                if words[j] in _BLOCKERS:
                    blocked = True
                    break
                if words[j] in _LOCATIVE:
                    locative = True
                    break
            if e < len(words) and words[e].startswith(_BORDER_NOUNS + _PAIR_NOUNS) and not (
                e + 1 < len(words) and words[e + 1].startswith(_AUTHORITY_NOUNS)
            ):  # but "Tajik border guards" are Tajik
                blocked = True
            if (out and out[-1].end == s and out[-1].code != code
                    and toks.sentence_of[out[-1].start] == sent):
                # "the Russia-Turkey deal": a pair of countries names a relation, not a place
                out[-1] = out[-1]._replace(blocked=True)
                blocked = True
            out.append(Mention(s, e, code, kind, locative, blocked))
        return out

    def _sentence_locations(self, state: _Doc, sentence: int) -> tuple[str, ...]:
        return self._located(state, sentence)[0]

    def _located(self, state: _Doc, sentence: int) -> tuple[tuple[str, ...], int]:
        """The sentence's locations and how sure they are: 3 after "in"/"в", 2 a bare
        place name, 1 a demonym before "police"/"authorities", 0 none."""
        mentions = [m for m in state.mentions
                    if state.toks.sentence_of[m.start] == sentence and not m.blocked]
        located = [m.code for m in mentions if m.kind == "place" and m.locative]
        strength = 3
        if not located:
            located = [m.code for m in mentions if m.kind == "place"]
            strength = 2
        if not located:
            strength = 1
            words = state.toks.words
            located = [
                m.code for m in mentions
                if m.kind == "leader" or (m.kind == "adj" and any(
                    words[j].startswith(_AUTHORITY_NOUNS)
                    for j in range(m.end, min(m.end + 3, len(words)))
                ))
            ]
        return tuple(dict.fromkeys(located)), strength if located else 0

    def _main_location(self, state: _Doc) -> tuple[str, ...]:
        """Where the document as a whole is: title, then lead, then the most named place."""
        if state._main is not None:
            return state._main
        toks = state.toks
        result: tuple[str, ...] = ()
        for zone in (0, 1):
            for sent, z in enumerate(toks.zone):
                if z == zone and not result:
                    result = self._sentence_locations(state, sent)
        if not result:
            counts: Counter[str] = Counter()
            # partners ("border with Turkey") count only when nothing else is named
            free = [m for m in state.mentions if not m.blocked] or state.mentions
            for m in free:
                if m.kind == "place":
                    counts[m.code] += 2 if m.locative else 1
            if not counts:
                for m in free:
                    counts[m.code] += 1
            if counts:
                top = counts.most_common(1)[0][1]
                result = tuple(c for c, n in counts.most_common() if n == top)[:2]
        state._main = result
        return result

    def _guard_reason(self, state: _Doc, span: Span, kinds: tuple[str, ...]) -> str | None:
        toks = state.toks
        start, end = span
        clause = toks.clause_of[start]
        sentence = toks.sentence_of[start]
        for guard in self.guards:
            if guard.kind not in kinds:
                continue
            # a window of 99 or more means the whole sentence, not just the clause
            wide = guard.before >= 99
            for pos in state.guarded.get(guard.kind, ()):
                if start <= pos < end:
                    continue
                if (toks.sentence_of[pos] != sentence) if wide else (toks.clause_of[pos] != clause):
                    continue
                if start - guard.before <= pos < start or end <= pos < end + guard.after:
                    return f"{guard.kind} by {toks.words[pos]!r}"
        return None

    def _figures(self, rule: CompiledRule, state: _Doc, sentence: int
                 ) -> tuple[dict[str, int], set[str]]:
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

    def _match(self, rule: CompiledRule, state: _Doc, *, explain: bool) -> _Match:
        """The sentences where a clause of the rule holds (scope not yet applied)."""
        toks = state.toks
        names = rule.group_names
        reports: list[SentenceReport] = []
        matched: dict[int, dict[str, int]] = {}  # sentence → figures
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
                used: dict[str, tuple[str, ...]] = {}
                free: dict[int, list[Span]] = {}
                for label in (*clause.all, *clause.any):
                    ok = []
                    masks = [sp for other in rule.exclude.get(label, ())
                             for sp in state.hits(other, sent)]
                    for span in state.hits(label, sent):
                        if masks and any(s < span[1] and span[0] < e for s, e in masks):
                            if explain:
                                failed.append(f"{names[label]}: "
                                              f"{' '.join(toks.words[span[0]:span[1]])!r} "
                                              "is part of an excluded phrase")
                            continue
                        why = self._guard_reason(state, span, clause.guards)
                        if why is None:
                            ok.append(span)
                        elif explain:
                            failed.append(
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
                    hits = state.hits(label, sent)
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
                    figures, fig_approx = self._figures(rule, state, sent)
                for cond in clause.where:
                    if not cond.holds(figures):
                        got = figures.get(cond.figure)
                        failed.append(f"where {cond}: {cond.figure} = "
                                      f"{'not found' if got is None else got}")
                ok_sentence = not failed
                if ok_sentence and sent not in matched:
                    matched[sent] = figures
                    approx |= fig_approx
                if explain:
                    reports.append(SentenceReport(
                        sentence=sent, zone=ZONE_NAMES[toks.zone[sent]],
                        text=toks.sentences[sent], clause=c_idx, matched=ok_sentence,
                        groups=used, failed=tuple(failed), figures=figures,
                        locations=self._sentence_locations(state, sent),
                    ))
        return _Match(matched, approx, reports)

    def _evaluate(
        self, rule: CompiledRule, state: _Doc, countries: frozenset[str] | None, *, explain: bool,
        found: _Match | None = None,
    ) -> tuple[Detection | None, RuleExplanation | None]:
        if found is None:
            found = self._match(rule, state, explain=explain)
        matched = found.matched
        scope = rule.scope if countries is None else countries
        reasons: list[str] = []
        detection: Detection | None = None
        located: tuple[str, ...] = ()
        actors: tuple[str, ...] = ()
        if not matched:
            reasons.append("no sentence satisfies a clause")
        else:
            if found.located is None:
                found.located = self._locate(state, matched)
            located, actors = found.located
            in_scope = scope == ALL or not scope.isdisjoint(located)
            if not located and scope != ALL:
                reasons.append("countries: none found")
            elif not in_scope:
                reasons.append(f"countries: {','.join(located)} outside scope")
            else:
                detection = self._detection(rule, state, found)
        explanation = None
        if explain:
            explanation = RuleExplanation(
                rule=rule.id, fired=detection is not None,
                scope=("*",) if scope == ALL else tuple(sorted(scope)),
                countries=located, actors=actors, reasons=tuple(reasons),
                sentences=tuple(found.reports),
            )
        return detection, explanation

    def _locate(self, state: _Doc, matched: Mapping[int, object]
                ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Where the matched sentences place the event, and who else is named (actors)."""
        toks = state.toks
        located: list[str] = []
        # the surest evidence decides: "in Iran" beats "the Russian Foreign Ministry"
        best = 0
        for sent in sorted(matched):
            locs, strength = self._located(state, sent)
            if not locs:
                locs, strength = self._main_location(state), 0
            if strength > best:
                best, located = strength, []
            if strength == best:
                located.extend(locs)
        located = list(dict.fromkeys(located))
        actors = [m.code for m in state.mentions
                  if toks.sentence_of[m.start] in matched and m.code not in located]
        return tuple(located), tuple(dict.fromkeys(actors))

    def _detection(self, rule: CompiledRule, state: _Doc, found: _Match) -> Detection:
        if found.summary is None:  # shared by every rule with the same match
            toks = state.toks
            figures: dict[str, int] = {}
            for sent_figures in found.matched.values():
                for name, value in sent_figures.items():
                    figures[name] = max(value, figures.get(name, 0))
            weight = sum(ZONE_WEIGHT[toks.zone[s]] for s in found.matched)
            found.summary = (
                figures,
                round(min(1.0, weight), 3),
                tuple(toks.sentences[s] for s in sorted(found.matched))[:5],
                tuple(sorted(n for n in found.approx if n in figures)),
            )
        figures, score, evidence, approximate = found.summary
        severity = rule.severity
        for cond, level in rule.escalate:
            if cond.holds(figures) and level > severity:
                severity = level
        assert found.located is not None
        return Detection(
            rule=rule.id,
            countries=found.located[0],
            severity=severity,
            score=score,
            figures=dict(figures),
            evidence=evidence,
            language=state.language,
            actors=found.located[1],
            approximate=approximate,
        )


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


_WHEN = frozenset({"when", "когда"})
_YEAR_BEFORE = frozenset({"in", "of", "during", "в", "во", "за"}) | MONTHS


def _past_years(toks: Tokens, year: int, month: int) -> list[int]:
    """ "In January 2022, troops were deployed…" in an article of 2024 is background:
    a year before the publication's, after "in"/"в" or a month, is a historical cue."""
    out: list[int] = []
    words = toks.words
    for i, w in enumerate(words):
        if len(w) == 4 and w.isdigit() and i and words[i - 1] in _YEAR_BEFORE:
            y = int(w)
            if 1900 <= y < year and not (y == year - 1 and month == 1):
                out.append(i)
    return out


def _historical_when(toks: Tokens) -> list[int]:
    """ "the 2020 protests in Belarus, when 35,000 were detained": a past year, then "when"."""
    out: list[int] = []
    words = toks.words
    if not any(w in words for w in _WHEN):
        return out
    for i, word in enumerate(words):
        if word in _WHEN:
            sent = toks.sentence_of[i]
            for j in range(max(toks.sentence_start[sent], i - 12), i):
                w = words[j]
                if len(w) == 4 and w.isdigit() and 1900 <= int(w) <= 2100:
                    out.append(i)
                    break
    return out
