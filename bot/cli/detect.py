"""`eventwatch detect` and `eventwatch schema`: the rule engine as a batch tool.

`detect` reads JSON Lines (one article per line) and writes one JSON line per
article with its events; a bad line is reported on stderr with its number, the
rest are still processed, and the exit code is 1 at the end. `--file` classifies
one plain-text article instead, `--explain` adds the engine's reasons (with each
rule's closest call: the sentence that fired it, or the nearest one and what it lacks) and
`--countries all|AM,BY,…` overrides every rule's country scope.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from bot.ops.progress import Progress
from bot.types import detection_json
from detectors.engine import RuleSet
from detectors.spec import RuleFile
from detectors.types import Document

log = logging.getLogger(__name__)


class Article(BaseModel):
    """An article given on the command line; unknown keys (labels, notes…) are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    title: str = ""
    text: str = ""
    language: str | None = None
    url: str | None = None
    published: datetime | None = None

    @field_validator("published")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def document(self) -> Document:
        return Document(self.title, self.text, self.language, self.url, self.published)


class InputRecord(Article):
    """One line of `eventwatch detect`."""

    id: str
    text: str

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _classify(rules: RuleSet, record_id: str, doc: Document, *, explain: bool,
              countries: frozenset[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": record_id,
        "events": [detection_json(d) for d in rules.detect(doc, countries=countries)],
    }
    if explain:
        out["explain"] = [e.to_dict() for e in rules.explain(doc, countries=countries)]
    return out


def _write(stdout: TextIO, obj: dict[str, Any]) -> None:
    stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def run_detect(rules: RuleSet, stdin: TextIO, stdout: TextIO, stderr: TextIO, *, explain: bool,
               countries: frozenset[str] | None, file: Path | None) -> int:
    """Classify JSONL from stdin (or one plain-text `file`); 0 if every line was good, else 1."""
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"{file}: cannot read: {exc}", file=stderr)
            return 1
        doc = Document(title="", text=text)
        _write(stdout, _classify(rules, file.name, doc, explain=explain, countries=countries))
        return 0

    with Progress(None, stderr, label="detect", unit=" articles") as progress:
        bad = _detect_lines(rules, stdin, stdout, stderr, explain=explain,
                            countries=countries, progress=progress)
    return 1 if bad else 0


def _detect_lines(rules: RuleSet, stdin: TextIO, stdout: TextIO, stderr: TextIO, *,
                  explain: bool, countries: frozenset[str] | None, progress: Progress) -> int:
    bad = 0
    for number, line in enumerate(stdin, start=1):
        progress.advance()  # a bar on a terminal only: stdout stays clean JSON Lines
        if not line.strip():
            continue
        try:
            record = InputRecord.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            bad += 1
            print(f"line {number}: invalid JSON: {exc.msg}", file=stderr)
            continue
        except ValidationError as exc:
            bad += 1
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '-'}: {e['msg']}"
                for e in exc.errors(include_url=False)
            )
            print(f"line {number}: {problems}", file=stderr)
            continue
        _write(stdout, _classify(rules, record.id, record.document(),
                                 explain=explain, countries=countries))
    return bad


def print_schema(stdout: TextIO) -> int:
    """The JSON Schema of one rule file, for editors that autocomplete YAML."""
    schema = RuleFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema.setdefault("title", "eventwatch rule file")
    stdout.write(json.dumps(schema, ensure_ascii=False, indent=2) + "\n")
    return 0
