"""Undo, delete and recovery owners over the Teams wire: Activities in at /api/messages,
the new owner told in a 1:1 chat the Bot Connector stand-in opens with them."""

from __future__ import annotations

import json

from adapters.teams.connector import RetryPolicy
from adapters.teams.messenger import build_messenger
from bot.model import ConversationRef, Person, Reply
from bot.storage.models import ConversationReference, Defect, Story
from tests.teams.conftest import BOT_ID, CHANNEL, TENANT, card_actions, emulator_settings, rows


async def _added_by_dana(teams) -> None:
    assert await teams.post(teams.activity("installationUpdate", action="add", user="Dana")) < 300


async def test_assigning_by_mention_tells_the_owner_in_a_one_to_one_chat(
    teams, bot_connector, engine
):
    await teams.say("defect arrival: waited 25 minutes", user="Jo")
    await teams.say("defect assign 1 @Priya", scope="channel", user="Dana", mention=True)
    [defect] = rows(engine, Defect)
    assert (defect.owner_id, defect.owner_name) == ("29:priya", "Priya")
    opened = [c["members"][0]["id"] for c in bot_connector.created]
    assert "29:priya" in opened
    [told] = bot_connector.in_conversation("a:1on1-29:priya")
    assert "You own defect #1" in told.everything() and "waited 25 minutes" in told.everything()
    [said] = bot_connector.in_conversation(CHANNEL)
    assert "<at>Priya</at> now owns defect #1" in said.everything()


async def test_undo_from_the_card_takes_a_story_back_and_others_are_refused(
    teams, bot_connector, engine
):
    await _added_by_dana(teams)
    await teams.say("wow @Priya stayed late for Mrs K", scope="channel", user="Jo", mention=True)
    [card] = bot_connector.in_conversation(CHANNEL)[-1].cards
    [undo] = [a for a in card_actions(card) if a["title"] == "Undo"]
    await teams.post(teams.activity(value=undo["data"], scope="channel", user="Kim"))
    assert "Only the person who recorded this story can undo it" in "\n".join(
        p.everything() for p in bot_connector.posted
    )
    assert len(rows(engine, Story)) == 1
    await teams.post(teams.activity(value=undo["data"], scope="channel", user="Jo"))
    assert "Story #1 is undone" in "\n".join(p.everything() for p in bot_connector.posted)
    assert rows(engine, Story) == []


async def test_editing_someone_elses_defect_is_refused_naming_the_admins(
    teams, bot_connector, engine
):
    await _added_by_dana(teams)
    await teams.say("defect arrival: waited 25 minutes", user="Jo")
    await teams.say("defect edit 1 nothing happened", user="Kim")
    assert "Only the practice's admins can change or delete Jo's defect: <at>Dana</at>." in (
        "\n".join(p.everything() for p in bot_connector.posted)
    )
    assert rows(engine, Defect)[0].description == "waited 25 minutes"


async def test_the_clocks_private_notice_opens_a_one_to_one_chat_with_the_owner(
    teams, bot_connector, engine, huddle, settings, sleeps
):
    added = {"id": BOT_ID, "name": "Huddle"}
    await teams.post(teams.activity("conversationUpdate", scope="channel", membersAdded=[added]))
    [stored] = [r for r in rows(engine, ConversationReference) if r.channel_id == CHANNEL]
    ref = ConversationRef("teams", TENANT, CHANNEL, data=json.loads(stored.data))
    messenger = build_messenger(
        settings, huddle, teams_settings=emulator_settings(), retry=RetryPolicy(sleep=sleeps)
    )
    try:
        reply = Reply(title="Defects you own", text="#1 Arrival", to=Person("29:priya", "Priya"))
        message_id = await messenger.send(ref, reply)
    finally:
        messenger.close()
    assert bot_connector.created[-1]["members"][0]["id"] == "29:priya"
    assert bot_connector.created[-1]["channelData"] == {"tenant": {"id": TENANT}}
    [told] = bot_connector.in_conversation("a:1on1-29:priya")
    assert told.id == message_id and "Defects you own" in told.everything()
