"""owner-notice: a defect a week without action is told to its owner, privately, once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.clock.jobs import JOBS, run_defect_digest, run_monday_meeting
from bot.model import Person
from bot.storage import db
from bot.storage.models import ClockNotice
from tests.clock.conftest import channel

SCHEDULED = datetime(2026, 11, 12, 9, 0, tzinfo=UTC)
LOGGED = datetime(2026, 11, 13, 8, 0, tzinfo=UTC)  # a Friday
MORNING = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)  # a week and a day later, after 09:00 UTC
notice = JOBS["owner-notice"]


def _room(huddle, clock):
    clock.set(SCHEDULED)
    room = channel(huddle, "C1")
    assert "scheduled" in room("/huddle schedule monday 08:00 UTC")
    return room


def _claims(engine) -> list[tuple[str, str]]:
    with db.transaction(engine) as session:
        statement = sa.select(ClockNotice.period, ClockNotice.status).where(
            ClockNotice.kind == "owner"
        )
        return [tuple(row) for row in session.execute(statement)]


async def test_the_owner_is_told_privately_once_when_a_defect_goes_a_week_without_action(
    huddle, clock, messenger, messengers
):
    room = _room(huddle, clock)
    clock.set(LOGGED)
    room.as_("Jo")("/defect arrival: waited 25 minutes patient: JS-1042")
    room.as_("Dana")("/defect assign 1 @Priya")
    # Not yet a week (the day before): nothing.
    await notice(huddle, messengers, MORNING - timedelta(days=1))
    assert messenger.posts == []
    await notice(huddle, messengers, MORNING)
    [told] = messenger.posts
    assert told.reply.to == Person("U-priya", "Priya")
    assert told.ref.channel_id == "C1" and told.ref.workspace_id == "T1"
    assert told.reply.title == "Defect you own, a week without a recovery action"
    assert "#1 Arrival" in told.text and "waited 25 minutes" in told.text
    assert "JS-1042" not in told.text  # never a patient reference, even privately
    # Later ticks that day, and the following days: never again for this defect.
    for later in (timedelta(hours=1), timedelta(days=1), timedelta(days=8)):
        await notice(huddle, messengers, MORNING + later)
    assert len(messenger.posts) == 1


async def test_a_recent_action_or_no_owner_means_nothing_to_tell(
    huddle, clock, messenger, messengers
):
    room = _room(huddle, clock)
    clock.set(LOGGED)
    room.as_("Jo")("/defect arrival: nobody has it yet")  # #1: no owner
    room.as_("Jo")("/defect booking: double-booked")  # #2: owned, acted on this week
    clock.set(MORNING - timedelta(days=2))
    room.as_("Sam")("/defect recover 2 called both patients")
    report = await notice(huddle, messengers, MORNING)
    assert messenger.posts == [] and report.nothing_to_say == 1


async def test_two_owners_in_one_channel_are_each_told_their_own_on_successive_days(
    huddle, clock, messenger, messengers
):
    room = _room(huddle, clock)
    clock.set(LOGGED)
    room.as_("Jo")("/defect arrival: waited 25 minutes")
    room.as_("Jo")("/defect booking: double-booked")
    room.as_("Jo")("/defect assign 1 @Priya")
    room.as_("Jo")("/defect assign 2 @Sam")
    await notice(huddle, messengers, MORNING)
    await notice(huddle, messengers, MORNING + timedelta(days=1))
    await notice(huddle, messengers, MORNING + timedelta(days=2))
    told = [(p.reply.to.name, "#1" in p.text, "#2" in p.text) for p in messenger.posts]
    assert told == [("Priya", True, False), ("Sam", False, True)]


async def test_a_failed_notice_is_retried_that_day_with_the_same_defects(
    huddle, clock, messenger, messengers
):
    room = _room(huddle, clock)
    clock.set(LOGGED)
    room.as_("Jo")("/defect arrival: waited 25 minutes")
    room.as_("Jo")("/defect assign 1 @Priya")
    messenger.fail("T1", "C1")
    report = await notice(huddle, messengers, MORNING)
    assert report.failed == 1 and messenger.posts == []
    messenger.heal()
    await notice(huddle, messengers, MORNING + timedelta(hours=2))
    [told] = messenger.posts
    assert "#1 Arrival" in told.text and told.reply.to.name == "Priya"
    assert _claims(huddle.engine) == [("2026-11-20", "sent")]


async def test_the_digest_names_owners_and_never_reporters(huddle, clock, messenger, messengers):
    room = _room(huddle, clock)
    clock.set(LOGGED)
    room.as_("Jo")("/defect arrival: waited 25 minutes")
    room.as_("Jo")("/defect booking: double-booked")
    room.as_("Jo")("/defect assign 2 @Priya")
    monday = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert (await run_monday_meeting(huddle, messengers, monday)).posted == 1
    await run_defect_digest(huddle, messengers, monday + timedelta(minutes=5))
    [digest] = messenger.titled("Defect digest")
    stale = digest.text.split("Open more than 7 days with no recovery action:")[1]
    assert "#1 Arrival, logged Fri 13 Nov, no owner yet" in stale
    assert "#2 Booking and reminders, logged Fri 13 Nov, owner Priya" in stale
    assert "Jo" not in digest.text


async def test_two_clocks_at_once_tell_the_owner_once(huddle, clock, messenger, messengers):
    room = _room(huddle, clock)
    clock.set(LOGGED)
    room.as_("Jo")("/defect arrival: waited 25 minutes")
    room.as_("Jo")("/defect assign 1 @Priya")
    await asyncio.gather(notice(huddle, messengers, MORNING), notice(huddle, messengers, MORNING))
    assert len(messenger.posts) == 1
