"""Every command over Slack's wire: signed slash commands in, Web API and response_url calls out."""

from __future__ import annotations

import asyncio
import logging

from bot.storage.models import Defect, RecoveryAction
from tests.slack.conftest import button, buttons, said
from tests.slack.helpers import count, defects, stories


async def test_defect_is_acknowledged_stored_and_confirmed_privately(slack, api, engine):
    response = await slack.command("/defect arrival: waited 25 minutes with no word from us")

    assert response.status == 200
    [reply] = api.calls_to("response_url")
    assert reply["response_type"] == "ephemeral"
    assert "Defect #1 logged · Arrival" in said(reply)
    assert "waited 25 minutes" in said(reply)
    assert api.calls_to("chat.postMessage") == []
    [defect] = defects(engine)
    assert (defect.stage, defect.reporter_id, defect.channel_id) == ("arrival", "U1", "C1")
    # It has a stage already, so the follow-up buttons offer no stage to pick.
    assert [b["text"]["text"] for b in buttons(reply)] == ["Add recovery action", "Close", "Undo"]


async def test_defect_without_text_opens_the_form_and_submitting_it_logs_the_defect(
    slack, api, engine
):
    await slack.command("/defect")

    [opened] = api.calls_to("views.open")
    assert opened["trigger_id"] == "1.1.trigger"
    view = opened["view"]
    assert view["type"] == "modal"
    stage_select = view["blocks"][0]["element"]
    assert stage_select["type"] == "static_select"
    assert {"arrival"} <= {option["value"] for option in stage_select["options"]}
    assert [b["block_id"] for b in view["blocks"]] == [
        "stage",
        "description",
        "patient_ref",
        "recovery",
    ]
    assert count(engine, Defect) == 0

    response = await slack.submit(
        view,
        {
            "stage": "arrival",
            "description": "Kept waiting at the desk",
            "patient_ref": "JS-1042",
            "recovery": "Called to apologise",
        },
    )

    assert response.status == 200
    [defect] = defects(engine)
    assert defect.stage == "arrival"
    assert defect.description == "Kept waiting at the desk"
    assert defect.patient_ref_enc is not None and "JS-1042" not in defect.patient_ref_enc
    assert count(engine, RecoveryAction) == 1
    # Confirmed privately, through the response_url the slash command carried.
    [confirmation] = api.calls_to("response_url")
    assert confirmation["response_type"] == "ephemeral"
    assert "Defect #1 logged" in said(confirmation)


async def test_a_defect_without_a_stage_is_saved_only_once_a_stage_button_is_pressed(
    slack, api, engine
):
    await slack.command("/defect the card machine was down again")
    [reply] = api.calls_to("response_url")
    assert defects(engine) == []

    await slack.click(button(reply, "Arrival"))

    [defect] = defects(engine)
    assert defect.stage == "arrival"
    assert defect.description == "the card machine was down again"
    assert "Defect #1 logged · Arrival" in said(api.calls_to("response_url")[-1])


async def test_recovery_button_asks_in_a_modal_and_records_the_answer(slack, api, engine):
    await slack.command("/defect arrival: waited 25 minutes")
    [reply] = api.calls_to("response_url")

    await slack.click(button(reply, "Add recovery action"))
    [opened] = api.calls_to("views.open")
    assert opened["view"]["callback_id"] == "huddle-prompt"

    await slack.submit(opened["view"], {"answer": "Rang to apologise and rebooked"})

    assert count(engine, RecoveryAction) == 1
    assert "Recovery recorded for defect #1" in said(api.calls_to("response_url")[-1])


async def test_defect_list_items_close_with_a_button(slack, api, engine):
    await slack.command("/defect arrival: waited 25 minutes")
    await slack.command("/defect list")
    listing = api.calls_to("response_url")[-1]
    assert "Open defects (1)" in said(listing)

    await slack.click(button(listing, "Close #1"))

    assert defects(engine)[0].closed_at is not None
    assert "Defect #1 is closed" in said(api.calls_to("response_url")[-1])


async def test_wow_posts_the_story_in_the_channel_with_a_nominate_button(slack, api, engine):
    await slack.command("/wow <@U7|Priya> drove Mrs K home when her taxi didn't come", name="sam")

    [post] = api.calls_to("chat.postMessage")
    assert post["channel"] == "C1"
    # Priya is the hero, really mentioned (so Slack tells her); sam only told it.
    assert "WOW story #1: Priya" in said(post)
    assert "<@U7> drove Mrs K home" in said(post) and "Told by sam." in said(post)
    assert "&lt;@U7" not in said(post)
    assert [b["text"]["text"] for b in buttons(post)] == ["Nominate", "Undo"]
    # The message's ts is remembered, so reactions to it count.
    [story] = stories(engine)
    assert story.message_id is not None and story.message_id.startswith("18")


async def test_the_nominate_button_nominates_for_the_person_who_clicks(slack, api, engine):
    await slack.command("/wow <@U7|Priya> stayed late for Mr B", user="U1", name="sam")
    [post] = api.calls_to("chat.postMessage")

    await slack.click(button(post, "Nominate"), user="U2", name="jo")

    assert "You nominated story #1. It has 1 nomination." in said(api.calls_to("response_url")[-1])


async def test_user_text_cannot_ping_the_channel(slack, api):
    await slack.command("/wow <@U7|Priya> <!channel> was <https://evil.example|great>")

    post_text = said(api.calls_to("chat.postMessage")[0])
    assert "<!channel>" not in post_text and "<https://evil" not in post_text
    assert "@channel was great (https://evil.example)" in post_text


async def test_huddle_schedule_posts_in_the_channel(slack, api):
    await slack.command("/huddle schedule monday 08:00 Australia/Sydney")

    [post] = api.calls_to("chat.postMessage")
    assert "Weekly meeting scheduled" in said(post)


async def test_huddle_help_and_leaderboard_answer_privately(slack, api):
    await slack.command("/huddle help")
    await slack.command("/huddle leaderboard")

    replies = api.calls_to("response_url")
    assert "/huddle schedule" in said(replies[0])
    assert "WOW leaderboard" in said(replies[1])
    assert api.calls_to("chat.postMessage") == []


async def test_bad_input_gets_a_friendly_private_answer(slack, api, engine):
    await slack.command("/huddle dance")

    [reply] = api.calls_to("response_url")
    assert "I don't know `/huddle dance`" in said(reply)


async def test_tidbits_are_private_and_never_in_a_channel_call_or_a_log(slack, api, engine, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "daughter's wedding in June in Wagga"

    await slack.command(f"/tidbit JS-1042 {secret}")
    await slack.command("/tidbit JS-1042")

    replies = api.calls_to("response_url")
    assert all(reply["response_type"] == "ephemeral" for reply in replies)
    assert secret in said(replies[1])  # the asker sees it, privately
    channel_calls = [c for c in api.calls if c.method != "response_url"]
    assert all(secret not in call.text_everywhere() for call in channel_calls)
    assert all(secret not in record.getMessage() for record in caplog.records)
    assert all("JS-1042" not in record.getMessage() for record in caplog.records)


async def test_a_slash_command_is_acknowledged_before_its_slow_work_is_done(slack, api, engine):
    release = api.hold("response_url")  # Slack is slow to take the reply, for as long as we like

    # (The timeout only turns a hang into a failure: an app that waited would never answer.)
    response = await asyncio.wait_for(
        slack.command("/defect arrival: waited 25 minutes", drain=False), timeout=10
    )

    # The 200 came back while the reply was still stuck on its way to Slack.
    assert response.status == 200
    assert await response.text() == ""
    [stuck] = await api.wait_for("response_url")
    # And what the person typed was stored before that Slack call was made.
    assert [d.description for d in defects(engine)] == ["waited 25 minutes"]

    release()
    await slack.adapter.drained()
    assert "Defect #1 logged" in said(stuck)
