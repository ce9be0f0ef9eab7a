"""Huddle was taken out of a workspace, a conversation or a group of conversations.

Its weekly meetings there stop, so the clock stops trying to post where it can't,
and the references to reach them are forgotten. Defects, stories and tidbits stay
(under their retention) in case the practice adds Huddle back. Nothing is said:
Huddle can no longer post there.
"""

from __future__ import annotations

import logging

from bot.door import Route, Turn
from bot.model import Removed, Reply
from bot.storage import conversations, subscriptions

log = logging.getLogger("huddle")


def covered_channels(turn: Turn, removed: Removed) -> list[str] | None:
    """The conversations a removal covers; None for the whole workspace.

    A group (a Teams team): every conversation stored as part of it, the group's own
    channel (a team's General channel has the team's id) and the channel named.
    """
    if removed.channel_id is None and removed.group_id is None:
        return None
    covered = {c for c in (removed.channel_id, removed.group_id) if c}
    if removed.group_id is not None:
        covered |= set(
            conversations.group_channels(
                session=turn.session, workspace_id=turn.workspace_id, group_id=removed.group_id
            )
        )
    return sorted(covered)


def handle(turn: Turn) -> list[Reply]:
    removed = turn.event
    assert isinstance(removed, Removed)
    channels = covered_channels(turn, removed)
    stopped = 0
    for channel_id in [None] if channels is None else channels:
        conversations.forget_conversations(
            session=turn.session, workspace_id=turn.workspace_id, channel_id=channel_id
        )
        stopped += subscriptions.stop_subscriptions(
            session=turn.session,
            workspace_id=turn.workspace_id,
            channel_id=channel_id,
            now=turn.now,
        )
    log.info(
        "huddle removed: platform=%s workspace=%s conversations=%s; %d weekly meeting(s) stopped",
        removed.platform,
        removed.workspace_id,
        "all" if channels is None else len(channels),
        stopped,
    )
    return []


ROUTE = Route(handle, "removal", creates_workspace=False)
