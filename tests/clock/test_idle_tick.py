"""One reading per tick for every job, and an idle tick that asks one question only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.clock.config import ClockSettings
from bot.clock.scheduler import Clock
from bot.ports import DeliveryError
from bot.storage.db import count_round_trips
from tests.clock.conftest import channel

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)


def subscribe(huddle, clock, name: str, line: str) -> None:
    clock.set(MONDAY - timedelta(days=3))
    assert "scheduled" in channel(huddle, name)(f"/huddle schedule {line}")


class Statements:
    """Every statement the engine sends while it is on."""

    def __init__(self, engine):
        self.sent: list[str] = []
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, *args):
        self.sent.append(" ".join(statement.split()))

    def reading(self, table: str) -> int:
        return sum(1 for s in self.sent if f"FROM {table} JOIN workspace" in s)


async def test_a_busy_tick_reads_the_channels_once_for_every_job(
    huddle, clock, messenger, messengers
):
    subscribe(huddle, clock, "C1", "monday 08:00 UTC")
    subscribe(huddle, clock, "C2", "monday 08:00 UTC")
    room = channel(huddle, "C1")
    clock.set(MONDAY + timedelta(days=-4))
    room.as_("Sam")("/wow @Priya drove Mrs K home")
    room.as_("Ana")("/wow nominate 1")
    clock.set(MONDAY + timedelta(hours=8))
    statements = Statements(huddle.engine)
    reports = await Clock(huddle, messengers, ClockSettings.defaults()).tick()
    assert reports["monday-meeting"].posted == 2 and reports["wow-of-the-week"].posted == 1
    assert statements.reading("subscription") == 1  # not once per job


async def test_an_idle_tick_asks_the_database_one_question(huddle, clock, messenger, messengers):
    subscribe(huddle, clock, "C1", "monday 08:00 UTC")
    ticking = Clock(huddle, messengers, ClockSettings.defaults())
    clock.set(MONDAY + timedelta(hours=8))
    await ticking.tick()
    clock.advance(minutes=1)
    await ticking.tick()  # nothing due: it works out when something next may be
    posts = len(messenger.posts)
    for _ in range(3):
        clock.advance(minutes=1)
        with count_round_trips(huddle.engine) as trips:
            reports = await ticking.tick()
        assert trips.count == 1
        assert all(report.due == 0 for report in reports.values())
    assert len(messenger.posts) == posts


async def test_a_resting_clock_posts_the_next_meeting_on_its_minute(
    huddle, clock, messenger, messengers
):
    subscribe(huddle, clock, "C1", "monday 08:00 UTC")
    subscribe(huddle, clock, "C2", "monday 09:00 UTC")
    ticking = Clock(huddle, messengers, ClockSettings.defaults())
    moment = MONDAY + timedelta(hours=8)
    posted_at = {}
    while moment <= MONDAY + timedelta(hours=9, minutes=2):
        clock.set(moment)
        reports = await ticking.tick()
        for post in messenger.titled("Monday Morning Meeting"):
            posted_at.setdefault(post.ref.channel_id, moment)
        assert reports["monday-meeting"].failed == 0
        moment += timedelta(minutes=1)
    assert posted_at == {
        "C1": MONDAY + timedelta(hours=8),
        "C2": MONDAY + timedelta(hours=9),
    }


async def test_a_schedule_changed_while_the_clock_rests_is_kept_on_time(
    huddle, clock, messenger, messengers
):
    subscribe(huddle, clock, "C1", "monday 08:00 UTC")
    ticking = Clock(huddle, messengers, ClockSettings.defaults())
    clock.set(MONDAY + timedelta(hours=7))
    await ticking.tick()  # nothing due before 08:00: it rests until then
    clock.set(MONDAY + timedelta(hours=7, minutes=10))
    assert "scheduled" in channel(huddle, "C1")("/huddle schedule monday 07:30 UTC confirm")
    clock.set(MONDAY + timedelta(hours=7, minutes=30))
    reports = await ticking.tick()
    assert reports["monday-meeting"].posted == 1
    assert [p.ref.channel_id for p in messenger.titled("Monday Morning Meeting")] == ["C1"]


async def test_a_failed_post_is_retried_after_its_back_off_while_the_clock_rests(
    huddle, clock, messenger, messengers
):
    subscribe(huddle, clock, "C1", "monday 08:00 UTC")
    ticking = Clock(huddle, messengers, ClockSettings.defaults())
    messenger.fail("T1", "C1", error=lambda n: None if n > 1 else DeliveryError("ratelimited"))
    clock.set(MONDAY + timedelta(hours=8))
    first = await ticking.tick()
    assert first["monday-meeting"].failed == 1
    clock.advance(seconds=30)
    await ticking.tick()  # backing off: rests until the retry is due
    clock.set(MONDAY + timedelta(hours=8, minutes=1))
    again = await ticking.tick()
    assert again["monday-meeting"].posted == 1
