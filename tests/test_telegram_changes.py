"""The subscriber changes that /settings and the settings buttons share (telegram/changes)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from bot.delivery.subscribers import Subscriber
from bot.telegram import changes

SUB = Subscriber(chat_id=1, timezone="Europe/Moscow")


def test_settings_changes() -> None:
    assert changes.set_mode("daily")(SUB).mode == "daily"
    assert changes.set_breaking_only(True)(SUB).breaking_only is True
    assert changes.toggle_breaking_only()(changes.toggle_breaking_only()(SUB)) == SUB
    assert changes.set_timezone("Asia/Almaty")(SUB).timezone == "Asia/Almaty"


def test_quiet_hours_keep_the_zone_unless_one_is_given() -> None:
    quiet = changes.set_quiet_hours((time(22), time(7)))(SUB)
    assert (quiet.quiet_start, quiet.quiet_end, quiet.timezone) == (
        time(22), time(7), "Europe/Moscow")
    zoned = changes.set_quiet_hours((time(23), time(8)), "Asia/Almaty")(SUB)
    assert (zoned.quiet_start, zoned.timezone) == (time(23), "Asia/Almaty")
    off = changes.quiet_hours_off()(zoned)
    assert (off.quiet_start, off.quiet_end, off.timezone) == (None, None, "Asia/Almaty")


def test_mute_and_unmute() -> None:
    until = datetime(2030, 1, 1, tzinfo=UTC)
    muted = changes.set_muted_until(until)(SUB)
    assert muted.muted_until == until
    assert changes.set_muted_until(None)(muted).muted_until is None


def test_language_and_thread_apply_the_thread_in_groups_only() -> None:
    private = changes.set_language_and_thread("ru", 7)(SUB.model_copy(update={"thread_id": 3}))
    assert (private.language, private.thread_id) == ("ru", 3)
    group = Subscriber(chat_id=-5, chat_type="supergroup")
    assert changes.set_language_and_thread("en", 7)(group).thread_id == 7


def test_filters_store_everything_on_as_none() -> None:
    universe = ["AM", "BY", "KZ"]
    off = changes.filter_change("countries", "BY", universe)(SUB)
    assert off.countries == frozenset({"AM", "KZ"})
    assert changes.filter_change("countries", "BY", universe)(off).countries is None
    assert changes.filter_all("rules", False)(SUB).rules == frozenset()
    assert changes.filter_all("rules", True)(off).rules is None
