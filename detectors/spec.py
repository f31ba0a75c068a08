"""The schema of one `config/rules/*.yaml` file (validated, not yet compiled).

A file holds a top-level `rules:` list and optional named `country_sets:`.
Every model forbids unknown keys, so typos are reported with their line.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

GuardKind = Literal["negation", "denial", "hypothetical", "advice", "future", "lifted",
                    "historical"]
ALL_GUARDS: tuple[GuardKind, ...] = (
    "negation", "denial", "hypothetical", "advice", "future", "lifted", "historical",
)
SeverityName = Literal["low", "medium", "high", "critical"]
RuleId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
Name = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_-]*$", max_length=64)]
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2}$")]
# A term: words separated by spaces ("state of emergency"), `word*` is a prefix
# wildcard, and `re:PATTERN` is a google-re2 regex over the lowercased sentence.
Term = Annotated[str, Field(min_length=1, max_length=300)]
# "<figure> <op> <integer>", e.g. "detained >= 20"
Threshold = Annotated[str, Field(pattern=r"^\s*[A-Za-z_][A-Za-z0-9_]*\s*(>=|<=|==|>|<)\s*\d+\s*$")]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Clause(Model):
    """One way for a rule to fire, evaluated per sentence."""

    all: tuple[Name, ...] = Field(default=(), description="every group must match")
    any: tuple[Name, ...] = Field(default=(), description="at least one group must match")
    none: tuple[Name, ...] = Field(
        default=(), description="no group may match in the sentence"
    )
    near: Annotated[int, Field(ge=1, le=100)] | None = Field(
        default=None, description="the `all` hits lie within N words (default: same sentence)"
    )
    none_near: Annotated[int, Field(ge=1, le=100)] | None = Field(
        default=None, description="`none` only counts within N words of an `all` hit"
    )
    where: tuple[Threshold, ...] = Field(default=(), description='e.g. "detained >= 20"')
    guards: tuple[GuardKind, ...] | None = Field(
        default=None, description="modality guards for this clause (default: the rule's)"
    )


class FigureSpec(Model):
    """A number that counts something: `<number> [up to `window` words] <counts term>`."""

    counts: tuple[Name, ...] = Field(min_length=1, description="groups naming what is counted")
    after: tuple[Name, ...] = Field(
        default=(), description="also a number right after a term of these groups"
    )
    window: Annotated[int, Field(ge=1, le=10)] = 4
    near: tuple[Name, ...] = Field(
        default=(), description="the number must also lie within `distance` words of these groups"
    )
    distance: Annotated[int, Field(ge=1, le=50)] = 10


class Escalation(Model):
    when: Threshold
    severity: SeverityName


class Examples(Model):
    match: tuple[str, ...] = ()
    no_match: tuple[str, ...] = ()


class RuleSpec(Model):
    id: RuleId
    title: dict[LanguageCode, str] = Field(default_factory=dict)
    description: dict[LanguageCode, str] = Field(default_factory=dict)
    enabled: bool = True
    severity: SeverityName = "medium"
    countries: Name | tuple[Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")], ...] = Field(
        default="watch",
        description="'watch' (settings), 'all', a name from country_sets, or a list of codes",
    )
    terms: dict[Name, dict[LanguageCode, tuple[Term, ...]]] = Field(
        description="term groups: group name → language → terms"
    )
    # at least one clause (checked by the compiler: a pydantic length error here would
    # repeat every error inside the clauses)
    match: tuple[Clause, ...] = Field(description="the rule fires if any clause holds")
    guards: tuple[GuardKind, ...] = ALL_GUARDS
    figures: dict[Name, FigureSpec] = Field(default_factory=dict)
    exclude: dict[Name, tuple[Name, ...]] = Field(
        default_factory=dict,
        description="group → groups whose hits cancel its overlapping hits "
        "(force: [police] drops 'police reinforcements')",
    )
    headline_none: tuple[Name, ...] = Field(
        default=(),
        description="groups that, in the headline or the lead, make the whole article "
        "something else (drills, a withdrawal): the rule does not fire on it",
    )
    article_none: tuple[Name, ...] = Field(
        default=(),
        description="groups that, anywhere in the article, make the whole article something "
        "else (a movement 'to take part in the exercises'): the rule does not fire on it",
    )
    headline_guards: tuple[GuardKind, ...] = Field(
        default=(),
        description="guard kinds that, when they cancel a term of the rule in the headline or "
        "the lead ('state of emergency lifted'), make the whole article about that: the rule "
        "does not fire on it",
    )
    headline_unless: tuple[Name, ...] = Field(
        default=(),
        description="groups that, anywhere in the article, keep it news despite the headline "
        "('continues to be in effect in eight regions')",
    )
    escalate: tuple[Escalation, ...] = ()
    examples: Examples = Examples()


class RuleFile(Model):
    country_sets: dict[Name, tuple[Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")], ...]] = Field(
        default_factory=dict
    )
    rules: tuple[RuleSpec, ...] = ()
