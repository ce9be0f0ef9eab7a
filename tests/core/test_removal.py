"""When a practice removes Huddle, the weekly meeting stops and the way back is forgotten."""

from __future__ import annotations

from bot.storage.db import transaction
from bot.storage.models import Subscription
from tests.conftest import Chat


def _active(engine) -> set[str]:
    with transaction(engine) as session:
        rows = session.exec(Subscription.__table__.select().where(Subscription.active)).all()
    return {row.channel_id for row in rows}


def test_removing_huddle_from_a_workspace_stops_its_meetings_and_forgets_its_conversations(
    huddle, engine
):
    for channel in ("C1", "C2"):
        Chat(huddle, workspace="T1", channel=channel, platform="teams")(
            "/huddle schedule monday 08:00"
        )
        huddle.remember_conversation(
            platform="teams", workspace_id="T1", channel_id=channel, data={"id": channel}
        )
    Chat(huddle, workspace="T2", channel="C9", platform="teams")("/huddle schedule monday 08:00")
    huddle.remember_conversation(
        platform="teams", workspace_id="T2", channel_id="C9", data={"id": "C9"}
    )

    stopped = huddle.app_removed(platform="teams", workspace_id="T1")

    assert stopped == 2
    assert _active(engine) == {"C9"}  # the other workspace is untouched
    assert huddle.conversation(platform="teams", workspace_id="T1", channel_id="C1") is None
    assert huddle.conversation(platform="teams", workspace_id="T2", channel_id="C9") == {"id": "C9"}


def test_removing_huddle_from_one_conversation_stops_only_that_channel(huddle, engine):
    for channel in ("C1", "C2"):
        Chat(huddle, channel=channel, platform="teams")("/huddle schedule monday 08:00")
        huddle.remember_conversation(
            platform="teams", workspace_id="T1", channel_id=channel, data={"id": channel}
        )

    assert huddle.app_removed(platform="teams", workspace_id="T1", channel_id="C2") == 1

    assert _active(engine) == {"C1"}
    assert huddle.conversation(platform="teams", workspace_id="T1", channel_id="C2") is None
    assert huddle.conversation(platform="teams", workspace_id="T1", channel_id="C1") == {"id": "C1"}


def test_the_stories_and_defects_stay_and_adding_huddle_back_resumes_with_a_schedule(huddle):
    chat = Chat(huddle, platform="teams")
    chat("/huddle schedule monday 08:00")
    chat("/defect arrival: waited 25 minutes with no word from us")

    huddle.app_removed(platform="teams", workspace_id="T1")

    assert "waited 25 minutes" in chat("/defect list")
    assert "scheduled" in chat("/huddle schedule monday 08:00").lower()


def test_removal_from_a_workspace_huddle_never_knew_is_a_no_op(huddle):
    assert huddle.app_removed(platform="slack", workspace_id="T-unknown") == 0


def test_a_workspace_s_conversations_are_listed_with_their_references_and_no_one_else_s(huddle):
    huddle.remember_conversation(
        platform="teams", workspace_id="T1", channel_id="C1", data={"teamId": "team-a"}
    )
    huddle.remember_conversation(
        platform="teams", workspace_id="T1", channel_id="D1", data={"id": "D1"}, kind="personal"
    )
    huddle.remember_conversation(
        platform="teams", workspace_id="T2", channel_id="C9", data={"teamId": "team-b"}
    )

    assert huddle.conversations(platform="teams", workspace_id="T1") == {
        "C1": {"teamId": "team-a"},
        "D1": {"id": "D1"},
    }
    assert huddle.conversations(platform="slack", workspace_id="T1") == {}
    assert huddle.conversations(platform="teams", workspace_id="T-unknown") == {}
