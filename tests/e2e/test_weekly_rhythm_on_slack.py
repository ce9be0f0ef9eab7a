"""Two weeks of a practice's ritual on Slack, end to end.

The practice schedules the meeting with a signed slash command; the clock's jobs post
through the Slack messenger to the Web API stand-in; a thread reply to the meeting
becomes a story card in that thread, a reaction to the card nominates it, and the next Monday celebrates it and
digests last week's defects. Time is the test's clock, never slept on.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from adapters.slack.messenger import messenger_for
from bot.clock.config import ClockSettings
from bot.clock.jobs import JOBS
from bot.clock.scheduler import Clock
from bot.storage.models import MeetingPost
from tests.slack.conftest import slack_settings
from tests.slack.helpers import nominations, stories

# Sydney is UTC+11 in summer: Monday 08:00 there is Sunday 21:00 UTC.
FIRST_MONDAY = datetime(2026, 11, 29, 21, 0, 30, tzinfo=UTC)  # Mon 30 Nov, 08:00 Sydney
WEDNESDAY = datetime(2026, 12, 1, 21, 0, 30, tzinfo=UTC)  # Wed 2 Dec, 08:00 Sydney
NEXT_MONDAY = datetime(2026, 12, 6, 21, 0, 30, tzinfo=UTC)  # Mon 7 Dec, 08:00 Sydney


@pytest.fixture
async def messengers(huddle, api):
    messenger = messenger_for(slack_settings(api), huddle)
    yield {"slack": messenger}
    await messenger.close()


async def tick(huddle, messengers, clock, now: datetime) -> dict[str, int]:
    """One minute of the clock: every job, in the clock's order; returns posts per job."""
    clock.set(now)
    reports = await Clock(huddle, messengers, ClockSettings.defaults(), JOBS).tick()
    return {name: report.posted for name, report in reports.items()}


def meeting_ts(engine, week: int) -> str:
    """The Slack ts the clock recorded for that ISO week's meeting post."""
    with Session(engine) as session:
        post = session.exec(select(MeetingPost).where(MeetingPost.period == f"2026-W{week}")).one()
    return post.message_id


def posts(api, title: str) -> list:
    return [c for c in api.calls_to("chat.postMessage") if (c.get("text") or "").startswith(title)]


async def test_a_practice_gets_its_meeting_stories_wow_and_digest_on_slack(
    slack, api, huddle, engine, clock, messengers
):
    api.user_names["U7"] = "Priya"
    api.user_names["U2"] = "Sam"

    # Tuesday morning in Sydney: the manager schedules Mondays at 08:00 Sydney time.
    await slack.command("/huddle schedule monday 08:00 Australia/Sydney", user="U1", name="jo")
    await slack.command(
        "/defect arrival: waited 25 minutes with no word from us", user="U2", name="sam"
    )

    # A minute before the time nothing goes out; at the time, exactly one meeting.
    early = await tick(huddle, messengers, clock, FIRST_MONDAY.replace(hour=20, minute=59))
    assert sum(early.values()) == 0
    first = await tick(huddle, messengers, clock, FIRST_MONDAY)
    again = await tick(huddle, messengers, clock, FIRST_MONDAY.replace(second=50))
    assert first["monday-meeting"] == 1 and sum(again.values()) == 0
    [meeting] = posts(api, "Monday Morning Meeting")
    assert meeting["channel"] == "C1"

    # A teammate replies in the meeting's thread: that is a WOW story, shown as a card there.
    clock.set(datetime(2026, 11, 30, 2, 0, tzinfo=UTC))
    thread = meeting_ts(engine, 49)
    await slack.event(
        {
            "type": "message",
            "channel": "C1",
            "user": "U7",
            "text": "<@U2> drove Mrs K home after her extraction when her lift fell through",
            "ts": "1800000900.000100",
            "thread_ts": thread,
        }
    )
    [story] = stories(engine)
    assert story.author_name == "Priya"
    [card] = posts(api, "WOW story #1: Sam")
    assert card["thread_ts"] == thread
    assert "<@U2> drove Mrs K home" in json.dumps(card["blocks"]), "Sam is really mentioned"

    # Someone else nominates it by reacting to the card with the nominate emoji.
    await slack.event(
        {
            "type": "reaction_added",
            "user": "U8",
            "reaction": "star-struck",
            "item": {"type": "message", "channel": "C1", "ts": story.message_id},
        }
    )
    assert nominations(engine) == 1

    # Wednesday: a story was shared, so no nudge.
    midweek = await tick(huddle, messengers, clock, WEDNESDAY)
    assert midweek["story-nudge"] == 0 and posts(api, "Midweek WOW check-in") == []

    # Next Monday: the new meeting, the WOW of the week, and the digest, once each.
    monday = await tick(huddle, messengers, clock, NEXT_MONDAY)
    assert monday == {
        "monday-meeting": 1,
        "wow-of-the-week": 1,
        "defect-digest": 1,
        "story-nudge": 0,
        "owner-notice": 0,  # the defect has no owner to tell
        "morning-brief": 0,  # no brief time set
        "monthly-report": 1,  # December's first meeting brings November's report (an upload)
        "front-desk-unconfirmed": 0,  # no schedule source: nobody to tell about tomorrow
        "late-patients": 0,
    }
    first_meeting, second_meeting = posts(api, "Monday Morning Meeting")
    # The second meeting opens by following up the first one's challenge, over the wire.
    assert "This week's rule" in first_meeting["text"]
    assert "challenge" not in first_meeting["text"].split("This week's rule")[0]
    assert "Last week's challenge:" in second_meeting["text"]
    assert second_meeting["text"].index("How did it go?") < second_meeting["text"].index(
        "This week's rule"
    )
    [wow] = posts(api, "WOW of the week")
    assert "<@U2> drove Mrs K home" in wow["text"]
    assert "Thank you, <@U2>, for showing the team" in wow["text"]
    assert "thank you, Priya, for sharing it" in wow["text"]
    # The first digest counted the defect logged before the first meeting; the second
    # names it as still open with no recovery after 7 days, and its owner (none yet),
    # never who reported it.
    first_digest, second_digest = posts(api, "Defect digest")
    assert "1 service defect logged" in first_digest["text"]
    assert "#1" in second_digest["text"] and "no owner yet" in second_digest["text"]
    assert "sam" not in second_digest["text"]
    assert "waited 25 minutes" not in first_digest["text"] + second_digest["text"]
    # And nothing else went to the channel: the confirmation of the schedule, two
    # meetings, the story card, one WOW of the week, two digests.
    assert len(api.calls_to("chat.postMessage")) == 7


async def test_a_quiet_week_gets_the_midweek_nudge_in_the_meetings_thread(
    slack, api, huddle, engine, clock, messengers
):
    await slack.command("/huddle schedule monday 08:00 Australia/Sydney")
    await tick(huddle, messengers, clock, FIRST_MONDAY)
    assert len(posts(api, "Monday Morning Meeting")) == 1

    midweek = await tick(huddle, messengers, clock, WEDNESDAY)

    assert midweek["story-nudge"] == 1
    [nudge] = posts(api, "Midweek WOW check-in")
    assert nudge["channel"] == "C1" and nudge["thread_ts"] == meeting_ts(engine, 49)
