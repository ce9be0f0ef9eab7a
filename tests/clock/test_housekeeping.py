"""The clock's hourly housekeeping: expired tidbits go, and so do delivery ids past any redelivery."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import sqlalchemy as sa

from bot.clock.config import ClockSettings
from bot.clock.engine import HOURLY, job_table
from bot.clock.jobs import JOBS
from bot.clock.jobs.purge_events import PURGE_EVENTS
from bot.clock.scheduler import Clock
from bot.storage import db
from bot.storage.events import KEEP_EVENTS_FOR
from bot.storage.models import Defect, ProcessedEvent, Tidbit


def event_ids(engine) -> list[str]:
    with db.transaction(engine) as session:
        statement = sa.select(ProcessedEvent.event_id).order_by(ProcessedEvent.id)
        return list(session.exec(statement).scalars())


def count(engine, table) -> int:
    with db.transaction(engine) as session:
        return session.exec(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_the_purges_are_hourly_jobs_of_the_table_and_the_posts_are_not():
    hourly = [name for name, job in JOBS.items() if job.cadence == HOURLY]
    assert hourly == [
        "purge-tidbits",
        "purge-events",
        "purge-story-drafts",
        "purge-appointments",
        "schedule-sync",
        "recovery-popups",
        "purge-downloads",
    ]


async def test_delivery_ids_older_than_a_week_go_and_recent_ones_stay(huddle, clock, chat):
    start = clock()
    chat("/defect arrival: waited 20 minutes", event_id="Ev-old")
    clock.advance(days=3)
    chat("/defect arrival: waited 10 minutes", event_id="Ev-recent")
    clock.set(start + KEEP_EVENTS_FOR + timedelta(seconds=1))

    report = await PURGE_EVENTS(huddle, {}, clock())

    assert report.removed == 1 and "1 processed event id(s) removed" in report.summary()
    assert event_ids(huddle.engine) == ["Ev-recent"]
    assert count(huddle.engine, Defect) == 2  # only the delivery ids went, never the data


async def test_a_redelivery_inside_the_window_still_counts_once(huddle, clock, chat, messengers):
    ticking = Clock(huddle, messengers, ClockSettings.defaults())
    chat("/defect arrival: nobody greeted Mrs K", event_id="Ev1")
    clock.advance(days=6, hours=23)
    reports = await ticking.housekeeping()  # an hourly run late in the week
    assert reports["purge-events"].removed == 0

    chat("/defect arrival: nobody greeted Mrs K", event_id="Ev1")  # a (very) late redelivery
    assert count(huddle.engine, Defect) == 1
    assert event_ids(huddle.engine) == ["Ev1"]

    clock.advance(hours=2)
    reports = await ticking.housekeeping()
    assert reports["purge-events"].removed == 1
    assert event_ids(huddle.engine) == []


async def test_the_hourly_run_also_deletes_expired_tidbits(
    huddle, clock, chat, settings, messengers
):
    chat("/tidbit JS-1042 loves talking about her grandchildren")
    clock.advance(days=settings.tidbit_retention_days, seconds=1)

    reports = await Clock(huddle, messengers, ClockSettings.defaults()).housekeeping()

    assert list(reports) == [
        "purge-tidbits",
        "purge-events",
        "purge-story-drafts",
        "purge-appointments",
        "schedule-sync",
        "recovery-popups",
        "purge-downloads",
    ]
    assert reports["purge-tidbits"].removed == 1
    assert count(huddle.engine, Tidbit) == 0


async def test_a_failing_purge_does_not_stop_the_other(huddle, clock, chat, messengers, caplog):
    def broken(*, session, now):
        raise RuntimeError("boom")

    chat("/defect arrival: waited", event_id="Ev1")
    clock.advance(days=8)
    jobs = job_table(dataclasses.replace(JOBS["purge-tidbits"], purge=broken), PURGE_EVENTS)
    reports = await Clock(huddle, messengers, ClockSettings.defaults(), jobs).housekeeping()
    assert list(reports) == ["purge-events"] and reports["purge-events"].removed == 1
    assert "job purge-tidbits failed this hour" in caplog.text


async def test_a_story_left_a_week_without_its_hero_is_forgotten(huddle, clock, chat, messengers):
    from bot.storage.models import Story, StoryDraft

    chat("/wow stayed late to help Mr B")  # names nobody: a draft, asked who it was about
    clock.advance(days=6)
    chat("/wow found Mrs D's glasses")
    clock.advance(days=1, seconds=1)

    reports = await Clock(huddle, messengers, ClockSettings.defaults()).housekeeping()

    assert reports["purge-story-drafts"].removed == 1
    assert count(huddle.engine, StoryDraft) == 1 and count(huddle.engine, Story) == 0
    assert "no story draft #1" in chat("/wow hero 1 me")
    assert "WOW story #1" in chat("/wow hero 2 me")
