"""Formatting shared by the commands: dates in the workspace's zone, short texts."""

from __future__ import annotations

from datetime import datetime
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
