"""Teams activities through the core's door in a worker process (``huddle serve``'s default)."""

from __future__ import annotations

import os

import pytest

from bot.storage.models import Defect
from tests.teams.conftest import Teams, _running_app, card_actions, emulator_settings, rows


@pytest.fixture
async def worker_teams(huddle, worker_door, bot_connector, sleeps):
    client = await _running_app(
        huddle, huddle.settings, bot_connector, sleeps, emulator_settings(), door=worker_door
    )
    yield Teams(client, bot_connector.url), worker_door
    await client.close()


async def test_a_defect_is_logged_by_the_worker_and_answered_in_the_chat(
    worker_teams, bot_connector, engine
):
    teams, door = worker_teams
    [worker] = door.worker_pids()
    assert worker != os.getpid()

    assert await teams.say("defect arrival: waited 25 minutes with no word from us") == 201

    [defect] = rows(engine, Defect)
    assert (defect.stage, defect.description) == (
        "arrival",
        "waited 25 minutes with no word from us",
    )
    [post] = bot_connector.posted
    [card] = post.cards
    assert f"Defect #{defect.id} logged" in card["body"][0]["text"]
    assert any(a["title"] == "Close" for a in card_actions(card))
