"""Privacy before saving over Slack's wire: warned privately, saved only by choice."""

from __future__ import annotations

from bot.model import ConversationRef
from bot.storage.models import Defect
from tests.slack.conftest import button, buttons, said
from tests.slack.helpers import count, defects, stories

LINE = "/defect arrival: Jane rang from 0412 345 678, nobody called back"


async def test_a_defect_with_a_phone_number_is_not_saved_and_the_warning_has_both_buttons(
    slack, api, engine
):
    response = await slack.command(LINE)

    assert response.status == 200
    [warning] = api.calls_to("response_url")
    assert warning["response_type"] == "ephemeral"
    assert "Before I save this" in said(warning) and "phone number" in said(warning)
    assert "0412 345 678" not in said(warning)
    assert [b["text"]["text"] for b in buttons(warning)] == ["Save as written", "Edit"]
    assert count(engine, Defect) == 0


async def test_save_as_written_saves_the_defect(slack, api, engine):
    await slack.command(LINE)
    [warning] = api.calls_to("response_url")

    await slack.click(button(warning, "Save as written"))

    [defect] = defects(engine)
    assert defect.description == "Jane rang from 0412 345 678, nobody called back"
    assert "Defect #1 logged · Arrival" in said(api.calls_to("response_url")[-1])


async def test_edit_opens_a_modal_prefilled_with_the_text_and_checks_the_edit(slack, api, engine):
    await slack.command(LINE)
    [warning] = api.calls_to("response_url")

    await slack.click(button(warning, "Edit"))

    [opened] = api.calls_to("views.open")
    [block] = opened["view"]["blocks"]
    assert block["element"]["initial_value"] == "Jane rang from 0412 345 678, nobody called back"
    await slack.submit(opened["view"], {"answer": "Jane rang, nobody called back"})

    [defect] = defects(engine)
    assert defect.description == "Jane rang, nobody called back"


async def test_the_defect_form_reopens_prefilled_after_a_warning(slack, api, engine):
    await slack.command("/defect")
    [form] = api.calls_to("views.open")
    values = {"stage": "arrival", "description": "rang 0412 345 678", "patient_ref": "JS-1042"}
    await slack.submit(form["view"], values)
    [warning] = api.calls_to("response_url")
    assert count(engine, Defect) == 0

    await slack.click(button(warning, "Edit"))

    reopened = api.calls_to("views.open")[-1]["view"]
    elements = {b["block_id"]: b["element"] for b in reopened["blocks"]}
    assert elements["stage"]["initial_option"]["value"] == "arrival"
    assert elements["description"]["initial_value"] == "rang 0412 345 678"
    assert elements["patient_ref"]["initial_value"] == "JS-1042"


async def test_a_story_saved_as_written_keeps_its_hero_mentioned(slack, api, engine):
    api.user_names["U7"] = "Priya"
    await slack.command("/wow <@U7|Priya> drove Mrs Jane Smith home", name="sam")
    [warning] = api.calls_to("response_url")
    assert api.calls_to("chat.postMessage") == [] and stories(engine) == []
    save = button(warning, "Save as written")
    assert "<@U7>" in save["value"]

    await slack.click(save)

    [post] = api.calls_to("chat.postMessage")
    assert "WOW story #1: Priya" in said(post)
    assert [s.text for s in stories(engine)] == ["@Priya drove Mrs Jane Smith home"]


async def test_a_meeting_reply_with_a_phone_number_is_warned_privately_and_not_stored(
    slack, api, huddle, engine
):
    post_id, _ = huddle.claim_meeting(ConversationRef("slack", "T1", "C1"))
    huddle.meeting_posted(post_id, "1800000500.000100")
    api.user_names["U2"] = "Sam"
    event = {
        "type": "message",
        "channel": "C1",
        "user": "U7",
        "text": "<@U2> rang Mrs B back on 0412 345 678 after hours",
        "ts": "1800000600.000100",
        "thread_ts": "1800000500.000100",
    }

    await slack.event(event)

    assert stories(engine) == [] and api.calls_to("chat.postMessage") == []
    [warning] = api.calls_to("chat.postEphemeral")
    assert warning["user"] == "U7" and "phone number" in said(warning)
    assert "0412 345 678" not in said(warning)
