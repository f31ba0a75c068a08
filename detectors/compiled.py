"""The compiled form of the watch rules: what the compiler builds and the engine reads.

Groups, guard cues and figure terms are referred to by their integer labels in
the one automaton (`Matcher`) that every rule shares. Every type is frozen: a
rule set is compiled once and swapped whole on reload, never patched.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from detectors.types import Severity

ALL = frozenset({"*"})  # `countries=ALL`: report events wherever they happen

OPS: dict[str, Callable[[int, int], bool]] = {
    ">=": operator.ge, "<=": operator.le, "==": operator.eq, ">": operator.gt, "<": operator.lt,
}


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
    headline_none: tuple[int, ...] = ()  # groups that, in the headline or lead, cancel the rule
    article_none: tuple[int, ...] = ()  # groups that, anywhere in the article, cancel the rule
    headline_guards: tuple[str, ...] = ()  # guards that, cancelling a term there, do too
    headline_unless: tuple[int, ...] = ()  # groups that, anywhere, undo those three


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
    # shape id → per clause, its `all` slots and `any` slots: a clause can only hold if
    # every `all` group (or, without any, one `any` group) has a hit somewhere
    triggers: tuple[tuple[tuple[tuple[int, ...], tuple[int, ...]], ...], ...] = ()

    def possible(self, shape: int, masks: tuple[int | None, ...]) -> bool:
        """Can a rule of this shape, with these hits per slot, match at all?"""
        return any(
            all(masks[s] for s in all_slots) if all_slots else any(masks[s] for s in any_slots)
            for all_slots, any_slots in self.triggers[shape]
        )


@dataclass(frozen=True, slots=True)
class Guard:
    kind: str
    cue: int  # label
    exception: int  # label
    before: int
    after: int
    headline: int  # label of the cues that frame the whole document from the headline
    back: int = -1  # label of the cues that cancel the previous sentence ("refuted these reports")
    question: int = -1  # label of the words that make a headline a question ("Will…?", "ли")
    ordered: int = -1  # label of the words of an order that a cue after them carries out
    ordered_within: int = 0  # how many words before a cue an order may stand
    contrast: frozenset[str] = frozenset()  # words a sentence-wide cue does not reach across
    infinitive: int = -1  # label of a headline's "to" after its subject ("Russia to send…")
    headline_verbs: frozenset[str] = frozenset()  # words that make that "to" a destination

