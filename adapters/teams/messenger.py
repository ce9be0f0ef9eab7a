"""The clock's way into Teams: post to the conversation reference each post carries.

``build_messenger`` is the ``huddle.messengers`` entry point ``teams``. It is
always available: Teams needs no settings to know where to post, only the
conversation references stored when the app was installed, which the clock loads
with its targets and hands over in ``ConversationRef.data``. Sending never calls
back into the core or the database.

It has no ``find``: the Bot Connector gives a bot no way to read a conversation's
history, so a post whose answer was lost (the clock died mid-call, a timeout) cannot
be checked. The clock marks such a post ``uncertain`` and never sends it again
(posting twice is worse than missing once); ``send`` returns the activity id the
connector gives back, which the clock records.
"""

from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationReference

from adapters.teams import convert
from adapters.teams.connector import RetryPolicy, TeamsConnector
from adapters.teams.settings import TeamsSettings, load_teams_settings
from bot.config import Settings
from bot.huddle import Huddle
from bot.model import ConversationRef, Reply
from bot.ports import DeliveryError


class TeamsMessenger:
    """Posts replies proactively (``continue_conversation``); safe to share on one loop.

    Each post's ``ref.data`` says where it goes: nothing is looked up.
    """

    platform = convert.PLATFORM

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


def build_messenger(
    settings: Settings,
    huddle: Huddle,
    *,
    teams_settings: TeamsSettings | None = None,
    retry: RetryPolicy | None = None,
) -> TeamsMessenger | None:
    """Entry point ``huddle.messengers: teams``: None when Teams isn't configured.

    Without an app id (or the Emulator switch) there is no token to post with, so the
    clock must not post to the service URLs it has stored; it skips Teams and says so.
    """
    chosen = teams_settings or load_teams_settings()
    if not chosen.configured:
        return None
    return TeamsMessenger(TeamsConnector(chosen, retry=retry))
