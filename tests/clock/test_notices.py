"""story-nudge, wow-of-the-week and defect-digest: what they say, when, and only once."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.clock.config import ClockSettings
from bot.clock.jobs import (
    run_defect_digest,
    run_monday_meeting,
    run_story_nudge,
    run_wow_of_the_week,
)
from bot.storage import db
from bot.storage.models import ClockNotice
from tests.clock.conftest import channel

SCHEDULED = datetime(2026, 11, 12, 9, 0, tzinfo=UTC)  # a Thursday, well before
LAST_MONDAY = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
WEDNESDAY = MONDAY + timedelta(days=2)


def subscribe(huddle, clock, name="C1", workspace="T1", line="monday 08:00 UTC"):
    clock.set(SCHEDULED)
    room = channel(huddle, name, workspace)
    assert "scheduled" in room(f"/huddle schedule {line}")
    return room


def notices(engine, kind):
    with db.transaction(engine) as session:
        statement = sa.select(ClockNotice).where(ClockNotice.kind == kind)
        return list(session.exec(statement).scalars())


async def post_meeting(huddle, messengers, now=MONDAY):
    report = await run_monday_meeting(huddle, messengers, now)
    assert report.posted >= 1
    return report


# -- story-nudge -----------------------------------------------------------------------


async def test_a_quiet_channel_is_nudged_once_midweek_in_the_thread_of_the_meeting(
    huddle, clock, messenger, messengers, content
):
    subscribe(huddle, clock)
    await post_meeting(huddle, messengers)
    meeting = messenger.posts[0]

    await run_story_nudge(huddle, messengers, WEDNESDAY - timedelta(minutes=1))
    assert len(messenger.posts) == 1
    for minutes in (0, 1, 60):
        await run_story_nudge(huddle, messengers, WEDNESDAY + timedelta(minutes=minutes))
    nudges = messenger.titled("Midweek WOW check-in")
    assert len(nudges) == 1
    assert nudges[0].ref.thread_id == meeting.message_id
    rule = content.rules_in_order()[0]
    assert rule.story_prompt in nudges[0].text and rule.title in nudges[0].text
    assert [n.status for n in notices(huddle.engine, "nudge")] == ["sent"]


async def test_no_nudge_when_a_story_was_shared_since_the_post(
    huddle, clock, messenger, messengers
):
    room = subscribe(huddle, clock)
    await post_meeting(huddle, messengers)
    clock.set(MONDAY + timedelta(hours=3))
    assert "WOW story #1" in room("/wow @Priya rang Mrs K back on her day off")
    report = await run_story_nudge(huddle, messengers, WEDNESDAY)
    assert report.nothing_to_say == 1
    assert messenger.titled("Midweek") == []
    await run_story_nudge(huddle, messengers, WEDNESDAY + timedelta(minutes=5))
    assert [n.status for n in notices(huddle.engine, "nudge")] == ["none"]


async def test_a_story_from_before_the_post_does_not_count(huddle, clock, messenger, messengers):
    room = subscribe(huddle, clock)
    clock.set(MONDAY - timedelta(days=2))
    room("/wow @Sam stayed late for an emergency")
    await post_meeting(huddle, messengers)
    await run_story_nudge(huddle, messengers, WEDNESDAY)
    assert len(messenger.titled("Midweek")) == 1


async def test_no_nudge_right_after_a_meeting_that_went_out_late(
    huddle, clock, messenger, messengers
):
    subscribe(huddle, clock)
    # The clock was down from Monday until Wednesday noon: the meeting catches up then.
    await post_meeting(huddle, messengers, WEDNESDAY + timedelta(hours=4))
    report = await run_story_nudge(huddle, messengers, WEDNESDAY + timedelta(hours=4, minutes=1))
    assert report.nothing_to_say == 1 and messenger.titled("Midweek") == []


async def test_a_missed_nudge_is_not_sent_on_a_later_day(huddle, clock, messenger, messengers):
    subscribe(huddle, clock)
    await post_meeting(huddle, messengers)
    await run_story_nudge(huddle, messengers, WEDNESDAY + timedelta(days=1))
    assert messenger.titled("Midweek") == []


async def test_a_skipped_nudge_day_and_a_pause_mean_no_nudge(huddle, clock, messenger, messengers):
    room = subscribe(huddle, clock)
    await post_meeting(huddle, messengers)
    clock.set(MONDAY)
    assert "only a nudge due that day is skipped" in room("/huddle skip 2026-11-25")
    await run_story_nudge(huddle, messengers, WEDNESDAY)
    assert messenger.titled("Midweek") == []
    # Next week: paused from Tuesday, so the meeting is out and so is the nudge.
    await post_meeting(huddle, messengers, MONDAY + timedelta(weeks=1))
    clock.set(MONDAY + timedelta(weeks=1, hours=1))
    assert "Paused" in room("/huddle pause until 2026-12-10")
    await run_story_nudge(huddle, messengers, WEDNESDAY + timedelta(weeks=1))
    assert messenger.titled("Midweek") == []


async def test_the_nudge_day_is_configurable_and_never_before_the_meeting(
    huddle, clock, messenger, messengers
):
    subscribe(huddle, clock)
    subscribe(huddle, clock, name="C2", line="thursday 08:00 UTC")
    thursday_options = ClockSettings.defaults(nudge_weekday="thursday")
    await post_meeting(huddle, messengers)
    await run_story_nudge(huddle, messengers, WEDNESDAY, options=thursday_options)
    assert messenger.titled("Midweek") == []
    await post_meeting(huddle, messengers, MONDAY + timedelta(days=3))  # C2's meeting
    await run_story_nudge(huddle, messengers, MONDAY + timedelta(days=3), options=thursday_options)
    nudged = [p.ref.channel_id for p in messenger.titled("Midweek")]
    assert nudged == ["C1"]  # C2 meets on Thursday: no nudge on the same day as its meeting


async def test_no_nudge_before_the_meetings_post(huddle, clock, messenger, messengers):
    subscribe(huddle, clock)
    messenger.fail("T1", "C1")
    await run_monday_meeting(huddle, messengers, MONDAY)
    await run_story_nudge(huddle, messengers, WEDNESDAY)
    assert messenger.posts == []


# -- wow-of-the-week ------------------------------------------------------------------


def share_and_nominate(huddle, clock, room, when, text, author, voters, hero=None):
    """``author`` tells a story about ``hero`` (themselves unless said)."""
    clock.set(when)
    reply = room.as_(author)(f"/wow @{hero or author} {text}")
    story_id = int(re.search(r"WOW story #(\d+)", reply).group(1))
    for voter in voters:
        clock.set(when + timedelta(hours=1))
        assert "nominated" in room.as_(voter)(f"/wow nominate {story_id}")
    return story_id


async def test_last_weeks_most_nominated_story_is_announced_with_the_meeting_and_thanked(
    huddle, clock, messenger, messengers
):
    room = subscribe(huddle, clock)
    share_and_nominate(
        huddle, clock, room, LAST_MONDAY + timedelta(days=1), "Sam stayed late", "Sam", ["Ana"]
    )
    winner = share_and_nominate(
        huddle,
        clock,
        room,
        LAST_MONDAY + timedelta(days=2),
        "drove Mrs K home",
        "Jordan",
        ["Ana", "Sam", "Lee"],
        hero="Priya",
    )
    # This week's story, however popular, waits for next week.
    share_and_nominate(
        huddle,
        clock,
        room,
        MONDAY - timedelta(hours=1) + timedelta(days=0, hours=2),
        "Lee fixed the booking mess",
        "Lee",
        ["Ana", "Sam", "Priya", "Jo"],
    )
    await post_meeting(huddle, messengers)
    await run_wow_of_the_week(huddle, messengers, MONDAY)
    await run_wow_of_the_week(huddle, messengers, MONDAY + timedelta(minutes=1))
    [wow] = messenger.titled("WOW of the week")
    assert "@Priya drove Mrs K home" in wow.text and "3 nominations" in wow.text
    assert "about @Priya, told by Jordan" in wow.text
    assert "Thank you, @Priya, for showing the team" in wow.text and f"#{winner}" in wow.text
    assert "thank you, Jordan, for sharing it" in wow.text
    assert "Thank you, Jordan, for showing" not in wow.text
    assert [(p.user_id, p.name) for p in wow.reply.mentions] == [("U-priya", "Priya")]
    assert wow.ref.thread_id is None


async def test_a_tie_goes_to_the_story_shared_first(huddle, clock, messenger, messengers):
    room = subscribe(huddle, clock)
    share_and_nominate(
        huddle,
        clock,
        room,
        LAST_MONDAY + timedelta(days=1),
        "First kind act",
        "Sam",
        ["Ana", "Lee"],
    )
    share_and_nominate(
        huddle,
        clock,
        room,
        LAST_MONDAY + timedelta(days=3),
        "Second kind act",
        "Ana",
        ["Sam", "Lee"],
    )
    await post_meeting(huddle, messengers)
    await run_wow_of_the_week(huddle, messengers, MONDAY)
    [wow] = messenger.titled("WOW of the week")
    assert "First kind act" in wow.text and "Thank you, @Sam" in wow.text


async def test_no_announcement_without_nominations(huddle, clock, messenger, messengers):
    room = subscribe(huddle, clock)
    clock.set(LAST_MONDAY + timedelta(days=1))
    room("/wow A story nobody nominated")
    await post_meeting(huddle, messengers)
    report = await run_wow_of_the_week(huddle, messengers, MONDAY)
    assert report.nothing_to_say == 1 and messenger.titled("WOW of the week") == []
    assert [n.status for n in notices(huddle.engine, "wow")] == ["none"]


async def test_the_wow_waits_for_the_meeting(huddle, clock, messenger, messengers):
    room = subscribe(huddle, clock)
    share_and_nominate(
        huddle, clock, room, LAST_MONDAY + timedelta(days=1), "Kind act", "Sam", ["Ana"]
    )
    await run_wow_of_the_week(huddle, messengers, MONDAY - timedelta(minutes=5))
    assert messenger.posts == []
    await post_meeting(huddle, messengers)
    await run_wow_of_the_week(huddle, messengers, MONDAY)
    assert [p.reply.title.split(" ·")[0] for p in messenger.posts] == [
        "Monday Morning Meeting",
        "WOW of the week",
    ]


async def test_each_channel_celebrates_its_own_stories(huddle, clock, messenger, messengers):
    front = subscribe(huddle, clock, name="FRONT")
    back = subscribe(huddle, clock, name="BACK")
    share_and_nominate(
        huddle, clock, front, LAST_MONDAY + timedelta(days=1), "Front desk story", "Sam", ["Ana"]
    )
    share_and_nominate(
        huddle, clock, back, LAST_MONDAY + timedelta(days=1), "Surgery story", "Lee", ["Ana"]
    )
    # A story shared in a channel without a meeting goes to the workspace's first channel.
    share_and_nominate(
        huddle,
        clock,
        channel(huddle, "DM-ANA"),
        LAST_MONDAY + timedelta(days=2),
        "Story from a DM",
        "Ana",
        ["Sam", "Lee"],
    )
    await post_meeting(huddle, messengers)
    await run_wow_of_the_week(huddle, messengers, MONDAY)
    wows = {p.ref.channel_id: p.text for p in messenger.titled("WOW of the week")}
    assert "Story from a DM" in wows["FRONT"]
    assert "Surgery story" in wows["BACK"]


# -- defect-digest ----------------------------------------------------------------------


async def test_the_digest_counts_last_weeks_defects_by_stage_and_names_stale_ones(
    huddle, clock, messenger, messengers
):
    room = subscribe(huddle, clock)
    clock.set(MONDAY - timedelta(days=20))
    room.as_("Sam")("/defect arrival: nobody greeted a patient for ten minutes")  # #1: stale
    room.as_("Ana")("/defect booking: double-booked the hygienist")  # #2: has a recovery action
    room.as_("Ana")("/defect recover 2 called both patients and rebooked one")
    room.as_("Lee")("/defect checkout: card machine down")  # #3: closed
    room.as_("Lee")("/defect close 3")
    clock.set(LAST_MONDAY + timedelta(days=1))
    room.as_("Jo")("/defect arrival: waited 25 minutes with no word patient: JS-1042")
    room.as_("Jo")("/defect waiting: no magazines, TV broken")
    clock.set(LAST_MONDAY + timedelta(days=2))
    room.as_("Jo")("/defect arrival: parking sign missing")
    clock.set(MONDAY + timedelta(minutes=30))
    room.as_("Jo")("/defect arrival: this week, not in the digest")

    await post_meeting(huddle, messengers)
    await run_defect_digest(huddle, messengers, MONDAY + timedelta(hours=1))
    await run_defect_digest(huddle, messengers, MONDAY + timedelta(hours=2))
    [digest] = messenger.titled("Defect digest")
    text = digest.text
    assert "3 service defects logged in the week of Mon 16 Nov" in text
    assert "• Arrival: 2" in text and "• Waiting: 1" in text
    assert "Booking" not in text.split("Open more")[0]
    stale = text.split("Open more than 7 days with no recovery action:")[1]
    # Owners (none yet for #1), never the reporter: the digest asks for follow-up.
    assert "#1 Arrival" in stale and "no owner yet" in stale and "Sam" not in stale
    assert "#2" not in stale and "#3" not in stale
    # Never patient references, descriptions or tidbits in a channel.
    for secret in ("JS-1042", "nobody greeted", "25 minutes", "magazines"):
        assert secret not in text


async def test_no_digest_when_there_is_nothing_to_report(huddle, clock, messenger, messengers):
    subscribe(huddle, clock)
    await post_meeting(huddle, messengers)
    report = await run_defect_digest(huddle, messengers, MONDAY)
    assert report.nothing_to_say == 1 and messenger.titled("Defect digest") == []


async def test_a_failed_digest_is_retried_and_sent_once(huddle, clock, messenger, messengers):
    room = subscribe(huddle, clock)
    clock.set(LAST_MONDAY + timedelta(days=1))
    room("/defect arrival: parking sign missing")
    await post_meeting(huddle, messengers)
    messenger.fail("T1", "C1")
    report = await run_defect_digest(huddle, messengers, MONDAY)
    assert report.failed == 1
    [row] = notices(huddle.engine, "digest")
    assert row.status == "failed" and row.sent_at is None
    messenger.heal()
    await run_defect_digest(huddle, messengers, row.next_attempt_at)
    await run_defect_digest(huddle, messengers, row.next_attempt_at + timedelta(minutes=5))
    assert len(messenger.titled("Defect digest")) == 1
    assert [n.status for n in notices(huddle.engine, "digest")] == ["sent"]


async def test_a_failed_notice_waits_while_its_platform_has_no_messenger(
    huddle, clock, messenger, messengers
):
    room = subscribe(huddle, clock)
    clock.set(LAST_MONDAY + timedelta(days=1))
    room("/defect arrival: parking sign missing")
    await post_meeting(huddle, messengers)
    messenger.fail("T1", "C1")
    await run_defect_digest(huddle, messengers, MONDAY)
    [row] = notices(huddle.engine, "digest")
    report = await run_defect_digest(huddle, {}, row.next_attempt_at)
    assert report.skipped == 1 and report.posted == 0
    messenger.heal()
    report = await run_defect_digest(huddle, messengers, row.next_attempt_at)
    assert report.posted == 1


async def test_nominations_taken_back_do_not_count_for_the_wow(
    huddle, clock, messenger, messengers
):
    from bot.model import Reaction, StoryPosted

    room = subscribe(huddle, clock)
    taken_back = share_and_nominate(
        huddle, clock, room, LAST_MONDAY + timedelta(days=1), "Briefly loved", "Sam", []
    )
    huddle.handle(StoryPosted(room.platform, room.workspace, room.channel, taken_back, "m-1"))
    for voter in ("U-ana", "U-lee"):
        for added in (True, False):
            huddle.handle(
                Reaction(
                    room.platform,
                    room.workspace,
                    room.channel,
                    "m-1",
                    voter,
                    voter,
                    "star-struck",
                    added,
                )
            )
    share_and_nominate(
        huddle, clock, room, LAST_MONDAY + timedelta(days=2), "Still loved", "Ana", ["Lee"]
    )
    await post_meeting(huddle, messengers)
    await run_wow_of_the_week(huddle, messengers, MONDAY)
    [wow] = messenger.titled("WOW of the week")
    assert "Still loved" in wow.text and "Briefly loved" not in wow.text
