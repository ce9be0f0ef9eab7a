"""A daily or a monthly job is one definition and one table line; the engine does the rest.

The two jobs here are written exactly as a real job file writes one (``bot.clock.engine``),
put in a table, and run by the clock's own ``Clock.tick`` on injected time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bot.clock.config import ClockSettings
from bot.clock.engine import ClockJob, Key, Message, Planning, Slot, job_table
from bot.clock.scheduler import Clock
from bot.model import Reply, Visibility
from bot.ports import DeliveryError
from bot.scheduling import Period
from bot.storage import db
from bot.storage.clock import notices
from bot.storage.models import ClockNotice
from tests.clock.conftest import channel

# -- the two new jobs, as their files would hold them ----------------------------------


def brief_due(slot: Slot, now: datetime, options: ClockSettings) -> bool:
    return now >= Period.DAY.start(slot.period, slot.target.timezone, at=time(7))


def brief(plan: Planning, slots: Sequence[Slot]) -> dict[Key, Message | None]:
    return {
        s.target.key: Message(
            Reply(title="Morning brief", text=s.period, visibility=Visibility.CHANNEL)
        )
        for s in slots
    }


MORNING_BRIEF = ClockJob(
    name="morning-brief",
    every=Period.DAY,
    claims=notices("brief"),
    due=brief_due,
    compose=brief,
    doc="Every day from 07:00 local: the day's brief.",
)


def report_due(slot: Slot, now: datetime, options: ClockSettings) -> bool:
    return now >= Period.MONTH.start(slot.period, slot.target.timezone, at=time(9))


def monthly(plan: Planning, slots: Sequence[Slot]) -> dict[Key, Message | None]:
    return {
        s.target.key: Message(
            Reply(title="Monthly report", text=s.period, visibility=Visibility.CHANNEL)
        )
        for s in slots
    }


MONTHLY_REPORT = ClockJob(
    name="monthly-report",
    every=Period.MONTH,
    claims=notices("monthly"),
    due=report_due,
    compose=monthly,
    doc="On the 1st from 09:00 local: last month in numbers.",
)

TABLE = job_table(MORNING_BRIEF, MONTHLY_REPORT)

# -- running them --------------------------------------------------------------------

SYDNEY = "Australia/Sydney"  # UTC+11 in December
ZONES = {"C1": "UTC", "C2": SYDNEY}


def subscribe(huddle, clock):
    clock.set(datetime(2026, 11, 20, tzinfo=UTC))
    assert "scheduled" in channel(huddle, "C1")("/huddle schedule monday 08:00 UTC")
    assert "scheduled" in channel(huddle, "C2")(f"/huddle schedule monday 08:00 {SYDNEY}")


async def tick_hourly(clock, ticking: Clock, start: datetime, hours: int) -> None:
    for hour in range(hours):
        clock.set(start + timedelta(hours=hour))
        await ticking.tick()
        clock.advance(minutes=1)  # and a minute later, as the clock does: nothing new
        await ticking.tick()


async def test_a_daily_and_a_monthly_job_post_once_per_channel_and_period(
    huddle, clock, messenger, messengers
):
    subscribe(huddle, clock)
    ticking = Clock(huddle, messengers, ClockSettings.defaults(), TABLE)
    sent = []
    messenger.on_send = lambda ref: sent.append((messenger.posts[-1], clock()))

    # Two stretches of hourly ticks: over a month's end, and over the year's end.
    await tick_hourly(clock, ticking, datetime(2026, 11, 30, 0, 0, tzinfo=UTC), 72)
    await tick_hourly(clock, ticking, datetime(2026, 12, 31, 0, 0, tzinfo=UTC), 48)

    briefs = [
        (p.ref.channel_id, p.reply.text, at) for p, at in sent if p.reply.title == "Morning brief"
    ]
    assert [day for c, day, _ in briefs if c == "C1"] == [
        "2026-11-30",
        "2026-12-01",
        "2026-12-02",
        "2026-12-31",
        "2027-01-01",
    ]
    assert [day for c, day, _ in briefs if c == "C2"] == [  # Sydney's days start 11 hours early
        "2026-11-30",
        "2026-12-01",
        "2026-12-02",
        "2026-12-03",
        "2026-12-31",
        "2027-01-01",
        "2027-01-02",
    ]
    # Each at 07:00 where the channel is, but for a day the clock joined late (caught up).
    late = {
        (c, day) for c, day, at in briefs if at.astimezone(ZoneInfo(ZONES[c])).time() != time(7)
    }
    assert late == {("C2", "2026-11-30"), ("C2", "2026-12-31")}

    reports = [
        (p.ref.channel_id, p.reply.text) for p, _ in sent if p.reply.title == "Monthly report"
    ]
    assert reports == [
        ("C1", "2026-11"),  # caught up: due since 1 Nov
        ("C2", "2026-11"),
        ("C2", "2026-12"),  # 09:00 on 1 Dec in Sydney is 22:00 on 30 Nov in UTC
        ("C1", "2026-12"),
        ("C2", "2027-01"),
        ("C1", "2027-01"),
    ]
    with db.transaction(huddle.engine) as session:
        rows = sa.select(ClockNotice.channel_id, ClockNotice.kind, ClockNotice.period)
        claims = Counter(session.exec(rows).all())
    assert set(claims.values()) == {1}  # one claim per channel, kind and period ...
    assert sum(claims.values()) == len(briefs) + len(reports) == 18  # ... and one post each


async def test_a_daily_post_that_fails_is_retried_that_day_and_not_the_next(
    huddle, clock, messenger, messengers
):
    subscribe(huddle, clock)
    ticking = Clock(huddle, messengers, ClockSettings.defaults(), job_table(MORNING_BRIEF))
    messenger.fail("T1", "C1", DeliveryError("not_in_channel"))
    clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=UTC))
    await ticking.tick()
    clock.set(datetime(2026, 12, 1, 7, 30, tzinfo=UTC))
    messenger.heal()
    await ticking.tick()  # after the back-off: retried the same day
    assert [p.reply.text for p in messenger.posts_to("C1")] == ["2026-12-01"]

    messenger.fail("T1", "C1", DeliveryError("not_in_channel"))
    clock.set(datetime(2026, 12, 2, 7, 0, tzinfo=UTC))
    await ticking.tick()  # fails; by the time it heals the day is over
    messenger.heal()
    clock.set(datetime(2026, 12, 3, 7, 0, tzinfo=UTC))
    await ticking.tick()
    await ticking.tick()
    assert [p.reply.text for p in messenger.posts_to("C1")] == ["2026-12-01", "2026-12-03"]
