"""Removing Huddle (from a team, a channel, a group chat or a personal chat) over the wire:
the weekly meetings there stop and their conversation references are forgotten, while the
other teams and chats of the same tenant keep theirs; nothing is said in reply."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.teams.connector import RetryPolicy
from adapters.teams.messenger import build_messenger
from adapters.teams.settings import TeamsSettings
from bot.model import ConversationRef, Reply, Visibility
from bot.ports import DeliveryError
from bot.storage.conversations import conversation_data
from bot.storage.db import transaction
from bot.storage.models import Subscription
from bot.storage.workspaces import get_workspace
from tests.teams.conftest import BOT_ID, CHANNEL, GROUP, TENANT, rows

TEAM_A = CHANNEL  # a team's id is its General channel's conversation id
RECEPTION_A = "19:a-reception@thread.tacv2"
TEAM_B = "19:b-general@thread.tacv2"
ALEX_1ON1 = "a:1on1-29:alex"
SAM_1ON1 = "a:1on1-29:sam"
EVERYWHERE = {TEAM_A, RECEPTION_A, TEAM_B, GROUP}
ALL_REFERENCES = EVERYWHERE | {ALEX_1ON1, SAM_1ON1}
BOT = {"id": BOT_ID, "name": "Huddle"}


def in_team(teams, team: str, kind: str = "message", *, channel: str | None = None, **kwargs):
    """An activity from a team's channel (its General channel unless ``channel``).

    A new post in a channel other than General arrives with a ``;messageid=`` suffix.
    """
    conversation = channel or team
    if kind == "message" and channel and channel != team:
        conversation = f"{channel};messageid=1732400000000"
    body = teams.activity(kind, scope="channel", conversation_id=conversation, **kwargs)
    name = "Smile Dental" if team == TEAM_A else "Smile Dental Northside"
    body["channelData"]["team"] = {"id": team, "name": name, "aadGroupId": f"aad-{name}"}
    body["channelData"]["channel"] = {"id": channel or team}
    return body


async def schedule(teams, body: dict) -> None:
    assert await teams.post(body) == 201


async def practice(teams, bot_connector) -> None:
    """One tenant: team A (General and Reception), team B, a group chat and two 1:1 chats,
    every shared one with a weekly meeting."""
    text = "huddle schedule monday 08:00 UTC"
    await schedule(teams, in_team(teams, TEAM_A, text=text, mention=True))
    await schedule(teams, in_team(teams, TEAM_A, channel=RECEPTION_A, text=text, mention=True))
    await schedule(teams, in_team(teams, TEAM_B, text=text, mention=True))
    await schedule(teams, teams.activity(text=text, scope="groupChat", mention=True))
    assert await teams.say("defect list") == 201
    assert await teams.say("defect list", user="Sam") == 201
    assert all(
        any("Monday" in p.everything() for p in bot_connector.in_conversation(c))
        for c in EVERYWHERE
    )


def active(engine) -> set[str]:
    return {s.channel_id for s in rows(engine, Subscription) if s.active}


def references(huddle) -> set[str]:
    return set(huddle.conversations(platform="teams", workspace_id=TENANT))


TEAM_REMOVALS = {
    # The owner removes the app from the team: Teams names the channel picked at install.
    "installationUpdate remove": lambda teams: in_team(
        teams,
        TEAM_A,
        "installationUpdate",
        channel=RECEPTION_A,
        action="remove",
    ),
    "the bot among membersRemoved": lambda teams: in_team(
        teams, TEAM_A, "conversationUpdate", membersRemoved=[BOT]
    ),
    "teamDeleted": lambda teams: in_team(teams, TEAM_A, "conversationUpdate"),
    "teamHardDeleted": lambda teams: in_team(teams, TEAM_A, "conversationUpdate"),
}
EVENT_TYPES = {
    "the bot among membersRemoved": "teamMemberRemoved",
    "teamDeleted": "teamDeleted",
    "teamHardDeleted": "teamHardDeleted",
}


def team_removal(teams, signal: str) -> dict:
    body = TEAM_REMOVALS[signal](teams)
    if signal in EVENT_TYPES:
        body["channelData"]["eventType"] = EVENT_TYPES[signal]
    return body


@pytest.mark.parametrize("signal", sorted(TEAM_REMOVALS))
async def test_removal_from_a_team_stops_every_channel_of_that_team_and_no_other(
    teams, bot_connector, huddle, engine, signal
):
    await practice(teams, bot_connector)
    posted = len(bot_connector.posted)

    assert await teams.post(team_removal(teams, signal)) == 201

    assert active(engine) == {TEAM_B, GROUP}
    assert references(huddle) == {TEAM_B, GROUP, ALEX_1ON1, SAM_1ON1}
    assert len(bot_connector.posted) == posted  # nothing said in reply to a removal
    assert bot_connector.created == []


async def test_a_redelivered_removal_changes_nothing_more(teams, bot_connector, huddle, engine):
    await practice(teams, bot_connector)
    removal = team_removal(teams, "installationUpdate remove")

    assert await teams.post(removal) == 201
    assert await teams.post(removal) == 201
    # Teams also says the bot left the team: the same removal, told twice.
    assert await teams.post(team_removal(teams, "the bot among membersRemoved")) == 201

    assert active(engine) == {TEAM_B, GROUP}
    assert references(huddle) == {TEAM_B, GROUP, ALEX_1ON1, SAM_1ON1}


async def test_a_deleted_channel_stops_only_that_channel(teams, bot_connector, huddle, engine):
    await practice(teams, bot_connector)
    posted = len(bot_connector.posted)
    deleted = in_team(teams, TEAM_A, "conversationUpdate")
    deleted["channelData"]["eventType"] = "channelDeleted"
    deleted["channelData"]["channel"] = {"id": RECEPTION_A, "name": "Reception"}

    assert await teams.post(deleted) == 201

    assert active(engine) == {TEAM_A, TEAM_B, GROUP}
    assert references(huddle) == ALL_REFERENCES - {RECEPTION_A}
    assert len(bot_connector.posted) == posted


@pytest.mark.parametrize(
    "removal",
    [
        {"type": "conversationUpdate", "membersRemoved": [BOT]},
        {"type": "installationUpdate", "action": "remove"},
    ],
    ids=["membersRemoved", "installationUpdate remove"],
)
async def test_removal_from_a_group_chat_stops_only_that_chat(
    teams, bot_connector, huddle, engine, removal
):
    await practice(teams, bot_connector)
    posted = len(bot_connector.posted)
    kind = removal.pop("type")

    assert await teams.post(teams.activity(kind, scope="groupChat", **removal)) == 201

    assert active(engine) == {TEAM_A, RECEPTION_A, TEAM_B}
    assert references(huddle) == ALL_REFERENCES - {GROUP}
    assert len(bot_connector.posted) == posted


async def test_uninstalling_the_personal_app_forgets_only_that_person_s_chat(
    teams, bot_connector, huddle, engine
):
    await practice(teams, bot_connector)
    posted = len(bot_connector.posted)

    assert await teams.post(teams.activity("installationUpdate", action="remove")) == 201

    assert references(huddle) == ALL_REFERENCES - {ALEX_1ON1}
    assert active(engine) == EVERYWHERE
    assert len(bot_connector.posted) == posted


async def test_someone_else_leaving_a_team_or_chat_stops_nothing(
    teams, bot_connector, huddle, engine
):
    await practice(teams, bot_connector)
    posted = len(bot_connector.posted)
    left = in_team(teams, TEAM_A, "conversationUpdate", membersRemoved=[{"id": "29:sam"}])
    left["channelData"]["eventType"] = "teamMemberRemoved"

    assert await teams.post(left) == 201
    assert (
        await teams.post(
            teams.activity("conversationUpdate", scope="groupChat", membersRemoved=[{"id": "29:x"}])
        )
        == 201
    )

    assert active(engine) == EVERYWHERE
    assert references(huddle) == ALL_REFERENCES
    assert len(bot_connector.posted) == posted


@pytest.mark.parametrize("scope", ["team", "groupChat", "personal"])
async def test_remove_upgrade_is_an_app_upgrade_not_a_removal(
    teams, bot_connector, huddle, engine, scope
):
    await practice(teams, bot_connector)
    posted = len(bot_connector.posted)
    if scope == "team":
        upgrade = in_team(teams, TEAM_A, "installationUpdate", action="remove-upgrade")
    else:
        upgrade = teams.activity("installationUpdate", scope=scope, action="remove-upgrade")

    assert await teams.post(upgrade) == 201

    assert active(engine) == EVERYWHERE
    assert references(huddle) == ALL_REFERENCES
    assert len(bot_connector.posted) == posted


async def test_adding_huddle_back_to_a_team_stores_its_reference_again_and_it_can_be_scheduled(
    teams, bot_connector, huddle, engine, settings, sleeps
):
    await practice(teams, bot_connector)
    await teams.post(team_removal(teams, "installationUpdate remove"))
    posted = len(bot_connector.posted)

    await teams.post(
        in_team(teams, TEAM_A, "installationUpdate", channel=RECEPTION_A, action="add")
    )
    await teams.post(in_team(teams, TEAM_A, "conversationUpdate", membersAdded=[BOT]))

    assert references(huddle) == ALL_REFERENCES
    stored = huddle.conversations(platform="teams", workspace_id=TENANT)
    assert stored[RECEPTION_A]["teamId"] == TEAM_A
    [welcome] = bot_connector.posted[posted:]  # for the bot's own membersAdded only
    assert welcome.conversation_id == TEAM_A
    assert welcome.text.startswith("Hi, I'm Huddle")
    assert "huddle schedule" in welcome.text  # the meeting is not back until scheduled again
    assert active(engine) == {TEAM_B, GROUP}

    await schedule(
        teams, in_team(teams, TEAM_A, text="huddle schedule monday 08:00 UTC", mention=True)
    )
    assert active(engine) == {TEAM_A, TEAM_B, GROUP}
    messenger = build_messenger(
        settings,
        huddle,
        teams_settings=TeamsSettings(MICROSOFT_APP_ID=""),
        retry=RetryPolicy(sleep=sleeps),
    )
    try:
        meeting = Reply(
            title="Monday Morning Meeting", text="Rule 1", visibility=Visibility.CHANNEL
        )
        with transaction(huddle.engine) as session:  # as the clock loads it with its targets
            workspace = get_workspace(session=session, platform="teams", external_id=TENANT)
            data = conversation_data(
                session=session, workspace_id=workspace.id, channel_id=RECEPTION_A
            )
        ref = ConversationRef("teams", TENANT, RECEPTION_A, data=data)
        message_id = await messenger.send(ref, meeting)
    finally:
        messenger.close()
    post = bot_connector.posted[-1]
    assert (post.id, post.conversation_id) == (message_id, RECEPTION_A)
    assert "teamId" not in str(post.activity)  # Huddle's own note stays in its database


async def test_references_stored_before_they_noted_their_team_are_covered_when_named(
    teams, bot_connector, huddle, engine
):
    """The General channel's id is the team's, and the channel an uninstall names is in the
    team; another team's channel stays."""
    for channel in (TEAM_A, RECEPTION_A, TEAM_B):
        huddle.remember_conversation(
            platform="teams",
            workspace_id=TENANT,
            channel_id=channel,
            data={"conversation": {"id": channel}, "serviceUrl": bot_connector.url},
        )

    await teams.post(team_removal(teams, "installationUpdate remove"))  # names Reception

    assert references(huddle) == {TEAM_B}


async def test_after_a_removal_the_clock_posts_only_where_huddle_still_is(
    teams, bot_connector, huddle, settings, clock, engine, monkeypatch
):
    """End to end through the clock's own job and the ``huddle.messengers`` entry point:
    no post is even attempted in the removed team, so none is marked undeliverable."""
    from bot.clock.jobs import run_monday_meeting
    from bot.clock.messengers import close_messengers, load_messengers

    for name in ("MICROSOFT_APP_ID", "MICROSOFT_LOGIN_URL", "MICROSOFT_OPENID_METADATA_URL"):
        monkeypatch.delenv(name, raising=False)
    await practice(teams, bot_connector)
    await teams.post(team_removal(teams, "teamDeleted"))
    attempts = bot_connector.attempts

    messengers = load_messengers(settings, huddle)
    try:
        clock.now = monday = datetime(2026, 11, 30, 8, 0, 30, tzinfo=UTC)
        await run_monday_meeting(huddle, messengers, monday)
        with pytest.raises(DeliveryError) as error:
            await messengers["teams"].send(
                ConversationRef("teams", TENANT, RECEPTION_A), Reply(text="hello?")
            )
    finally:
        await close_messengers(messengers)

    assert error.value.permanent  # no reference left: nothing to try
    meetings = bot_connector.posted[-2:]
    assert {m.conversation_id for m in meetings} == {TEAM_B, GROUP}
    assert all("Week 49, 2026" in m.everything() for m in meetings)
    assert bot_connector.attempts - attempts == 2  # not one call towards team A
