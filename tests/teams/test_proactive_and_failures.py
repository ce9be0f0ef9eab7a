"""Installation stores a conversation reference; replies under the weekly meeting become
story cards; posts outside the turn's conversation go through the connector, whose
throttling and gateway errors are retried, then reported; the messenger posts through
the reference the clock hands it."""

from __future__ import annotations

import asyncio
import json

import pytest
import requests

from adapters.teams.activities import parse_activity, reply_chain
from adapters.teams.connector import RetryPolicy, TeamsConnector
from adapters.teams.convert import to_activity
from adapters.teams.messenger import build_messenger
from adapters.teams.references import reference_to
from bot.model import ConversationRef, Reply, Visibility
from bot.ports import DeliveryError
from bot.storage.models import ConversationReference, Defect, Nomination, Story
from tests.teams.conftest import BOT_ID, CHANNEL, TENANT, card_actions, emulator_settings, rows


def _installed_in_team(teams) -> dict:
    return teams.activity(
        "conversationUpdate",
        scope="channel",
        membersAdded=[{"id": BOT_ID, "name": "Huddle"}],
    )


def stored(engine, channel_id: str) -> ConversationReference | None:
    return next(
        (r for r in rows(engine, ConversationReference) if r.channel_id == channel_id), None
    )


async def test_bot_added_to_a_team_stores_the_conversation_reference_and_says_hello(
    teams, bot_connector, engine
):
    from bot.handlers.installed import WELCOME_SHARED

    assert await teams.post(_installed_in_team(teams)) == 201

    reference = stored(engine, CHANNEL)
    data = json.loads(reference.data)
    assert data["serviceUrl"] == bot_connector.url
    assert data["conversation"]["id"] == CHANNEL
    assert data["conversation"]["tenantId"] == TENANT
    assert data["bot"]["id"] == BOT_ID
    assert (reference.kind, reference.group_id) == ("channel", CHANNEL)  # the team's own id
    [welcome] = bot_connector.in_conversation(CHANNEL)
    assert welcome.text == WELCOME_SHARED  # the core's hello, said in the channel


async def test_personal_installation_stores_the_reference_without_a_hello(
    teams, bot_connector, engine
):
    await teams.post(teams.activity("installationUpdate", action="add"))
    reference = stored(engine, "a:1on1-29:alex")
    assert json.loads(reference.data)["conversation"]["id"] == "a:1on1-29:alex"
    assert reference.kind == "personal"
    assert bot_connector.posted == []  # the hello comes with the bot's own membersAdded


async def test_someone_else_joining_the_team_is_not_greeted(teams, bot_connector, engine):
    await teams.post(
        teams.activity("conversationUpdate", scope="channel", membersAdded=[{"id": "29:newbie"}])
    )
    assert bot_connector.posted == []
    assert stored(engine, CHANNEL) is not None


# -- posting outside the turn's conversation: the connector -------------------------------

MEETING = Reply(title="Monday Morning Meeting", text="Rule 1", visibility=Visibility.CHANNEL)


@pytest.fixture
def connector(sleeps):
    connector = TeamsConnector(emulator_settings(), retry=RetryPolicy(sleep=sleeps))
    yield connector
    connector.close()


def _to_channel(teams, thread_id: str | None = None):
    """The channel as a turn reaches it: a reference made from one of its activities."""
    activity = parse_activity(teams.activity(text="defect list", scope="channel"))
    return reference_to(activity, reply_chain(CHANNEL, thread_id), TENANT)


async def _post(connector, reference, reply: Reply = MEETING) -> str | None:
    return await connector.send_proactive(reference, to_activity(reply), what="post")


async def test_a_proactive_post_reaches_the_channel_with_its_tenant(
    teams, bot_connector, connector
):
    message_id = await _post(connector, _to_channel(teams))

    post = bot_connector.posted[-1]
    assert post.id == message_id
    assert post.conversation_id == CHANNEL
    assert post.cards[0]["body"][0]["text"] == "Monday Morning Meeting"
    conversation = post.activity["conversation"]
    assert TENANT in (conversation.get("tenantID"), conversation.get("tenantId"))


async def test_a_proactive_post_with_a_thread_goes_into_its_reply_chain(
    teams, bot_connector, connector
):
    await _post(connector, _to_channel(teams, "1700000000001"), Reply(text="Reminder"))
    assert bot_connector.posted[-1].conversation_id == f"{CHANNEL};messageid=1700000000001"


async def test_a_429_is_retried_then_succeeds(teams, bot_connector, connector, sleeps):
    bot_connector.fail_next(429, retry_after=2)
    message_id = await _post(connector, _to_channel(teams))
    assert message_id == bot_connector.posted[-1].id
    assert len(sleeps) == 1 and sleeps[0] >= 2  # waited at least what Retry-After asked


@pytest.mark.parametrize("status", [412, 502, 504])
async def test_transient_gateway_errors_are_retried(
    teams, bot_connector, connector, sleeps, status
):
    bot_connector.fail_next(status, times=2)
    assert await _post(connector, _to_channel(teams))
    # Exponential back-off from 0.5 s, plus up to half a base delay of jitter.
    assert len(sleeps) == 2
    assert 0.5 <= sleeps[0] <= 1.0 <= sleeps[1] <= 1.5


async def test_a_persistent_502_gives_up_with_a_delivery_error(teams, bot_connector, connector):
    bot_connector.fail_always(502)
    with pytest.raises(DeliveryError) as error:
        await _post(connector, _to_channel(teams))
    assert not error.value.permanent
    assert error.value.retry_after and error.value.retry_after > 0
    assert bot_connector.attempts == 4  # a few attempts, then give up


async def test_a_long_retry_after_is_handed_to_the_caller(teams, bot_connector, connector, sleeps):
    bot_connector.fail_next(429, times=10, retry_after=120)
    with pytest.raises(DeliveryError) as error:
        await _post(connector, _to_channel(teams))
    assert error.value.retry_after == 120
    assert sleeps == []  # not worth waiting in-process: the clock reschedules


async def test_retries_stop_within_the_total_wait_budget(teams, bot_connector, connector, sleeps):
    bot_connector.fail_next(429, times=10, retry_after=4)
    with pytest.raises(DeliveryError) as error:
        await _post(connector, _to_channel(teams))
    assert sum(sleeps) <= 10  # a Teams turn must answer within 15 seconds
    assert len(sleeps) == 2 and bot_connector.attempts == 3
    assert error.value.retry_after == 4


async def test_retry_after_given_as_an_http_date_is_understood(
    teams, bot_connector, connector, sleeps
):
    bot_connector.fail_next(429, times=10, retry_after="Wed, 21 Oct 2099 07:28:00 GMT")
    with pytest.raises(DeliveryError) as error:
        await _post(connector, _to_channel(teams))
    assert error.value.retry_after > 3600  # far off: handed to the caller, not waited for
    assert sleeps == []


async def test_every_connector_call_shares_one_http_session(teams, bot_connector, connector):
    reference = _to_channel(teams)
    await asyncio.gather(_post(connector, reference), _post(connector, reference))
    await _post(connector, reference)
    # Every connector client sent through the one session (one pool per host).
    pools = connector.session.get_adapter(bot_connector.url).poolmanager.pools
    assert len(pools) == 1
    # ...and the session is not re-wrapped per call (which would eventually overflow).
    assert connector.session.resolve_redirects.__func__ is requests.Session.resolve_redirects


# -- answers to people: stored first, answered after --------------------------------------


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


async def test_database_down_gets_a_friendly_sorry_and_no_crash(
    settings, content, vault, clock, bot_connector, sleeps, tmp_path
):
    from bot.door import SORRY
    from bot.huddle import Huddle
    from bot.storage import db
    from tests.teams.conftest import Teams, _running_app

    broken = db.make_engine(f"sqlite:///{tmp_path}/missing/dir/huddle.db")
    huddle = Huddle(engine=broken, settings=settings, content=content, vault=vault, clock=clock)
    client = await _running_app(huddle, settings, bot_connector, sleeps, emulator_settings())
    try:
        teams = Teams(client, bot_connector.url)
        assert await teams.say("defect arrival: waited") == 201
    finally:
        await client.close()
    [post] = bot_connector.posted  # the reference could not be stored either: not fatal
    assert post.text == SORRY


# -- replies under the weekly meeting -----------------------------------------------------

MEETING_MESSAGE = "1732600000000"


def _meeting_posted(huddle) -> str:
    """This week's meeting, claimed and marked posted as the clock does."""
    post_id, _meeting = huddle.claim_meeting(ConversationRef("teams", TENANT, CHANNEL))
    huddle.meeting_posted(post_id, MEETING_MESSAGE)
    return MEETING_MESSAGE


def _reply_under(teams, message_id: str, text: str, *, mention: bool, **kwargs) -> dict:
    return teams.activity(
        text=text,
        scope="channel",
        mention=mention,
        conversation_id=reply_chain(CHANNEL, message_id),
        **kwargs,
    )


@pytest.mark.parametrize("mention", [True, False], ids=["mentioning-huddle", "without-mention"])
async def test_reply_to_the_weekly_meeting_becomes_a_story_card_in_its_reply_chain(
    teams, bot_connector, huddle, engine, mention
):
    """Without a mention Teams delivers the reply only under ChannelMessage.Read.Group."""
    assert await teams.say("huddle emoji laugh", scope="channel", mention=True) == 201
    message_id = _meeting_posted(huddle)
    channel_before = len(bot_connector.in_conversation(CHANNEL))

    reply = _reply_under(
        teams, message_id, "@Priya stayed late to drive Mrs K home", mention=mention, user="Sam"
    )
    assert await teams.post(reply) == 201

    [story] = rows(engine, Story)
    assert (story.text, story.author_name, story.source) == (
        "@Priya stayed late to drive Mrs K home",
        "Sam",
        "thread",
    )
    # Only the card under the meeting: no "I've sent you a private message" there.
    [card_post] = bot_connector.in_conversation(CHANNEL)[channel_before:]
    assert card_post.conversation_id == reply_chain(CHANNEL, message_id)
    assert "<at>Priya</at> stayed late" in card_post.everything()
    [nominate] = [a for a in card_actions(card_post.cards[0]) if a["title"] == "Nominate"]
    assert nominate["data"]["huddle_command"] == f"wow nominate {story.id}"
    assert story.message_id == card_post.id  # reactions to the card nominate it
    [thanks] = bot_connector.in_conversation("a:1on1-29:sam")
    assert f"#{story.id}" in thanks.text and ":laugh:" in thanks.text


async def test_reacting_to_a_meeting_reply_s_story_card_nominates_it(
    teams, bot_connector, huddle, engine
):
    await teams.say("huddle emoji laugh", scope="channel", mention=True)
    message_id = _meeting_posted(huddle)
    await teams.post(_reply_under(teams, message_id, "@Jo stayed late", mention=False, user="Sam"))
    card_post = bot_connector.in_conversation(CHANNEL)[-1]

    def reaction(emoji: str) -> dict:
        return teams.activity(
            "messageReaction",
            scope="channel",
            conversation_id=reply_chain(CHANNEL, message_id),
            replyToId=card_post.id,
            reactionsAdded=[{"type": emoji}],
        )

    await teams.post(reaction("heart"))  # Teams' default, but not this practice's
    assert rows(engine, Nomination) == []
    await teams.post(reaction("laugh"))
    [nomination] = rows(engine, Nomination)
    assert nomination.voter_id == "29:alex"


@pytest.mark.parametrize("mention", [True, False], ids=["mentioning-huddle", "without-mention"])
async def test_meeting_reply_delivered_twice_is_one_story_and_one_card(
    teams, bot_connector, huddle, engine, mention
):
    message_id = _meeting_posted(huddle)
    reply = _reply_under(teams, message_id, "@Jo found Mr T's lost hearing aid", mention=mention)
    await teams.post(reply)
    posted_once = len(bot_connector.posted)
    await teams.post(reply)

    assert len(rows(engine, Story)) == 1
    assert len(bot_connector.posted) == posted_once  # no help text for the redelivery either
    assert any("hearing aid" in p.everything() for p in bot_connector.in_conversation(CHANNEL))


async def test_unaddressed_reply_under_another_message_is_neither_stored_nor_logged(
    teams, bot_connector, huddle, engine, caplog
):
    caplog.set_level("DEBUG")
    _meeting_posted(huddle)
    references_before = len(rows(engine, ConversationReference))

    await teams.post(
        _reply_under(teams, "some-other-post", "Mrs K's biopsy came back fine", mention=False)
    )

    assert rows(engine, Story) == []
    assert len(rows(engine, ConversationReference)) == references_before
    assert bot_connector.posted == []
    assert "biopsy" not in caplog.text


# -- the messenger: the clock's way into Teams --------------------------------------------

# The messenger posts through the reference the clock hands it (ConversationRef.data).


def _messenger(huddle, settings, sleeps):
    return build_messenger(
        settings, huddle, teams_settings=emulator_settings(), retry=RetryPolicy(sleep=sleeps)
    )


def _channel_ref(engine, thread_id: str | None = None) -> ConversationRef:
    """What the clock hands a messenger: the channel, with the reference stored for it."""
    data = json.loads(stored(engine, CHANNEL).data)
    return ConversationRef("teams", TENANT, CHANNEL, thread_id=thread_id, data=data)


async def test_messenger_is_found_by_its_entry_point_only_when_teams_is_configured(
    huddle, settings, monkeypatch
):
    """Unconfigured, there is no token to post with: the clock must skip Teams."""
    from importlib.metadata import entry_points

    [entry] = [e for e in entry_points(group="huddle.messengers") if e.name == "teams"]
    for name in ("MICROSOFT_APP_ID", "TEAMS_UNAUTHENTICATED_EMULATOR_MODE"):
        monkeypatch.delenv(name, raising=False)
    assert entry.load()(settings, huddle) is None
    monkeypatch.setenv("TEAMS_UNAUTHENTICATED_EMULATOR_MODE", "true")
    messenger = entry.load()(settings, huddle)
    assert messenger.platform == "teams"
    messenger.close()


async def test_messenger_posts_through_the_reference_it_is_handed_without_the_database(
    teams, bot_connector, engine, settings, content, vault, clock, sleeps, tmp_path
):
    from bot.huddle import Huddle
    from bot.storage import db

    await teams.post(_installed_in_team(teams))
    broken = db.make_engine(f"sqlite:///{tmp_path}/missing/dir/huddle.db")
    offline = Huddle(engine=broken, settings=settings, content=content, vault=vault, clock=clock)
    messenger = _messenger(offline, settings, sleeps)
    try:
        message_id = await messenger.send(_channel_ref(engine), MEETING)
        await messenger.send(_channel_ref(engine, "1700000000001"), Reply(text="Reminder"))
    finally:
        messenger.close()

    meeting, reminder = bot_connector.posted[-2:]
    assert (meeting.id, meeting.conversation_id) == (message_id, CHANNEL)
    assert TENANT in (
        meeting.activity["conversation"].get("tenantID"),
        meeting.activity["conversation"].get("tenantId"),
    )
    assert reminder.conversation_id == f"{CHANNEL};messageid=1700000000001"


async def test_messenger_without_a_reference_fails_permanently(huddle, settings, sleeps):
    messenger = _messenger(huddle, settings, sleeps)
    try:
        with pytest.raises(DeliveryError) as error:
            await messenger.send(
                ConversationRef("teams", TENANT, "19:unknown@thread.tacv2"), MEETING
            )
    finally:
        messenger.close()
    assert error.value.permanent


async def test_the_clock_posts_the_weekly_meeting_to_a_teams_channel_and_its_replies_are_stories(
    teams, bot_connector, huddle, settings, clock, engine, monkeypatch
):
    """End to end: scheduled from Teams, posted by the clock's own job through the
    ``huddle.messengers`` entry point, a reply in its reply chain becomes a story."""
    from datetime import UTC, datetime

    from bot.clock.jobs import run_monday_meeting
    from bot.clock.messengers import close_messengers, load_messengers

    for name in ("MICROSOFT_APP_ID", "MICROSOFT_LOGIN_URL", "MICROSOFT_OPENID_METADATA_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TEAMS_UNAUTHENTICATED_EMULATOR_MODE", "true")
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
    await teams.post(_reply_under(teams, meeting.id, "@Priya drove Mrs K home", mention=False))
    [story] = rows(engine, Story)
    assert story.source == "thread"
