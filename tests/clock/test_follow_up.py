"""Each Monday meeting opens with the last meeting's challenge, and asks how it went."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock.jobs import run_monday_meeting
from bot.model import MeetingShown
from tests.clock.conftest import channel
from tests.clock.test_monday_meeting import schedule

MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


async def test_the_second_meeting_opens_with_last_weeks_challenge_before_its_rule(
    huddle, clock, messenger, messengers, content
):
    schedule(huddle, clock)
    for week in range(2):
        await run_monday_meeting(huddle, messengers, MONDAY + timedelta(weeks=week))
    first, second = (post.reply for post in messenger.posts)
    last = content.rules_in_order()[0]

    assert first.text.startswith("This week's rule:")  # nothing to follow up yet
    assert second.text.startswith(f"Last week's challenge: {last.challenge}\nHow did it go?")
    assert second.text.index("How did it go?") < second.text.index("This week's rule:")


async def test_after_a_skipped_week_it_follows_up_the_last_meeting_held(
    huddle, clock, messenger, messengers, content
):
    schedule(huddle, clock)
    await run_monday_meeting(huddle, messengers, MONDAY)
    assert "Skipping" in channel(huddle, "C1")("/huddle skip 2026-11-30")
    await run_monday_meeting(huddle, messengers, MONDAY + timedelta(weeks=1))
    await run_monday_meeting(huddle, messengers, MONDAY + timedelta(weeks=2))
    [_, third] = (post.reply for post in messenger.posts)
    first_rule = content.rules_in_order()[0]
    assert third.text.startswith(f"Last meeting's challenge: {first_rule.challenge}")


async def test_each_channel_follows_up_its_own_last_challenge(
    huddle, clock, messenger, messengers, content
):
    schedule(huddle, clock, name="C1")
    await run_monday_meeting(huddle, messengers, MONDAY)
    schedule(huddle, clock, name="C2", at=MONDAY + timedelta(hours=1))
    await run_monday_meeting(huddle, messengers, MONDAY + timedelta(weeks=1))
    posts = {p.ref.channel_id: p.reply.text for p in messenger.posts[1:]}
    assert posts["C1"].startswith("Last week's challenge:")
    assert posts["C2"].startswith("This week's rule:")  # its first meeting


def test_the_console_meeting_follows_up_too(huddle, clock, content):
    clock.set(MONDAY)
    huddle.handle(MeetingShown("slack", "T1", "C1", message_id="m1"))
    clock.set(MONDAY + timedelta(weeks=1))
    [shown] = huddle.handle(MeetingShown("slack", "T1", "C1", message_id="m2"))
    assert shown.text.startswith(f"Last week's challenge: {content.rules_in_order()[0].challenge}")
