"""What is due when: pure functions of time and a subscription's local schedule.

A subscription says "weekday at HH:MM in this IANA timezone". Everything here
works in the subscription's own zone (so 08:00 stays 08:00 across daylight
saving) and hands back aware UTC times.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def utc_now() -> datetime:
    return datetime.now(UTC)


def local_datetime(day: date, at: time, zone: ZoneInfo) -> datetime:
    """``day`` at ``at`` in ``zone``, as aware UTC.

    A wall time that does not exist (the hour skipped when clocks go forward)
    moves forward by the size of the gap (02:30 becomes 03:30); an ambiguous one
    (the hour repeated when clocks go back) is the first of the two. Both follow
    from PEP 495's ``fold=0``.
    """
    return datetime.combine(day, at).replace(tzinfo=zone, fold=0).astimezone(UTC)


def occurrence_in_week(iso_year: int, iso_week: int, weekday: int, at: time, tz: str) -> datetime:
    """When the post of ISO week (year, week) is due, in UTC."""
    day = date.fromisocalendar(iso_year, iso_week, weekday + 1)
    return local_datetime(day, at, ZoneInfo(tz))


def local_iso_week(moment: datetime, tz: str) -> tuple[int, int]:
    """The ISO (year, week) that ``moment`` falls in, in ``tz``."""
    year, week, _ = moment.astimezone(ZoneInfo(tz)).isocalendar()
    return year, week


def next_occurrence(weekday: int, at: time, tz: str, after: datetime) -> datetime:
    """The first time strictly after ``after`` that is ``weekday`` at ``at`` in ``tz``."""
    zone = ZoneInfo(tz)
    local_day = after.astimezone(zone).date()
    for offset in range(0, 15):
        day = local_day + timedelta(days=offset)
        if day.weekday() != weekday:
            continue
        due = local_datetime(day, at, zone)
        if due > after:
            return due
    raise AssertionError("a weekday recurs within 15 days")  # pragma: no cover


def next_post_time(
    *,
    weekday: int,
    at: time,
    tz: str,
    after: datetime,
    skipped: set[date] = frozenset(),
    paused_until: date | None = None,
    posted_weeks: set[tuple[int, int]] = frozenset(),
) -> datetime:
    """The next time a subscription will post, honouring skips, a pause and posted weeks."""
    zone = ZoneInfo(tz)
    moment = after
    for _ in range(0, 60):
        due = next_occurrence(weekday, at, tz, moment)
        local_day = due.astimezone(zone).date()
        week = tuple(local_day.isocalendar())[:2]
        blocked = (
            local_day in skipped
            or (paused_until is not None and local_day < paused_until)
            or week in posted_weeks
        )
        if not blocked:
            return due
        moment = due
    raise ValueError("no post in the next 60 weeks: paused or skipped throughout")
