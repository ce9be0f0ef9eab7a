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
