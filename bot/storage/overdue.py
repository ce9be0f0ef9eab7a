"""Defects overdue for their owner: open a week with no recovery action in it.

For the clock's daily owner notice (``bot.clock.jobs.owner_nudge``): each defect's
owner is told once. ``overdue_told`` keeps the day they were told, so a notice that
is retried that day tells them the same defects again and none on any later day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select, update

from bot.storage.db import id_batches, in_ids
from bot.storage.models import Defect, RecoveryAction

OVERDUE_AFTER = timedelta(days=7)


@dataclass(frozen=True)
class OverdueDefect:
    """What the owner is told privately: which defect, where, since when (no patient)."""

    workspace_id: int
    channel_id: str
    defect_id: int
    stage: str | None
    description: str
    owner_id: str
    owner_name: str
    created_at: datetime


def overdue_for_owners(
    *, session: Session, workspace_ids: Iterable[int], now: datetime, day: str, batch: int = 500
) -> list[OverdueDefect]:
    """Open defects with an owner, a week old and with no action this past week, that
    their owner has not been told of (or was told of on ``day``), oldest first."""
    quiet_since = now - OVERDUE_AFTER
    recent = sa.exists().where(
        RecoveryAction.workspace_id == Defect.workspace_id,
        RecoveryAction.defect_id == Defect.id,
        RecoveryAction.created_at >= quiet_since,
    )
    found: list[OverdueDefect] = []
    for ids in id_batches(session, workspace_ids, batch):
        statement = (
            select(
                Defect.workspace_id,
                Defect.channel_id,
                Defect.id,
                Defect.stage,
                Defect.description,
                Defect.owner_id,
                Defect.owner_name,
                Defect.created_at,
            )
            .where(
                in_ids(session, Defect.workspace_id, ids),
                Defect.closed_at.is_(None),
                Defect.owner_id.is_not(None),
                Defect.created_at < quiet_since,
                sa.or_(Defect.overdue_told.is_(None), Defect.overdue_told == day),
                ~recent,
            )
            .order_by(Defect.created_at, Defect.id)
        )
        found.extend(OverdueDefect(*row) for row in session.exec(statement))
    return found


def mark_told(*, session: Session, defect_ids: Iterable[int], day: str) -> None:
    """These defects' owners are told on ``day``: not again on any other."""
    for ids in id_batches(session, defect_ids):
        session.exec(update(Defect).where(in_ids(session, Defect.id, ids)).values(overdue_told=day))
