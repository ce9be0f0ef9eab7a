"""What is due when, as pure functions: checked over many zones, weeks and times."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.scheduling import Period, meeting_due, meeting_time, next_runs, nudge_due, nudge_time
from bot.storage.clock import Target

ZONES = [
    "Australia/Sydney",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Brisbane",
    "Europe/London",
    "Australia/Lord_Howe",  # a 30-minute daylight-saving shift
    "Pacific/Chatham",  # +12:45 / +13:45
    "America/St_Johns",  # -3:30 / -2:30
    "UTC",
]


def target(tz: str, weekday: int, at: time, **extra) -> Target:
    return Target(
        subscription_id=1,
        workspace_id=1,
        platform="slack",
        external_workspace_id="T1",
        channel_id="C1",
        weekday=weekday,
        hour=at.hour,
        minute=at.minute,
        timezone=tz,
        paused_until=extra.get("paused_until"),
        updated_at=datetime(2025, 1, 1, tzinfo=UTC),
    )


moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(
    tz=st.sampled_from(ZONES),
    weekday=st.integers(0, 6),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
    now=moments,
)
def test_the_meeting_is_due_from_its_local_time_until_the_end_of_that_local_week(
    tz, weekday, hour, minute, now
):
    subscription = target(tz, weekday, time(hour, minute))
    due_at = meeting_time(subscription, now)
    zone = ZoneInfo(tz)
    local_due = due_at.astimezone(zone)
    # The due time is in the same local week as now, on the right day ...
    assert local_due.isocalendar()[:2] == now.astimezone(zone).isocalendar()[:2]
    assert local_due.weekday() == weekday
    # ... at the wall time, or just after a gap when that wall time doesn't exist that day.
    wall = datetime.combine(local_due.date(), time(hour, minute))
    assert timedelta(0) <= local_due.replace(tzinfo=None) - wall <= timedelta(hours=1)
    # Due from that moment on, never a second before.
    assert meeting_due(subscription, now, set()) == (now >= due_at)
    just_before = due_at - timedelta(seconds=1)
    if Period.WEEK.of(just_before, tz) == Period.WEEK.of(due_at, tz):
        assert not meeting_due(subscription, just_before, set())
    assert meeting_due(subscription, due_at, set())


@settings(max_examples=200, deadline=None)
@given(tz=st.sampled_from(ZONES), weekday=st.integers(0, 6), now=moments)
def test_a_skipped_or_paused_meeting_day_is_never_due(tz, weekday, now):
    subscription = target(tz, weekday, time(8, 0))
    day = meeting_time(subscription, now).astimezone(ZoneInfo(tz)).date()
    assert not meeting_due(subscription, now, {day})
    paused = target(tz, weekday, time(8, 0), paused_until=day + timedelta(days=1))
    assert not meeting_due(paused, now, set())
    ends_that_day = target(tz, weekday, time(8, 0), paused_until=day)
    assert meeting_due(ends_that_day, now, set()) == meeting_due(subscription, now, set())


def test_the_nudge_comes_after_the_meeting_or_not_at_all():
    monday = target("Australia/Sydney", 0, time(8, 0))
    wednesday = target("Australia/Sydney", 2, time(8, 0))
    now = datetime(2026, 11, 24, tzinfo=UTC)
    assert nudge_time(monday, now, 2) == datetime(2026, 11, 24, 21, 0, tzinfo=UTC)
    assert nudge_time(wednesday, now, 2) is None
    nudge = nudge_time(monday, now, 2)
    assert nudge_due(monday, nudge, set(), 2)
    assert not nudge_due(monday, nudge - timedelta(minutes=1), set(), 2)
    assert not nudge_due(monday, nudge + timedelta(days=1), set(), 2)  # not on a later day
    assert not nudge_due(monday, nudge, {date(2026, 11, 25)}, 2)


@settings(max_examples=300, deadline=None)
@given(
    tz=st.sampled_from(ZONES),
    weekday=st.integers(0, 6),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
    now=moments,
    scheduled_days_ago=st.integers(0, 10),
)
def test_a_listed_nudge_always_follows_a_meeting_post_in_its_own_week(
    tz, weekday, hour, minute, now, scheduled_days_ago
):
    subscription = target(tz, weekday, time(hour, minute))
    subscription = replace(subscription, updated_at=now - timedelta(days=scheduled_days_ago))
    runs = next_runs(subscription, now, set(), None, nudge_weekday=2)
    assert runs.meeting is not None
    if weekday >= 2:
        assert runs.nudge is None
    else:
        # Its week's meeting is the next one the clock posts (or a later one), before it.
        assert runs.nudge is not None and runs.nudge > now
        assert runs.meeting <= meeting_time(subscription, runs.nudge) < runs.nudge
        if not runs.due_now:
            assert Period.WEEK.of(runs.nudge, tz) == Period.WEEK.of(runs.meeting, tz)


def test_this_weeks_nudge_is_listed_only_when_this_weeks_meeting_is_or_will_be_posted():
    monday = target("UTC", 0, time(8))
    tuesday = datetime(2026, 11, 24, 9, tzinfo=UTC)
    this_wednesday = datetime(2026, 11, 25, 8, tzinfo=UTC)
    next_wednesday = this_wednesday + timedelta(weeks=1)
    assert next_runs(monday, tuesday, set(), "posted", 2).nudge == this_wednesday
    assert next_runs(monday, tuesday, set(), "failed", 2).nudge == this_wednesday  # retrying
    assert next_runs(monday, tuesday, set(), "undeliverable", 2).nudge == next_wednesday
    assert next_runs(monday, tuesday, set(), "claimed", 2).nudge == next_wednesday
    skipped = {date(2026, 11, 25)}
    assert next_runs(monday, tuesday, skipped, "posted", 2).nudge == next_wednesday
    assert next_runs(monday, this_wednesday, set(), "posted", 2).nudge == next_wednesday
