"""A complete Alert for rendering and delivery tests; keyword arguments override fields."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.types import Alert, AlertKind
from detectors.types import Severity


def make_alert(**kw: object) -> Alert:
    base: dict[str, object] = dict(
        id="a1", kind=AlertKind.NEW, story_id="s1", rule="mass_detentions",
        countries=("KZ",), severity=Severity.HIGH, title="Police detain protesters in Almaty",
        summary="Police detained hundreds of protesters. The rally was unauthorised.",
        figures={"detained": 8000}, url="https://news.example/a?x=1&y=2", source="Example News",
        published=datetime(2026, 1, 5, 8, 30, tzinfo=UTC), language="en",
    )
    base.update(kw)
    return Alert(**base)  # type: ignore[arg-type]
