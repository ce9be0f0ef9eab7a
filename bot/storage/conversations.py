"""How to reach a conversation later: the platform's conversation reference (Teams)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session, delete, select

from bot.storage.models import ConversationReference


def _get(*, session: Session, workspace_id: int, channel_id: str) -> ConversationReference | None:
    statement = select(ConversationReference).where(
        ConversationReference.workspace_id == workspace_id,
        ConversationReference.channel_id == channel_id,
    )
    return session.exec(statement).first()


def remember_conversation(
    *,
    session: Session,
    workspace_id: int,
    channel_id: str,
    data: dict,
    kind: str,
    now: datetime,
    group_id: str | None = None,
) -> ConversationReference:
    """Store (or refresh) the reference for one conversation."""
    row = _get(session=session, workspace_id=workspace_id, channel_id=channel_id)
    payload = json.dumps(data, sort_keys=True)
    if row is None:
        row = ConversationReference(
            workspace_id=workspace_id,
            channel_id=channel_id,
            kind=kind,
            group_id=group_id,
            data=payload,
            updated_at=now,
        )
    else:
        row.data, row.kind, row.updated_at = payload, kind, now
        row.group_id = group_id or row.group_id
    session.add(row)
    return row


def group_channels(*, session: Session, workspace_id: int, group_id: str) -> list[str]:
    """The conversations stored as part of a group (a Teams team's channels)."""
    statement = (
        select(ConversationReference.channel_id)
        .where(
            ConversationReference.workspace_id == workspace_id,
            ConversationReference.group_id == group_id,
        )
        .order_by(ConversationReference.channel_id)
    )
    return list(session.exec(statement))


def forget_conversations(
    *, session: Session, workspace_id: int, channel_id: str | None = None
) -> int:
    """Forget a workspace's references (or one conversation's). Returns how many."""
    statement = delete(ConversationReference).where(
        ConversationReference.workspace_id == workspace_id
    )
    if channel_id is not None:
        statement = statement.where(ConversationReference.channel_id == channel_id)
    return session.exec(statement).rowcount or 0
