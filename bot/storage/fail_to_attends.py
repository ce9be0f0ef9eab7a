"""Fail-to-attends: defects filed under the ``fail-to-attend`` stage, read by patient."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from bot.storage.models import Defect

FTA_STAGE = "fail-to-attend"  # the stage id they are filed under (shown as "Fail to attend")


def fail_to_attend_count(*, session: Session, workspace_id: int, ref_hashes: list[str]) -> int:
    """How many fail-to-attends a patient has ever had (open or closed)."""
    d = Defect.__table__.c
    statement = sa.select(sa.func.count()).where(
        d.workspace_id == workspace_id,
        d.stage == FTA_STAGE,
        d.patient_ref_hash.in_(ref_hashes),
    )
    return session.execute(statement).scalar_one()


def fail_to_attend_counts(
    *, session: Session, workspace_id: int, ref_hashes: list[str]
) -> dict[str, int]:
    """``fail_to_attend_count`` for many reference hashes in one statement (hash -> count;
    a hash with none is left out)."""
    if not ref_hashes:
        return {}
    d = Defect.__table__.c
    statement = (
        sa.select(d.patient_ref_hash, sa.func.count())
        .where(
            d.workspace_id == workspace_id,
            d.stage == FTA_STAGE,
            d.patient_ref_hash.in_(ref_hashes),
        )
        .group_by(d.patient_ref_hash)
    )
    return {h: int(n) for h, n in session.execute(statement).all()}
