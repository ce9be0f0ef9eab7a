"""/huddle source over the Bot Connector: the form is a card, the feed address never comes back."""

from __future__ import annotations

import json

from sqlmodel import Session

from bot.storage.appointments import get_source
from tests.sample_day import sample_workspace
from tests.teams.conftest import TENANT

FEED = "https://calendar.example.org/private-9c8b/basic.ics"


async def test_the_feed_form_is_a_card_in_the_personal_chat_and_saves_the_address_sealed(
    teams, bot_connector, huddle, log_output
):
    assert await teams.say("huddle source ical") == 201
    [card] = bot_connector.posted
    inputs = [item.get("id") for item in card.cards[0]["body"] if item.get("id")]
    assert inputs == ["feed_url", "pattern", "marker", "provider_from"]

    submitted = {
        "huddle_action": "form",
        "huddle_command": "huddle source ical",
        "feed_url": FEED,
        "marker": "(NP)",
        "provider_from": "LOCATION",
    }
    assert await teams.post(teams.activity(value=submitted)) == 201
    assert await teams.say("huddle source") == 201

    with Session(huddle.engine) as session:
        found = get_source(
            session=session, workspace_id=sample_workspace(huddle, "teams", TENANT).id
        )
    assert found.kind == "ical" and huddle.vault.decrypt(found.secret_enc) == FEED
    saved, shown = bot_connector.posted[1:]
    assert "now a calendar feed" in saved.everything()
    assert "Feed address: set, never shown" in json.dumps(shown.cards, ensure_ascii=False)
    assert all(FEED not in post.everything() for post in bot_connector.posted)
    assert FEED not in log_output.getvalue()


async def test_a_feed_address_typed_in_a_channel_is_not_saved_or_repeated(
    teams, bot_connector, huddle
):
    assert await teams.say(f"huddle source ical {FEED}", scope="channel", mention=True) == 201

    assert all(FEED not in post.everything() for post in bot_connector.posted)
    assert any("Nothing was saved" in post.everything() for post in bot_connector.posted)
