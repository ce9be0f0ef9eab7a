"""/huddle source over Slack's wire: the form is a modal, the key never comes back."""

from __future__ import annotations

import logging

from sqlmodel import Session

from bot.storage.appointments import get_source
from tests.sample_day import sample_workspace
from tests.slack.conftest import said

CUSTOMER_KEY = "ck-1a2b3c4d5e6f-secret"


async def test_the_open_dental_form_is_a_modal_and_its_key_is_stored_never_shown(
    slack, api, huddle, caplog
):
    caplog.set_level(logging.DEBUG)
    await slack.command("/huddle source opendental")

    [opened] = api.calls_to("views.open")
    view = opened["view"]
    assert [b["block_id"] for b in view["blocks"]] == [
        "customer_key",
        "confirmed",
        "reference",
        "base_url",
    ]
    assert "initial_value" not in view["blocks"][0]["element"]

    await slack.submit(
        view, {"customer_key": CUSTOMER_KEY, "confirmed": "19, 21", "reference": "PatNum"}
    )
    await slack.command("/huddle source")

    with Session(huddle.engine) as session:
        found = get_source(session=session, workspace_id=sample_workspace(huddle).id)
    assert huddle.vault.decrypt(found.secret_enc) == CUSTOMER_KEY
    answers = api.calls_to("response_url") + api.calls_to("chat.postEphemeral")
    assert any("now Open Dental" in call.text_everywhere() for call in answers)
    shown = said(api.calls_to("response_url")[-1])
    assert "Customer key: set, never shown" in shown
    assert all(CUSTOMER_KEY not in call.text_everywhere() for call in api.calls)
    assert all(CUSTOMER_KEY not in record.getMessage() for record in caplog.records)
    assert api.calls_to("chat.postMessage") == []  # nothing of it in the channel
