"""Which stretch of time an export (or a log read) covers, in the practice's timezone.

``week``, ``month``, ``quarter`` and ``year`` are the current ones so far (this ISO
week from Monday, this calendar month, ...), ``YYYY-MM`` is that month, and ``all``
is everything. Exports default to ``all``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

PERIOD_WORDS = ("week", "month", "quarter", "year", "all")
DEFAULT_PERIOD = "all"
_MONTH = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})")


class PeriodError(ValueError):
    """A period word we don't know; the message says what to type instead."""


@dataclass(frozen=True)
class Period:
    """[since, until) in UTC; None for an open end. ``label`` names it in file names."""

    label: str
    since: datetime | None = None
    until: datetime | None = None

    def covers(self, moment: datetime) -> bool:
        return (self.since is None or moment >= self.since) and (
            self.until is None or moment < self.until
        )


def is_period_word(word: str) -> bool:
    return word.casefold() in PERIOD_WORDS or _MONTH.fullmatch(word) is not None


def parse_period(word: str | None, *, now: datetime, tz: str) -> Period:
    """The period ``word`` names at ``now`` in timezone ``tz``.

    >>> from datetime import datetime, UTC
    >>> parse_period("2026-11", now=datetime(2026, 12, 1, tzinfo=UTC), tz="UTC").label
    '2026-11'
    """
    word = (word or DEFAULT_PERIOD).strip().casefold()
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    if word == "all":
        return Period("all")
    if word == "week":
        iso = local.isocalendar()
        start = datetime.fromisocalendar(iso.year, iso.week, 1).replace(tzinfo=zone)
        return _period(f"{iso.year}-W{iso.week:02d}", start, None)
    if word == "month":
        return _month(local.year, local.month, zone, open_end=True)
    if word == "quarter":
        first = 3 * ((local.month - 1) // 3) + 1
        start = datetime(local.year, first, 1, tzinfo=zone)
        return _period(f"{local.year}-Q{(first + 2) // 3}", start, None)
    if word == "year":
        return _period(f"{local.year}", datetime(local.year, 1, 1, tzinfo=zone), None)
    found = _MONTH.fullmatch(word)
    if found and 1 <= int(found["month"]) <= 12:
        return _month(int(found["year"]), int(found["month"]), zone, open_end=False)
    raise PeriodError(
        f"I don't know the period “{word[:20]}”. Say one of "
        + ", ".join(f"`{w}`" for w in PERIOD_WORDS)
        + ", or a month like `2026-11`."
    )


def _month(year: int, month: int, zone: ZoneInfo, *, open_end: bool) -> Period:
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return _period(f"{year}-{month:02d}", start, None if open_end else end)


def _period(label: str, since: datetime, until: datetime | None) -> Period:
    return Period(label, since.astimezone(UTC), until.astimezone(UTC) if until else None)
