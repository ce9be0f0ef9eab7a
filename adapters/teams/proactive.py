"""``TeamsMessenger``: the clock's posts, sent proactively through the Bot Connector.

Built by ``adapters.teams.messenger.build_messenger`` only when Teams is configured, so
botbuilder is loaded only then.
"""

from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationReference

from adapters.teams import convert
from adapters.teams.connector import TeamsConnector
from adapters.teams.convert import PLATFORM
from bot.model import ConversationRef, Reply
from bot.ports import DeliveryError


class TeamsMessenger:
    """Posts replies proactively (``continue_conversation``); safe to share on one loop.

    Each post's ``ref.data`` says where it goes: nothing is looked up.
    """

    platform = PLATFORM

    def __init__(self, connector: TeamsConnector):
        self.connector = connector

    async def send(self, ref: ConversationRef, reply: Reply) -> str | None:
        if ref.data is None:
            raise DeliveryError(
                f"No Teams conversation reference for workspace {ref.workspace_id}: "
                "Huddle must be installed in that conversation first",
                permanent=True,
            )
        reference = ConversationReference().deserialize(dict(ref.data))
        if reply.to is not None:  # privately, in a 1:1 chat with that member of the team
            source = TurnContext.apply_conversation_reference(
                Activity(), reference, is_incoming=True
            )
            [sent] = await self.connector.send_direct(
                source, [convert.to_activity(reply)], what="private post", to=reply.to.user_id
            )
            return sent
        if ref.thread_id:
            # A channel's reply chain is the conversation id plus the root message id.
            reference.conversation.id = f"{ref.channel_id};messageid={ref.thread_id}"
        return await self.connector.send_proactive(
            reference, convert.to_activity(reply), what="post"
        )

    def close(self) -> None:
        self.connector.close()
