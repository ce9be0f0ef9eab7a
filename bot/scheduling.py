"""What is due when: pure functions of time and a channel's weekly schedule.

A schedule says "weekday at HH:MM in this IANA timezone". Everything here works in
the schedule's own zone (so 08:00 stays 08:00 across daylight saving) and hands
back aware UTC times. The clock claims each message once per *period* of the
channel's local calendar: a day (``2026-12-01``), an ISO week (``2026-W49``) or a
month (``2026-12``), zero-padded so they sort as strings.

The functions take any object with a schedule's fields (``Schedule``): a
``Subscription`` row, or the clock's ``bot.storage.clock.Target``. The clock,
``huddle jobs list`` and ``/huddle status`` all reckon with these, so they agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.storage.clock import FAILED, POSTED

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


def local_day(moment: datetime, tz: str) -> date:
    """The date it is at ``moment`` in ``tz``."""
    return moment.astimezone(ZoneInfo(tz)).date()


# -- periods -------------------------------------------------------------------------


class Period(StrEnum):
    """How often a job's message comes: once per local day, ISO week or month.

    ``Period.WEEK.of(now, "Australia/Sydney")`` is the key of the week it is now in
    Sydney, e.g. ``"2026-W49"``; a day is ``"2026-12-01"`` and a month ``"2026-12"``.
    """

    DAY = "day"
    WEEK = "week"
    MONTH = "month"

    def of(self, moment: datetime, tz: str) -> str:
        """The key of the period ``moment`` falls in, in ``tz``."""
        return self.key(local_day(moment, tz))

    def key(self, day: date) -> str:
        """The key of the period ``day`` belongs to."""
        if self is Period.DAY:
            return day.isoformat()
        if self is Period.WEEK:
            year, week, _ = day.isocalendar()
            return f"{year:04d}-W{week:02d}"
        return f"{day.year:04d}-{day.month:02d}"

    def first_day(self, key: str) -> date:
        """The period's first day: the day itself, the week's Monday, the 1st of the month."""
        if self is Period.DAY:
            return date.fromisoformat(key)
        if self is Period.WEEK:
            return date.fromisocalendar(*iso_week_of(key), 1)
        year, month = key.split("-")
        return date(int(year), int(month), 1)

    def start(self, key: str, tz: str, at: time = time(0)) -> datetime:
        """The period's first day at ``at`` (midnight by default) in ``tz``, as aware UTC.

        ``Period.DAY.start("2026-12-01", "Australia/Sydney", at=time(7))`` is 07:00 that
        day in Sydney, whatever its offset that day.
        """
        return local_datetime(self.first_day(key), at, ZoneInfo(tz))


def iso_week_of(key: str) -> tuple[int, int]:
    """The ISO (year, week) of a week's key: ``iso_week_of("2026-W49") == (2026, 49)``."""
    year, _, week = key.partition("-W")
    if not week:
        raise ValueError(f"not an ISO week: {key!r}")
    return int(year), int(week)


def last_week(now: datetime, tz: str) -> tuple[datetime, datetime]:
    """[start, end) of the local ISO week before the one ``now`` is in, in UTC."""
    this_week = Period.WEEK.first_day(Period.WEEK.of(now, tz))
    zone = ZoneInfo(tz)
    return (
        local_datetime(this_week - timedelta(days=7), time(0), zone),
        local_datetime(this_week, time(0), zone),
    )


# -- the weekly schedule -------------------------------------------------------------


class Schedule(Protocol):
    """A channel's weekly meeting time: a ``Subscription`` row or a clock target."""

    @property
    def weekday(self) -> int: ...  # 0 = Monday
    @property
    def hour(self) -> int: ...
    @property
    def minute(self) -> int: ...
    @property
    def timezone(self) -> str: ...
    @property
    def paused_until(self) -> date | None: ...
    @property
    def updated_at(self) -> datetime: ...  # when the schedule was last set


def occurrence_in_week(iso_year: int, iso_week: int, weekday: int, at: time, tz: str) -> datetime:
    """When the post of ISO week (year, week) is due, in UTC."""
    day = date.fromisocalendar(iso_year, iso_week, weekday + 1)
    return local_datetime(day, at, ZoneInfo(tz))


def meeting_time(schedule: Schedule, now: datetime) -> datetime:
    """When the meeting of the local week ``now`` is in is due, in UTC."""
    year, week = iso_week_of(Period.WEEK.of(now, schedule.timezone))
    at = time(schedule.hour, schedule.minute)
    return occurrence_in_week(year, week, schedule.weekday, at, schedule.timezone)


def blocked_on(schedule: Schedule, day: date, skipped: set[date] | frozenset[date]) -> bool:
    """A skipped date, or a date before the end of a pause."""
    return day in skipped or (schedule.paused_until is not None and day < schedule.paused_until)


def meeting_due(schedule: Schedule, now: datetime, skipped: set[date] | frozenset[date]) -> bool:
    """This week's meeting is due now: its time has come this local week, and it is not skipped.

    A schedule set (or changed) after this week's time starts next week, as
    ``/huddle status`` says; a clock that was down catches up later the same week.
    """
    return meeting_may_retry(schedule, now, skipped) and schedule.updated_at <= meeting_time(
        schedule, now
    )


def meeting_may_retry(
    schedule: Schedule, now: datetime, skipped: set[date] | frozenset[date]
) -> bool:
    """This week's meeting may go out now: its time has come, and it is not skipped or paused.

    (A failed post is retried on these terms until the channel's week ends.)
    """
    due_at = meeting_time(schedule, now)
    if due_at > now:
        return False
    return not blocked_on(schedule, local_day(due_at, schedule.timezone), skipped)


def nudge_time(schedule: Schedule, now: datetime, nudge_weekday: int) -> datetime | None:
    """When this week's story nudge is due, or None when the week has no nudge.

    The nudge comes on ``nudge_weekday`` at the meeting's time, and only after the
    meeting: a channel that meets on Wednesday or later gets no Wednesday nudge.
    """
    if nudge_weekday <= schedule.weekday:
        return None
    year, week = iso_week_of(Period.WEEK.of(now, schedule.timezone))
    at = time(schedule.hour, schedule.minute)
    return occurrence_in_week(year, week, nudge_weekday, at, schedule.timezone)


def nudge_due(
    schedule: Schedule, now: datetime, skipped: set[date] | frozenset[date], nudge_weekday: int
) -> bool:
    """The nudge is due: its time has come today (a missed nudge is not sent on a later day)."""
    due_at = nudge_time(schedule, now, nudge_weekday)
    if due_at is None or due_at > now:
        return False
    day = local_day(due_at, schedule.timezone)
    return day == local_day(now, schedule.timezone) and not blocked_on(schedule, day, skipped)


def next_occurrence(weekday: int, at: time, tz: str, after: datetime) -> datetime:
    """The first time strictly after ``after`` that is ``weekday`` at ``at`` in ``tz``."""
    zone = ZoneInfo(tz)
    day = local_day(after, tz)
    for offset in range(0, 15):
        candidate = day + timedelta(days=offset)
        if candidate.weekday() != weekday:
            continue
        due = local_datetime(candidate, at, zone)
        if due > after:
            return due
    raise AssertionError("a weekday recurs within 15 days")  # pragma: no cover


def next_post_time(
    *,
    weekday: int,
    at: time,
    tz: str,
    after: datetime,
    skipped: set[date] | frozenset[date] = frozenset(),
    paused_until: date | None = None,
    posted_weeks: set[str] | frozenset[str] = frozenset(),
) -> datetime:
    """The next time a subscription will post, honouring skips, a pause and posted weeks.

    ``posted_weeks`` are week keys (``"2026-W49"``) that already have their post.
    """
    moment = after
    for _ in range(0, 60):
        due = next_occurrence(weekday, at, tz, moment)
        day = local_day(due, tz)
        blocked = (
            day in skipped
            or (paused_until is not None and day < paused_until)
            or Period.WEEK.key(day) in posted_weeks
        )
        if not blocked:
            return due
        moment = due
    raise ValueError("no post in the next 60 weeks: paused or skipped throughout")


@dataclass(frozen=True)
class NextRuns:
    """What the clock will next send a channel: what `huddle jobs list` and `/huddle status` say."""

    meeting: datetime | None  # the next meeting post, UTC; None when paused or skipped for a year
    due_now: bool  # owed now: the clock posts it on its next tick
    nudge: datetime | None  # the next story nudge it would send (unless a story comes first)


def next_runs(
    schedule: Schedule,
    now: datetime,
    skipped: set[date] | frozenset[date],
    this_week: str | None,
    nudge_weekday: int,
) -> NextRuns:
    """When the clock next posts the meeting and nudges, given this local week's meeting status.

    ``this_week`` is the status of this week's meeting post (None when there is none).
    A nudge goes in the thread of its own week's post, so it is only ever listed for a
    week that has (or is about to have) its meeting.
    """
    due_now = this_week is None and meeting_due(schedule, now, skipped)
    if due_now:
        meeting = meeting_time(schedule, now)
    else:
        has_row = {Period.WEEK.of(now, schedule.timezone)} if this_week is not None else set()
        meeting = _next_meeting(schedule, now, skipped, also_blocked=has_row)
    # A failed post is being retried; one left "claimed" may never be confirmed (no nudge).
    this_week_posts = due_now or this_week in (POSTED, FAILED)
    nudge = None
    for moment in _meeting_moments(schedule, now, skipped, meeting, this_week_posts):
        at = nudge_time(schedule, moment, nudge_weekday)
        if at is None:
            break
        if at > now and not blocked_on(schedule, local_day(at, schedule.timezone), skipped):
            nudge = at
            break
    return NextRuns(meeting=meeting, due_now=due_now, nudge=nudge)


def _next_meeting(
    schedule: Schedule, after: datetime, skipped, also_blocked=frozenset()
) -> datetime | None:
    try:
        return next_post_time(
            weekday=schedule.weekday,
            at=time(schedule.hour, schedule.minute),
            tz=schedule.timezone,
            after=after,
            skipped=skipped,
            paused_until=schedule.paused_until,
            posted_weeks=also_blocked,
        )
    except ValueError:
        return None


def _meeting_moments(schedule: Schedule, now, skipped, meeting, this_week_posts):
    """A moment in each coming week that gets a meeting post, soonest first (at most a year)."""
    if this_week_posts:
        yield now
    for _ in range(53):
        if meeting is None:
            return
        yield meeting
        meeting = _next_meeting(schedule, meeting, skipped)
