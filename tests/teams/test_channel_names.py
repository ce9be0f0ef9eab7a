"""Over the Bot Connector: a team channel is kept as "Team › Channel"; a 1:1 chat is not."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.storage.channel_names import ChannelName
from tests.teams.conftest import CHANNEL


def _names(engine) -> dict[str, str]:
    with Session(engine) as session:
        return dict(session.exec(select(ChannelName.channel_id, ChannelName.name)).all())


async def test_the_general_channel_and_a_named_channel_keep_the_names_teams_shows(teams, engine):
    assert await teams.say("huddle help", scope="channel", mention=True) == 201
    assert await teams.say("huddle help") == 201  # the 1:1 chat has no name to keep
    front_desk = teams.activity(
        text="huddle help", scope="channel", mention=True, conversation_id="19:desk@thread.tacv2"
    )
    front_desk["channelData"]["channel"] = {"id": "19:desk@thread.tacv2", "name": "Front desk"}
    assert await teams.post(front_desk) == 201
    assert _names(engine) == {
        CHANNEL: "Smile Dental › General",
        "19:desk@thread.tacv2": "Smile Dental › Front desk",
    }


async def test_a_channel_teams_sends_without_its_name_keeps_none(teams, engine):
    unnamed = teams.activity(
        text="huddle help", scope="channel", mention=True, conversation_id="19:x@thread.tacv2"
    )
    unnamed["channelData"]["channel"] = {"id": "19:x@thread.tacv2"}
    assert await teams.post(unnamed) == 201
    assert "19:x@thread.tacv2" not in _names(engine)  # not "Smile Dental" alone
