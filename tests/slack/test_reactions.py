"""Reactions nominate stories: one vote per person per story, no self-votes, no double counting."""

from __future__ import annotations

import asyncio

import pytest

from bot.huddle import Huddle
from tests.slack.conftest import Slack, serve, slack_settings
from tests.slack.helpers import nominations, stories


def reaction(kind: str, ts: str, *, user: str = "U2", emoji: str = "star-struck") -> dict:
    return {
        "type": kind,
        "user": user,
        "reaction": emoji,
        "item_user": "U1",
        "item": {"type": "message", "channel": "C1", "ts": ts},
        "event_ts": "1800000099.000200",
    }


async def _story(slack, api) -> str:
    """U1 shares a story; returns the ts of the channel message showing it."""
    await slack.command("/wow <@U7|Priya> drove Mrs K home", user="U1", name="sam")
    return stories(slack.adapter.huddle.engine)[-1].message_id


async def test_reacting_with_the_nominate_emoji_nominates_and_removing_it_takes_it_back(
    slack, api, engine
):
    ts = await _story(slack, api)

    response = await slack.event(reaction("reaction_added", ts))
    assert response.status == 200
    assert nominations(engine) == 1

    await slack.event(reaction("reaction_removed", ts))
    assert nominations(engine) == 0


async def test_other_emoji_and_other_messages_do_not_nominate(slack, api, engine):
    ts = await _story(slack, api)

    await slack.event(reaction("reaction_added", ts, emoji="thumbsup"))
    await slack.event(reaction("reaction_added", "1700000000.000001"))

    assert nominations(engine) == 0


async def test_skin_toned_nominate_emoji_still_counts(slack, api, engine):
    await slack.command("/huddle emoji clap")
    ts = await _story(slack, api)

    await slack.event(reaction("reaction_added", ts, emoji="clap::skin-tone-3"))

    assert nominations(engine) == 1


async def test_one_vote_per_person_per_story(slack, api, engine):
    ts = await _story(slack, api)

    await slack.event(reaction("reaction_added", ts, user="U2"))
    await slack.event(reaction("reaction_added", ts, user="U2"))
    await slack.event(reaction("reaction_added", ts, user="U3"))

    assert nominations(engine) == 2


async def test_reacting_to_your_own_story_is_not_a_vote_and_you_are_told_privately(
    slack, api, engine
):
    ts = await _story(slack, api)

    await slack.event(reaction("reaction_added", ts, user="U1"))

    assert nominations(engine) == 0
    [told] = api.calls_to("chat.postEphemeral")
    assert told["user"] == "U1" and told["channel"] == "C1"
    assert "your own story" in told["text"]


async def test_the_same_event_id_delivered_twice_counts_once(slack, api, engine):
    ts = await _story(slack, api)

    await slack.event(reaction("reaction_added", ts), event_id="Ev0DUP")
    await slack.event(reaction("reaction_removed", ts), event_id="Ev0REMOVE")
    await slack.event(reaction("reaction_added", ts), event_id="Ev0DUP")

    # The redelivered add did not undo the removal.
    assert nominations(engine) == 0


async def test_a_slack_retry_of_an_event_is_acknowledged_and_not_counted_again(slack, api, engine):
    ts = await _story(slack, api)
    await slack.event(reaction("reaction_added", ts), event_id="Ev0RETRY")
    await slack.event(reaction("reaction_removed", ts), event_id="Ev0OFF")

    response = await slack.event(reaction("reaction_added", ts), event_id="Ev0RETRY", retry_num=1)

    assert response.status == 200
    assert nominations(engine) == 0


@pytest.fixture
async def two_workers(pg_engine, settings, content, vault, clock, api):
    """Two web workers: two servers on one PostgreSQL database. U1 has shared a story;
    yields both and the ts of the story's message."""
    huddle = Huddle(engine=pg_engine, settings=settings, content=content, vault=vault, clock=clock)
    first = await serve(huddle, settings, slack_settings(api))
    second = await serve(huddle, settings, slack_settings(api))
    try:
        one, two = Slack(first, api), Slack(second, api)
        await one.command("/wow <@U7|Priya> drove Mrs K home", user="U1", name="sam")
        yield one, two, stories(pg_engine)[-1].message_id
    finally:
        await first.close()
        await second.close()


@pytest.mark.postgres
async def test_two_workers_receiving_the_same_event_at_once_count_it_once(two_workers, pg_engine):
    one, two, ts = two_workers
    for n in range(5):
        voter = f"U{10 + n}"
        await asyncio.gather(
            one.event(reaction("reaction_added", ts, user=voter), event_id=f"Ev0SAME{n}"),
            two.event(reaction("reaction_added", ts, user=voter), event_id=f"Ev0SAME{n}"),
        )
        await one.event(reaction("reaction_removed", ts, user=voter), event_id=f"Ev0OFF{n}")
        await asyncio.gather(
            one.event(reaction("reaction_added", ts, user=voter), event_id=f"Ev0SAME{n}"),
            two.event(reaction("reaction_added", ts, user=voter), event_id=f"Ev0SAME{n}"),
        )
    assert nominations(pg_engine) == 0


@pytest.mark.postgres
async def test_two_workers_receiving_an_event_and_slacks_retry_of_it_count_it_once(
    two_workers, pg_engine
):
    one, two, ts = two_workers
    vote = reaction("reaction_added", ts, user="U2")

    # The first delivery and Slack's retries of it (X-Slack-Retry-Num) land on both workers.
    await asyncio.gather(
        one.event(vote, event_id="Ev0ONCE"),
        two.event(vote, event_id="Ev0ONCE", retry_num=1),
        one.event(vote, event_id="Ev0ONCE", retry_num=2),
    )
    assert nominations(pg_engine) == 1

    await one.event(reaction("reaction_removed", ts, user="U2"), event_id="Ev0TAKEBACK")
    await asyncio.gather(
        one.event(vote, event_id="Ev0ONCE", retry_num=3),
        two.event(vote, event_id="Ev0ONCE", retry_num=3),
    )
    assert nominations(pg_engine) == 0
