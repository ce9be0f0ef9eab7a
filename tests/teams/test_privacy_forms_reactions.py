"""Tidbits stay private, cards round-trip, and reactions and the Nominate button nominate."""

from __future__ import annotations

import logging

from bot.model import Incoming
from bot.storage.models import (
    ConversationReference,
    Defect,
    RecoveryAction,
    Story,
    Subscription,
    Tidbit,
)
from tests.conftest import counted_votes
from tests.teams.conftest import CHANNEL, GROUP, TENANT, card_actions, card_inputs, rows

NOTE = "daughter's wedding in June"


async def test_tidbit_in_personal_chat_is_answered_there(teams, bot_connector, engine):
    await teams.say(f"tidbit JS-1042 {NOTE}")
    [tidbit] = rows(engine, Tidbit)
    assert NOTE not in tidbit.note_enc  # stored encrypted
    [post] = bot_connector.posted
    assert post.conversation_id == "a:1on1-29:alex"
    assert NOTE in post.everything()


async def test_tidbit_in_a_channel_goes_only_to_the_asker_and_never_to_the_channel_or_logs(
    teams, bot_connector, engine, caplog
):
    caplog.set_level(logging.DEBUG)
    await teams.say(f"tidbit JS-1042 {NOTE}", scope="channel", mention=True)
    await teams.say("tidbit JS-1042", scope="channel", mention=True)

    assert len(rows(engine, Tidbit)) == 1
    private = bot_connector.in_conversation("a:1on1-29:alex")
    assert len(private) == 2
    assert NOTE in private[0].everything() and NOTE in private[1].everything()
    for post in bot_connector.in_conversation(CHANNEL):
        assert post.text == "I've sent you a private message."
        assert "JS-1042" not in post.everything() and "wedding" not in post.everything()
    assert "wedding" not in caplog.text and "JS-1042" not in caplog.text


async def test_tidbit_in_a_group_chat_goes_only_to_the_asker(teams, bot_connector):
    await teams.say(f"tidbit JS-7 {NOTE}", scope="groupChat", mention=True)
    assert all("wedding" not in p.everything() for p in bot_connector.in_conversation(GROUP))
    [private] = bot_connector.in_conversation("a:1on1-29:alex")
    assert NOTE in private.everything()


async def test_when_the_private_chat_cannot_be_opened_the_channel_gets_no_content(
    teams, bot_connector, engine
):
    bot_connector.fail_next(403)  # create conversation refused (e.g. app blocked for the user)
    await teams.say(f"tidbit JS-1042 {NOTE}", scope="channel", mention=True)

    assert len(rows(engine, Tidbit)) == 1  # what they typed is kept
    [notice] = bot_connector.in_conversation(CHANNEL)
    assert "couldn't send you my answer privately" in notice.text
    assert "wedding" not in notice.everything() and "JS-1042" not in notice.everything()


async def test_defect_form_round_trip_in_personal_chat(teams, bot_connector, engine):
    await teams.say("defect")
    [card] = bot_connector.posted[0].cards
    inputs = card_inputs(card)
    assert set(inputs) == {"stage", "description", "patient_ref", "recovery"}
    assert inputs["stage"]["type"] == "Input.ChoiceSet"
    assert inputs["description"]["isRequired"] is True
    assert inputs["patient_ref"]["isRequired"] is False
    [submit] = [a for a in card_actions(card) if a["title"] == "Log it"]
    stage = inputs["stage"]["choices"][0]["value"]

    # Teams sends the submit data merged with the inputs as the message's value.
    value = {
        **submit["data"],
        "stage": stage,
        "description": "No one told her the dentist was running late",
        "patient_ref": "JS-1042",
        "recovery": "Called to apologise",
    }
    assert await teams.post(teams.activity(value=value)) == 201

    [defect] = rows(engine, Defect)
    assert defect.stage == stage
    assert defect.description == "No one told her the dentist was running late"
    assert "JS-1042" not in (defect.patient_ref_enc or "")
    [action] = rows(engine, RecoveryAction)
    assert action.action == "Called to apologise"
    assert "logged" in bot_connector.posted[-1].everything()


async def test_defect_form_asked_in_a_channel_is_filled_in_privately_and_filed_in_the_channel(
    teams, bot_connector, engine
):
    await teams.say("defect", scope="channel", mention=True)
    [form_post] = bot_connector.in_conversation("a:1on1-29:alex")
    [card] = form_post.cards
    [submit] = [a for a in card_actions(card) if a["title"] == "Log it"]
    assert submit["data"]["huddle_channel"] == CHANNEL

    value = {**submit["data"], "stage": "arrival", "description": "waited", "patient_ref": ""}
    await teams.post(teams.activity(value=value))  # submitted from the 1:1 chat
    [defect] = rows(engine, Defect)
    assert defect.channel_id == CHANNEL
    assert all(p.cards == [] for p in bot_connector.in_conversation(CHANNEL))


async def test_button_with_a_prompt_asks_for_text_and_runs_the_command(
    teams, bot_connector, engine
):
    await teams.say("defect arrival: waited 25 minutes")
    [card] = bot_connector.posted[0].cards
    [show] = [a for a in card_actions(card) if a["title"] == "Add recovery action"]
    assert show["type"] == "Action.ShowCard"
    assert "huddle_answer" in card_inputs(show["card"])
    [send] = show["card"]["actions"]

    await teams.post(teams.activity(value={**send["data"], "huddle_answer": "Rang to apologise"}))
    [action] = rows(engine, RecoveryAction)
    assert action.action == "Rang to apologise"


async def test_close_button_closes_the_defect(teams, bot_connector, engine):
    await teams.say("defect arrival: waited")
    [close] = [a for a in card_actions(bot_connector.posted[0].cards[0]) if a["title"] == "Close"]
    await teams.post(teams.activity(value=close["data"]))
    [defect] = rows(engine, Defect)
    assert defect.closed_at is not None
    assert "closed" in bot_connector.posted[-1].text


async def _story_in_channel(teams, bot_connector, author="Sam"):
    await teams.say("wow @Priya drove Mrs K home", scope="channel", mention=True, user=author)
    post = bot_connector.in_conversation(CHANNEL)[-1]
    return post


def _reaction(teams, post, *, user="Alex", added=("heart",), removed=(), activity_id=None):
    extra = {"replyToId": post.id}
    if added:
        extra["reactionsAdded"] = [{"type": t} for t in added]
    if removed:
        extra["reactionsRemoved"] = [{"type": t} for t in removed]
    return teams.activity(
        "messageReaction",
        scope="channel",
        user=user,
        conversation_id=f"{CHANNEL};messageid={post.reply_to_id}",
        activity_id=activity_id,
        **extra,
    )


async def test_heart_reaction_on_a_story_card_nominates_and_removing_it_unnominates(
    teams, bot_connector, engine
):
    post = await _story_in_channel(teams, bot_connector)
    assert await teams.post(_reaction(teams, post)) == 201
    assert [n.voter_id for n in counted_votes(engine)] == ["29:alex"]

    await teams.post(_reaction(teams, post, added=(), removed=("heart",)))
    assert counted_votes(engine) == []


async def test_a_removal_handled_before_the_earlier_add_still_ends_unnominated(
    teams, bot_connector, engine
):
    """Two workers may take the add and the remove in either order: the later one wins."""
    post = await _story_in_channel(teams, bot_connector)
    removed = _reaction(teams, post, added=(), removed=("heart",), activity_id="r-2")
    removed["timestamp"] = "2026-11-23T22:05:02.000Z"
    added = _reaction(teams, post, activity_id="r-1")
    added["timestamp"] = "2026-11-23T22:05:01.000Z"
    assert await teams.post(removed) == 201
    assert await teams.post(added) == 201
    assert counted_votes(engine) == []


async def test_same_reaction_delivered_twice_counts_once(teams, bot_connector, engine):
    post = await _story_in_channel(teams, bot_connector)
    body = _reaction(teams, post, activity_id="reaction-1")
    await teams.post(body)
    await teams.post(_reaction(teams, post, added=(), removed=("heart",), activity_id="r-2"))
    await teams.post(body)  # the first delivery again: must not nominate again
    assert counted_votes(engine) == []


async def test_other_reactions_and_other_messages_do_not_nominate(teams, bot_connector, engine):
    post = await _story_in_channel(teams, bot_connector)
    await teams.post(_reaction(teams, post, added=("like",)))
    other = bot_connector.in_conversation(CHANNEL)[0]
    other.id = "some-other-message"
    await teams.post(_reaction(teams, other))
    assert counted_votes(engine) == []


async def test_reacting_to_your_own_story_is_explained_privately(teams, bot_connector, engine):
    post = await _story_in_channel(teams, bot_connector, author="Sam")
    before = len(bot_connector.in_conversation(CHANNEL))
    await teams.post(_reaction(teams, post, user="Sam"))
    assert counted_votes(engine) == []
    assert len(bot_connector.in_conversation(CHANNEL)) == before  # nothing said in the channel
    [private] = bot_connector.in_conversation("a:1on1-29:sam")
    assert "your own story" in private.text


async def test_nominate_button_nominates_once_per_person(teams, bot_connector, engine):
    post = await _story_in_channel(teams, bot_connector)
    [nominate] = [a for a in card_actions(post.cards[0]) if a["title"] == "Nominate"]
    channel_posts = len(bot_connector.in_conversation(CHANNEL))

    click = teams.activity(scope="channel", value=nominate["data"], activity_id="click-1")
    await teams.post(click)
    await teams.post(click)  # redelivered
    await teams.post(teams.activity(scope="channel", value=nominate["data"]))  # clicked again

    [nomination] = counted_votes(engine)
    assert nomination.voter_id == "29:alex"
    [story] = rows(engine, Story)
    assert nomination.story_id == story.id
    private = bot_connector.in_conversation("a:1on1-29:alex")
    assert "You nominated" in private[0].text
    assert "already nominated" in private[-1].text
    # Button answers go to the clicker only, without a "sent you a message" notice.
    assert len(bot_connector.in_conversation(CHANNEL)) == channel_posts


async def test_button_and_reaction_share_one_vote(teams, bot_connector, engine):
    post = await _story_in_channel(teams, bot_connector)
    await teams.post(_reaction(teams, post))
    [nominate] = [a for a in card_actions(post.cards[0]) if a["title"] == "Nominate"]
    await teams.post(teams.activity(scope="channel", value=nominate["data"]))
    assert len(counted_votes(engine)) == 1


async def test_form_submit_delivered_twice_logs_one_defect(teams, bot_connector, engine):
    await teams.say("defect")
    [submit] = [a for a in card_actions(bot_connector.posted[0].cards[0]) if a["title"] == "Log it"]
    body = teams.activity(
        value={**submit["data"], "stage": "arrival", "description": "waited"},
        activity_id="submit-1",
    )
    await teams.post(body)
    await teams.post(body)
    assert len(rows(engine, Defect)) == 1


def _draft(huddle, user_id: str, text: str = "Priya stayed late for Mrs K") -> int:
    """A story told in CHANNEL that named nobody: it waits for its hero (draft #n)."""
    [asked] = huddle.handle(
        Incoming("teams", TENANT, CHANNEL, user_id, user_id[3:].title(), "wow", text)
    )
    return int(asked.buttons[-1].command.split()[2])


def _sealed_card(huddle, command: str, user_id: str) -> dict:
    """A button's data as Huddle writes it on a card sent privately for CHANNEL."""
    from adapters.teams.turns import CARD_CHANNEL

    seal = huddle.vault.seal(CARD_CHANNEL, f"{TENANT}\x00{user_id}\x00{CHANNEL}")
    return {
        "huddle_action": "button",
        "huddle_command": command,
        "huddle_channel": CHANNEL,
        "huddle_seal": seal,
    }


async def test_a_forged_card_cannot_act_on_another_channel_of_the_tenant(
    teams, bot_connector, engine, huddle
):
    """A card's channel is trusted only when Huddle sealed it for the person pressing it."""
    await teams.say("huddle schedule monday 08:00", scope="channel", mention=True)
    forged = {"huddle_action": "button", "huddle_command": "huddle stop", "huddle_channel": CHANNEL}
    copied = _sealed_card(huddle, "huddle stop", "29:alex")  # sealed for Alex, pressed by Sam
    await teams.post(teams.activity(value=forged, user="Sam"))
    await teams.post(teams.activity(value=copied, user="Sam"))
    [subscription] = rows(engine, Subscription)
    assert subscription.channel_id == CHANNEL and subscription.active
    assert bot_connector.in_conversation(CHANNEL) == [] or all(
        "stopped" not in p.everything().lower() for p in bot_connector.in_conversation(CHANNEL)
    )


async def test_channel_post_asked_from_a_private_card_goes_to_the_channel(
    teams, bot_connector, engine, huddle
):
    """A card sent privately on a channel's behalf acts on that channel: a story it
    shares is posted in the channel, where reactions count. Where to post comes from the
    activity itself (its service URL, tenant and bot), not from a stored reference."""
    # The "It was me" button of the private card that asked who the story was about.
    value = _sealed_card(huddle, f"wow hero {_draft(huddle, '29:alex')} me", "29:alex")
    await teams.post(teams.activity(value=value))  # pressed in the 1:1 chat

    [story] = rows(engine, Story)
    assert story.channel_id == CHANNEL
    assert CHANNEL not in {r.channel_id for r in rows(engine, ConversationReference)}
    [card_post] = bot_connector.in_conversation(CHANNEL)
    assert "Priya" in card_post.everything()
    assert card_post.conversation_id == CHANNEL  # the channel itself, not a reply chain
    assert TENANT in (
        card_post.activity["conversation"].get("tenantID"),
        card_post.activity["conversation"].get("tenantId"),
    )
    assert story.message_id == card_post.id  # reported back: reactions to it nominate
    assert not any(
        "Priya" in p.everything() for p in bot_connector.in_conversation("a:1on1-29:alex")
    )


async def test_a_reaction_to_a_story_posted_from_a_private_card_nominates_it(
    teams, bot_connector, engine, huddle
):
    value = _sealed_card(huddle, f"wow hero {_draft(huddle, '29:sam')} me", "29:sam")
    await teams.post(teams.activity(value=value, user="Sam"))
    [card_post] = bot_connector.in_conversation(CHANNEL)
    await teams.post(
        teams.activity(
            "messageReaction",
            scope="channel",
            replyToId=card_post.id,
            reactionsAdded=[{"type": "heart"}],
        )
    )
    [nomination] = counted_votes(engine)
    assert nomination.voter_id == "29:alex"


async def test_follow_up_cards_in_the_1on1_chat_keep_acting_on_the_channel(
    teams, bot_connector, engine
):
    await teams.say("defect", scope="channel", mention=True)
    [submit] = [
        a
        for a in card_actions(bot_connector.in_conversation("a:1on1-29:alex")[0].cards[0])
        if a["title"] == "Log it"
    ]
    await teams.post(
        teams.activity(value={**submit["data"], "stage": "arrival", "description": "waited"})
    )
    logged = bot_connector.in_conversation("a:1on1-29:alex")[-1]
    [close] = [a for a in card_actions(logged.cards[0]) if a["title"] == "Close"]
    assert close["data"]["huddle_channel"] == CHANNEL


async def test_nominate_button_on_your_own_story_is_refused_privately(teams, bot_connector, engine):
    post = await _story_in_channel(teams, bot_connector, author="Sam")
    [nominate] = [a for a in card_actions(post.cards[0]) if a["title"] == "Nominate"]
    before = len(bot_connector.in_conversation(CHANNEL))

    await teams.post(teams.activity(scope="channel", user="Sam", value=nominate["data"]))

    assert counted_votes(engine) == []
    assert len(bot_connector.in_conversation(CHANNEL)) == before
    [private] = bot_connector.in_conversation("a:1on1-29:sam")
    assert "your own story" in private.text
