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
from bot.scheduling import local_datetime, local_iso_week, occurrence_in_week


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
    due_at = target.meeting_time(now)
    if due_at > now or target.updated_at > due_at:
        return False
    return not target.blocked_on(due_at.astimezone(ZoneInfo(target.timezone)).date(), skipped)


def meeting_may_retry(target: Target, now: datetime, skipped: set[date]) -> bool:
    """A failed post of this week may be tried again: still this week, not skipped or paused."""
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
