"""Validated rule files → one immutable RuleSet (automaton, guards, gazetteer).

Semantic problems (duplicate ids, unknown groups or country sets, bad regexes,
thresholds on unknown figures) are collected as RuleErrors located in the file.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

from detectors.compiled import (
    ALL,
    CompiledClause,
    CompiledFigure,
    CompiledRule,
    Condition,
    Guard,
    Sharing,
)
from detectors.engine import RuleSet
from detectors.errors import Loc, RuleError, RuleErrors
from detectors.gazetteer import all_codes
from detectors.locate import add_places
from detectors.matcher import MatcherBuilder, TermSyntaxError
from detectors.modality import lexicons
from detectors.spec import RuleFile, RuleSpec
from detectors.types import Severity

_THRESHOLD = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|==|>|<)\s*(\d+)\s*$")
BUILTIN_SETS: dict[str, tuple[str, ...]] = {
    "csto": ("AM", "BY", "KZ", "KG", "RU", "TJ"),
    "central_asia": ("KZ", "KG", "TJ", "TM", "UZ"),
}


class _Labels:
    def __init__(self) -> None:
        self.count = 0

    def new(self) -> int:
        self.count += 1
        return self.count - 1


def compile_rules(files: Sequence[tuple[str, RuleFile]], *, watch: tuple[str, ...]) -> RuleSet:
    """Compile (display path, RuleFile) pairs into one RuleSet, or raise RuleErrors."""
    errors: list[RuleError] = []
    builder = MatcherBuilder()
    labels = _Labels()
    codes = all_codes()

    guards = []
    for lex in lexicons():
        cue, exception, headline, back = labels.new(), labels.new(), labels.new(), labels.new()
        question, ordered, infinitive = labels.new(), labels.new(), labels.new()
        for language, term in lex.cues:
            builder.add(term, language, cue)
        for language, term in lex.exceptions:
            builder.add(term, language, exception)
        for language, term in lex.headline:
            builder.add(term, language, headline)
        for language, term in lex.back:
            builder.add(term, language, back)
        for language, term in lex.question:
            builder.add(term, language, question)
        for language, term in lex.ordered:
            builder.add(term, language, ordered)
        for language, term in lex.headline_infinitive:
            builder.add(term, language, infinitive)
        guards.append(Guard(lex.kind, cue, exception, lex.before, lex.after, headline, back,
                            question, ordered, lex.ordered_within, lex.contrast, infinitive,
                            lex.headline_verbs))

    places = add_places(builder, labels.new)

    groups: dict[frozenset[tuple[str, str]], int] = {}  # identical groups share a label
    rules: list[CompiledRule] = []
    seen: dict[str, str] = {}
    for source, rule_file in files:
        for index, spec in enumerate(rule_file.rules):
            loc: Loc = ("rules", index)
            if spec.id in seen:
                errors.append(RuleError(source, (*loc, "id"),
                                        f"duplicate rule id {spec.id!r} (also in {seen[spec.id]})"))
                continue
            seen[spec.id] = source
            if not spec.enabled:
                continue
            rule = _compile_rule(source, index, spec, rule_file, builder, labels, groups, codes,
                                 watch, errors)
            if rule is not None:
                rules.append(rule)
    if errors:
        raise RuleErrors(errors)
    eager = frozenset({*places, *(g.cue for g in guards), *(g.exception for g in guards),
                       *(g.headline for g in guards), *(g.back for g in guards),
                       *(g.question for g in guards), *(g.ordered for g in guards),
                       *(g.infinitive for g in guards)})
    matcher = builder.build(eager)
    return RuleSet(
        rules=tuple(rules), matcher=matcher, guards=tuple(guards), places=places,
        watch=tuple(watch), _by_id={r.id: r for r in rules},
        sharing=_sharing(rules, matcher.label_terms),
    )


def _shape(rule: CompiledRule) -> tuple[tuple[int, ...], object]:
    """The rule's structure with its groups replaced by slot numbers, and the slots."""
    slots: dict[int, int] = {}

    def s(labels: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(slots.setdefault(label, len(slots)) for label in labels)

    clauses = tuple(
        (s(c.all), s(c.any), s(c.none), c.near, c.none_near, c.where, c.guards)
        for c in rule.clauses
    )
    figures = tuple(
        (f.name, s(f.counts), s(f.after), f.window, s(f.near), f.distance) for f in rule.figures
    )
    exclude = tuple(sorted((s((g,))[0], s(others)) for g, others in rule.exclude.items()))
    return tuple(slots), (clauses, figures, exclude)


def _sharing(rules: list[CompiledRule], label_terms: Mapping[int, frozenset[int]]) -> Sharing:
    shapes: dict[object, int] = {}
    rule_shapes: list[int] = []
    rule_slots: list[tuple[int, ...]] = []
    triggers: list[tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]] = []
    for rule in rules:
        slots, key = _shape(rule)
        shape = shapes.setdefault(key, len(shapes))
        if shape == len(triggers):
            slot_of = {label: slot for slot, label in enumerate(slots)}
            triggers.append(tuple(
                (tuple(slot_of[label] for label in c.all), tuple(slot_of[label] for label in c.any))
                for c in rule.clauses
            ))
        rule_shapes.append(shape)
        rule_slots.append(slots)
    # atoms: terms that belong to exactly the same groups
    membership: dict[int, set[int]] = defaultdict(set)
    for label in {label for slots in rule_slots for label in slots}:
        for term in label_terms.get(label, ()):
            membership[term].add(label)
    atoms: dict[frozenset[int], int] = {}
    term_atom = {t: atoms.setdefault(frozenset(m), len(atoms)) for t, m in membership.items()}
    label_atoms: dict[int, set[int]] = defaultdict(set)
    for labels, atom in atoms.items():
        for label in labels:
            label_atoms[label].add(atom)
    atom_slots: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for index, slots in enumerate(rule_slots):
        for slot, label in enumerate(slots):
            for atom in label_atoms[label]:
                atom_slots[atom].append((index, slot))
    return Sharing(
        term_atom=term_atom,
        atom_slots={a: tuple(v) for a, v in atom_slots.items()},
        shapes=tuple(rule_shapes),
        slot_keys=tuple(tuple((i, s) for s in range(len(slots)))
                        for i, slots in enumerate(rule_slots)),
        triggers=tuple(triggers),
    )


def _compile_rule(
    source: str, index: int, spec: RuleSpec, rule_file: RuleFile, builder: MatcherBuilder,
    labels: _Labels, groups: dict[frozenset[tuple[str, str]], int], codes: frozenset[str],
    watch: tuple[str, ...], errors: list[RuleError],
) -> CompiledRule | None:
    loc: Loc = ("rules", index)
    n_errors = len(errors)

    def err(path: Loc, message: str) -> None:
        errors.append(RuleError(source, (*loc, *path), message))

    group_label: dict[str, int] = {}
    for name, by_lang in spec.terms.items():
        content = frozenset((lang, t) for lang, terms in by_lang.items() for t in terms)
        if not content:
            err(("terms", name), "empty term group")
            continue
        label = groups.get(content)
        if label is None:
            label = groups[content] = labels.new()
            for lang, terms in by_lang.items():
                for i, term in enumerate(terms):
                    try:
                        builder.add(term, lang, label)
                    except TermSyntaxError as exc:
                        err(("terms", name, lang, i), str(exc))
        group_label[name] = label

    def refs(names: tuple[str, ...], path: Loc) -> tuple[int, ...]:
        out = []
        for i, name in enumerate(names):
            if name not in group_label:
                err((*path, i), f"unknown term group {name!r}")
            else:
                out.append(group_label[name])
        return tuple(out)

    figures: list[CompiledFigure] = []
    for name, fig in spec.figures.items():
        figures.append(CompiledFigure(
            name=name, counts=refs(fig.counts, ("figures", name, "counts")),
            after=refs(fig.after, ("figures", name, "after")), window=fig.window,
            near=refs(fig.near, ("figures", name, "near")), distance=fig.distance,
        ))
    figure_names = set(spec.figures)
    exclude: dict[int, tuple[int, ...]] = {}
    for name, others in spec.exclude.items():
        if name not in group_label:
            err(("exclude", name), f"unknown term group {name!r}")
            continue
        exclude[group_label[name]] = refs(others, ("exclude", name))

    headline_none = refs(spec.headline_none, ("headline_none",))
    headline_unless = refs(spec.headline_unless, ("headline_unless",))
    article_none = refs(spec.article_none, ("article_none",))

    def condition(text: str, path: Loc) -> Condition | None:
        m = _THRESHOLD.match(text)
        if m is None:
            err(path, f"not a threshold: {text!r}")
            return None
        if m.group(1) not in figure_names:
            err(path, f"threshold on unknown figure {m.group(1)!r}")
            return None
        return Condition(m.group(1), m.group(2), int(m.group(3)))

    clauses: list[CompiledClause] = []
    if not spec.match:
        err(("match",), "a rule needs at least one clause")
    for c_idx, clause in enumerate(spec.match):
        path: Loc = ("match", c_idx)
        if not clause.all and not clause.any:
            err(path, "a clause needs `all` or `any`")
        where = [condition(t, (*path, "where", i)) for i, t in enumerate(clause.where)]
        clauses.append(CompiledClause(
            all=refs(clause.all, (*path, "all")), any=refs(clause.any, (*path, "any")),
            none=refs(clause.none, (*path, "none")), near=clause.near, none_near=clause.none_near,
            where=tuple(c for c in where if c is not None),
            guards=tuple(clause.guards if clause.guards is not None else spec.guards),
        ))

    escalate = []
    for i, esc in enumerate(spec.escalate):
        cond = condition(esc.when, ("escalate", i, "when"))
        if cond is not None:
            escalate.append((cond, Severity.parse(esc.severity)))

    scope = _scope(spec, rule_file, codes, watch, err)
    for lang, title in spec.title.items():
        if not title.strip():
            err(("title", lang), "empty title")
    if len(errors) > n_errors or scope is None:
        return None
    return CompiledRule(
        id=spec.id, source=source, index=index, titles=dict(spec.title),
        descriptions=dict(spec.description), severity=Severity.parse(spec.severity),
        scope=scope, clauses=tuple(clauses), figures=tuple(figures), escalate=tuple(escalate),
        examples_match=spec.examples.match, examples_no_match=spec.examples.no_match,
        group_names={label: name for name, label in group_label.items()},
        exclude=exclude, headline_none=headline_none, headline_guards=spec.headline_guards,
        headline_unless=headline_unless, article_none=article_none,
    )


def _scope(spec: RuleSpec, rule_file: RuleFile, codes: frozenset[str], watch: tuple[str, ...],
           err: object) -> frozenset[str] | None:
    report = err  # callable(path, message)
    value = spec.countries
    if isinstance(value, str):
        if value == "all":
            return ALL
        if value == "watch":
            return frozenset(watch)
        if value in rule_file.country_sets:
            listed: tuple[str, ...] = rule_file.country_sets[value]
        elif value in BUILTIN_SETS:
            listed = BUILTIN_SETS[value]
        elif value in codes:  # `countries: KZ` is one country
            listed = (value,)
        else:
            report(("countries",), f"unknown country set {value!r}")  # type: ignore[operator]
            return None
    else:
        listed = value
    out = frozenset(c.upper() for c in listed)
    unknown = sorted(out - codes)
    if unknown:
        report(("countries",), f"unknown country code(s): {', '.join(unknown)}")  # type: ignore[operator]
        return None
    return out
