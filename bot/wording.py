"""Shared wording: dates in the workspace's zone, short texts, the next meeting in words."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def local_date(moment: datetime, tz: str) -> str:
    """'Mon 3 Nov' in the workspace's timezone (English whatever the server's locale; a
    digest writes thousands of these, so no strftime)."""
    local = moment.astimezone(ZoneInfo(tz))
    return f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}"


def local_full_date(moment: datetime, tz: str) -> str:
    """'3 Nov 2027' in the workspace's timezone."""
    local = moment.astimezone(ZoneInfo(tz))
    return f"{local.day} {local:%b %Y}"


def local_datetime_label(moment: datetime, tz: str) -> str:
    """'Mon 30 Nov, 08:00 (Australia/Sydney)'."""
    local = moment.astimezone(ZoneInfo(tz))
    return f"{local_date(moment, tz)}, {local:%H:%M} ({tz})"


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def describe_next_meeting(meeting: datetime | None, due_now: bool, tz: str) -> str:
    """'Mon 30 Nov, 08:00 (Australia/Sydney) = 2026-11-29 21:00 UTC', or why there is none."""
    if meeting is None:
        return "none planned (paused or skipped for the next year)"
    label = f"{local_datetime_label(meeting, tz)} = {meeting.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    if due_now:
        return f"due now (the clock posts it within a minute; it was due {label})"
    return label


def clock_time(at: time) -> str:
    """'8:30 am', '12:00 pm', '8:15 pm': a time as people say it."""
    hour = at.hour % 12 or 12
    return f"{hour}:{at.minute:02d} {'am' if at.hour < 12 else 'pm'}"


def zone_in_words(tz: str) -> str:
    """'Sydney time (Australia/Sydney)'; 'UTC' stays 'UTC'."""
    if "/" not in tz:
        return tz
    place = tz.rsplit("/", 1)[-1].replace("_", " ")
    return f"{place} time ({tz})"


def day_in_words(day: date) -> str:
    """'Friday 25 December 2026'."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def weekly_in_words(weekday: int, at: time, tz: str) -> str:
    """'Monday 8:30 am Sydney time (Australia/Sydney)'."""
    return f"{calendar.day_name[weekday]} {clock_time(at)} {zone_in_words(tz)}"


def next_in_words(meeting: datetime | None, tz: str) -> str:
    """'next on Mon 7 Dec', or that none is planned."""
    if meeting is None:
        return "none planned for now"
    return f"next on {local_date(meeting, tz)}"
