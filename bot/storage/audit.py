"""The audit log: who read a patient's tidbits, and who changed or deleted which record.

It holds no content and no patient data: a kind, an id, a lookup hash, who and when."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.storage.models import AuditEntry


def record_audit(
    *,
    session: Session,
    workspace_id: int,
    actor_id: str,
    actor_name: str,
    action: str,
    now: datetime,
    patient_ref_hash: str | None = None,
    patient_ref_enc: str | None = None,
    record_count: int = 0,
    channel_id: str | None = None,
    record_id: int | None = None,
) -> None:
    """One row of the log, inserted now in the caller's transaction (a plain INSERT, built
    once: every tidbit read writes one)."""
    session.execute(
        _insert(),
        {
            "workspace_id": workspace_id,
            "actor_id": actor_id,
            "actor_name": actor_name[:120],
            "action": action,
            "patient_ref_hash": patient_ref_hash,
            "patient_ref_enc": patient_ref_enc,
            "record_count": record_count,
            "channel_id": channel_id,
            "record_id": record_id,
            "created_at": now,
        },
    )


@lru_cache(maxsize=1)
def _insert() -> sa.Insert:
    return sa.insert(AuditEntry.__table__)


def audit_entries(*, session: Session, workspace_id: int, limit: int = 100) -> list[AuditEntry]:
    statement = (
        select(AuditEntry)
        .where(AuditEntry.workspace_id == workspace_id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return list(session.exec(statement))


def audit_page(
    *,
    session: Session,
    workspace_id: int,
    since: datetime | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[AuditEntry]:
    """A page of one workspace's audit log since ``since``, newest first (the reader's)."""
    statement = select(AuditEntry).where(AuditEntry.workspace_id == workspace_id)
    if since is not None:
        statement = statement.where(AuditEntry.created_at >= since)
    statement = (
        statement.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(session.exec(statement))
