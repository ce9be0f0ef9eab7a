"""Over the Slack wire: a slash command's channel name is kept as "#name"; a DM's is not."""

from __future__ import annotations

from sqlmodel import Session, select

from adapters.slack.convert import channel_name
from bot.storage.channel_names import ChannelName


def _names(engine) -> dict[str, str]:
    with Session(engine) as session:
        return dict(session.exec(select(ChannelName.channel_id, ChannelName.name)).all())


async def test_a_command_in_a_channel_keeps_its_name_and_a_dm_keeps_none(slack, engine):
    assert (await slack.command("/huddle help", channel_name="front-desk")).status == 200
    assert (
        await slack.command("/huddle help", channel="D1", channel_name="directmessage")
    ).status == 200
    await slack.adapter.drained()
    assert _names(engine) == {"C1": "#front-desk"}


def test_names_slack_withholds_are_not_names():
    assert channel_name("front-desk") == "#front-desk"
    for withheld in ("directmessage", "privategroup", "mpdm-dana--sam-1", "", None, 7):
        assert channel_name(withheld) is None
