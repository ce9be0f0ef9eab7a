"""What the clock owes each channel this week: pure functions of time and a subscription.

Everything is worked out in the subscription's own timezone, so "Monday 08:00"
stays 08:00 across daylight saving, and the week is the channel's local ISO week:
the clock never posts for a week that has ended where the channel is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.model import ConversationRef
from bot.scheduling import local_datetime, local_iso_week, next_post_time, occurrence_in_week
from bot.storage.meetings import FAILED, POSTED


@dataclass(frozen=True)
class Target:
    """An active subscription with everything needed to post to it."""

    subscription_id: int
    workspace_id: int  # our id
    platform: str
    external_workspace_id: str  # the platform's id (Slack team, Teams tenant)
    channel_id: str
    weekday: int
    hour: int
    minute: int
    timezone: str
    paused_until: date | None
    updated_at: datetime

    @classmethod
    def of(cls, subscription, workspace) -> Target:
        """The target of a ``Subscription`` row in its ``Workspace``."""
        return cls(
            subscription_id=subscription.id,
            workspace_id=subscription.workspace_id,
            platform=workspace.platform,
            external_workspace_id=workspace.external_id,
            channel_id=subscription.channel_id,
            weekday=subscription.weekday,
            hour=subscription.hour,
            minute=subscription.minute,
            timezone=subscription.timezone,
            paused_until=subscription.paused_until,
            updated_at=subscription.updated_at,
        )

    @property
    def at(self) -> time:
        return time(self.hour, self.minute)

    @property
    def key(self) -> tuple[int, str]:
        return (self.workspace_id, self.channel_id)

    def ref(self, thread_id: str | None = None) -> ConversationRef:
        return ConversationRef(
            platform=self.platform,
            workspace_id=self.external_workspace_id,
            channel_id=self.channel_id,
            thread_id=thread_id,
        )

    def claim(self, now: datetime, **columns) -> dict:
        """A row claiming this channel's local week (for ``claim_weeks``), plus ``columns``."""
        year, week = self.week(now)
        return {
            "workspace_id": self.workspace_id,
            "channel_id": self.channel_id,
            "iso_year": year,
            "iso_week": week,
            "attempts": 0,
            "claimed_at": now,
            **columns,
        }

    def week(self, now: datetime) -> tuple[int, int]:
        """The ISO (year, week) it is now where this channel is."""
        return local_iso_week(now, self.timezone)

    def local_date(self, now: datetime) -> date:
        return now.astimezone(ZoneInfo(self.timezone)).date()

    def meeting_time(self, now: datetime) -> datetime:
        """When this week's meeting is due, in UTC."""
        year, week = self.week(now)
        return occurrence_in_week(year, week, self.weekday, self.at, self.timezone)

    def week_start(self, now: datetime) -> datetime:
        """Monday 00:00 of this local week, in UTC."""
        year, week = self.week(now)
        return local_datetime(date.fromisocalendar(year, week, 1), time(0), ZoneInfo(self.timezone))

    def last_week(self, now: datetime) -> tuple[datetime, datetime]:
        """[start, end) of the previous local ISO week, in UTC."""
        end = self.week_start(now)
        monday = end.astimezone(ZoneInfo(self.timezone)).date() - timedelta(days=7)
        return local_datetime(monday, time(0), ZoneInfo(self.timezone)), end

    def blocked_on(self, day: date, skipped: set[date]) -> bool:
        """A skipped date, or a date before the end of a pause."""
        return day in skipped or (self.paused_until is not None and day < self.paused_until)


def meeting_due(target: Target, now: datetime, skipped: set[date]) -> bool:
    """This week's meeting is due now: its time has come this local week, and it is not skipped.

    A schedule set (or changed) after this week's time starts next week, as
    ``/huddle status`` says; a clock that was down catches up later the same week.
    """
    return meeting_may_retry(target, now, skipped) and target.updated_at <= target.meeting_time(now)


def meeting_may_retry(target: Target, now: datetime, skipped: set[date]) -> bool:
    """This week's meeting may go out now: its time has come, and it is not skipped or paused.

    (A failed post is retried on these terms until the channel's week ends.)
    """
    due_at = target.meeting_time(now)
    if due_at > now:
        return False
    return not target.blocked_on(due_at.astimezone(ZoneInfo(target.timezone)).date(), skipped)


def nudge_time(target: Target, now: datetime, nudge_weekday: int) -> datetime | None:
    """When this week's story nudge is due, or None when the week has no nudge.

    The nudge comes on ``nudge_weekday`` at the meeting's time, and only after the
    meeting: a channel that meets on Wednesday or later gets no Wednesday nudge.
    """
    if nudge_weekday <= target.weekday:
        return None
    year, week = target.week(now)
    return occurrence_in_week(year, week, nudge_weekday, target.at, target.timezone)


def nudge_due(target: Target, now: datetime, skipped: set[date], nudge_weekday: int) -> bool:
    """The nudge is due: its time has come today (a missed nudge is not sent on a later day)."""
    due_at = nudge_time(target, now, nudge_weekday)
    if due_at is None or due_at > now:
        return False
    day = due_at.astimezone(ZoneInfo(target.timezone)).date()
    return day == target.local_date(now) and not target.blocked_on(day, skipped)


@dataclass(frozen=True)
class NextRuns:
    """What the clock will next send a channel: what `huddle jobs list` and `/huddle status` say."""

    meeting: datetime | None  # the next meeting post, UTC; None when paused or skipped for a year
    due_now: bool  # owed now: the clock posts it on its next tick
    nudge: datetime | None  # the next story nudge it would send (unless a story comes first)


def next_runs(
    target: Target,
    now: datetime,
    skipped: set[date],
    this_week: str | None,
    nudge_weekday: int,
) -> NextRuns:
    """When the clock next posts the meeting and nudges, given this local week's meeting status.

    ``this_week`` is the status of this week's meeting post (None when there is none).
    A nudge goes in the thread of its own week's post, so it is only ever listed for a
    week that has (or is about to have) its meeting.
    """
    due_now = this_week is None and meeting_due(target, now, skipped)
    if due_now:
        meeting = target.meeting_time(now)
    else:
        has_row = {target.week(now)} if this_week is not None else set()
        meeting = _next_meeting(target, now, skipped, also_blocked=has_row)
    # A failed post is being retried; one left "claimed" may never be confirmed (no nudge).
    this_week_posts = due_now or this_week in (POSTED, FAILED)
    nudge = None
    for moment in _meeting_moments(target, now, skipped, meeting, this_week_posts):
        at = nudge_time(target, moment, nudge_weekday)
        if at is None:
            break
        day = at.astimezone(ZoneInfo(target.timezone)).date()
        if at > now and not target.blocked_on(day, skipped):
            nudge = at
            break
    return NextRuns(meeting=meeting, due_now=due_now, nudge=nudge)


def _next_meeting(
    target: Target, after: datetime, skipped: set[date], also_blocked=frozenset()
) -> datetime | None:
    try:
        return next_post_time(
            weekday=target.weekday,
            at=target.at,
            tz=target.timezone,
            after=after,
            skipped=skipped,
            paused_until=target.paused_until,
            posted_weeks=also_blocked,
        )
    except ValueError:
        return None


def _meeting_moments(target, now, skipped, meeting, this_week_posts):
    """A moment in each coming week that gets a meeting post, soonest first (at most a year)."""
    if this_week_posts:
        yield now
    for _ in range(53):
        if meeting is None:
            return
        yield meeting
        meeting = _next_meeting(target, meeting, skipped)
