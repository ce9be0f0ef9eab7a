"""Defects found by filter (state, stage, owner, yours), a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from bot.storage.defects import DefectLine, line_statement
from bot.storage.models import Defect


@dataclass(frozen=True)
class DefectPage:
    """One page of the defects a filter finds, and how many it finds in all."""

    total: int
    lines: tuple[DefectLine, ...]


def defect_page(
    *,
    session: Session,
    workspace_id: int,
    state: str = "open",
    stage: str | None = None,
    owner_id: str | None = None,
    mine: str | None = None,
    offset: int = 0,
    limit: int = 10,
) -> DefectPage:
    """The defects matching every filter given, newest first: ``limit`` from ``offset``.

    ``state`` is ``open``, ``closed`` or ``all``; ``mine`` is a user id, matching the
    defects they logged or own.
    """
    d = Defect.__table__.c
    conditions = []
    if state == "open":
        conditions.append(d.closed_at.is_(None))
    elif state == "closed":
        conditions.append(d.closed_at.is_not(None))
    if stage is not None:
        conditions.append(d.stage == stage)
    if owner_id is not None:
        conditions.append(d.owner_id == owner_id)
    if mine is not None:
        conditions.append(sa.or_(d.owner_id == mine, d.reporter_id == mine))
    total = session.execute(
        sa.select(sa.func.count()).where(d.workspace_id == workspace_id, *conditions)
    ).scalar_one()
    if not total or offset >= total:
        return DefectPage(int(total), ())
    statement = line_statement(workspace_id, *conditions, limit=limit, offset=offset)
    return DefectPage(int(total), tuple(DefectLine(*row) for row in session.execute(statement)))
