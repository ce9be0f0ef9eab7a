"""The door remembers what people call a channel, per workspace, when the platform says."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session, select

from bot.model import Incoming
from bot.storage.channel_names import ChannelName, channel_names

SAID = Incoming(
    platform="slack",
    workspace_id="T1",
    channel_id="C1",
    user_id="U1",
    user_name="Dana",
    command="huddle",
    text="help",
    channel_name="#front-desk",
)


def _names(huddle) -> list[tuple[str, str]]:
    with Session(huddle.engine) as session:
        rows = session.exec(select(ChannelName).order_by(ChannelName.id)).all()
        return [(r.channel_id, r.name) for r in rows]


def test_a_channel_s_name_is_kept_once_and_follows_a_rename(huddle):
    huddle.handle(SAID)
    huddle.handle(replace(SAID, text="rules"))
    assert _names(huddle) == [("C1", "#front-desk")]
    huddle.handle(replace(SAID, channel_name="#reception"))
    assert _names(huddle) == [("C1", "#reception")]


def test_an_event_without_a_name_or_with_only_control_bytes_keeps_none(huddle):
    huddle.handle(replace(SAID, channel_name=None))
    huddle.handle(replace(SAID, channel_id="C2", channel_name="\x00\x1b "))
    assert _names(huddle) == []


def test_names_are_per_workspace_and_read_only_for_the_channels_asked(huddle):
    huddle.handle(SAID)
    huddle.handle(replace(SAID, workspace_id="T2", channel_name="#other-practice"))
    huddle.handle(replace(SAID, channel_id="C9", channel_name="#lunch"))
    with Session(huddle.engine) as session:
        t1 = session.exec(
            select(ChannelName.workspace_id).where(ChannelName.name == "#lunch")
        ).one()
        assert channel_names(session=session, workspace_id=t1, channel_ids=["C1"]) == {
            "C1": "#front-desk"  # not the other practice's name for its own C1
        }
        assert channel_names(session=session, workspace_id=t1, channel_ids=[]) == {}
