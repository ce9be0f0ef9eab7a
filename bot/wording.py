"""Shared wording: dates in the workspace's zone, short texts, the next meeting in words."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def local_date(moment: datetime, tz: str) -> str:
    """'Mon 3 Nov' in the workspace's timezone."""
    local = moment.astimezone(ZoneInfo(tz))
    return f"{local:%a} {local.day} {local:%b}"


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
