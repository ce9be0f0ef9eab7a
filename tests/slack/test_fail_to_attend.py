"""/fta over Slack's wire: a signed slash command in, a private reply out."""

from __future__ import annotations

from tests.slack.conftest import button, buttons, said
from tests.slack.helpers import defects


async def test_fta_with_a_cause_and_a_mentioned_booker_is_recorded_privately(slack, api, engine):
    response = await slack.command("/fta JS-1042 transport booked by <@U7|Priya>")

    assert response.status == 200
    [reply] = api.calls_to("response_url")
    assert reply["response_type"] == "ephemeral"
    assert "Fail-to-attend #1 recorded" in said(reply)
    assert api.calls_to("chat.postMessage") == []
    [defect] = defects(engine)
    assert (defect.stage, defect.fta_cause) == ("fail-to-attend", "transport")
    assert (defect.booked_by_id, defect.booked_by_name) == ("U7", "Priya")


async def test_fta_without_a_cause_asks_with_buttons_and_a_click_records_it(slack, api, engine):
    await slack.command("/fta JS-1042")

    [ask] = api.calls_to("response_url")
    assert ask["response_type"] == "ephemeral"
    assert len(buttons(ask)) == 6 and defects(engine) == []
    await slack.click(button(ask, "Forgot the appointment"))
    [defect] = defects(engine)
    assert defect.fta_cause == "forgot"
