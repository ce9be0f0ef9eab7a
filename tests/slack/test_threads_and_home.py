"""Thread replies to the weekly post become stories; the App Home shows the practice at a glance."""

from __future__ import annotations

import asyncio

from adapters.slack.messenger import messenger_for
from bot.model import ConversationRef
from bot.storage.clock import load_targets
from bot.storage.db import transaction
from bot.storage.models import ProcessedEvent
from tests.slack.conftest import button, said, slack_settings
from tests.slack.helpers import count, defects, nominations, stories


def clock_targets(engine):
    """Every weekly meeting the clock would still post."""
    with transaction(engine) as session:
        return load_targets(session=session)


def _meeting(huddle, ts: str = "1800000500.000100") -> str:
    """The clock posted this week's meeting in C1 as message ``ts``."""
    post_id, _ = huddle.claim_meeting(ConversationRef("slack", "T1", "C1"))
    huddle.meeting_posted(post_id, ts)
    return ts


def message(text: str, *, thread_ts: str | None, ts: str, user: str = "U7", **extra) -> dict:
    event = {"type": "message", "channel": "C1", "user": user, "text": text, "ts": ts}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return {**event, **extra}


def cards_in(api, thread: str) -> list:
    """The messages Huddle posted in that thread."""
    return [c for c in api.calls_to("chat.postMessage") if c.get("thread_ts") == thread]


def nominate(ts: str, *, user: str = "U8", emoji: str = "star-struck") -> dict:
    return {
        "type": "reaction_added",
        "user": user,
        "reaction": emoji,
        "item": {"type": "message", "channel": "C1", "ts": ts},
    }


async def test_a_reply_in_the_weekly_meeting_thread_becomes_a_story_card_in_the_thread(
    slack, api, huddle, engine
):
    thread = _meeting(huddle)
    api.user_names["U7"] = "Priya"
    api.user_names["U2"] = "Sam"

    response = await slack.event(
        message("<@U2> stayed back to help Mr B", thread_ts=thread, ts="1800000600.000100")
    )

    assert response.status == 200
    [story] = stories(engine)
    assert (story.author_id, story.author_name, story.source) == ("U7", "Priya", "thread")
    [card] = cards_in(api, thread)
    assert card["channel"] == "C1"
    assert "WOW story #1: Sam" in said(card) and "<@U2> stayed back to help Mr B" in said(card)
    assert "Told by Priya." in said(card)
    assert button(card, "Nominate")["value"] == "wow nominate 1"
    # The story is now the card's message (reactions to the card nominate it).
    assert story.message_id not in (None, "1800000600.000100", thread)
    [thanks] = api.calls_to("chat.postEphemeral")
    assert (thanks["channel"], thanks["user"]) == ("C1", "U7")
    assert "WOW story #1" in thanks["text"] and ":star-struck:" in thanks["text"]
    # Taken from the event itself: channel history (rate-limited hard by Slack) is never read.
    assert not [m for m in api.methods() if m.startswith("conversations.")]


async def test_the_thanks_names_the_workspaces_own_nominate_emoji(slack, api, huddle, engine):
    await slack.command("/huddle emoji tada")
    thread = _meeting(huddle)

    await slack.event(message("<@U2> stayed back", thread_ts=thread, ts="1800000600.000100"))

    [thanks] = api.calls_to("chat.postEphemeral")
    assert ":tada:" in thanks["text"] and "star-struck" not in thanks["text"]


async def test_reacting_to_the_story_card_nominates_the_story(slack, api, huddle, engine):
    thread = _meeting(huddle)
    await slack.event(message("<@U2> stayed back", thread_ts=thread, ts="1800000600.000100"))
    [story] = stories(engine)  # its message is the card's, whose ts Slack answered with

    await slack.event(nominate(story.message_id))
    await slack.event(nominate(story.message_id, user="U9"))

    assert nominations(engine) == 2


async def test_a_redelivered_thread_reply_makes_one_story(slack, api, huddle, engine):
    thread = _meeting(huddle)
    event = message("<@U2> stayed back", thread_ts=thread, ts="1800000600.000100")

    await slack.event(event, event_id="Ev0MSG")
    await slack.event(event, event_id="Ev0MSG", retry_num=1)
    await slack.event(event, event_id="Ev0MSG-AGAIN")  # the same message, another delivery

    assert len(stories(engine)) == 1
    assert len(cards_in(api, thread)) == 1
    assert len(api.calls_to("chat.postEphemeral")) == 1


async def test_a_reply_in_another_thread_gets_nothing_and_stores_nothing(
    slack, api, huddle, engine
):
    _meeting(huddle)

    response = await slack.event(
        message("in another thread", thread_ts="1700000000.000100", ts="1800000602.000100")
    )

    assert response.status == 200
    assert stories(engine) == []
    assert count(engine, ProcessedEvent) == 0
    assert api.calls_to("chat.postMessage") == [] and api.calls_to("chat.postEphemeral") == []


async def test_messages_that_are_not_a_persons_thread_reply_are_not_looked_at(
    slack, api, huddle, engine
):
    thread = _meeting(huddle)

    await slack.event(message("hello", thread_ts=None, ts="1800000601.000100"))
    await slack.event(message("the root", thread_ts=thread, ts=thread))
    await slack.event(
        message("from a bot", thread_ts=thread, ts="1800000603.1", bot_id="B999", user="UB9")
    )
    await slack.event(
        message("edited", thread_ts=thread, ts="1800000604.1", subtype="message_changed")
    )

    assert stories(engine) == []
    assert api.calls_to("users.info") == []
    assert api.calls_to("chat.postMessage") == [] and api.calls_to("chat.postEphemeral") == []


async def test_a_persons_name_is_looked_up_once_for_many_replies(slack, api, huddle, engine):
    thread = _meeting(huddle)
    api.user_names["U7"] = "Priya"
    api.user_names["U2"] = "Sam"

    for n in range(3):
        await slack.event(message(f"<@U7> story {n}", thread_ts=thread, ts=f"180000070{n}.000100"))

    assert [c["user"] for c in api.calls_to("users.info")] == ["U7"]
    assert [s.author_name for s in stories(engine)] == ["Priya"] * 3


async def test_when_the_card_cannot_be_posted_the_story_is_kept_and_the_teller_told(
    slack, api, huddle, engine
):
    thread = _meeting(huddle)
    api.user_names["U2"] = "Sam"
    api.fail("chat.postMessage", error="channel_not_found")

    await slack.event(message("<@U2> stayed back", thread_ts=thread, ts="1800000600.000100"))

    assert [s.text for s in stories(engine)] == ["@Sam stayed back"]
    told = [c["text"] for c in api.calls_to("chat.postEphemeral")]
    assert any("Your WOW story #1 is saved" in text for text in told)
    assert any("Thank you" in text for text in told)


async def test_opening_the_app_home_publishes_rule_leaderboard_and_open_defects(
    slack, api, huddle, engine
):
    _meeting(huddle)
    await slack.command("/defect arrival: waited 25 minutes patient: JS-1042")
    await slack.command("/defect billing: charged twice")
    await slack.command("/wow <@U7|Priya> drove Mrs K home", user="U1", name="sam")
    story_ts = stories(engine)[0].message_id
    await slack.event(
        {
            "type": "reaction_added",
            "user": "U2",
            "reaction": "star-struck",
            "item": {"type": "message", "channel": "C1", "ts": story_ts},
        }
    )

    await slack.event(
        {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"},
    )

    [published] = api.calls_to("views.publish")
    assert published["user_id"] == "U1"
    view = published["view"]
    assert view["type"] == "home"
    shown = said(view)
    assert "This week's rule" in shown
    assert "WOW leaderboard" in shown and "sam" in shown and "(1 ★)" in shown
    assert "Open defects · Arrival (1)" in shown
    assert "charged twice" in shown
    assert "JS-1042" not in shown  # patient references never shown on a shared screen


async def test_the_messages_tab_does_not_publish_a_home(slack, api):
    await slack.event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "messages"})

    assert api.calls_to("views.publish") == []


async def test_the_weekly_posts_share_a_story_button_asks_and_posts_the_story(
    slack, api, huddle, engine
):
    ref = ConversationRef("slack", "T1", "C1")
    post_id, meeting = huddle.claim_meeting(ref)
    messenger = messenger_for(slack_settings(api), huddle)
    try:
        huddle.meeting_posted(post_id, await messenger.send(ref, meeting))
    finally:
        await messenger.close()
    [posted] = api.calls_to("chat.postMessage")

    await slack.click(button(posted, "Share a WOW story"), user="U5", name="kim")
    [opened] = api.calls_to("views.open")
    await slack.submit(
        opened["view"], {"answer": "Jo phoned Mrs D after her extraction"}, user="U5", name="kim"
    )
    # It names nobody: kim is asked, privately, who it was about; nothing is posted.
    assert stories(engine) == [] and len(api.calls_to("chat.postMessage")) == 1
    asked = api.calls_to("response_url")[-1]
    assert "who is it about?" in said(asked)

    # "Pick who" opens Slack's own people picker; kim picks Jo (U9).
    await slack.click(button(asked, "Pick who"), user="U5", name="kim")
    picker = api.calls_to("views.open")[-1]["view"]
    assert picker["blocks"][0]["element"]["type"] == "users_select"
    api.user_names["U9"] = "Jo"
    await slack.submit(picker, {"answer": "U9"}, user="U5", name="kim")

    [story] = stories(engine)
    assert (story.author_id, story.text) == ("U5", "Jo phoned Mrs D after her extraction")
    story_post = api.calls_to("chat.postMessage")[-1]
    assert "WOW story #1: Jo" in said(story_post) and "<@U9>" in said(story_post)
    assert "Told by kim." in said(story_post)
    assert story.message_id is not None


async def test_an_event_is_acknowledged_before_its_work_is_done(slack, api):
    release = api.hold("views.publish")  # Slack is slow to take the Home tab

    # (The timeout only turns a hang into a failure: an app that waited would never answer.)
    response = await asyncio.wait_for(
        slack.event(
            {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"},
            drain=False,
        ),
        timeout=10,
    )

    # The 200 came back while the work was still waiting on Slack.
    assert response.status == 200
    [stuck] = await api.wait_for("views.publish")
    release()
    await slack.adapter.drained()
    assert stuck["user_id"] == "U1"


async def test_uninstalling_a_single_workspace_install_stops_its_weekly_meeting(slack, api, engine):
    await slack.command("/defect arrival: waited 5 minutes")
    await slack.command("/huddle schedule monday 08:00 Australia/Sydney")
    assert [t.channel_id for t in clock_targets(engine)] == ["C1"]

    await slack.event({"type": "app_uninstalled"})

    assert clock_targets(engine) == []
    assert [d.description for d in defects(engine)] == ["waited 5 minutes"]  # data kept
