"""Conversation references: how Huddle reaches a Teams conversation outside a reply.

Both come from botbuilder's own ``TurnContext.get_conversation_reference``: the one
stored for the clock (``Installed.data``) and the one a turn posts to another
conversation through (a channel's post asked for from a card sent privately).
"""

from __future__ import annotations

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationAccount, ConversationReference

from adapters.teams.activities import Where


def stored_reference(activity: Activity, place: Where) -> dict:
    """The reference to keep for posting new messages in this conversation later."""
    data = TurnContext.get_conversation_reference(activity).serialize()
    data.setdefault("conversation", {})["id"] = place.channel_id  # new posts, not replies
    data.pop("activityId", None)
    # Teams spells it tenantId; botbuilder's ConversationAccount reads tenantID.
    data["conversation"]["tenantId"] = data["conversation"]["tenantID"] = place.workspace_id
    return data


def reference_to(activity: Activity, conversation_id: str, tenant_id: str) -> ConversationReference:
    """Another conversation of the activity's tenant, reached the way the activity came.

    The service URL, the channel and the bot are the activity's own, so posting there
    needs nothing stored; only the conversation differs.
    """
    reference = TurnContext.get_conversation_reference(activity)
    reference.activity_id = None
    reference.conversation = ConversationAccount(id=conversation_id, tenant_id=tenant_id)
    return reference
