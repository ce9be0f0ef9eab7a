"""The periods a service report covers: a month, a quarter or a year, in the practice's zone.

``read_period("quarter", today=date(2026, 11, 20))`` is Q4 2026 so far, compared with
Q3 2026; ``read_period("2026-10", ...)`` is October 2026, compared with September.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.scheduling import local_datetime

PERIOD_WORDS = ("month", "quarter", "year")
PERIOD_HINT = (
    "Type `/huddle report` (this month), `/huddle report quarter`, `/huddle report year`, "
    "or a month like `/huddle report 2026-10`."
)


class PeriodError(ValueError):
    """A period that cannot be read; the message says what to type instead."""


@dataclass(frozen=True)
class Span:
    """[first, end) in local days, and how people call it ("November 2026", "Q4 2026")."""

    first: date
    end: date  # the day after the last
    label: str

    def window(self, tz: str) -> tuple[datetime, datetime]:
        """[start, end) as aware UTC: local midnights in ``tz``."""
        zone = ZoneInfo(tz)
        return local_datetime(self.first, time(0), zone), local_datetime(self.end, time(0), zone)


@dataclass(frozen=True)
class ReportPeriod:
    """What a report covers (``this``), what it is compared with (``last``)."""

    kind: str  # "month" | "quarter" | "year"
    this: Span
    last: Span
    so_far: bool  # the period has not ended yet (figures to date)
    key: str  # "2026-11", "2026-Q4", "2026": for file names

    @property
    def label(self) -> str:
        return f"{self.this.label} so far" if self.so_far else self.this.label


def _month(year: int, month: int) -> Span:
    first = date(year, month, 1)
    end = date(year + month // 12, month % 12 + 1, 1)
    return Span(first, end, f"{first:%B %Y}")


def _quarter(year: int, quarter: int) -> Span:
    first = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return Span(first, end, f"Q{quarter} {year}")


def _year(year: int) -> Span:
    return Span(date(year, 1, 1), date(year + 1, 1, 1), str(year))


def month_period(year: int, month: int, *, today: date) -> ReportPeriod:
    """That month, against the month before."""
    this = _month(year, month)
    last = _month(year - 1, 12) if month == 1 else _month(year, month - 1)
    return ReportPeriod("month", this, last, today < this.end, f"{year:04d}-{month:02d}")


def previous_month(today: date) -> ReportPeriod:
    """The month before ``today``'s: what the monthly post reports on."""
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return month_period(year, month, today=today)


def read_period(text: str, *, today: date) -> ReportPeriod:
    """``month`` (the default), ``quarter``, ``year`` (each so far) or ``YYYY-MM``."""
    word = text.strip().casefold() or "month"
    if word in {"month", "this month"}:
        return month_period(today.year, today.month, today=today)
    if word in {"quarter", "this quarter"}:
        q = (today.month - 1) // 3 + 1
        this = _quarter(today.year, q)
        last = _quarter(today.year - 1, 4) if q == 1 else _quarter(today.year, q - 1)
        return ReportPeriod("quarter", this, last, True, f"{today.year:04d}-Q{q}")
    if word in {"year", "this year"}:
        return ReportPeriod(
            "year", _year(today.year), _year(today.year - 1), True, f"{today.year:04d}"
        )
    found = re.fullmatch(r"(\d{4})-(\d{1,2})", word)
    if not found:
        raise PeriodError(f"I can't read that period. {PERIOD_HINT}")
    year, month = int(found[1]), int(found[2])
    if not 1 <= month <= 12 or year < 2000:
        raise PeriodError(f"There is no month {word}. {PERIOD_HINT}")
    if date(year, month, 1) > today:
        raise PeriodError(f"{date(year, month, 1):%B %Y} hasn't started yet. {PERIOD_HINT}")
    return month_period(year, month, today=today)
