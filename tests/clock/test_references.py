"""Every post the clock hands a messenger carries its channel's stored reference."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clock.jobs import run_monday_meeting
from bot.storage import db
from bot.storage.conversations import remember_conversation
from bot.storage.workspaces import get_workspace
from tests.clock.conftest import RecordingMessenger, channel
from tests.clock.test_monday_meeting import schedule


async def test_each_post_carries_its_channels_stored_reference_loaded_with_the_targets(
    huddle, clock, messenger, messengers
):
    schedule(huddle, clock, name="C1")
    at = datetime(2026, 11, 20, tzinfo=UTC)
    for name in ("19:a@thread.tacv2", "19:b@thread.tacv2"):
        clock.set(at)
        channel(huddle, name, "tenant", "teams")("/huddle schedule monday 08:00 UTC")
    stored = {"serviceUrl": "https://smba.example/amer/", "conversation": {"id": "19:a"}}
    with db.transaction(huddle.engine) as session:
        workspace = get_workspace(session=session, platform="teams", external_id="tenant")
        remember_conversation(
            session=session,
            workspace_id=workspace.id,
            channel_id="19:a@thread.tacv2",
            data=stored,
            kind="channel",
            now=at,
        )
    teams = RecordingMessenger("teams")
    due = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    report = await run_monday_meeting(huddle, {**messengers, "teams": teams}, due)

    assert report.posted == 3
    refs = {p.ref.channel_id: p.ref.data for p in teams.posts}
    assert refs == {"19:a@thread.tacv2": stored, "19:b@thread.tacv2": None}
    assert [p.ref.data for p in messenger.posts] == [None]  # Slack needs none
    # The references came in the targets' one query; +1: every practice's blueprint revision.
    assert report.db_round_trips <= 9
