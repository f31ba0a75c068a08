"""The one adapter from the engine's explanations to what the studio shows.

`explanation_view` takes `RuleSet.explain()` output in its JSON form
(`RuleExplanation.to_dict()`), so that richer explanations (more keys) pass through to
the page unchanged, and it finds in the article what to highlight:
- the sentences that satisfied a clause, or came close;
- the words of each term group that matched (`term`);
- a term cancelled by a modality guard (`guarded`) and the guard's cue (`guard`),
  read from the "group: 'term' guard by 'cue'" reasons;
- the figures' numbers (`figure`).
The article comes back as runs of text with the marks that cover them, so the page
builds it with text nodes only (no HTML from here).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from detectors.explain import RuleExplanation

_GUARDED = re.compile(r"^(?P<group>[^:]+): '(?P<term>.+?)' (?P<guard>[\w-]+) by '(?P<cue>.+?)'")
_NUMBER = re.compile(r"\d[\d\s.,\u00a0\u202f]*")


@dataclass(frozen=True, slots=True)
class Mark:
    field: str  # "title" | "text"
    start: int
    end: int
    kind: str  # sentence | near | term | guarded | guard | figure
    note: str


def explanation_view(explanations: Sequence[RuleExplanation], title: str, text: str
                     ) -> dict[str, Any]:
    """{"rules": [explanation dicts], "title": [runs], "text": [runs]}; a run is
    {"text", "marks": [kinds], "notes": [why]}."""
    rules = [e.to_dict() for e in explanations]
    fields = {"title": title, "text": text}
    marks: list[Mark] = []
    for rule in rules:
        for sentence in rule.get("sentences", ()):
            marks.extend(_sentence_marks(rule["rule"], sentence, fields))
    return {"rules": rules, **{name: _runs(value, [m for m in marks if m.field == name])
                               for name, value in fields.items()}}


def _locate(sentence: str, fields: Mapping[str, str], zone: str) -> tuple[str, int, int]:
    """Where a sentence stands: (field, start, end); the whole field when not found."""
    order = ("title", "text") if zone == "title" else ("text", "title")
    for name in order:
        at = fields[name].find(sentence) if sentence else -1
        if at >= 0:
            return name, at, at + len(sentence)
    squeezed = " ".join(sentence.split())
    for name in order:  # the engine may have joined lines: match on words
        pattern = r"\s+".join(re.escape(w) for w in squeezed.split(" ")) if squeezed else ""
        found = re.search(pattern, fields[name]) if pattern else None
        if found:
            return name, found.start(), found.end()
    return order[0], 0, len(fields[order[0]])


def _find(haystack: str, needle: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    if not needle:
        return
    low = haystack[start:end].casefold()
    wanted = needle.casefold()
    if len(low) != end - start:  # casefold changed lengths (ß): fall back to exact search
        low, wanted = haystack[start:end], needle
    at = low.find(wanted)
    while at >= 0:
        yield start + at, start + at + len(needle)
        at = low.find(wanted, at + len(wanted))


def _sentence_marks(rule: str, sentence: Mapping[str, Any], fields: Mapping[str, str]
                    ) -> list[Mark]:
    field, start, end = _locate(str(sentence.get("text", "")), fields, sentence.get("zone", ""))
    value = fields[field]
    clause = int(sentence.get("clause", 0)) + 1
    matched = bool(sentence.get("matched"))
    failed = [str(f) for f in sentence.get("failed", ())]
    note = (f"{rule}, clause {clause}: matched" if matched
            else f"{rule}, clause {clause}: " + "; ".join(failed or ["not matched"]))
    out = [Mark(field, start, end, "sentence" if matched else "near", note)]
    for group, words in dict(sentence.get("groups", {})).items():
        for word in words:
            out += [Mark(field, s, e, "term", f"{rule}: {group}")
                    for s, e in _find(value, str(word), start, end)]
    for reason in failed:
        found = _GUARDED.match(reason)
        if not found:
            continue
        why = (f"{rule}: the {found['guard']} guard ('{found['cue']}') cancels "
               f"{found['group']} '{found['term']}'")
        out += [Mark(field, s, e, "guarded", why)
                for s, e in _find(value, found["term"], start, end)]
        out += [Mark(field, s, e, "guard", why)
                for s, e in _find(value, found["cue"], start, end)]
    for name, number in dict(sentence.get("figures", {})).items():
        for hit in _NUMBER.finditer(value, start, end):
            digits = re.sub(r"\D", "", hit.group())
            if digits and int(digits) == int(number):
                stripped = hit.group().rstrip(" .,\u00a0\u202f")
                out.append(Mark(field, hit.start(), hit.start() + len(stripped), "figure",
                                f"{rule}: {name} = {int(number):,}"))
    return out


def _runs(value: str, marks: list[Mark]) -> list[dict[str, Any]]:
    cuts = sorted({0, len(value), *(m.start for m in marks), *(m.end for m in marks)})
    runs: list[dict[str, Any]] = []
    for a, b in pairwise(cuts):
        if a >= b:
            continue
        over = [m for m in marks if m.start <= a and b <= m.end]
        kinds = sorted({m.kind for m in over})
        notes = list(dict.fromkeys(m.note for m in over))
        if runs and runs[-1]["marks"] == kinds and runs[-1]["notes"] == notes:
            runs[-1]["text"] += value[a:b]
        else:
            runs.append({"text": value[a:b], "marks": kinds, "notes": notes})
    return runs
