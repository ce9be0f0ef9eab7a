"""The front desk over the Teams wire: notices in a 1:1 chat opened through the practice's
channel, and the late notice's card buttons (Action.Submit) recording a fail-to-attend."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.teams.connector import RetryPolicy
from adapters.teams.messenger import build_messenger
from bot.clock.jobs import JOBS
from bot.storage.models import Defect
from tests.clock.conftest import local
from tests.front_desk_day import open_dental_practice, run_late_patients
from tests.sample_day import TUESDAY, sync_sample
from tests.standins.opendental_api import OpenDentalStandIn
from tests.teams.conftest import BOT_ID, TENANT, card_actions, emulator_settings, rows

SYDNEY = "Australia/Sydney"


@pytest.fixture
def messengers(huddle, settings, sleeps):
    messenger = build_messenger(
        settings, huddle, teams_settings=emulator_settings(), retry=RetryPolicy(sleep=sleeps)
    )
    yield {"teams": messenger}
    messenger.close()


@pytest.fixture
async def opendental(monkeypatch):
    monkeypatch.setenv("HUDDLE_OPENDENTAL_DEVELOPER_KEY", "dev-key-1")
    standin = OpenDentalStandIn()
    await standin.start()
    yield standin
    await standin.close()


async def _front_desk(teams) -> None:
    added = {"id": BOT_ID, "name": "Huddle"}
    await teams.post(teams.activity("conversationUpdate", scope="channel", membersAdded=[added]))
    await teams.say("huddle schedule monday 8:30 am", scope="channel", mention=True)
    await teams.say("huddle frontdesk add @Sam", scope="channel", mention=True)


async def test_tomorrows_unconfirmed_new_patients_reach_the_front_desk_in_a_one_to_one_chat(
    teams, bot_connector, huddle, messengers
):
    await _front_desk(teams)
    await sync_sample(huddle, TUESDAY + timedelta(days=1), platform="teams", external_id=TENANT)

    await JOBS["front-desk-unconfirmed"](huddle, messengers, local(SYDNEY, 2026, 11, 24, 15, 0))

    assert bot_connector.created[-1]["members"][0]["id"] == "29:sam"
    [told] = bot_connector.in_conversation("a:1on1-29:sam")
    assert "8:30 am AB-2210 with HYG1" in told.everything()
    others = [p for p in bot_connector.posted if p.conversation_id != "a:1on1-29:sam"]
    assert all("AB-2210" not in p.everything() for p in others)


async def test_the_late_notice_card_buttons_record_a_fail_to_attend_with_its_cause(
    teams, bot_connector, huddle, messengers, opendental, engine
):
    await _front_desk(teams)
    open_dental_practice(huddle, opendental, platform="teams", external_id=TENANT)
    await JOBS["schedule-sync"](huddle, messengers, local(SYDNEY, 2026, 11, 24, 7, 0))

    await run_late_patients(huddle, messengers, local(SYDNEY, 2026, 11, 24, 9, 1))

    [told] = bot_connector.in_conversation("a:1on1-29:sam")
    assert "JS-1042 was due at 9:00 am" in told.everything()
    [card] = told.cards
    titles = [a["title"] for a in card_actions(card)]
    assert titles == ["Arrived late", "Rescheduled", "Did not attend"]
    [missed] = [a for a in card_actions(card) if a["title"] == "Did not attend"]
    assert missed["type"] == "Action.Submit"

    await teams.post(teams.activity(value=missed["data"], user="Sam"))
    [ask] = bot_connector.in_conversation("a:1on1-29:sam")[-1].cards
    [transport] = [a for a in card_actions(ask) if a["title"] == "Could not get here"]
    assert rows(engine, Defect) == []
    await teams.post(teams.activity(value=transport["data"], user="Sam"))

    [defect] = rows(engine, Defect)
    assert (defect.stage, defect.fta_cause) == ("fail-to-attend", "transport")
