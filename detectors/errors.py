"""Errors of the rule engine; each one points inside a rule file."""

from __future__ import annotations

from dataclasses import dataclass

Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class RuleError:
    """One semantic problem in a rule file: `loc` is a path inside that file."""

    source: str  # the display path of the rule file
    loc: Loc  # e.g. ("rules", 0, "match", 1, "where", 0)
    message: str

    def __str__(self) -> str:
        where = ".".join(str(p) for p in self.loc)
        return f"{self.source}: {where}: {self.message}"


class RuleErrors(Exception):
    """Every problem found while compiling rules, so that all can be shown at once."""

    def __init__(self, errors: list[RuleError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))
