"""When a practice removes Huddle, the weekly meeting stops and the way back is forgotten."""

from __future__ import annotations

import json

from bot.model import Installed, Removed
from bot.storage.db import transaction
from bot.storage.models import ConversationReference, Subscription, Workspace
from tests.conftest import Chat


def _active(engine) -> set[str]:
    with transaction(engine) as session:
        rows = session.exec(Subscription.__table__.select().where(Subscription.active)).all()
    return {row.channel_id for row in rows}


def _stored(engine, workspace: str) -> dict[str, dict]:
    with transaction(engine) as session:
        found = session.exec(
            Workspace.__table__.select().where(Workspace.external_id == workspace)
        ).first()
        if found is None:
            return {}
        rows = session.exec(
            ConversationReference.__table__.select().where(
                ConversationReference.workspace_id == found.id
            )
        ).all()
        return {row.channel_id: json.loads(row.data) for row in rows}


def _meeting_in(huddle, workspace: str, channel: str, group: str | None = None) -> None:
    Chat(huddle, workspace=workspace, channel=channel, platform="teams")(
        "/huddle schedule monday 08:00"
    )
    huddle.handle(Installed("teams", workspace, channel, data={"id": channel}, group_id=group))


def test_removing_huddle_from_a_workspace_stops_its_meetings_and_forgets_its_conversations(
    huddle, engine
):
    for channel in ("C1", "C2"):
        _meeting_in(huddle, "T1", channel)
    _meeting_in(huddle, "T2", "C9")

    assert huddle.handle(Removed("teams", "T1")) == []  # nothing is said: it can't post there

    assert _active(engine) == {"C9"}  # the other workspace is untouched
    assert _stored(engine, "T1") == {}
    assert _stored(engine, "T2") == {"C9": {"id": "C9"}}


def test_removing_huddle_from_one_conversation_stops_only_that_channel(huddle, engine):
    for channel in ("C1", "C2"):
        _meeting_in(huddle, "T1", channel)

    huddle.handle(Removed("teams", "T1", channel_id="C2"))

    assert _active(engine) == {"C1"}
    assert set(_stored(engine, "T1")) == {"C1"}


def test_removing_a_group_covers_its_conversations_and_its_own_channel_and_no_other(huddle, engine):
    _meeting_in(huddle, "T1", "team-a", group="team-a")  # a team's General channel
    _meeting_in(huddle, "T1", "C-a2", group="team-a")
    _meeting_in(huddle, "T1", "C-b1", group="team-b")
    _meeting_in(huddle, "T1", "chat-1")  # a group chat: no team

    huddle.handle(Removed("teams", "T1", group_id="team-a"))

    assert _active(engine) == {"C-b1", "chat-1"}
    assert set(_stored(engine, "T1")) == {"C-b1", "chat-1"}


def test_the_stories_and_defects_stay_and_adding_huddle_back_resumes_with_a_schedule(huddle):
    chat = Chat(huddle, platform="teams")
    chat("/huddle schedule monday 08:00")
    chat("/defect arrival: waited 25 minutes with no word from us")

    huddle.handle(Removed("teams", "T1"))

    assert "waited 25 minutes" in chat("/defect list")
    assert "scheduled" in chat("/huddle schedule monday 08:00").lower()


def test_removal_from_a_workspace_huddle_never_knew_is_a_no_op_and_creates_nothing(huddle, engine):
    assert huddle.handle(Removed("slack", "T-unknown")) == []
    with transaction(engine) as session:
        assert session.exec(Workspace.__table__.select()).all() == []


def test_installed_says_hello_once_where_asked_in_the_conversation_s_own_way(huddle):
    [shared] = huddle.handle(Installed("teams", "T1", "C1", data={"id": "C1"}, welcome=True))
    [personal] = huddle.handle(
        Installed("teams", "T1", "D1", data={"id": "D1"}, kind="personal", welcome=True)
    )
    assert shared.visibility.value == "channel" and "huddle schedule" in shared.text
    assert personal.visibility.value == "private" and "only for you" in personal.text
    assert huddle.handle(Installed("teams", "T1", "C1", data={"id": "C1"})) == []
