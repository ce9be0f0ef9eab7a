"""Which platform threads Huddle listens to: the replies under a weekly meeting post."""

from __future__ import annotations

from bot.huddle import Huddle
from bot.storage import meetings
from bot.storage.db import transaction
from bot.storage.workspaces import get_workspace


def is_meeting_thread(
    huddle: Huddle, *, platform: str, workspace_id: str, channel_id: str, thread_id: str
) -> bool:
    """True when ``thread_id`` is a weekly meeting post, so replies to it may be stories.

    A cheap check adapters make before spending platform calls (a user look-up) on a reply.
    """
    with transaction(huddle.engine) as session:
        workspace = get_workspace(session=session, platform=platform, external_id=workspace_id)
        if workspace is None:
            return False
        return (
            meetings.meeting_for_message(
                session=session,
                workspace_id=workspace.id,
                channel_id=channel_id,
                message_id=thread_id,
            )
            is not None
        )
