"""Processed platform deliveries, so a redelivered event counts once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, delete

from bot.storage.db import upsert
from bot.storage.models import ProcessedEvent

# How long a delivery id is remembered. Platforms redeliver only within minutes: Slack
# retries an event at most 3 times within about 5 minutes (and a replayed slash command
# or interaction is refused outside Slack's 5-minute signature window), and the Bot
# Connector redelivers a Teams activity within minutes. Anything older can never come
# again; a week keeps a wide margin for a clock (which purges these) that was down.
KEEP_EVENTS_FOR = timedelta(days=7)


def claim_event(*, session: Session, workspace_id: int, event_id: str, now: datetime) -> bool:
    """Record ``event_id`` as handled. False if it already was (a duplicate delivery).

    The unique constraint decides, so two workers receiving the same event at
    once cannot both win.
    """
    table = ProcessedEvent.__table__
    insert = upsert(session, table)
    # One statement, no savepoint: every command with a delivery id pays for this.
    claimed = session.execute(
        insert.values(workspace_id=workspace_id, event_id=event_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["workspace_id", "event_id"])
        .returning(table.c.id)
    ).first()
    return claimed is not None


def forget_old_events(*, session: Session, now: datetime) -> int:
    """Drop records older than any platform's redelivery window. Returns how many went.

    The clock's hourly ``purge-events`` job calls it, so the table stays a week deep.
    """
    result = session.exec(
        delete(ProcessedEvent).where(ProcessedEvent.created_at < now - KEEP_EVENTS_FOR)
    )
    return result.rowcount or 0
