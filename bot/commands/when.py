"""Dates and times as people type them: `25/12`, `Dec 25`, `next monday`, `8:30 am`, `0830`.

python-dateutil reads written dates and times; dateparser reads the relative ones
(`tomorrow`, `next monday`). Nothing here is a date grammar of its own: the code only
decides which reading to trust and says so when a date could be read two ways.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from dateparser.date import DateDataParser
from dateutil import parser as dateutil_parser

from bot.commands.context import UsageError
from bot.wording import day_in_words

# Two defaults that differ in every date field: a field that comes back the same from
# both was typed, one that differs was filled in. Both are leap years, so 29/2 reads.
_DEFAULTS = (datetime(2000, 1, 1), datetime(2004, 2, 2))
_YEAR_FIRST = re.compile(r"\s*\d{4}\D")
_MERIDIEM = {"am": "am", "a.m.": "am", "pm": "pm", "p.m.": "pm"}

DATE_EXAMPLES = "`25/12`, `Dec 25`, `tomorrow`, `next monday` or year-month-day like `2026-12-25`"
TIME_EXAMPLES = "`8:30 am`, `8am`, `0830`, or 24-hour `HH:MM` like `20:15`"


@dataclass(frozen=True)
class DateReading:
    """The date understood, and a note when the text could also have meant another."""

    day: date
    note: str | None = None


def _written(text: str, *, dayfirst: bool, yearfirst: bool) -> tuple[date, bool] | None:
    """(the date, whether a year was typed) when ``text`` names a day and a month."""
    try:
        first, second = (
            dateutil_parser.parse(text, default=d, dayfirst=dayfirst, yearfirst=yearfirst)
            for d in _DEFAULTS
        )
    except (ValueError, OverflowError):
        return None
    if first.month != second.month or first.day != second.day:
        return None  # a weekday or a month alone: no day was typed
    return first.date(), first.year == second.year


def _relative(text: str, today: date) -> date | None:
    """`tomorrow`, `next monday`, `this friday`, `in 3 days`: dateparser, from today."""
    parser = DateDataParser(
        languages=["en"],
        settings={
            "RELATIVE_BASE": datetime.combine(today, time(12)),
            "PREFER_DATES_FROM": "future",
            "PARSERS": ["relative-time", "absolute-time"],
        },
    )
    found = parser.get_date_data(text)
    # A period of a week or a month ("next week", "may") names no one day.
    if found.date_obj is None or found.period != "day":
        return None
    return found.date_obj.date()


def read_date(text: str, *, today: date, month_first: bool) -> DateReading:
    """The day ``text`` names, read the practice's way.

    ``month_first`` (the US) reads `12/11` as December 11; elsewhere it is 12 November,
    and the reply says which reading was used. A year left out means the next such
    day from today. Raises UsageError saying what to type instead.
    """
    cleaned = " ".join(text.split())
    if not cleaned:
        raise UsageError(f"Which date? Type it like {DATE_EXAMPLES}.")
    if _YEAR_FIRST.match(cleaned):
        readings = [_written(cleaned, dayfirst=False, yearfirst=True)]
    else:
        readings = [
            _written(cleaned, dayfirst=not month_first, yearfirst=False),
            _written(cleaned, dayfirst=month_first, yearfirst=False),
        ]
    found = [r for r in readings if r is not None]
    if not found:
        relative = _relative(cleaned, today)
        if relative is None:
            raise UsageError(
                f"“{cleaned[:30]}” isn't a date I can read. Type it like {DATE_EXAMPLES}."
            )
        return DateReading(relative)
    day, other = (_upcoming(reading, today) for reading in (found[0], found[-1]))
    if (other.month, other.day) == (day.month, day.day):
        return DateReading(day)
    order = "month first, as in the US" if month_first else "day first"
    return DateReading(
        day,
        f"I read “{cleaned[:20]}” {order}, as {day_in_words(day)}. "
        f"If you meant {other.day} {other:%B}, type `{other.isoformat()}`.",
    )


def _upcoming(reading: tuple[date, bool], today: date) -> date:
    """A day typed without a year is the next such day from today."""
    day, year_typed = reading
    if year_typed:
        return day
    day = _in_year(day, today.year)
    return day if day >= today else _in_year(day, today.year + 1)


def _in_year(day: date, year: int) -> date:
    """The same day and month in ``year``; 29 February moves to the next leap year."""
    while True:
        try:
            return day.replace(year=year)
        except ValueError:
            year += 1


def take_time(words: list[str]) -> tuple[time, int]:
    """The time at the start of ``words`` and how many words it took: `8:30 am` is two."""
    if not words:
        raise UsageError(f"What time? Type it like {TIME_EXAMPLES}.")
    taken = 2 if len(words) > 1 and words[1].casefold() in _MERIDIEM else 1
    return read_time(" ".join(words[:taken])), taken


def read_time(text: str) -> time:
    """'8:30 am', '8.30', '0830', '8am', '20:15' -> a time of day.

    The compact forms people type (`0830`, `8.30`, `8h30`, a bare hour) are put in
    `H:MM` form first; python-dateutil then reads the time and its am/pm.
    """
    raw = " ".join(text.split())
    cleaned = raw.casefold().replace("a.m.", "am").replace("p.m.", "pm")
    compact = re.fullmatch(r"(\d{1,2})(?:[.h:]?(\d{2}))?\s*(am|pm)?", cleaned)
    if compact:
        hour, minute, meridiem = compact.groups()
        if meridiem and not 1 <= int(hour) <= 12:
            raise UsageError("With am/pm the hour is 1 to 12, like `8am` or `8:30 pm`.")
        cleaned = f"{hour}:{minute or '00'} {meridiem or ''}".strip()
    try:
        first, second = (dateutil_parser.parse(cleaned, default=d) for d in _DEFAULTS)
    except (ValueError, OverflowError):
        if compact:
            raise UsageError(
                f"“{raw[:20]}” isn't a real time. Use a time between 00:00 and 23:59, "
                f"like {TIME_EXAMPLES}."
            ) from None
        raise UsageError(
            f"“{raw[:20]}” isn't a time I understand. Use 24-hour `HH:MM`, like `08:30`, "
            "or `8:30 am`."
        ) from None
    if (first.date(), second.date()) != tuple(d.date() for d in _DEFAULTS) or (
        first.time() != second.time()
    ):
        raise UsageError(
            f"“{raw[:20]}” isn't a time I understand. Use 24-hour `HH:MM`, like `08:30`, "
            "or `8:30 am`."
        )
    return first.time().replace(second=0, microsecond=0)
