"""Over Slack's wire: a post Slack took but answered too late is found in the channel's
history by its message metadata and recorded, never posted twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.slack.messenger import POST_EVENT, messenger_for
from bot.clock.config import ClockSettings
from bot.clock.jobs import run_monday_meeting
from bot.model import ConversationRef, Reply, Visibility
from tests.clock.test_settling import DUE, LATER, states, subscribe
from tests.slack.conftest import TOKEN, slack_settings
from tests.standins.slack_api import SlackAPIStandIn

POST = Reply(title="Monday Morning Meeting", text="This week's rule", visibility=Visibility.CHANNEL)


@pytest.fixture
async def api():
    async with SlackAPIStandIn() as standin:
        standin.add_workspace("T1", token=TOKEN)
        yield standin


@pytest.fixture
async def slack(api, huddle):
    # The Slack client gives up after 1 s (SLACK_HTTP_TIMEOUT's least).
    messenger = messenger_for(slack_settings(api, SLACK_HTTP_TIMEOUT=1), huddle)
    yield messenger
    await messenger.close()


async def test_posts_slack_took_but_answered_after_the_clients_timeout_are_posted_once(
    api, slack, huddle, clock
):
    names = [f"C{n:02d}" for n in range(20)]
    subscribe(huddle, clock, *names)
    options = ClockSettings.defaults(workspace_concurrency=20, concurrency=20)
    release = api.answer_late("chat.postMessage")  # stored at once, answered too late

    report = await run_monday_meeting(huddle, {"slack": slack}, DUE, options=options)
    assert report.unconfirmed == 20 and report.posted == 0 and report.failed == 0
    assert len(api.calls_to("chat.postMessage")) == 20  # the client did not retry them
    release()

    report = await run_monday_meeting(huddle, {"slack": slack}, LATER, options=options)
    assert report.found == 20 and report.posted == 0
    assert len(api.calls_to("chat.postMessage")) == 20
    assert [len(api.messages[("T1", name)]) for name in names] == [1] * 20
    rows = states(huddle.engine)
    for name in names:
        [message] = api.messages[("T1", name)]
        assert rows[name] == ("posted", message["ts"])
    [history, *_] = api.calls_to("conversations.history")
    assert history["include_all_metadata"] in ("1", "true")
    assert float(history["oldest"]) <= DUE.timestamp()


async def test_each_clock_post_carries_its_claim_as_message_metadata(api, slack, huddle, clock):
    subscribe(huddle, clock, "C1")
    await run_monday_meeting(huddle, {"slack": slack}, DUE)
    [post] = api.calls_to("chat.postMessage")
    assert post["metadata"] == {
        "event_type": POST_EVENT,
        "event_payload": {"claim": "monday-meeting/2026-W48/1"},
    }


async def test_find_looks_in_the_channel_or_the_thread_and_only_at_our_tag(api, slack):
    since = datetime.now(UTC) - timedelta(minutes=1)
    channel = ConversationRef("slack", "T1", "C1")
    root = await slack.send(channel, POST, claim="meeting/1")
    thread = ConversationRef("slack", "T1", "C1", thread_id=root)
    reply = await slack.send(thread, POST, claim="nudge/2")
    await slack.send(channel, POST)  # untagged (a reply to a command)

    assert await slack.find(channel, "meeting/1", since) == root
    assert await slack.find(channel, "nudge/2", since) is None  # replies aren't in history
    assert await slack.find(thread, "nudge/2", since) == reply
    assert await slack.find(channel, "meeting/9", since) is None
    assert [c.method for c in api.calls if c.method.startswith("conversations.")] == [
        "conversations.history",
        "conversations.history",
        "conversations.replies",
        "conversations.history",
    ]


async def test_the_stand_in_answers_history_like_slack(api, slack):
    for n in range(5):
        await slack.send(ConversationRef("slack", "T1", "C1"), POST, claim=f"c/{n}")
    client, token = slack.client, TOKEN
    page = await client.conversations_history(channel="C1", limit=2, token=token)
    assert [m["metadata"] for m in page["messages"] if "metadata" in m] == []  # not asked for
    assert page["has_more"] and page["response_metadata"]["next_cursor"]
    newest_first = [m["ts"] for m in page["messages"]]
    assert newest_first == sorted(newest_first, reverse=True)
    rest = await client.conversations_history(
        channel="C1",
        limit=10,
        cursor=page["response_metadata"]["next_cursor"],
        include_all_metadata=True,
        token=token,
    )
    claims = [m["metadata"]["event_payload"]["claim"] for m in rest["messages"]]
    assert claims == ["c/2", "c/1", "c/0"] and not rest["has_more"]
    oldest = newest_first[-1]
    after = await client.conversations_history(channel="C1", oldest=oldest, token=token)
    assert [m["ts"] for m in after["messages"]] == newest_first[:1]  # oldest is exclusive
