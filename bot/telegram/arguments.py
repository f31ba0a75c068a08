"""Parsing what users type after a command: durations, quiet hours, time zones.

Pure functions that return None on bad input, so handlers can answer with help.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

MAX_MUTE = timedelta(days=365)

_UNITS = {
    "s": 1, "sec": 1, "secs": 1, "с": 1, "сек": 1,
    "m": 60, "min": 60, "mins": 60, "м": 60, "мин": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600, "ч": 3600, "час": 3600,
    "d": 86400, "day": 86400, "days": 86400, "д": 86400, "дн": 86400, "день": 86400,
    "дня": 86400, "дней": 86400,
    "w": 604800, "week": 604800, "weeks": 604800, "н": 604800, "нед": 604800,
}
_PART = re.compile(r"(\d{1,6})\s*([^\W\d_]*)")


def parse_duration(text: str) -> timedelta | None:
    """"30m", "2h", "1d", "1h30m", "2 ч"; a bare number means minutes. None if invalid."""
    s = text.strip().lower()
    if not s:
        return None
    total, pos = 0, 0
    for m in _PART.finditer(s):
        if s[pos : m.start()].strip():
            return None  # garbage between parts
        unit = m.group(2) or "m"
        if unit not in _UNITS:
            return None
        total += int(m.group(1)) * _UNITS[unit]
        pos = m.end()
    if pos == 0 or s[pos:].strip():
        return None
    if total <= 0:
        return None
    return min(timedelta(seconds=total), MAX_MUTE)


_CLOCK = r"(\d{1,2})(?::(\d{2}))?"
_RANGE = re.compile(rf"^{_CLOCK}\s*[-–—]\s*{_CLOCK}$")


def parse_quiet(text: str) -> tuple[time, time] | None:
    """"22-07" or "22:30-07:00" → (start, end) local times; None if invalid or empty."""
    m = _RANGE.match(text.strip())
    if not m:
        return None
    h1, m1, h2, m2 = (int(g) if g else 0 for g in m.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        return None
    start, end = time(h1, m1), time(h2, m2)
    return None if start == end else (start, end)


_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})$")


def parse_timezone(text: str) -> str | None:
    """An IANA name in any letter case ("asia/almaty"), "UTC", or a whole-hour "UTC+5"."""
    s = text.strip()
    if not s:
        return None
    if s.upper() in {"UTC", "GMT", "Z"}:
        return "UTC"
    m = _OFFSET.match(s.lower())
    if m:
        hours = int(m.group(2))
        if hours > 14:
            return None
        if hours == 0:
            return "UTC"
        # POSIX-style Etc zones invert the sign: UTC+5 is Etc/GMT-5.
        return f"Etc/GMT{'-' if m.group(1) == '+' else '+'}{hours}"
    if "/" in s or s.isalpha():
        canonical = _zones_by_lower().get(s.lower())
        if canonical:
            try:
                ZoneInfo(canonical)
            except (ZoneInfoNotFoundError, ValueError):
                return None
            return canonical
    return None


_ZONES: dict[str, str] = {}


def _zones_by_lower() -> dict[str, str]:
    if not _ZONES:
        _ZONES.update({z.lower(): z for z in available_timezones()})
    return _ZONES


def format_duration(delta: timedelta, language: str = "en") -> str:
    """2 h 30 min / 2 ч 30 мин."""
    seconds = int(delta.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    units = ("d", "h", "min") if language != "ru" else ("д", "ч", "мин")
    parts = [f"{v} {u}" for v, u in zip((days, hours, minutes), units, strict=True) if v]
    return " ".join(parts) or ("<1 min" if language != "ru" else "<1 мин")
