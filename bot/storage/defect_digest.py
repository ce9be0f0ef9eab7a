"""The defect digest's questions: many workspaces at once, one query per batch of them.

Counts of the week's defects per channel and stage, and each channel's oldest stale
defects, chosen in SQL so the clock never loads a workspace's defects to count them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from bot.storage.db import id_batches, in_ids
from bot.storage.models import Defect, RecoveryAction

STALE_AFTER = timedelta(days=7)


@dataclass(frozen=True)
class DigestDefect:
    """The parts of a defect a digest may show in a channel: no description, no patient,
    no reporter; its owner (None: no owner yet)."""

    workspace_id: int
    channel_id: str
    defect_id: int
    stage: str | None
    owner_name: str | None
    created_at: datetime


@dataclass(frozen=True)
class StaleDefects:
    """A channel's oldest stale defects (at most the digest's limit) and how many it has."""

    oldest: tuple[DigestDefect, ...]
    total: int


def logged_counts(
    *,
    session: Session,
    workspace_ids: Iterable[int],
    since: datetime,
    until: datetime,
    batch: int = 500,
) -> dict[tuple[int, str], dict[str | None, int]]:
    """Defects logged in [since, until), counted in SQL: {(workspace, channel): {stage: n}}."""
    d = Defect.__table__.c
    counts: dict[tuple[int, str], dict[str | None, int]] = {}
    for ids in id_batches(session, workspace_ids, batch):
        rows = session.execute(
            sa.select(d.workspace_id, d.channel_id, d.stage, sa.func.count())
            .where(
                in_ids(session, d.workspace_id, ids), d.created_at >= since, d.created_at < until
            )
            .group_by(d.workspace_id, d.channel_id, d.stage)
        )
        for workspace_id, channel_id, stage, n in rows:
            counts.setdefault((workspace_id, channel_id), {})[stage] = int(n)
    return counts


def stale_by_channel(
    *,
    session: Session,
    workspace_ids: Iterable[int],
    now: datetime,
    limit: int,
    batch: int = 500,
) -> dict[tuple[int, str], StaleDefects]:
    """Each channel's defects open for more than 7 days with no recovery action: its
    ``limit`` oldest and its count, ranked in SQL (one query per ``batch`` of workspaces)."""
    d = Defect.__table__.c
    r = RecoveryAction.__table__.c
    columns = (d.workspace_id, d.channel_id, d.id, d.stage, d.owner_name, d.created_at)
    found: dict[tuple[int, str], StaleDefects] = {}
    for ids in id_batches(session, workspace_ids, batch):
        channel = (d.workspace_id, d.channel_id)
        ranked = (
            sa.select(
                *columns,
                sa.func.row_number()
                .over(partition_by=channel, order_by=(d.created_at, d.id))
                .label("rank"),
                sa.func.count().over(partition_by=channel).label("total"),
            )
            .where(
                in_ids(session, d.workspace_id, ids),
                d.closed_at.is_(None),
                d.created_at < now - STALE_AFTER,
                ~sa.exists().where(r.workspace_id == d.workspace_id, r.defect_id == d.id),
            )
            .subquery("ranked")
        )
        rows = session.execute(
            sa.select(*(ranked.c[c.name] for c in columns), ranked.c.total)
            .where(ranked.c.rank <= limit)
            .order_by(ranked.c.workspace_id, ranked.c.channel_id, ranked.c.rank)
        )
        for *row, total in rows:
            defect = DigestDefect(*row)
            key = (defect.workspace_id, defect.channel_id)
            before = found.get(key)
            oldest = (before.oldest if before else ()) + (defect,)
            found[key] = StaleDefects(oldest, int(total))
    return found
