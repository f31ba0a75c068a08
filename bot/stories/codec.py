"""A story as Redis stores it: one hash per story.

`state` holds the story as compact JSON (its few embeddings as base64 float16), `rev`
its revision (the commit script bumps it), and `m0`…`m3` the shingle sets of its kept
members as packed token bytes. The members stay out of the JSON so that a member is
written once, when it is kept, not again with every change to the story.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.stories.similarity import unpack_tokens
from bot.stories.types import MAX_MEMBERS, Story
from detectors.types import Severity


def _ts(value: datetime) -> float:
    return value.timestamp()


def _dt(value: float) -> datetime:
    return datetime.fromtimestamp(value, tz=UTC)


def dump_story(story: Story) -> str:
    data: dict[str, Any] = {
        "id": story.id, "rule": story.rule, "first": _ts(story.first), "last": _ts(story.last),
        "title": story.title, "url": story.url, "source": story.source,
        "language": story.language, "summary": story.summary,
        "published": _ts(story.published), "countries": list(story.countries),
        "severity": story.severity, "figures": dict(story.figures),
        "alerted_countries": list(story.alerted_countries),
        "alerted_severity": story.alerted_severity,
        "alerted_figures": dict(story.alerted_figures), "sources": list(story.sources),
        "outlet_times": list(story.outlet_times), "reports": story.reports,
        "update_version": story.update_version, "edit_version": story.edit_version,
        "edited_sources": story.edited_sources, "edited_breaking": story.edited_breaking,
        "last_edit": story.last_edit, "breaking": story.breaking,
        "numbers": list(story.numbers), "figures_min": dict(story.figures_min),
        "events": {k: list(v) for k, v in story.events.items()},
        "alerted_rules": list(story.alerted_rules),
        "places": list(story.places), "dates": [list(d) for d in story.dates],
        "years": list(story.years), "scopes": list(story.scopes),
        "stages": list(story.stages),
        "vectors": [base64.b64encode(v).decode() for v in story.vectors],
        "undated": story.undated, "named": list(story.named),
        "weekdays": list(story.weekdays), "day_only": story.day_only,
        "names": list(story.names),
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def load_story(raw: Mapping[Any, Any]) -> Story | None:
    state = raw.get(b"state")
    if not state:
        return None
    d = json.loads(state)
    members = tuple(
        unpack_tokens(raw[f"m{i}".encode()])
        for i in range(MAX_MEMBERS)
        if f"m{i}".encode() in raw
    )
    return Story(
        id=d["id"], rule=d["rule"], first=_dt(d["first"]), last=_dt(d["last"]),
        title=d["title"], url=d["url"], source=d["source"], language=d["language"],
        summary=d["summary"], published=_dt(d["published"]),
        countries=tuple(d["countries"]), severity=Severity(d["severity"]), figures=d["figures"],
        alerted_countries=tuple(d["alerted_countries"]),
        alerted_severity=Severity(d["alerted_severity"]), alerted_figures=d["alerted_figures"],
        sources=tuple(d["sources"]), outlet_times=tuple(d["outlet_times"]),
        reports=d["reports"], update_version=d["update_version"],
        edit_version=d["edit_version"], edited_sources=d["edited_sources"],
        edited_breaking=d["edited_breaking"], last_edit=d["last_edit"],
        breaking=d["breaking"], members=members, numbers=tuple(d["numbers"]),
        figures_min=d["figures_min"], rev=int(raw.get(b"rev", b"0")),
        # Stories stored before issue 12 have one event type, `rule`.
        events={k: tuple(v) for k, v in d.get("events", {}).items()},
        alerted_rules=tuple(d.get("alerted_rules", ())),
        places=tuple(d.get("places", ())),
        dates=tuple((int(m), int(day)) for m, day in d.get("dates", ())),
        years=tuple(d.get("years", ())),
        scopes=tuple(d.get("scopes", ())),
        stages=tuple(d.get("stages", ())),
        vectors=tuple(base64.b64decode(v) for v in d.get("vectors", ())),
        undated=d.get("undated", False),
        named=tuple(d.get("named", ())),
        weekdays=tuple(d.get("weekdays", ())),
        day_only=d.get("day_only", False),
        names=tuple(d.get("names", ())),
    )
