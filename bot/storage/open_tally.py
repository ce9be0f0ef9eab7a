"""Each journey stage's open defects, counted as they change (migration 0031).

A row per workspace and stage: how many of its defects are open (``closed_at`` not
set). Triggers on ``defect`` keep it on every insert, close, reopen, change of stage
and delete, so the App Home's per-stage counts and ``/defect list``'s total read a
few rows instead of counting every open defect. A defect with no stage counts under
``""`` (a key column cannot be NULL); readers give it back as None.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel

NO_STAGE = ""  # the key of the defects with no stage


class OpenDefectTally(SQLModel, table=True):
    """How many of a workspace's defects in one stage are open."""

    __tablename__ = "open_defect_tally"

    workspace_id: int = Field(foreign_key="workspace.id", primary_key=True)
    stage: str = Field(max_length=64, primary_key=True)  # as defect.stage
    open: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


def open_counts(*, session: Session, workspace_id: int) -> dict[str | None, int]:
    """Each stage's open defects (None: no stage), for the stages that have any."""
    t = OpenDefectTally.__table__.c
    rows = session.execute(
        sa.select(t.stage, t.open).where(t.workspace_id == workspace_id, t.open > 0)
    ).all()
    return {(None if stage == NO_STAGE else stage): int(n) for stage, n in rows}


def open_total(*, session: Session, workspace_id: int, stage: str | None = None) -> int:
    """How many of the workspace's defects are open (in ``stage``, if given)."""
    t = OpenDefectTally.__table__.c
    statement = sa.select(sa.func.coalesce(sa.func.sum(t.open), 0)).where(
        t.workspace_id == workspace_id
    )
    if stage is not None:
        statement = statement.where(t.stage == stage)
    return int(session.execute(statement).scalar_one())
