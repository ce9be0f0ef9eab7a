"""Privacy before saving over the Teams wire: warned privately, saved only by choice."""

from __future__ import annotations

from bot.storage.models import Defect
from tests.teams.conftest import card_actions, card_inputs, rows

LINE = "defect arrival: Jane rang from 0412 345 678, nobody called back"


def _action(card: dict, title: str) -> dict:
    [action] = [a for a in card_actions(card) if a["title"] == title]
    return action


async def test_a_defect_with_a_phone_number_is_not_saved_and_the_warning_has_both_buttons(
    teams, bot_connector, engine
):
    await teams.say(LINE)

    [post] = bot_connector.posted
    assert "Before I save this" in post.everything() and "phone number" in post.everything()
    [card] = post.cards
    # What the card shows masks the number; only the buttons carry the text back.
    shown = " ".join(block["text"] for block in card["body"] if block["type"] == "TextBlock")
    assert "04•• ••• •78" in shown and "0412 345 678" not in shown
    assert _action(card, "Save as written")["type"] == "Action.Submit"
    assert _action(card, "Edit")["type"] == "Action.ShowCard"
    assert rows(engine, Defect) == []


async def test_save_as_written_saves_the_defect(teams, bot_connector, engine):
    await teams.say(LINE)
    [card] = bot_connector.posted[0].cards

    await teams.post(teams.activity(value=_action(card, "Save as written")["data"]))

    [defect] = rows(engine, Defect)
    assert defect.description == "Jane rang from 0412 345 678, nobody called back"
    assert "logged" in bot_connector.posted[-1].everything()


async def test_edit_shows_the_text_prefilled_and_checks_the_edit(teams, bot_connector, engine):
    await teams.say(LINE)
    [card] = bot_connector.posted[0].cards
    edit = _action(card, "Edit")
    answer = card_inputs(edit["card"])["huddle_answer"]
    assert answer["value"] == "Jane rang from 0412 345 678, nobody called back"
    [send] = edit["card"]["actions"]

    edited = "Jane rang, nobody called back"
    await teams.post(teams.activity(value={**send["data"], "huddle_answer": edited}))

    [defect] = rows(engine, Defect)
    assert defect.description == "Jane rang, nobody called back"


async def test_the_defect_form_reopens_prefilled_after_a_warning(teams, bot_connector, engine):
    await teams.say("defect")
    [submit] = [a for a in card_actions(bot_connector.posted[0].cards[0]) if a["title"] == "Log it"]
    value = {**submit["data"], "stage": "arrival", "description": "rang 0412 345 678"}
    await teams.post(teams.activity(value=value))
    [card] = bot_connector.posted[-1].cards
    assert rows(engine, Defect) == []

    await teams.post(teams.activity(value=_action(card, "Edit")["data"]))

    inputs = card_inputs(bot_connector.posted[-1].cards[0])
    assert inputs["stage"]["value"] == "arrival"
    assert inputs["description"]["value"] == "rang 0412 345 678"
