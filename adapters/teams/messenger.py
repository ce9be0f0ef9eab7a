"""The clock's way into Teams: post to a stored conversation reference.

``build_messenger`` is the ``huddle.messengers`` entry point ``teams``. It is
always available: Teams needs no settings to know where to post, only the
conversation references stored when the app was installed.
"""

from __future__ import annotations

import asyncio

from botbuilder.schema import ConversationReference

from adapters.teams import convert
from adapters.teams.connector import RetryPolicy, TeamsConnector
from adapters.teams.settings import TeamsSettings, load_teams_settings
from bot.config import Settings
from bot.huddle import Huddle
from bot.model import ConversationRef, Reply
from bot.ports import DeliveryError


class TeamsMessenger:
    """Posts replies proactively (``continue_conversation``); safe to share on one loop."""

    platform = convert.PLATFORM

    def __init__(self, huddle: Huddle, connector: TeamsConnector):
        self.huddle = huddle
        self.connector = connector

    async def send(self, ref: ConversationRef, reply: Reply) -> str | None:
        data = await asyncio.to_thread(
            self.huddle.conversation,
            platform=self.platform,
            workspace_id=ref.workspace_id,
            channel_id=ref.channel_id,
        )
        if data is None:
            raise DeliveryError(
                f"No Teams conversation reference for workspace {ref.workspace_id}: "
                "Huddle must be installed in that conversation first",
                permanent=True,
            )
        reference = ConversationReference().deserialize(data)
        if ref.thread_id:
            # A channel's reply chain is the conversation id plus the root message id.
            reference.conversation.id = f"{ref.channel_id};messageid={ref.thread_id}"
        message_id = await self.connector.send_proactive(
            reference, convert.to_activity(reply), what="post"
        )
        await self.story_posted(ref.workspace_id, ref.channel_id, reply, message_id)
        return message_id

    async def story_posted(
        self, workspace_id: str, channel_id: str, reply: Reply, message_id: str | None
    ) -> None:
        """A story card was posted: reactions to that message now nominate the story."""
        if reply.story_id is None or not message_id:
            return
        await asyncio.to_thread(
            self.huddle.story_posted,
            platform=self.platform,
            workspace_id=workspace_id,
            channel_id=channel_id,
            story_id=reply.story_id,
            message_id=message_id,
        )

    def close(self) -> None:
        self.connector.close()


def build_messenger(
    settings: Settings,
    huddle: Huddle,
    *,
    teams_settings: TeamsSettings | None = None,
    retry: RetryPolicy | None = None,
) -> TeamsMessenger:
    """Entry point ``huddle.messengers: teams``."""
    connector = TeamsConnector(teams_settings or load_teams_settings(), retry=retry)
    return TeamsMessenger(huddle, connector)
