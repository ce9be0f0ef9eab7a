"""Formatting shared by the commands: dates in the workspace's zone, short texts."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def local_date(moment: datetime, tz: str) -> str:
    """'Mon 23 Nov' in the workspace's timezone."""
    return moment.astimezone(ZoneInfo(tz)).strftime("%a %d %b").replace(" 0", " ")


def local_datetime_label(moment: datetime, tz: str) -> str:
    """'Mon 30 Nov, 08:00 (Australia/Sydney)'."""
    local = moment.astimezone(ZoneInfo(tz))
    return f"{local.strftime('%a %d %b, %H:%M').replace(' 0', ' ', 1)} ({tz})"


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def local_full_date(moment: datetime, tz: str) -> str:
    """'23 Nov 2027' in the workspace's timezone."""
    return moment.astimezone(ZoneInfo(tz)).strftime("%d %b %Y").lstrip("0")
