"""Service defects and their recovery actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import sqlalchemy as sa
from sqlmodel import Session, delete, select

from bot.storage.models import Defect, RecoveryAction
from bot.storage.open_tally import open_counts


@dataclass(frozen=True)
class DefectView:
    """A defect with its recovery actions, newest action last."""

    defect: Defect
    actions: tuple[RecoveryAction, ...]

    @property
    def is_open(self) -> bool:
        return self.defect.closed_at is None


def record_defect(
    *,
    session: Session,
    workspace_id: int,
    channel_id: str,
    stage: str | None,
    description: str,
    reporter_id: str,
    reporter_name: str,
    now: datetime,
    patient_ref_enc: str | None = None,
    patient_ref_hash: str | None = None,
    fta_cause: str | None = None,
    booked_by: tuple[str, str] | None = None,
) -> Defect:
    """A new defect; a fail-to-attend also has its ``fta_cause`` and ``booked_by`` (id, name)."""
    defect = Defect(
        fta_cause=fta_cause,
        booked_by_id=booked_by[0] if booked_by else None,
        booked_by_name=booked_by[1][:120] if booked_by else None,
        workspace_id=workspace_id,
        channel_id=channel_id,
        stage=stage,
        description=description,
        patient_ref_enc=patient_ref_enc,
        patient_ref_hash=patient_ref_hash,
        reporter_id=reporter_id,
        reporter_name=reporter_name[:120],
        created_at=now,
    )
    session.add(defect)
    session.flush()
    return defect


def get_defect(*, session: Session, workspace_id: int, defect_id: int) -> Defect | None:
    """The defect with this id in this workspace; None for another workspace's id."""
    statement = select(Defect).where(Defect.id == defect_id, Defect.workspace_id == workspace_id)
    return session.exec(statement).first()


def with_actions(session: Session, defects: list[Defect]) -> list[DefectView]:
    """These defects, each with every recovery action (oldest first): one statement."""
    if not defects:
        return []
    ids = [d.id for d in defects]
    actions = session.exec(
        select(RecoveryAction)
        .where(
            RecoveryAction.workspace_id == defects[0].workspace_id,
            RecoveryAction.defect_id.in_(ids),
        )
        .order_by(RecoveryAction.created_at, RecoveryAction.id)
    ).all()
    by_defect: dict[int, list[RecoveryAction]] = {}
    for action in actions:
        by_defect.setdefault(action.defect_id, []).append(action)
    return [DefectView(d, tuple(by_defect.get(d.id, ()))) for d in defects]


def views_of(*, session: Session, workspace_id: int, ids: list[int]) -> list[DefectView]:
    """These defects (in the order given) with every recovery action: two statements."""
    if not ids:
        return []
    found = session.exec(
        select(Defect).where(Defect.workspace_id == workspace_id, Defect.id.in_(ids))
    ).all()
    by_id = {d.id: d for d in found}
    return with_actions(session, [by_id[i] for i in ids if i in by_id])


@dataclass(frozen=True)
class DefectLine:
    """What a list shows of a defect: its last recovery action, and no patient."""

    defect_id: int
    stage: str | None
    description: str
    reporter_name: str
    created_at: datetime
    closed_at: datetime | None
    last_action: str | None
    last_action_owner: str | None


def line_statement(
    workspace_id: int | sa.ColumnElement[int],
    *conditions,
    limit: int | None = None,
    offset: int = 0,
):
    """One statement: the defects (newest first), each with its last recovery action read
    by key, so no defect's whole history of actions is loaded."""
    d, r = Defect.__table__.c, RecoveryAction.__table__.c
    chosen = (
        sa.select(d.id, d.stage, d.description, d.reporter_name, d.created_at, d.closed_at)
        .where(d.workspace_id == workspace_id, *conditions)
        .order_by(d.created_at.desc(), d.id.desc())
        .limit(limit)
        .offset(offset or None)
        .subquery()
    )

    def last(column):
        return (
            sa.select(column)
            .where(r.workspace_id == workspace_id, r.defect_id == chosen.c.id)
            .order_by(r.created_at.desc(), r.id.desc())
            .limit(1)
            .scalar_subquery()
        )

    return sa.select(*chosen.c, last(r.action), last(r.owner_name)).order_by(
        chosen.c.created_at.desc(), chosen.c.id.desc()
    )


@dataclass(frozen=True)
class OpenLine:
    """What a board shows of one open defect: no patient, no recovery actions."""

    defect_id: int
    stage: str | None
    description: str
    reporter_name: str
    created_at: datetime


@dataclass(frozen=True)
class StageBoard:
    """A stage's true number of open defects and its newest few."""

    stage: str | None
    open_count: int
    newest: tuple[OpenLine, ...]


def open_by_stage(
    *, session: Session, workspace_id: int, per_stage: int = 5
) -> dict[str | None, StageBoard]:
    """Every stage with open defects: its count (one aggregate) and its ``per_stage`` newest.

    Two queries, however many are open: the counts from ``open_defect_tally`` (kept by
    triggers), and for the lines one ``UNION ALL`` of a ``LIMIT per_stage`` per counted
    stage, each a backward probe of the partial index of open defects
    (``ix_defect_open_stage``). A window over every open defect, as this was first
    written, read them all: the App Home took 0.5 s with 100,000 open defects.
    """
    counts = open_counts(session=session, workspace_id=workspace_id)
    if not counts:
        return {}
    named = sorted(s for s in counts if s is not None)
    params = {"workspace_id": workspace_id} | {f"stage_{n}": s for n, s in enumerate(named)}
    statement = _newest_by_stage(len(named), None in counts, per_stage)
    rows = session.execute(statement, params).all()
    lines: dict[str | None, list[OpenLine]] = {}
    for row in sorted(rows, key=lambda r: (r.created_at, r.id), reverse=True):  # newest first
        lines.setdefault(row.stage, []).append(OpenLine(*row))
    return {
        stage: StageBoard(stage, int(count), tuple(lines.get(stage, ())))
        for stage, count in counts.items()
    }


@lru_cache(maxsize=64)
def _newest_by_stage(named: int, unnamed: bool, per_stage: int) -> sa.CompoundSelect:
    """``open_by_stage``'s lines for ``named`` stages (``stage_0``..) and, if ``unnamed``,
    the defects with none: built once per shape (every App Home runs it)."""
    d = Defect.__table__.c
    w = sa.bindparam("workspace_id", type_=d.workspace_id.type)
    stages = [d.stage == sa.bindparam(f"stage_{n}", type_=d.stage.type) for n in range(named)]
    newest = [
        sa.select(d.id, d.stage, d.description, d.reporter_name, d.created_at)
        .where(d.workspace_id == w, d.closed_at.is_(None), stage)
        .order_by(d.created_at.desc(), d.id.desc())
        .limit(per_stage)
        .subquery()
        for stage in [*stages, *([d.stage.is_(None)] if unnamed else [])]
    ]
    return sa.union_all(*(sa.select(*q.c) for q in newest))


def defects_for_patient(
    *, session: Session, workspace_id: int, ref_hashes: list[str], closed_since: datetime
) -> list[DefectLine]:
    """A patient's open defects and those closed since ``closed_since``, newest first."""
    params = {"workspace_id": workspace_id, "hashes": ref_hashes, "closed_since": closed_since}
    return [DefectLine(*row) for row in session.execute(_patient_lines(), params)]


@lru_cache(maxsize=1)
def _patient_lines() -> sa.Select:
    """``defects_for_patient``'s statement, built once (every tidbit recall runs it)."""
    d = Defect.__table__.c
    return line_statement(
        sa.bindparam("workspace_id", type_=d.workspace_id.type),
        d.patient_ref_hash.in_(sa.bindparam("hashes", expanding=True)),
        sa.or_(
            d.closed_at.is_(None),
            d.closed_at >= sa.bindparam("closed_since", type_=d.closed_at.type),
        ),
    )


def views_for_patients(
    *, session: Session, workspace_id: int, ref_hashes: list[str], closed_since: datetime
) -> list[DefectView]:
    """Many patients' open defects and those closed since ``closed_since``, newest first,
    each with its recovery actions: two statements for a whole day of patients."""
    if not ref_hashes:
        return []
    found = session.exec(
        select(Defect)
        .where(
            Defect.workspace_id == workspace_id,
            Defect.patient_ref_hash.in_(ref_hashes),
            sa.or_(Defect.closed_at.is_(None), Defect.closed_at >= closed_since),
        )
        .order_by(Defect.created_at.desc(), Defect.id.desc())
    ).all()
    return with_actions(session, list(found))


def set_stage(*, session: Session, defect: Defect, stage: str) -> Defect:
    defect.stage = stage
    session.add(defect)
    return defect


def add_recovery_action(
    *,
    session: Session,
    defect: Defect,
    action: str,
    owner_id: str,
    owner_name: str,
    now: datetime,
) -> RecoveryAction:
    """One more step after the others (``owner_*``: who recorded it); the defect's first
    recorder becomes its owner when it has none."""
    recovery = RecoveryAction(
        workspace_id=defect.workspace_id,
        defect_id=defect.id,
        action=action,
        owner_id=owner_id,
        owner_name=owner_name[:120],
        created_at=now,
    )
    session.add(recovery)
    if defect.owner_id is None:
        assign_owner(session=session, defect=defect, owner_id=owner_id, owner_name=owner_name)
    session.flush()
    return recovery


def assign_owner(*, session: Session, defect: Defect, owner_id: str, owner_name: str) -> Defect:
    """The one person who follows the defect up; a new owner is told afresh when overdue."""
    defect.owner_id = owner_id
    defect.owner_name = owner_name[:120]
    defect.overdue_told = None
    session.add(defect)
    return defect


def edit_defect(*, session: Session, defect: Defect, description: str) -> Defect:
    defect.description = description
    session.add(defect)
    return defect


def delete_defect(*, session: Session, defect: Defect) -> int:
    """Delete a defect and its recovery actions; the number of actions that went with it."""
    gone = session.exec(
        delete(RecoveryAction).where(
            RecoveryAction.workspace_id == defect.workspace_id,
            RecoveryAction.defect_id == defect.id,
        )
    )
    session.delete(defect)
    session.flush()
    return gone.rowcount or 0


def get_action(*, session: Session, workspace_id: int, action_id: int) -> RecoveryAction | None:
    """The recovery action with this id in this workspace; None for another workspace's id."""
    statement = select(RecoveryAction).where(
        RecoveryAction.id == action_id, RecoveryAction.workspace_id == workspace_id
    )
    return session.exec(statement).first()


def edit_action(*, session: Session, action: RecoveryAction, text: str) -> RecoveryAction:
    action.action = text
    session.add(action)
    return action


def delete_action(*, session: Session, action: RecoveryAction) -> None:
    session.delete(action)
    session.flush()


def close_defect(*, session: Session, defect: Defect, closed_by: str, now: datetime) -> Defect:
    defect.closed_at = now
    defect.closed_by = closed_by[:120]
    session.add(defect)
    return defect


def actions_for(*, session: Session, defect: Defect) -> tuple[RecoveryAction, ...]:
    return with_actions(session, [defect])[0].actions
