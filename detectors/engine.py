"""The compiled rule set: evaluates every rule over a document in one scan.

Per document: tokens → one automaton scan → per rule and clause, the sentences
where every required group has a hit that no modality guard cancels → figures
and thresholds → locations (kept apart from actors) → scope → Detection.
This module runs those steps; each lives in its own module: `state` (the
per-document working state), `history` (historical cues), `locate`, `clauses`,
`figures`, and `explain` for the reasons `explain()` returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from detectors.clauses import Match, guard_reason, match, unexcluded
from detectors.compiled import ALL, CompiledRule, Guard, Sharing
from detectors.errors import RuleError
from detectors.explain import RuleExplanation
from detectors.history import historical_when, past_dates, past_months, past_years
from detectors.locate import Locations, PlaceName, PlaceRef, name_codes, place_names
from detectors.matcher import Matcher, Scan, Span
from detectors.nearest import nearest
from detectors.numbers import MONTHS
from detectors.state import DocState
from detectors.tokens import Tokens, analyse, guess_language
from detectors.types import Detection, Document

ZONE_WEIGHT = (1.0, 0.8, 0.5)  # title, lead, body


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Immutable once compiled; a reload builds a new one and swaps the reference."""

    rules: tuple[CompiledRule, ...]
    matcher: Matcher
    guards: tuple[Guard, ...]
    places: Mapping[int, PlaceRef]  # label → what the gazetteer name says
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

    # ---- public API ---------------------------------------------------------

    def detect(
        self, doc: Document, *, countries: frozenset[str] | None = None
    ) -> tuple[Detection, ...]:
        """Detections for one document. `countries=None`: each rule's own scope;
        `ALL` (frozenset({"*"})): anywhere; otherwise only these ISO codes."""
        language, toks, scan = self._scan(doc)
        sharing = self.sharing
        masks: dict[tuple[int, int], int] = {}
        if sharing is not None:
            term_atom, atom_slots = sharing.term_atom, sharing.atom_slots
            for atom in {term_atom[t] for t in scan.terms if t in term_atom}:
                bit = 1 << atom
                for key in atom_slots[atom]:
                    masks[key] = masks.get(key, 0) | bit
        memo: dict[object, Match] = {}
        possible: dict[object, bool] = {}
        names = place_names(scan.eager, self.places)
        named = name_codes(names)  # every possible location is named
        # guards and what each place name says are only worked out once some rule can
        # match: most entries of a feed hold no clause's words and stop at the scan
        state: DocState | None = None
        out = []
        for index, rule in enumerate(self.rules):
            scope = rule.scope if countries is None else countries
            if scope != ALL and scope.isdisjoint(named):
                continue  # cannot be in scope: skip the work
            signature: tuple[int, tuple[int | None, ...]] | None = None
            if sharing is not None:
                keys = sharing.slot_keys[index]
                signature = (sharing.shapes[index], tuple(map(masks.get, keys)))
                if not any(signature[1]):
                    continue  # none of its groups has a hit
                can = possible.get(signature)
                if can is None:
                    can = possible[signature] = sharing.possible(*signature)
                if not can:
                    continue  # no clause has a hit of each group it needs
            if state is None:
                state = self._state(doc, language, toks, scan, names)
            found: Match | None = None
            if signature is not None:
                found = memo.get(signature)
                if found is None:
                    found = memo[signature] = match(rule, state, self.guards, explain=False)
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
            scope = rule.scope if countries is None else countries
            closest = nearest(rule, state, self.guards, explanation, scope)
            out.append(replace(explanation, nearest=closest))
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

    def _prepare(self, doc: Document) -> DocState:
        return self._state(doc, *self._scan(doc))

    def _scan(self, doc: Document) -> tuple[str, Tokens, Scan]:
        language = doc.language or guess_language(doc.title + " " + doc.text)
        toks = analyse(doc.title, doc.text, language.lower()[:2])
        return language, toks, self.matcher.scan(toks)

    def _state(self, doc: Document, language: str, toks: Tokens, scan: Scan,
               names: list[PlaceName] | None = None) -> DocState:
        """Guard cues, historical markers and place mentions: the work after the scan."""
        spans = scan.eager
        guarded: dict[str, list[int]] = {}
        headline: dict[str, str] = {}
        carried: dict[str, dict[int, str]] = {}
        asked: dict[str, list[int]] = {}  # guard kind → the tokens of a headline that asks
        if names is None:
            names = place_names(spans, self.places)
        # a cue inside a place's name is none: "Rostov-on-Don" holds no "don't"
        in_names = {t for s, e, _ in names for t in range(s, e)}
        for guard in self.guards:
            for s, _ in spans.get(guard.back, ()):
                sent = toks.sentence_of[s]
                if sent > 0:
                    carried.setdefault(guard.kind, {})[sent - 1] = toks.words[s]
            excluded = {t for s, e in spans.get(guard.exception, ()) for t in range(s, e)}
            excluded |= in_names
            for s, _ in spans.get(guard.question, ()):
                sent = toks.sentence_of[s]
                start = toks.sentence_start[sent]
                # "Why is Putin massing troops…?" asks why, not whether: an exception phrase
                if (toks.zone[sent] == 0 and s - start < 2 and s not in excluded
                        and _asks(toks.sentences[sent])):
                    asked.setdefault(guard.kind, []).extend(range(start, _sentence_end(toks, s)))
            for s, _ in spans.get(guard.infinitive, ()):
                if s not in excluded and _headline_infinitive(toks, s, guard.headline_verbs):
                    asked.setdefault(guard.kind, []).extend(range(s, _sentence_end(toks, s)))
            framing = [s for s, _ in spans.get(guard.headline, ())
                       if toks.zone[toks.sentence_of[s]] == 0]
            if framing:
                headline[guard.kind] = toks.words[framing[0]]
            cues = spans.get(guard.cue)
            if not cues:
                continue
            orders = spans.get(guard.ordered)
            if orders:
                # "directed the defence ministry to deploy": what was ordered, not a plan
                excluded.update(t for s, e in cues if _ordered(toks, orders, s, guard)
                                for t in range(s, e))
            positions = [t for s, e in cues for t in range(s, e)
                         if t not in excluded and not _is_date(toks.words, t)]
            if positions:
                guarded[guard.kind] = positions
        for kind, tokens in asked.items():
            guarded[kind] = sorted({*guarded.get(kind, ()), *tokens})
        when = historical_when(toks)
        if doc.published is not None:
            when += past_years(toks, doc.published.year, doc.published.month)
            when += past_months(toks, doc.published.month)
            when += past_dates(toks, doc.published.year, doc.published.month)
        if when:
            guarded["historical"] = sorted([*guarded.get("historical", ()), *when])
        locations = Locations(toks, names)
        return DocState(toks, scan, self.matcher, language, guarded, locations, headline,
                        carried=carried)

    def _evaluate(
        self, rule: CompiledRule, state: DocState, countries: frozenset[str] | None, *,
        explain: bool, found: Match | None = None,
    ) -> tuple[Detection | None, RuleExplanation | None]:
        if found is None:
            found = match(rule, state, self.guards, explain=explain)
        matched = found.matched
        scope = rule.scope if countries is None else countries
        reasons: list[str] = []
        detection: Detection | None = None
        located: tuple[str, ...] = ()
        actors: tuple[str, ...] = ()
        framing = self._framing(rule, state) if matched else None
        if not matched:
            reasons.append("no sentence satisfies a clause")
        elif framing is not None:
            reasons.append(framing)
        else:
            if found.located is None:
                found.located = state.locations.of_event(matched, found.anchors)
            located, actors, _ = found.located
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

    def _framing(self, rule: CompiledRule, state: DocState) -> str | None:
        """Why the headline or lead makes the article something else ("…for joint drills")."""
        toks = state.toks
        # "… but continues in eight regions"; an excluded phrase ("the terrorist threat remains in
        # effect") keeps nothing in force
        if any(unexcluded(rule, state, label, sent) for label in rule.headline_unless
               for sent in state.sentences_with(label)):
            return None
        for label in rule.headline_none:
            for sent in sorted(state.sentences_with(label)):
                # "Is Russia withdrawing troops from Ukraine to protect Kursk?" asks: the
                # headline that asks frames nothing, the text answers
                hits = ([span for span in unexcluded(rule, state, label, sent)
                         # "ready for combat, not training", "urges Belarus to withdraw
                         # forces", "refusing to pull back": denied, demanded or refused, it
                         # frames nothing
                         if guard_reason(self.guards, state, span, _UNREAL) is None]
                        if toks.zone[sent] < 2 and not _asked(toks, sent) else None)
                if hits:
                    return _frames("headline", rule.group_names[label], toks, hits[0])
        for label in rule.article_none:
            # "…arrived in Belarus. … will take part in the exercises": the purpose, said
            # anywhere, makes the movement a drill; not when denied ("not for exercises")
            for sent in sorted(state.sentences_with(label)):
                for span in unexcluded(rule, state, label, sent):
                    if guard_reason(self.guards, state, span, _NEGATED) is None:
                        return _frames("article", rule.group_names[label], toks, span)
        if rule.headline_guards:  # "Curfew lifted in Osh": the article reports its end
            labels = dict.fromkeys(label for clause in rule.clauses
                                   for label in (*clause.all, *clause.any))
            for label in labels:
                for sent in sorted(state.sentences_with(label)):
                    if toks.zone[sent] >= 2 or _asked(toks, sent):
                        continue
                    for span in unexcluded(rule, state, label, sent):
                        why = guard_reason(self.guards, state, span, rule.headline_guards)
                        # "will be lifted on 26 June", "if it ends": in force until then
                        if why is not None and guard_reason(self.guards, state, span,
                                                            _PENDING) is None:
                            return _frames("headline", rule.group_names[label], toks, span,
                                           why)
        return None

    def _detection(self, rule: CompiledRule, state: DocState, found: Match) -> Detection:
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
            actors=found.located.actors,
            places=found.located.places,
            approximate=approximate,
        )


def _frames(where: str, group: str, toks: Tokens, span: Span, why: str = "") -> str:
    """`--explain`'s reason for a framing: "headline: exercise 'drills' frames the article"."""
    words = " ".join(toks.words[span[0]:span[1]])
    return f"{where}: {group} {words!r}{' ' + why if why else ''} frames the article"


_PENDING = ("future", "hypothetical")  # a planned or conditional end leaves a regime on
_NEGATED = ("negation", "denial")  # "not for exercises": no purpose
_UNREAL = (*_NEGATED, "hypothetical")  # a framing that did not happen


def _ordered(toks: Tokens, orders: list[Span], start: int, guard: Guard) -> bool:
    """Does an order stand a few words before the cue at `start`, in its clause?"""
    clause = toks.clause_of[start]
    return any(e <= start < e + guard.ordered_within and toks.clause_of[s] == clause
               for s, e in orders)


def _sentence_end(toks: Tokens, t: int) -> int:
    sent = toks.sentence_of[t]
    return (toks.sentence_start[sent + 1] if sent + 1 < len(toks.sentence_start)
            else len(toks.words))


def _headline_infinitive(toks: Tokens, t: int, verbs: frozenset[str]) -> bool:
    """Is the "to" at `t` headlinese for a plan ("Russia to beef up its base")? In a
    headline, one to four words after its start, none of them a verb ("Troops sent to",
    "Russia sends troops to": a destination)."""
    sent = toks.sentence_of[t]
    start = toks.sentence_start[sent]
    if toks.zone[sent] != 0 or not 1 <= t - start <= 4:
        return False
    return not any(w in verbs or w.endswith("ed") for w in toks.words[start:t])


def _asked(toks: Tokens, sent: int) -> bool:
    """Is the sentence a headline that asks ("Will the curfew be lifted?")?"""
    return toks.zone[sent] == 0 and _asks(toks.sentences[sent])


def _asks(sentence: str) -> bool:
    return sentence.rstrip(" \"'»”’)").endswith("?")


def _is_date(words: tuple[str, ...], t: int) -> bool:
    """A month name next to a day ("Monday, May 27", "27 May") is a date, not the modal
    "may"."""
    if words[t] not in MONTHS:
        return False
    return ((t + 1 < len(words) and words[t + 1][:1].isdigit())
            or (t > 0 and words[t - 1][:1].isdigit()))
