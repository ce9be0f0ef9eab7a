"""Small parsers shared by the commands. Each raises UsageError with what to type instead."""

from __future__ import annotations

import re
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.commands.context import UsageError
from bot.scheduling import WEEKDAYS

_WEEKDAY_ALIASES = {name[:3]: index for index, name in enumerate(WEEKDAYS)} | {
    name: index for index, name in enumerate(WEEKDAYS)
}
_WEEKDAY_ALIASES |= {"tues": 1, "thur": 3, "thurs": 3}


# The largest id any table can hold (PostgreSQL's integer); a bigger number names nothing.
LARGEST_ID = 2**31 - 1


def parse_id(text: str, *, what: str, example: str) -> int:
    """'12' or '#12' -> 12."""
    cleaned = text.strip().lstrip("#")
    if not cleaned.isascii() or not cleaned.isdigit() or int(cleaned) > LARGEST_ID:
        raise UsageError(f"I need a {what} number there, for example `{example}`.")
    return int(cleaned)


def parse_weekday(text: str) -> int:
    index = _WEEKDAY_ALIASES.get(text.strip().casefold())
    if index is None:
        raise UsageError(
            f"“{text[:20]}” isn't a day of the week I know. Use a day name like `monday` or `mon`."
        )
    return index


def parse_time(text: str) -> time:
    match = re.fullmatch(r"(\d{1,2})(?::|\.|h)?(\d{2})?\s*(am|pm)?", text.strip().casefold())
    if not match:
        raise UsageError(
            f"“{text[:20]}” isn't a time I understand. Use 24-hour `HH:MM`, like `08:00`."
        )
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    meridiem = match.group(3)
    if meridiem:
        if not 1 <= hour <= 12:
            raise UsageError("With am/pm the hour is 1 to 12, like `8am` or `8:30am`.")
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        raise UsageError(f"“{text[:20]}” isn't a real time. Use `HH:MM` between 00:00 and 23:59.")
    return time(hour, minute)


def parse_timezone(text: str) -> str:
    name = text.strip()
    if name.upper() == "UTC":
        return "UTC"
    try:
        if name and name in available_timezones():
            ZoneInfo(name)
            return name
    except (ZoneInfoNotFoundError, ValueError):
        pass
    lowered = name.casefold()
    match = next((tz for tz in sorted(available_timezones()) if tz.casefold() == lowered), None)
    if match:
        return match
    raise UsageError(
        f"“{name[:40]}” isn't a timezone I know. Use an IANA name like "
        "`Australia/Sydney`, `Europe/London` or `America/New_York`."
    )


def parse_date(text: str, *, today: date) -> date:
    """'2026-12-25' (or '25/12/2026' is refused as ambiguous)."""
    cleaned = text.strip()
    try:
        parsed = date.fromisoformat(cleaned)
    except ValueError:
        raise UsageError(
            f"“{cleaned[:20]}” isn't a date I can read. Use year-month-day, like `{today.year}-12-25`."
        ) from None
    return parsed
