"""/fta over the Teams wire: Activity JSON in at /api/messages, a card out at the stand-in."""

from __future__ import annotations

from bot.storage.models import Defect
from tests.teams.conftest import card_actions, rows


async def test_fta_with_a_cause_and_a_mentioned_booker_is_recorded_in_the_chat(
    teams, bot_connector, engine
):
    assert await teams.say("fta JS-1042 transport booked by @Priya") == 201

    [defect] = rows(engine, Defect)
    assert (defect.stage, defect.fta_cause) == ("fail-to-attend", "transport")
    assert (defect.booked_by_id, defect.booked_by_name) == ("29:priya", "Priya")
    [post] = bot_connector.posted
    assert post.conversation_id == "a:1on1-29:alex"
    assert "Fail-to-attend #1 recorded" in post.everything()


async def test_fta_without_a_cause_asks_on_a_card_and_its_button_records_it(
    teams, bot_connector, engine
):
    await teams.say("fta JS-1042")

    [card] = bot_connector.posted[-1].cards
    [forgot] = [a for a in card_actions(card) if a["title"] == "Forgot the appointment"]
    assert rows(engine, Defect) == []
    await teams.post(teams.activity(value=forgot["data"]))
    [defect] = rows(engine, Defect)
    assert defect.fta_cause == "forgot"
