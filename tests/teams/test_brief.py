"""/huddle brief over the Bot Connector: the day's detail in the asker's 1:1 chat only."""

from __future__ import annotations

from tests.sample_day import SAMPLE_REFS, sync_sample
from tests.teams.conftest import CHANNEL, TENANT


async def test_the_brief_asked_in_a_channel_answers_in_the_private_chat_only(
    teams, bot_connector, huddle
):
    await sync_sample(huddle, platform="teams", external_id=TENANT)

    assert await teams.say("huddle brief", scope="channel", mention=True) == 201

    [private] = bot_connector.in_conversation("a:1on1-29:alex")
    shown = private.everything()
    assert "8:00 am" in shown and "JS-1042" in shown and "DOC1" in shown
    assert "not confirmed" in shown
    for post in bot_connector.in_conversation(CHANNEL):
        for ref in SAMPLE_REFS:
            assert ref not in post.everything()
