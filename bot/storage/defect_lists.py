"""Defects found by filter (state, stage, owner, yours), a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.storage.defects import DefectLine, DefectView, line_statement, with_actions
from bot.storage.models import Defect
from bot.storage.open_tally import open_total


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
    conditions = _filters(state, stage, owner_id, mine)
    total = _total(session, workspace_id, state, stage, owner_id, mine)
    if not total or offset >= total:
        return DefectPage(total, ())
    statement = line_statement(workspace_id, *conditions, limit=limit, offset=offset)
    return DefectPage(total, tuple(DefectLine(*row) for row in session.execute(statement)))


def defect_views_page(
    *,
    session: Session,
    workspace_id: int,
    state: str = "open",
    stage: str | None = None,
    owner_id: str | None = None,
    mine: str | None = None,
    offset: int = 0,
    limit: int = 10,
) -> tuple[int, list[DefectView]]:
    """As ``defect_page`` (the same filters and order), each defect with every recovery
    action: how many match, and the page, in three statements (the count, the page,
    its actions)."""
    conditions = _filters(state, stage, owner_id, mine)
    total = _total(session, workspace_id, state, stage, owner_id, mine)
    if not total or offset >= total:
        return total, []
    found = session.exec(
        select(Defect)
        .where(Defect.workspace_id == workspace_id, *conditions)
        .order_by(Defect.created_at.desc(), Defect.id.desc())
        .limit(limit)
        .offset(offset or None)
    ).all()
    return total, with_actions(session, list(found))


def _filters(state: str, stage: str | None, owner_id: str | None, mine: str | None) -> list:
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
    return conditions


def _total(
    session: Session,
    workspace_id: int,
    state: str,
    stage: str | None,
    owner_id: str | None,
    mine: str | None,
) -> int:
    """How many match: the open ones (of a stage) from the tally, the rest counted."""
    if state == "open" and owner_id is None and mine is None:
        return open_total(session=session, workspace_id=workspace_id, stage=stage)
    conditions = _filters(state, stage, owner_id, mine)
    d = Defect.__table__.c
    statement = sa.select(sa.func.count()).where(d.workspace_id == workspace_id, *conditions)
    return int(session.execute(statement).scalar_one())
