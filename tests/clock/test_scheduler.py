"""The real APScheduler wiring: the tick's trigger, a started scheduler, SIGTERM, restarts."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import signal
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import engine
from bot.clock.config import ClockSettings
from bot.clock.engine import job_table
from bot.clock.jobs import JOBS, run_monday_meeting
from bot.clock.scheduler import HOUSEKEEPING, TICK, Clock, build_scheduler, run_clock
from bot.storage import db
from bot.storage.models import MeetingPost
from tests.clock.conftest import channel

DUE = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def subscribe(huddle, clock, name="C1"):
    clock.set(DUE - timedelta(days=3))
    assert "scheduled" in channel(huddle, name)("/huddle schedule monday 08:00 UTC")
    clock.set(DUE)


def statuses(engine) -> list[str]:
    with db.transaction(engine) as session:
        return list(session.exec(sa.select(MeetingPost.status)).scalars())


async def test_the_tick_fires_on_every_minute_and_the_housekeeping_hourly(huddle, messengers):
    scheduler = build_scheduler(
        Clock(huddle, messengers, ClockSettings.defaults()), ClockSettings.defaults()
    )
    tick, purge = scheduler.get_job(TICK), scheduler.get_job(HOUSEKEEPING)
    assert isinstance(tick.trigger, CronTrigger)
    moment = datetime(2026, 11, 23, 7, 59, 30, tzinfo=UTC)
    assert tick.trigger.get_next_fire_time(None, moment) == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert tick.max_instances == 1 and tick.coalesce
    assert purge.trigger.get_next_fire_time(None, moment) == datetime(
        2026, 11, 23, 8, 17, tzinfo=UTC
    )


async def test_the_tick_interval_is_configurable(huddle, messengers):
    options = ClockSettings.defaults(interval_seconds=15)
    scheduler = build_scheduler(Clock(huddle, messengers, options), options)
    trigger = scheduler.get_job(TICK).trigger
    assert isinstance(trigger, IntervalTrigger) and trigger.interval == timedelta(seconds=15)


async def test_a_started_clock_posts_at_once_and_stops_cleanly(
    huddle, clock, messenger, messengers
):
    subscribe(huddle, clock)
    stop = asyncio.Event()
    messenger.on_send = lambda ref: stop.set()
    # The real scheduler runs its first tick at start (catching up after a restart).
    await asyncio.wait_for(run_clock(huddle, messengers, ClockSettings.defaults(), stop=stop), 60)
    assert [p.ref.channel_id for p in messenger.posts] == ["C1"]
    assert statuses(huddle.engine) == ["posted"]


async def test_sigterm_lets_the_posts_in_flight_finish_and_closes_the_messengers(
    huddle, clock, messenger, messengers
):
    subscribe(huddle, clock)
    closed = []

    async def aclose():
        closed.append(True)

    messenger.aclose = aclose
    messenger.on_send = lambda ref: os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(run_clock(huddle, messengers, ClockSettings.defaults()), 60)
    assert len(messenger.posts) == 1
    assert statuses(huddle.engine) == ["posted"]  # recorded before the process exits
    assert closed == [True]


async def test_one_failing_job_does_not_stop_the_others(
    huddle, clock, messenger, messengers, caplog
):
    subscribe(huddle, clock)

    def boom(slot, now, options):
        raise RuntimeError("boom")

    broken = dataclasses.replace(run_monday_meeting, name="broken", due=boom)
    jobs = job_table(broken, run_monday_meeting)
    with caplog.at_level(logging.ERROR, logger="huddle.clock"):
        reports = await Clock(huddle, messengers, ClockSettings.defaults(), jobs).tick()
    assert list(reports) == ["monday-meeting"] and reports["monday-meeting"].posted == 1
    assert "job broken failed this tick" in caplog.text


async def test_a_restarted_clock_remembers_nothing_and_posts_nothing_twice(
    huddle, clock, messenger, messengers
):
    subscribe(huddle, clock)
    first = await Clock(huddle, messengers, ClockSettings.defaults()).tick()
    clock.advance(minutes=1)
    second = await Clock(huddle, messengers, ClockSettings.defaults()).tick()
    assert first["monday-meeting"].posted == 1 and second["monday-meeting"].posted == 0
    assert len(messenger.posts) == 1
    assert list(first) == [name for name, job in JOBS.items() if job.cadence == engine.TICK]


async def test_a_tick_posts_the_meeting_then_the_wow_and_digest_with_it(
    huddle, clock, messenger, messengers
):
    room = channel(huddle, "C1")
    subscribe(huddle, clock)
    clock.set(DUE - timedelta(days=5))
    room.as_("Sam")("/wow @Priya drove Mrs K home")
    room.as_("Ana")("/wow nominate 1")
    room.as_("Ana")("/defect arrival: parking sign missing")
    clock.set(DUE)
    await Clock(huddle, messengers, ClockSettings.defaults()).tick()
    titles = [p.reply.title.split(" ·")[0] for p in messenger.posts]
    assert titles == ["Monday Morning Meeting", "WOW of the week", "Defect digest"]


async def test_a_stop_that_cannot_wait_hands_unsent_posts_to_the_next_clock(
    huddle, clock, messenger, messengers
):
    for name in ("C1", "C2"):
        subscribe(huddle, clock, name)
    messenger.gates["C1"] = asyncio.Event()  # C1's platform never answers
    stop = asyncio.Event()
    options = ClockSettings.defaults(concurrency=1)

    async def stop_when_stuck():
        await messenger.entered.wait()
        stop.set()

    stopper = asyncio.create_task(stop_when_stuck())
    await asyncio.wait_for(run_clock(huddle, messengers, options, stop=stop, drain_seconds=0), 60)
    await stopper
    with db.transaction(huddle.engine) as session:
        rows = dict(session.exec(sa.select(MeetingPost.channel_id, MeetingPost.status)).all())
    assert rows == {"C1": "sending", "C2": "failed"}

    messenger.gates.clear()
    clock.advance(minutes=1)
    await Clock(huddle, messengers, options).tick()
    assert [p.ref.channel_id for p in messenger.posts] == ["C2"]
