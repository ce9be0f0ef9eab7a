"""The fail-to-attend protocol's storage: the front desk, its settings, notices and popups.

Plain functions, one workspace each (the clock's reads take the workspaces it plans
for). Patient references stay encrypted and hashed here: a notice's claim names an
appointment by its time and reference hash, never by the reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.model import Person
from bot.storage.admins import list_admins
from bot.storage.appointment_models import (
    Appointment,
    FrontDesk,
    FrontDeskNotice,
    PopupPush,
    PracticeProtocol,
    ScheduleSourceConfig,
)
from bot.storage.models import NAME_MAX, Defect, RecoveryAction

CLAIMED, SENT, UNDELIVERABLE = "claimed", "sent", "undeliverable"
PENDING, PUSHED, FAILED = "pending", "pushed", "failed"


# -- the role ------------------------------------------------------------------------


def list_front_desk(*, session: Session, workspace_id: int) -> list[FrontDesk]:
    """The front desk, longest-standing first."""
    statement = (
        select(FrontDesk)
        .where(FrontDesk.workspace_id == workspace_id)
        .order_by(FrontDesk.created_at, FrontDesk.id)
    )
    return list(session.exec(statement))


def add_front_desk(
    *, session: Session, workspace_id: int, user_id: str, name: str, added_by: str, now: datetime
) -> bool:
    """Add someone to the front desk; False when they already were (a savepoint of its own,
    so two people adding the same person at once both succeed)."""
    if _front_desk(session, workspace_id, user_id) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                FrontDesk(
                    workspace_id=workspace_id,
                    user_id=user_id,
                    name=name[:NAME_MAX],
                    added_by=added_by,
                    created_at=now,
                )
            )
    except sa.exc.IntegrityError:
        return False
    return True


def remove_front_desk(*, session: Session, workspace_id: int, user_id: str) -> bool:
    found = _front_desk(session, workspace_id, user_id)
    if found is None:
        return False
    session.delete(found)
    session.flush()
    return True


def who_hears(*, session: Session, workspace_id: int) -> tuple[tuple[Person, ...], bool]:
    """Who the front-desk notices go to, and whether they are the admins standing in
    (a practice with no front desk set)."""
    desk = list_front_desk(session=session, workspace_id=workspace_id)
    if desk:
        return tuple(Person(p.user_id, p.name) for p in desk), False
    admins = list_admins(session=session, workspace_id=workspace_id)
    return tuple(Person(a.user_id, a.name) for a in admins), True


def _front_desk(session: Session, workspace_id: int, user_id: str) -> FrontDesk | None:
    statement = select(FrontDesk).where(
        FrontDesk.workspace_id == workspace_id, FrontDesk.user_id == user_id
    )
    return session.exec(statement).first()


# -- the settings ----------------------------------------------------------------------


@dataclass(frozen=True)
class Protocol:
    """A practice's fail-to-attend settings (the defaults when it never set any)."""

    notice_minutes: int = 15 * 60  # 15:00 the afternoon before
    deadline_minutes: int | None = None  # None: the end of that day
    popups: bool = False

    @property
    def notice_at(self) -> time:
        return time(self.notice_minutes // 60, self.notice_minutes % 60)

    @property
    def deadline(self) -> time | None:
        if self.deadline_minutes is None:
            return None
        return time(self.deadline_minutes // 60, self.deadline_minutes % 60)


def protocols(*, session: Session, workspace_ids: set[int]) -> dict[int, Protocol]:
    """Each workspace's settings (absent ones: the defaults), in one query."""
    if not workspace_ids:
        return {}
    p = PracticeProtocol.__table__.c
    rows = session.execute(
        sa.select(p.workspace_id, p.notice_minutes, p.deadline_minutes, p.popups).where(
            p.workspace_id.in_(workspace_ids)
        )
    )
    found = {row[0]: Protocol(row[1], row[2], row[3]) for row in rows}
    return {w: found.get(w, Protocol()) for w in workspace_ids}


def set_protocol(*, session: Session, workspace_id: int, now: datetime, **changes) -> Protocol:
    """Change some of a practice's settings (``notice_minutes``, ``deadline_minutes``, ``popups``)."""
    found = session.exec(
        select(PracticeProtocol).where(PracticeProtocol.workspace_id == workspace_id)
    ).first()
    if found is None:
        found = PracticeProtocol(workspace_id=workspace_id, updated_at=now)
    for name, value in changes.items():
        setattr(found, name, value)
    found.updated_at = now
    session.add(found)
    session.flush()
    return Protocol(found.notice_minutes, found.deadline_minutes, found.popups)


# -- who is told about what ------------------------------------------------------------


def unconfirmed_new_patients(
    *, session: Session, workspace_id: int, day: date
) -> list[Appointment]:
    """The day's new patients whose appointment is not confirmed, by time."""
    statement = (
        select(Appointment)
        .where(
            Appointment.workspace_id == workspace_id,
            Appointment.day == day,
            Appointment.new_patient.is_(True),
            Appointment.confirmed.is_(False),
        )
        .order_by(Appointment.starts, Appointment.provider, Appointment.id)
    )
    return list(session.exec(statement))


def not_arrived(
    *, session: Session, workspace_id: int, day: date, start: time, end: time
) -> list[Appointment]:
    """Appointments of ``day`` starting in [start, end] with no arrival reported, by time."""
    statement = (
        select(Appointment)
        .where(
            Appointment.workspace_id == workspace_id,
            Appointment.day == day,
            Appointment.starts >= start,
            Appointment.starts <= end,
            Appointment.arrived.is_(None),
        )
        .order_by(Appointment.starts, Appointment.provider, Appointment.id)
    )
    return list(session.exec(statement))


def next_start_not_arrived(
    *, session: Session, workspace_id: int, day: date, after: time
) -> time | None:
    """The first start after ``after`` on ``day`` with no arrival reported (None: no more)."""
    a = Appointment.__table__.c
    statement = sa.select(sa.func.min(a.starts)).where(
        a.workspace_id == workspace_id, a.day == day, a.starts > after, a.arrived.is_(None)
    )
    return session.execute(statement).scalar_one()


def notices_claimed(
    *, session: Session, workspace_id: int, kind: str, period: str
) -> set[tuple[str, str]]:
    """The (item, recipient) pairs of ``kind`` already claimed that day."""
    n = FrontDeskNotice.__table__.c
    statement = sa.select(n.item, n.recipient_id).where(
        n.workspace_id == workspace_id, n.kind == kind, n.period == period
    )
    return {(row[0], row[1]) for row in session.execute(statement)}


def claim_notice(
    *,
    session: Session,
    workspace_id: int,
    kind: str,
    period: str,
    item: str,
    recipient_id: str,
    now: datetime,
) -> int | None:
    """Claim one notice to one person; its row id, or None when it was claimed before.

    The unique constraint decides, so two clocks running at once still tell once.
    """
    try:
        with session.begin_nested():
            row = FrontDeskNotice(
                workspace_id=workspace_id,
                kind=kind,
                period=period,
                item=item,
                recipient_id=recipient_id,
                status=CLAIMED,
                claimed_at=now,
            )
            session.add(row)
            session.flush()
    except sa.exc.IntegrityError:
        return None
    return row.id


def settle_notice(*, session: Session, row_id: int, status: str | None) -> None:
    """Record how a notice went: ``sent``, ``undeliverable``, or None to let a later run retry."""
    table = FrontDeskNotice.__table__
    if status is None:
        session.execute(sa.delete(table).where(table.c.id == row_id))
    else:
        session.execute(sa.update(table).where(table.c.id == row_id).values(status=status))


# -- popups ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenRecovery:
    """An open defect on a patient, to push as a popup: its reference still encrypted."""

    defect_id: int
    workspace_id: int
    stage: str | None
    description: str
    created_at: datetime
    patient_ref_enc: str
    last_action: str | None
    attempts: int


def popup_workspaces(*, session: Session) -> list[int]:
    """Workspaces that turned popups on and have an Open Dental source."""
    p = PracticeProtocol.__table__.c
    c = ScheduleSourceConfig.__table__.c
    statement = (
        sa.select(p.workspace_id)
        .join(ScheduleSourceConfig.__table__, c.workspace_id == p.workspace_id)
        .where(p.popups.is_(True), c.kind == "opendental")
        .order_by(p.workspace_id)
    )
    return list(session.execute(statement).scalars())


def recoveries_to_push(
    *, session: Session, workspace_id: int, now: datetime, limit: int = 50
) -> list[OpenRecovery]:
    """Open defects on a patient not yet pushed (or whose failed push is due again)."""
    d = Defect.__table__.c
    u = PopupPush.__table__.c
    r = RecoveryAction.__table__.c
    last_action = (
        sa.select(r.action)
        .where(r.workspace_id == workspace_id, r.defect_id == d.id)
        .order_by(r.created_at.desc(), r.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    statement = (
        sa.select(
            d.id,
            d.workspace_id,
            d.stage,
            d.description,
            d.created_at,
            d.patient_ref_enc,
            last_action,
            sa.func.coalesce(u.attempts, 0),
        )
        .outerjoin(PopupPush.__table__, u.defect_id == d.id)
        .where(
            d.workspace_id == workspace_id,
            d.closed_at.is_(None),
            d.patient_ref_enc.is_not(None),
            sa.or_(u.id.is_(None), sa.and_(u.status != PUSHED, u.next_attempt_at <= now)),
        )
        .order_by(d.id)
        .limit(limit)
    )
    return [OpenRecovery(*row) for row in session.execute(statement)]


def claim_push(
    *, session: Session, workspace_id: int, defect_id: int, now: datetime, lease_until: datetime
) -> bool:
    """Take a defect's push for this run (until ``lease_until``); False: another run has it.

    A run that dies mid-push leaves the claim, and a run after ``lease_until`` takes it
    again: a recovery is never lost, and two clocks never push it at once.
    """
    table = PopupPush.__table__
    found = session.exec(select(PopupPush).where(PopupPush.defect_id == defect_id)).first()
    if found is None:
        try:
            with session.begin_nested():
                session.add(
                    PopupPush(
                        workspace_id=workspace_id,
                        defect_id=defect_id,
                        status=PENDING,
                        next_attempt_at=lease_until,
                        created_at=now,
                    )
                )
        except sa.exc.IntegrityError:
            return False
        return True
    taken = session.execute(
        sa.update(table)
        .where(
            table.c.id == found.id,
            table.c.status != PUSHED,
            table.c.next_attempt_at <= now,
        )
        .values(status=PENDING, next_attempt_at=lease_until)
    )
    return bool(taken.rowcount)


def record_push(
    *, session: Session, defect_id: int, now: datetime, pushed: bool, retry_at: datetime | None
) -> None:
    """Keep how a claimed push went: pushed (never again), or failed (again at ``retry_at``)."""
    table = PopupPush.__table__
    session.execute(
        sa.update(table)
        .where(table.c.defect_id == defect_id)
        .values(
            status=PUSHED if pushed else FAILED,
            attempts=table.c.attempts + 1,
            pushed_at=now if pushed else None,
            next_attempt_at=None if pushed else retry_at,
        )
    )
