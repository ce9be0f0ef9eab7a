"""The blueprint suggestions' buttons over the Teams wire: the card's Action.Submit data
POSTed back to /api/messages as an Activity, the suggestion's state in the database, and a
non-admin's press refused by name."""

from __future__ import annotations

from bot.storage.blueprint_models import BlueprintSuggestion
from tests.teams.conftest import card_actions, card_inputs, rows

IDEA = "offer a glass of water while they wait"


def states(engine) -> list[tuple[int, str, str]]:
    return sorted((s.id, s.state, s.text) for s in rows(engine, BlueprintSuggestion))


def action(card: dict, title: str) -> dict:
    [found] = [a for a in card_actions(card) if a["title"] == title]
    return found


async def listed(teams, bot_connector) -> dict:
    """Dana added Huddle (so she is an admin); Robin suggests; Dana lists: that card."""
    await teams.post(teams.activity("installationUpdate", action="add", user="Dana"))
    await teams.say(f"huddle blueprint suggest arrival recovery: {IDEA}", user="Robin")
    assert "Suggestion #1" in bot_connector.posted[-1].everything()
    await teams.say("huddle blueprint suggestions", user="Dana")
    post = bot_connector.posted[-1]
    assert "1 waiting" in post.everything() and IDEA in post.everything()
    [card] = post.cards
    return card


async def shows_arrival(teams, bot_connector) -> str:
    await teams.say("huddle blueprint arrival", user="Robin")
    return bot_connector.posted[-1].everything()


async def test_an_admin_s_accept_adds_the_item_and_decides_the_suggestion(
    teams, bot_connector, engine
):
    card = await listed(teams, bot_connector)
    accept = action(card, "Accept #1")
    assert accept["type"] == "Action.Submit"
    assert await teams.post(teams.activity(value=accept["data"], user="Dana")) < 300
    assert states(engine) == [(1, "accepted", IDEA)]
    assert "Added to Arrival" in bot_connector.posted[-1].everything()
    assert IDEA in await shows_arrival(teams, bot_connector)


async def test_an_admin_s_decline_declines_and_changes_nothing(teams, bot_connector, engine):
    card = await listed(teams, bot_connector)
    await teams.post(teams.activity(value=action(card, "Decline #1")["data"], user="Dana"))
    assert states(engine) == [(1, "declined", IDEA)]
    assert "Suggestion #1 is declined" in bot_connector.posted[-1].everything()
    assert IDEA not in await shows_arrival(teams, bot_connector)


async def test_edit_shows_the_suggestion_prefilled_and_adds_the_edited_item(
    teams, bot_connector, engine
):
    card = await listed(teams, bot_connector)
    edit = action(card, "Edit #1")
    [(name, answer)] = card_inputs(edit["card"]).items()
    assert answer["value"] == IDEA
    [send] = edit["card"]["actions"]
    edited = f"{IDEA} and say sorry"
    await teams.post(teams.activity(value={**send["data"], name: edited}, user="Dana"))
    assert states(engine) == [(1, "accepted", IDEA)]
    assert edited in await shows_arrival(teams, bot_connector)


async def test_a_non_admin_pressing_them_is_refused_and_nothing_changes(
    teams, bot_connector, engine
):
    card = await listed(teams, bot_connector)
    for title, what in (("Accept #1", "accept"), ("Decline #1", "decline")):
        await teams.post(teams.activity(value=action(card, title)["data"], user="Robin"))
        refusal = bot_connector.posted[-1].everything()
        assert f"Only the practice's admins can {what} blueprint suggestions" in refusal
        assert "<at>Dana</at>" in refusal
    assert states(engine) == [(1, "pending", IDEA)]
    assert IDEA not in await shows_arrival(teams, bot_connector)
