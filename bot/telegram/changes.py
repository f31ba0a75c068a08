"""The changes a chat can make to its subscriber, each built in one place.

A change is a pure function from one `Subscriber` to the next; the handlers hand it to
`SubscriberStore.update`, which applies it atomically, so two quick presses never lose one
another. `/settings <args>` and the settings buttons parse different input but build their
changes here, so a setting means the same whichever way it was made.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, time

from bot.delivery.subscribers import Subscriber, toggle

Change = Callable[[Subscriber], Subscriber]


def set_mode(mode: str) -> Change:
    return lambda s: s.model_copy(update={"mode": mode})


def set_breaking_only(flag: bool) -> Change:
    return lambda s: s.model_copy(update={"breaking_only": flag})


def toggle_breaking_only() -> Change:
    return lambda s: s.model_copy(update={"breaking_only": not s.breaking_only})


def set_timezone(tz: str) -> Change:
    return lambda s: s.model_copy(update={"timezone": tz})


def set_quiet_hours(span: tuple[time, time], tz: str | None = None) -> Change:
    """Quiet hours from `span[0]` to `span[1]`, in `tz` if given, else the chat's zone."""
    update: dict[str, object] = {"quiet_start": span[0], "quiet_end": span[1]}
    if tz is not None:
        update["timezone"] = tz
    return lambda s: s.model_copy(update=update)


def quiet_hours_off() -> Change:
    return lambda s: s.model_copy(update={"quiet_start": None, "quiet_end": None})


def set_muted_until(until: datetime | None) -> Change:
    """Muted until `until`; None unmutes."""
    return lambda s: s.model_copy(update={"muted_until": until})


def set_language_and_thread(language: str, thread: int | None) -> Change:
    """On /start: the user's language, and in a group the forum topic alerts go to."""
    return lambda s: s.model_copy(
        update={"language": language, "thread_id": thread if s.is_group else s.thread_id})


def filter_change(field: str, item: str, universe: Sequence[str]) -> Change:
    """Flip one rule or country; everything on is stored as None, so new ones are included."""
    def change(sub: Subscriber) -> Subscriber:
        flipped = toggle(getattr(sub, field), item, universe)
        value = None if flipped >= set(universe) else flipped
        return sub.model_copy(update={field: value})
    return change


def filter_all(field: str, on: bool) -> Change:
    return lambda sub: sub.model_copy(update={field: None if on else frozenset()})
