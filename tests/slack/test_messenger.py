"""The clock's Slack messenger: posts, threads, one shared session, 429s surfaced with Retry-After."""

from __future__ import annotations

import asyncio
from importlib.metadata import entry_points

import pytest

from adapters.slack.messenger import SlackMessenger, build_messenger, messenger_for
from bot.model import ConversationRef, Reply, Visibility
from bot.ports import DeliveryError
from tests.slack.conftest import TOKEN, said, slack_settings
from tests.standins.slack_api import SlackAPIStandIn

POST = Reply(title="Monday Morning Meeting", text="This week's rule", visibility=Visibility.CHANNEL)


@pytest.fixture
async def messenger(api, huddle):
    messenger = messenger_for(slack_settings(api), huddle)
    yield messenger
    await messenger.close()


def test_the_messenger_is_registered_for_the_clock():
    [entry] = [e for e in entry_points(group="huddle.messengers") if e.name == "slack"]
    assert entry.load() is build_messenger


def test_no_messenger_when_slack_is_not_configured(huddle, settings, monkeypatch):
    for name in ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir("/")  # no .env
    assert build_messenger(settings, huddle) is None


async def test_send_posts_and_returns_the_message_ts(messenger, api):
    ts = await messenger.send(ConversationRef("slack", "T1", "C1"), POST)

    [post] = api.calls_to("chat.postMessage")
    assert post["channel"] == "C1" and post.token == TOKEN
    assert "Monday Morning Meeting" in said(post)
    assert ts and ts.startswith("18")


async def test_send_into_a_thread(messenger, api):
    await messenger.send(ConversationRef("slack", "T1", "C1", thread_id="1800000001.000100"), POST)

    assert api.calls_to("chat.postMessage")[0]["thread_ts"] == "1800000001.000100"


async def test_a_rate_limit_comes_back_as_delivery_error_with_retry_after(messenger, api):
    api.fail("chat.postMessage", status=429, retry_after=7)

    with pytest.raises(DeliveryError) as raised:
        await messenger.send(ConversationRef("slack", "T1", "C1"), POST)

    assert raised.value.retry_after == 7
    assert not raised.value.permanent


async def test_an_archived_channel_is_a_permanent_failure(messenger, api):
    api.fail("chat.postMessage", error="is_archived")

    with pytest.raises(DeliveryError) as raised:
        await messenger.send(ConversationRef("slack", "T1", "C1"), POST)

    assert raised.value.permanent
    assert "is_archived" in str(raised.value)


async def test_server_errors_are_retried_before_giving_up(messenger, api):
    api.fail("chat.postMessage", status=500, times=2)

    assert await messenger.send(ConversationRef("slack", "T1", "C1"), POST)
    assert len(api.calls_to("chat.postMessage")) == 3


async def test_patient_data_is_never_posted(messenger, api):
    with pytest.raises(DeliveryError):
        await messenger.send(
            ConversationRef("slack", "T1", "C1"),
            Reply(text="tidbit", visibility=Visibility.CHANNEL, sensitive=True),
        )
    assert api.calls == []


async def test_concurrent_sends_share_one_session_and_the_stand_in_rate_limits_them(huddle):
    async with SlackAPIStandIn(rate_limit=3, retry_after=1) as api:
        api.add_workspace("T1", token=TOKEN)
        messenger: SlackMessenger = messenger_for(slack_settings(api), huddle)
        try:
            results = await asyncio.gather(
                *(messenger.send(ConversationRef("slack", "T1", f"C{n}"), POST) for n in range(5)),
                return_exceptions=True,
            )
            session = messenger.client.session
        finally:
            await messenger.close()

    posted = [r for r in results if isinstance(r, str)]
    limited = [r for r in results if isinstance(r, DeliveryError)]
    assert len(posted) == 3
    assert len(limited) == 2 and all(e.retry_after == 1 for e in limited)
    assert session is not None
    assert {id(session)} == {id(messenger.client.session)}
