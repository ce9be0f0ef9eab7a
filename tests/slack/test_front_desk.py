"""The front desk over Slack's wire: its notices as direct messages, and their buttons as
signed block_actions that record a fail-to-attend with its cause."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.slack.messenger import messenger_for
from bot.clock.jobs import JOBS
from tests.clock.conftest import local
from tests.front_desk_day import open_dental_practice, run_late_patients
from tests.sample_day import TUESDAY, sync_sample
from tests.slack.conftest import button, buttons, said, slack_settings
from tests.slack.helpers import defects
from tests.standins.opendental_api import OpenDentalStandIn

SYDNEY = "Australia/Sydney"


@pytest.fixture
async def messengers(api, huddle):
    messenger = messenger_for(slack_settings(api), huddle)
    yield {"slack": messenger}
    await messenger.close()


@pytest.fixture
async def opendental(monkeypatch):
    monkeypatch.setenv("HUDDLE_OPENDENTAL_DEVELOPER_KEY", "dev-key-1")
    standin = OpenDentalStandIn()
    await standin.start()
    yield standin
    await standin.close()


def _dms(api) -> list:
    """Posts to Sam's direct messages (the channel said who joined the front desk)."""
    return [c for c in api.calls_to("chat.postMessage") if c["channel"] == "U7"]


async def _front_desk(slack) -> None:
    await slack.command("/huddle schedule monday 8:30 am")  # the first admin, in C1
    await slack.command("/huddle frontdesk add <@U7|sam>")


async def test_tomorrows_unconfirmed_new_patients_go_to_the_front_desk_as_a_dm(
    slack, api, huddle, messengers
):
    await _front_desk(slack)
    await sync_sample(huddle, TUESDAY + timedelta(days=1))

    await JOBS["front-desk-unconfirmed"](huddle, messengers, local(SYDNEY, 2026, 11, 24, 15, 0))

    [dm] = _dms(api)
    assert dm["channel"] == "U7"
    assert "8:30 am AB-2210 with HYG1" in said(dm)
    assert "confirm by the end of today" in said(dm)
    elsewhere = [c for c in api.calls if c not in _dms(api)]
    assert all("AB-2210" not in call.text_everywhere() for call in elsewhere)


async def test_a_late_patients_notice_is_a_dm_whose_did_not_attend_button_records_the_cause(
    slack, api, huddle, messengers, opendental, engine
):
    await _front_desk(slack)
    open_dental_practice(huddle, opendental)
    await JOBS["schedule-sync"](huddle, messengers, local(SYDNEY, 2026, 11, 24, 7, 0))

    await run_late_patients(
        huddle,
        messengers,
        local(SYDNEY, 2026, 11, 24, 9, 1),
        local(SYDNEY, 2026, 11, 24, 9, 2),
    )

    [dm] = _dms(api)
    assert dm["channel"] == "U7"
    assert "JS-1042 was due at 9:00 am" in said(dm)
    assert "No text message until tomorrow" in said(dm)
    assert [b["text"]["text"] for b in buttons(dm)] == [
        "Arrived late",
        "Rescheduled",
        "Did not attend",
    ]

    await slack.click(button(dm, "Did not attend"), user="U7", name="sam", channel="D7")
    ask = api.calls_to("response_url")[-1]
    assert "Why did JS-1042 not come?" in said(ask) and defects(engine) == []
    await slack.click(button(ask, "Could not get here"), user="U7", name="sam", channel="D7")
    [defect] = defects(engine)
    assert (defect.stage, defect.fta_cause) == ("fail-to-attend", "transport")


async def test_arrived_late_on_the_notice_records_nothing(
    slack, api, huddle, messengers, opendental, engine
):
    await _front_desk(slack)
    open_dental_practice(huddle, opendental)
    await JOBS["schedule-sync"](huddle, messengers, local(SYDNEY, 2026, 11, 24, 7, 0))
    await run_late_patients(huddle, messengers, local(SYDNEY, 2026, 11, 24, 9, 1))

    [dm] = _dms(api)
    await slack.click(button(dm, "Arrived late"), user="U7", name="sam", channel="D7")

    assert "JS-1042 arrived" in said(api.calls_to("response_url")[-1])
    assert defects(engine) == []
