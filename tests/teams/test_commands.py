"""Each command over the wire: Activity JSON in at /api/messages, posts out at the stand-in."""

from __future__ import annotations

import dataclasses

import pytest

from bot.commands import COMMANDS, Command
from bot.model import Reply
from bot.storage.models import ConversationReference, Defect, Story, Subscription
from tests.teams.conftest import CHANNEL, GROUP, TENANT, card_actions, rows


async def test_defect_in_personal_chat_is_logged_and_answered_in_the_chat(
    teams, bot_connector, engine
):
    assert await teams.say("defect arrival: waited 25 minutes with no word from us") == 201

    [defect] = rows(engine, Defect)
    assert defect.description == "waited 25 minutes with no word from us"
    assert defect.stage == "arrival"
    [post] = bot_connector.posted
    assert post.conversation_id == "a:1on1-29:alex"
    [card] = post.cards
    assert f"Defect #{defect.id} logged" in card["body"][0]["text"]
    assert any(a["title"] == "Close" for a in card_actions(card))
    assert bot_connector.created == []  # already a 1:1 chat: nothing to open


async def test_leading_slash_is_accepted(teams, bot_connector, engine):
    await teams.say("/defect arrival: phone rang out")
    assert [d.description for d in rows(engine, Defect)] == ["phone rang out"]


async def test_leading_slash_after_the_mention_is_accepted_in_a_channel(
    teams, bot_connector, engine
):
    await teams.say("/wow @Priya stayed late for Mrs K", scope="channel", mention=True)
    [story] = rows(engine, Story)
    assert story.text == "@Priya stayed late for Mrs K"
    [card_post] = bot_connector.in_conversation(CHANNEL)
    assert story.message_id == card_post.id


async def test_defect_in_channel_with_mention_is_logged_and_answered_privately(
    teams, bot_connector, engine
):
    assert (
        await teams.say("defect arrival: waited 25 minutes", scope="channel", mention=True) == 201
    )

    [defect] = rows(engine, Defect)
    assert defect.channel_id == CHANNEL
    assert defect.description == "waited 25 minutes"  # the mention is not part of it
    [created] = bot_connector.created
    assert created["members"] == [{"id": "29:alex"}]
    [private] = bot_connector.in_conversation("a:1on1-29:alex")
    assert "waited 25 minutes" in private.everything()
    [notice] = bot_connector.in_conversation(CHANNEL)
    assert notice.text == "I've sent you a private message."
    assert notice.cards == []


async def test_channel_message_without_mention_is_ignored(teams, bot_connector, engine):
    assert await teams.say("defect arrival: waited", scope="channel") == 201
    assert rows(engine, Defect) == []
    assert rows(engine, ConversationReference) == []  # chatter leaves no trace at all
    assert bot_connector.posted == []


async def test_group_chat_command_with_mention_works(teams, bot_connector, engine):
    await teams.say("defect billing: invoice sent twice", scope="groupChat", mention=True)
    [defect] = rows(engine, Defect)
    assert defect.channel_id == GROUP
    assert [p.text for p in bot_connector.in_conversation(GROUP)] == [
        "I've sent you a private message."
    ]


async def test_text_that_is_no_command_gets_help(teams, bot_connector):
    await teams.say("hello there")
    [post] = bot_connector.posted
    assert all(f"`{name}`" in post.text for name in COMMANDS)


def _spy(reached: list, name: str):
    def handle(context):
        reached.append((context.incoming.command, context.incoming.text))
        return [Reply(text=f"the {name} handler answered")]

    return handle


@pytest.mark.parametrize("name", sorted(COMMANDS))
async def test_every_command_of_the_table_typed_in_a_1on1_chat_reaches_its_handler(
    teams, bot_connector, monkeypatch, name
):
    reached: list = []
    monkeypatch.setitem(
        COMMANDS, name, dataclasses.replace(COMMANDS[name], handle=_spy(reached, name))
    )

    assert await teams.say(f"{name} something or other") == 201

    assert reached == [(name, "something or other")]
    [post] = bot_connector.posted
    assert post.text == f"the {name} handler answered"  # not the help text


async def test_a_command_added_to_the_table_reaches_teams_with_no_adapter_change(
    teams, bot_connector, monkeypatch
):
    reached: list = []
    monkeypatch.setitem(
        COMMANDS, "recall", Command("recall", _spy(reached, "recall"), "Recall things", "<what>")
    )
    await teams.say("recall the wedding", scope="channel", mention=True)
    await teams.say("hello")
    assert reached == [("recall", "the wedding")]
    assert "`recall`: Recall things" in bot_connector.posted[-1].text  # and in the help


async def test_mention_alone_in_a_channel_gets_help_in_the_channel(teams, bot_connector):
    await teams.say("", scope="channel", mention=True)
    [post] = bot_connector.in_conversation(CHANNEL)
    assert "@mention me" in post.text


async def test_defect_list_is_a_card_with_close_buttons(teams, bot_connector):
    await teams.say("defect arrival: waited")
    await teams.say("defect billing: charged twice")
    await teams.say("defect list")
    [card] = bot_connector.posted[-1].cards
    assert card["body"][0]["text"] == "Open defects (2)"
    titles = [a["title"] for a in card_actions(card)]
    assert "Close #1" in titles and "Close #2" in titles


async def test_wow_in_channel_posts_a_story_card_with_a_nominate_button(
    teams, bot_connector, engine
):
    await teams.say("wow @Priya drove Mrs K home", scope="channel", mention=True, user="Sam")

    [post] = bot_connector.in_conversation(CHANNEL)
    [card] = post.cards
    # Priya is really mentioned on the card, so Teams tells her.
    assert "<at>Priya</at> drove Mrs K home" in post.everything()
    assert card["msteams"]["entities"] == [
        {
            "type": "mention",
            "text": "<at>Priya</at>",
            "mentioned": {"id": "29:priya", "name": "Priya"},
        }
    ]
    [nominate] = [a for a in card_actions(card) if a["title"] == "Nominate"]
    assert nominate["type"] == "Action.Submit"
    [story] = rows(engine, Story)
    assert nominate["data"]["huddle_command"] == f"wow nominate {story.id}"
    assert story.message_id == post.id  # reported back, so reactions to it count
    assert post.reply_to_id is not None  # answered in the thread it was asked in


async def test_huddle_schedule_in_channel_is_answered_in_the_channel(teams, bot_connector, engine):
    await teams.say("huddle schedule monday 08:00", scope="channel", mention=True)
    [subscription] = rows(engine, Subscription)
    assert subscription.channel_id == CHANNEL
    [post] = bot_connector.in_conversation(CHANNEL)
    assert "Monday" in post.everything()
    assert bot_connector.created == []


async def test_huddle_leaderboard_in_personal_chat(teams, bot_connector):
    await teams.say("wow @Priya stayed late", user="Sam")
    await teams.say("huddle leaderboard")
    [card] = bot_connector.posted[-1].cards
    assert card["body"][0]["text"] == "WOW leaderboard"


async def test_workspace_is_the_tenant_and_channel_is_the_conversation(teams, engine):
    from bot.storage.models import Workspace

    await teams.say("defect arrival: waited", scope="channel", mention=True)
    [workspace] = rows(engine, Workspace)
    assert (workspace.platform, workspace.external_id) == ("teams", TENANT)
    assert workspace.name == "Smile Dental"
    assert {r.channel_id for r in rows(engine, ConversationReference)} == {CHANNEL}


async def test_reply_chain_suffix_is_not_part_of_the_channel(teams, engine):
    await teams.say(
        "defect arrival: waited",
        scope="channel",
        mention=True,
        conversation_id=f"{CHANNEL};messageid=1700000000000",
    )
    [defect] = rows(engine, Defect)
    assert defect.channel_id == CHANNEL


async def test_same_activity_delivered_twice_counts_once(teams, bot_connector, engine):
    body = teams.activity(text="defect arrival: waited", activity_id="act-dup")
    assert await teams.post(body) == 201
    assert await teams.post(body) == 201
    assert len(rows(engine, Defect)) == 1
    assert len(bot_connector.posted) == 1


async def test_bad_input_gets_a_friendly_reply(teams, bot_connector):
    await teams.say("defect close banana")
    [post] = bot_connector.posted
    assert "defect" in post.everything().lower()


async def test_personal_install_gets_a_welcome_without_mention_advice(teams, bot_connector):
    from tests.teams.conftest import BOT_ID

    await teams.post(teams.activity("conversationUpdate", membersAdded=[{"id": BOT_ID}]))
    [welcome] = bot_connector.posted
    assert "directly" in welcome.text and "@mention" not in welcome.text


async def test_malformed_requests_get_400_and_store_nothing(teams, engine):
    from bot.storage.models import Workspace

    bad_json = await teams.client.post(
        "/api/messages", data="{not json", headers={"Content-Type": "application/json"}
    )
    no_type = await teams.client.post("/api/messages", json={"text": "defect list"})
    not_json = await teams.client.post("/api/messages", data="defect list")
    assert (bad_json.status, no_type.status, not_json.status) == (400, 400, 415)
    assert rows(engine, Workspace) == []


async def test_wow_in_personal_chat_posts_the_story_card_there(teams, bot_connector, engine):
    await teams.say("/wow @Priya rang Mrs K back on her day off")
    [post] = bot_connector.posted
    assert post.conversation_id == "a:1on1-29:alex"
    assert "<at>Priya</at> rang Mrs K back" in post.everything()
    [story] = rows(engine, Story)
    assert story.message_id == post.id


async def test_huddle_leaderboard_asked_in_a_channel_is_answered_privately(teams, bot_connector):
    await teams.say("huddle leaderboard", scope="channel", mention=True)
    [private] = bot_connector.in_conversation("a:1on1-29:alex")
    assert "WOW leaderboard" in private.everything()
    assert [p.text for p in bot_connector.in_conversation(CHANNEL)] == [
        "I've sent you a private message."
    ]


async def test_a_channel_reply_meant_for_a_thread_is_posted_in_that_reply_chain(
    teams, bot_connector, monkeypatch
):
    from bot.model import Visibility

    def handle(context):
        return [Reply(text="Under the meeting", visibility=Visibility.CHANNEL, thread_id="1700")]

    monkeypatch.setitem(COMMANDS, "wow", dataclasses.replace(COMMANDS["wow"], handle=handle))
    await teams.say("wow anything", scope="channel", mention=True)  # typed at the channel's root
    [post] = bot_connector.in_conversation(CHANNEL)
    assert post.conversation_id == f"{CHANNEL};messageid=1700"
    assert post.text == "Under the meeting"
