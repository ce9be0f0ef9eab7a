"""Teams redelivers an activity when it doesn't hear back quickly, sometimes while the
first delivery is still running. On PostgreSQL the two really race."""

from __future__ import annotations

import asyncio

import pytest

from bot.storage.models import Defect
from tests import database
from tests.conftest import counted_votes
from tests.teams.conftest import CHANNEL, rows


@pytest.fixture
def engine(_postgres_engine):
    database.empty_all_tables(_postgres_engine)
    return _postgres_engine


async def test_concurrent_duplicate_deliveries_store_one_defect(teams, bot_connector, engine):
    body = teams.activity(text="defect arrival: waited 25 minutes", activity_id="act-race")
    statuses = await asyncio.gather(*(teams.post(body) for _ in range(4)))
    assert set(statuses) == {201}
    assert len(rows(engine, Defect)) == 1
    assert len(bot_connector.posted) == 1


async def test_concurrent_duplicate_reactions_nominate_once(teams, bot_connector, engine):
    await teams.say("wow @Priya drove Mrs K home", scope="channel", mention=True, user="Sam")
    story_post = bot_connector.in_conversation(CHANNEL)[-1]
    body = teams.activity(
        "messageReaction",
        scope="channel",
        replyToId=story_post.id,
        reactionsAdded=[{"type": "heart"}],
        activity_id="reaction-race",
    )
    await asyncio.gather(*(teams.post(body) for _ in range(4)))
    assert len(counted_votes(engine)) == 1
