"""Installation stores a conversation reference; the messenger posts through it;
the connector's throttling and gateway errors are retried, then reported."""

from __future__ import annotations

import asyncio

import pytest
import requests

from adapters.teams.connector import RetryPolicy
from adapters.teams.messenger import build_messenger
from adapters.teams.settings import TeamsSettings
from bot.model import ConversationRef, Reply, Visibility
from bot.ports import DeliveryError
from bot.storage.conversations import conversation_data
from bot.storage.db import transaction
from bot.storage.models import Defect
from bot.storage.workspaces import get_workspace
from tests.teams.conftest import BOT_ID, CHANNEL, TENANT, rows


def _installed_in_team(teams) -> dict:
    return teams.activity(
        "conversationUpdate",
        scope="channel",
        membersAdded=[{"id": BOT_ID, "name": "Huddle"}],
    )


async def test_bot_added_to_a_team_stores_the_conversation_reference_and_says_hello(
    teams, bot_connector, huddle
):
    assert await teams.post(_installed_in_team(teams)) == 201

    data = huddle.conversation(platform="teams", workspace_id=TENANT, channel_id=CHANNEL)
    assert data["serviceUrl"] == bot_connector.url
    assert data["conversation"]["id"] == CHANNEL
    assert data["conversation"]["tenantId"] == TENANT
    assert data["bot"]["id"] == BOT_ID
    [welcome] = bot_connector.in_conversation(CHANNEL)
    assert "Huddle" in welcome.text


async def test_personal_installation_stores_the_reference(teams, bot_connector, huddle):
    await teams.post(teams.activity("installationUpdate", action="add"))
    data = huddle.conversation(platform="teams", workspace_id=TENANT, channel_id="a:1on1-29:alex")
    assert data["conversation"]["id"] == "a:1on1-29:alex"


async def test_someone_else_joining_the_team_is_not_greeted(teams, bot_connector, huddle):
    await teams.post(
        teams.activity("conversationUpdate", scope="channel", membersAdded=[{"id": "29:newbie"}])
    )
    assert bot_connector.posted == []
    assert huddle.conversation(platform="teams", workspace_id=TENANT, channel_id=CHANNEL)


def _stored(huddle, channel: str = CHANNEL, *, thread_id: str | None = None) -> ConversationRef:
    """A channel as the clock hands it to the messenger: with the reference stored for it."""
    with transaction(huddle.engine) as session:
        workspace = get_workspace(session=session, platform="teams", external_id=TENANT)
        data = workspace and conversation_data(
            session=session, workspace_id=workspace.id, channel_id=channel
        )
    return ConversationRef("teams", TENANT, channel, thread_id=thread_id, data=data)


def _messenger(huddle, settings, sleeps):
    return build_messenger(
        settings,
        huddle,
        teams_settings=TeamsSettings(MICROSOFT_APP_ID=""),
        retry=RetryPolicy(sleep=sleeps),
    )


MEETING = Reply(title="Monday Morning Meeting", text="Rule 1", visibility=Visibility.CHANNEL)


async def test_messenger_posts_to_a_stored_conversation(
    teams, bot_connector, huddle, settings, sleeps
):
    await teams.post(_installed_in_team(teams))
    messenger = _messenger(huddle, settings, sleeps)
    try:
        message_id = await messenger.send(_stored(huddle), MEETING)
    finally:
        messenger.close()

    post = bot_connector.posted[-1]
    assert post.id == message_id
    assert post.conversation_id == CHANNEL
    assert post.cards[0]["body"][0]["text"] == "Monday Morning Meeting"


async def test_messenger_posts_in_a_reply_chain_when_given_a_thread(
    teams, bot_connector, huddle, settings, sleeps
):
    await teams.post(_installed_in_team(teams))
    messenger = _messenger(huddle, settings, sleeps)
    await messenger.send(
        _stored(huddle, thread_id="1700000000001"),
        Reply(text="Reminder: share your WOW stories", visibility=Visibility.CHANNEL),
    )
    messenger.close()
    assert bot_connector.posted[-1].conversation_id == f"{CHANNEL};messageid=1700000000001"


async def test_messenger_without_a_stored_reference_fails_permanently(
    teams, huddle, settings, sleeps
):
    messenger = _messenger(huddle, settings, sleeps)
    with pytest.raises(DeliveryError) as error:
        await messenger.send(_stored(huddle, "19:unknown@thread.tacv2"), MEETING)
    assert error.value.permanent


async def test_messenger_retries_a_429_then_succeeds(
    teams, bot_connector, huddle, settings, sleeps
):
    await teams.post(_installed_in_team(teams))
    bot_connector.fail_next(429, retry_after=2)
    messenger = _messenger(huddle, settings, sleeps)
    message_id = await messenger.send(_stored(huddle), MEETING)
    messenger.close()
    assert message_id == bot_connector.posted[-1].id
    assert len(sleeps) == 1 and sleeps[0] >= 2  # waited at least what Retry-After asked


@pytest.mark.parametrize("status", [412, 502, 504])
async def test_messenger_retries_transient_gateway_errors(
    teams, bot_connector, huddle, settings, sleeps, status
):
    await teams.post(_installed_in_team(teams))
    bot_connector.fail_next(status, times=2)
    messenger = _messenger(huddle, settings, sleeps)
    assert await messenger.send(_stored(huddle), MEETING)
    messenger.close()
    # Exponential back-off from 0.5 s, plus up to half a base delay of jitter.
    assert len(sleeps) == 2
    assert 0.5 <= sleeps[0] <= 1.0 <= sleeps[1] <= 1.5


async def test_messenger_gives_up_on_a_persistent_502_with_delivery_error(
    teams, bot_connector, huddle, settings, sleeps
):
    await teams.post(_installed_in_team(teams))
    bot_connector.fail_always(502)
    attempts_before = bot_connector.attempts
    messenger = _messenger(huddle, settings, sleeps)
    with pytest.raises(DeliveryError) as error:
        await messenger.send(_stored(huddle), MEETING)
    messenger.close()
    assert not error.value.permanent
    assert error.value.retry_after and error.value.retry_after > 0
    assert bot_connector.attempts - attempts_before == 4  # a few attempts, then give up


async def test_messenger_surfaces_a_long_retry_after_to_the_caller(
    teams, bot_connector, huddle, settings, sleeps
):
    await teams.post(_installed_in_team(teams))
    bot_connector.fail_always(429)
    bot_connector.heal()
    bot_connector.fail_next(429, times=10, retry_after=120)
    messenger = _messenger(huddle, settings, sleeps)
    with pytest.raises(DeliveryError) as error:
        await messenger.send(_stored(huddle), MEETING)
    assert error.value.retry_after == 120
    assert sleeps == []  # not worth waiting in-process: the clock reschedules


async def test_reply_to_a_user_is_retried_after_a_429(teams, bot_connector, engine, sleeps):
    bot_connector.fail_next(429, retry_after=1)
    assert await teams.say("defect arrival: waited") == 201
    assert len(rows(engine, Defect)) == 1
    [post] = bot_connector.posted
    assert "logged" in post.everything()
    assert sleeps and sleeps[0] >= 1


async def test_persistent_502_loses_the_reply_but_never_the_defect(
    teams, bot_connector, engine, caplog
):
    bot_connector.fail_always(502)
    assert await teams.say("defect arrival: waited 25 minutes, patient: JS-1042") == 201
    [defect] = rows(engine, Defect)
    assert defect.description == "waited 25 minutes"
    assert bot_connector.posted == []
    assert "not delivered" in caplog.text
    assert "JS-1042" not in caplog.text and "waited 25" not in caplog.text


async def test_messenger_is_found_by_its_entry_point(huddle, settings):
    from importlib.metadata import entry_points

    [entry] = [e for e in entry_points(group="huddle.messengers") if e.name == "teams"]
    messenger = entry.load()(settings, huddle)
    assert messenger.platform == "teams"
    messenger.close()


async def test_messenger_reuses_one_http_session(teams, bot_connector, huddle, settings, sleeps):
    await teams.post(_installed_in_team(teams))
    messenger = _messenger(huddle, settings, sleeps)
    ref = _stored(huddle)
    await asyncio.gather(messenger.send(ref, MEETING), messenger.send(ref, MEETING))
    await messenger.send(ref, MEETING)
    # Every connector client sent through the messenger's one session (one pool per host).
    session = messenger.connector.session
    pools = session.get_adapter(bot_connector.url).poolmanager.pools
    assert len(pools) == 1
    # ...and the session is not re-wrapped per call (which would eventually overflow).
    assert session.resolve_redirects.__func__ is requests.Session.resolve_redirects
    messenger.close()


async def test_retries_stop_within_the_total_wait_budget(
    teams, bot_connector, huddle, settings, sleeps
):
    await teams.post(_installed_in_team(teams))
    bot_connector.fail_next(429, times=10, retry_after=4)
    attempts_before = bot_connector.attempts
    messenger = _messenger(huddle, settings, sleeps)
    with pytest.raises(DeliveryError) as error:
        await messenger.send(_stored(huddle), MEETING)
    messenger.close()
    assert sum(sleeps) <= 10  # a Teams turn must answer within 15 seconds
    assert len(sleeps) == 2 and bot_connector.attempts - attempts_before == 3
    assert error.value.retry_after == 4


async def test_stored_reference_carries_the_tenant_into_proactive_posts(
    teams, bot_connector, huddle, settings, sleeps
):
    await teams.post(_installed_in_team(teams))
    messenger = _messenger(huddle, settings, sleeps)
    await messenger.send(_stored(huddle), MEETING)
    messenger.close()
    conversation = bot_connector.posted[-1].activity["conversation"]
    assert TENANT in (conversation.get("tenantID"), conversation.get("tenantId"))


async def _weekly_meeting_posted(teams, huddle, settings, sleeps) -> str:
    """The clock's way: claim the week's meeting, post it through the messenger."""
    await teams.post(_installed_in_team(teams))
    ref = _stored(huddle)
    post_id, meeting = huddle.claim_meeting(ref)
    messenger = _messenger(huddle, settings, sleeps)
    message_id = await messenger.send(ref, meeting)
    messenger.close()
    huddle.meeting_posted(post_id, message_id)
    return message_id


@pytest.mark.parametrize("mention", [True, False], ids=["mentioning-huddle", "without-mention"])
async def test_reply_to_the_weekly_meeting_becomes_a_story_card(
    teams, bot_connector, huddle, settings, sleeps, engine, mention
):
    """Without a mention Teams delivers the reply only under ChannelMessage.Read.Group."""
    from bot.storage.models import Story

    message_id = await _weekly_meeting_posted(teams, huddle, settings, sleeps)

    await teams.say(
        "Priya stayed late to drive Mrs K home",
        scope="channel",
        mention=mention,
        user="Sam",
        conversation_id=f"{CHANNEL};messageid={message_id}",
    )

    [story] = rows(engine, Story)
    assert story.text == "Priya stayed late to drive Mrs K home"
    assert story.author_name == "Sam"
    card_post = bot_connector.posted[-1]
    assert card_post.conversation_id == f"{CHANNEL};messageid={message_id}"
    assert "Priya stayed late" in card_post.everything()
    assert story.message_id == card_post.id  # reactions to the card nominate it


@pytest.mark.parametrize("mention", [True, False], ids=["mentioning-huddle", "without-mention"])
async def test_meeting_reply_delivered_twice_is_one_story_and_one_card(
    teams, bot_connector, huddle, settings, sleeps, engine, mention
):
    from bot.storage.models import Story

    message_id = await _weekly_meeting_posted(teams, huddle, settings, sleeps)
    posted_before = len(bot_connector.posted)
    reply = teams.activity(
        text="Jo found Mr T's lost hearing aid",
        scope="channel",
        user="Sam",
        mention=mention,
        conversation_id=f"{CHANNEL};messageid={message_id}",
    )
    await teams.post(reply)
    await teams.post(reply)

    assert len(rows(engine, Story)) == 1
    [card] = bot_connector.posted[posted_before:]  # no help text for the redelivery either
    assert "hearing aid" in card.everything()


async def test_unaddressed_reply_under_another_message_is_neither_stored_nor_logged(
    teams, bot_connector, huddle, settings, sleeps, engine, caplog
):
    from bot.storage.models import Story

    caplog.set_level("DEBUG")
    await _weekly_meeting_posted(teams, huddle, settings, sleeps)
    posted_before = len(bot_connector.posted)

    await teams.say(
        "Mrs K's biopsy came back fine",
        scope="channel",
        user="Sam",
        conversation_id=f"{CHANNEL};messageid=some-other-post",
    )

    assert rows(engine, Story) == []
    assert len(bot_connector.posted) == posted_before
    assert "biopsy" not in caplog.text


async def test_database_down_gets_a_friendly_sorry_and_no_crash(
    settings, content, vault, clock, bot_connector, sleeps, tmp_path
):
    from bot.huddle import SORRY, Huddle
    from bot.storage import db
    from tests.teams.conftest import Teams, _running_app

    broken = db.make_engine(f"sqlite:///{tmp_path}/missing/dir/huddle.db")
    huddle = Huddle(engine=broken, settings=settings, content=content, vault=vault, clock=clock)
    client = await _running_app(
        huddle, settings, bot_connector, sleeps, TeamsSettings(MICROSOFT_APP_ID="")
    )
    try:
        teams = Teams(client, bot_connector.url)
        assert await teams.say("defect arrival: waited") == 201
    finally:
        await client.close()
    [post] = bot_connector.posted
    assert post.text == SORRY


async def test_retry_after_given_as_an_http_date_is_understood(
    teams, bot_connector, huddle, settings, sleeps
):
    await teams.post(_installed_in_team(teams))
    bot_connector.fail_next(429, times=10, retry_after="Wed, 21 Oct 2099 07:28:00 GMT")
    messenger = _messenger(huddle, settings, sleeps)
    with pytest.raises(DeliveryError) as error:
        await messenger.send(_stored(huddle), MEETING)
    messenger.close()
    assert error.value.retry_after > 3600  # far off: handed to the caller, not waited for
    assert sleeps == []


async def test_the_clock_posts_the_weekly_meeting_to_a_teams_channel_and_its_replies_are_stories(
    teams, bot_connector, huddle, settings, clock, engine, monkeypatch
):
    """End to end: scheduled from Teams, posted by the clock's own job through the
    ``huddle.messengers`` entry point, a reply in its reply chain becomes a story."""
    from datetime import UTC, datetime

    from bot.clock.jobs import run_monday_meeting
    from bot.clock.messengers import close_messengers, load_messengers
    from bot.storage.models import Story

    for name in ("MICROSOFT_APP_ID", "MICROSOFT_LOGIN_URL", "MICROSOFT_OPENID_METADATA_URL"):
        monkeypatch.delenv(name, raising=False)
    await teams.post(_installed_in_team(teams))
    await teams.say("huddle schedule monday 08:00 UTC", scope="channel", mention=True)

    posted_before = len(bot_connector.posted)
    messengers = load_messengers(settings, huddle)
    try:
        clock.now = monday = datetime(2026, 11, 30, 8, 0, 30, tzinfo=UTC)
        await run_monday_meeting(huddle, messengers, monday)
    finally:
        await close_messengers(messengers)

    [meeting] = bot_connector.posted[posted_before:]
    assert meeting.cards and "Week 49, 2026" in meeting.everything()
    assert meeting.conversation_id == CHANNEL
    await teams.say(
        "Priya stayed late to drive Mrs K home",
        scope="channel",
        user="Sam",
        conversation_id=f"{CHANNEL};messageid={meeting.id}",
    )
    [story] = rows(engine, Story)
    assert story.source == "thread" and story.author_name == "Sam"
