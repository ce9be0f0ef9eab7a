"""The day's appointments and each practice's schedule source. Never sees plaintext.

``bot.appointments`` encrypts and hashes the patient reference before a row gets
here (exactly as ``/tidbit`` does), and encrypts a source's secret before it is
stored, so nothing in this module can put patient data into a log or an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, delete, select

from bot.storage.appointment_models import (
    PROBLEM_MAX,
    SOURCE_KINDS,
    Appointment,
    ScheduleSourceConfig,
)
from bot.storage.models import Defect, Subscription, Tidbit, Workspace

# Appointments are kept this many days after their day, then the clock deletes them.
KEEP_DAYS_AFTER = 3


@dataclass(frozen=True)
class AppointmentRow:
    """An appointment ready to store: its reference already encrypted and hashed."""

    starts: time
    provider: str
    patient_ref_hash: str
    patient_ref_enc: str
    confirmed: bool
    new_patient: bool
    arrived: time | None = None
    birthday_this_week: bool = False


def replace_day(
    *, session: Session, workspace_id: int, day: date, rows: list[AppointmentRow], now: datetime
) -> int:
    """Store ``rows`` as the whole of ``day``, in place of what was there. Returns the count.

    Called only with a source's complete answer: a failed sync never gets here, so
    the last good day stays.
    """
    table = Appointment.__table__
    session.execute(
        sa.delete(table).where(table.c.workspace_id == workspace_id, table.c.day == day)
    )
    if rows:
        session.execute(
            sa.insert(table),
            [
                {
                    "workspace_id": workspace_id,
                    "day": day,
                    "starts": row.starts,
                    "provider": row.provider,
                    "patient_ref_hash": row.patient_ref_hash,
                    "patient_ref_enc": row.patient_ref_enc,
                    "confirmed": row.confirmed,
                    "new_patient": row.new_patient,
                    "arrived": row.arrived,
                    "birthday_this_week": row.birthday_this_week,
                    "synced_at": now,
                }
                for row in rows
            ],
        )
    return len(rows)


def appointments_on(*, session: Session, workspace_id: int, day: date) -> list[Appointment]:
    """A practice's appointments of ``day``, by time then provider (``ix_appointment_day``)."""
    statement = (
        select(Appointment)
        .where(Appointment.workspace_id == workspace_id, Appointment.day == day)
        .order_by(Appointment.starts, Appointment.provider, Appointment.id)
    )
    return list(session.exec(statement))


@dataclass(frozen=True)
class DayCounts:
    """What the channel's morning brief says of a day: numbers of patients, nothing else."""

    patients: int
    remembered: int  # with an unexpired tidbit
    recovering: int  # with an open defect: a recovery to finish
    new_unconfirmed: int  # new patients whose appointment is not confirmed
    birthdays: int  # with a birthday in the seven days from the day


def day_counts(*, session: Session, workspace_id: int, day: date, now: datetime) -> DayCounts:
    """The day's counts, in one statement; patients are told apart by reference hash
    (the hash ``/tidbit`` and ``/defect`` store, so no reference is decrypted)."""
    a = Appointment.__table__.c
    t = Tidbit.__table__.c
    d = Defect.__table__.c
    remembered = sa.exists().where(
        t.workspace_id == workspace_id, t.patient_ref_hash == a.patient_ref_hash, t.expires_at > now
    )
    recovering = sa.exists().where(
        d.workspace_id == workspace_id,
        d.patient_ref_hash == a.patient_ref_hash,
        d.closed_at.is_(None),
    )

    def patients_where(condition) -> sa.ColumnElement:
        return sa.func.count(sa.distinct(sa.case((condition, a.patient_ref_hash))))

    statement = sa.select(
        sa.func.count(sa.distinct(a.patient_ref_hash)),
        patients_where(remembered),
        patients_where(recovering),
        patients_where(sa.and_(a.new_patient.is_(True), a.confirmed.is_(False))),
        patients_where(a.birthday_this_week.is_(True)),
    ).where(a.workspace_id == workspace_id, a.day == day)
    return DayCounts(*(int(n or 0) for n in session.execute(statement).one()))


def set_brief_minutes(
    *, session: Session, workspace_id: int, channel_id: str, minutes: int | None
) -> bool:
    """Set (or, with None, stop) a subscribed channel's morning brief. False: not subscribed."""
    s = Subscription.__table__.c
    result = session.execute(
        sa.update(Subscription.__table__)
        .where(s.workspace_id == workspace_id, s.channel_id == channel_id, s.active.is_(True))
        .values(brief_minutes=minutes)
    )
    return bool(result.rowcount)


@dataclass(frozen=True)
class SyncTarget:
    """A practice whose source the clock syncs: its ids, its wall clock and its source."""

    workspace_id: int
    platform: str
    external_id: str
    timezone: str
    source: StoredSource


def sources_to_sync(*, session: Session) -> list[SyncTarget]:
    """Every practice with a source the clock can ask itself (a day sheet is imported by
    hand), by workspace id."""
    w = Workspace.__table__.c
    c = ScheduleSourceConfig.__table__.c
    statement = (
        sa.select(
            w.id,
            w.platform,
            w.external_id,
            w.timezone,
            c.kind,
            c.settings_json,
            c.secret_enc,
            c.updated_at,
        )
        .join(ScheduleSourceConfig.__table__, c.workspace_id == w.id)
        .where(c.kind != "daysheet")
        .order_by(w.id)
    )
    return [
        SyncTarget(
            row[0], row[1], row[2], row[3], StoredSource(row[4], json.loads(row[5]), row[6], row[7])
        )
        for row in session.execute(statement)
    ]


def purge_past_appointments(*, session: Session, now: datetime) -> int:
    """Delete every appointment more than ``KEEP_DAYS_AFTER`` days old, in every workspace.

    Days are compared in UTC; a day's slack either side of midnight is well inside the
    days kept.
    """
    cutoff = now.date() - timedelta(days=KEEP_DAYS_AFTER)
    result = session.exec(delete(Appointment).where(Appointment.day < cutoff))
    return result.rowcount or 0


@dataclass(frozen=True)
class StoredSource:
    """A practice's source as stored: its secret still encrypted."""

    kind: str
    settings: dict
    secret_enc: str | None
    updated_at: datetime


def set_source(
    *,
    session: Session,
    workspace_id: int,
    kind: str,
    settings: dict,
    secret_enc: str | None,
    updated_by: str,
    now: datetime,
) -> None:
    """Make ``kind`` the practice's schedule source (replacing any other).

    ``secret_enc`` None keeps the stored secret when the kind stays the same.
    """
    if kind not in SOURCE_KINDS:
        raise ValueError(f"unknown schedule source {kind!r}; one of {', '.join(SOURCE_KINDS)}")
    found = session.exec(
        select(ScheduleSourceConfig).where(ScheduleSourceConfig.workspace_id == workspace_id)
    ).first()
    if found is None:
        found = ScheduleSourceConfig(workspace_id=workspace_id, kind=kind, updated_by=updated_by)
    elif found.kind != kind:
        found.secret_enc = None
    found.kind = kind
    found.settings_json = json.dumps(settings, sort_keys=True)
    if secret_enc is not None:
        found.secret_enc = secret_enc
    found.updated_by = updated_by[:128]
    found.updated_at = now
    session.add(found)
    session.flush()


def get_source(*, session: Session, workspace_id: int) -> StoredSource | None:
    found = session.exec(
        select(ScheduleSourceConfig).where(ScheduleSourceConfig.workspace_id == workspace_id)
    ).first()
    if found is None:
        return None
    return StoredSource(
        found.kind, json.loads(found.settings_json), found.secret_enc, found.updated_at
    )


def record_sync(
    *, session: Session, workspace_id: int, now: datetime, problem: str | None = None
) -> None:
    """Note a sync's outcome on the practice's source: a day stored (``problem`` None)
    clears the last problem; a failure keeps the last good time and says what went wrong."""
    table = ScheduleSourceConfig.__table__
    values = (
        {"last_synced_at": now, "last_problem": None}
        if problem is None
        else {"last_problem": problem[:PROBLEM_MAX]}
    )
    session.execute(sa.update(table).where(table.c.workspace_id == workspace_id).values(**values))


def sync_outcome(*, session: Session, workspace_id: int) -> tuple[datetime | None, str | None]:
    """(when a day was last stored, the problem since, if any). A source set before its
    outcome was kept answers with its newest stored appointment's time."""
    c = ScheduleSourceConfig.__table__.c
    row = session.execute(
        sa.select(c.last_synced_at, c.last_problem).where(c.workspace_id == workspace_id)
    ).first()
    if row is None:
        return None, None
    synced = row.last_synced_at
    if synced is None:
        a = Appointment.__table__.c
        synced = session.execute(
            sa.select(sa.func.max(a.synced_at)).where(a.workspace_id == workspace_id)
        ).scalar()
    return synced, row.last_problem


def source_secrets(*, session: Session) -> list[tuple[int, str]]:
    """Every stored source secret, encrypted, by row id: for a key rotation."""
    table = ScheduleSourceConfig.__table__
    statement = sa.select(table.c.id, table.c.secret_enc).where(table.c.secret_enc.is_not(None))
    return [(row.id, row.secret_enc) for row in session.execute(statement)]


def replace_secret_if_unchanged(*, session: Session, row_id: int, old: str, new: str) -> bool:
    """Store ``new`` as a source's secret only if it is still ``old``: a rotation never
    overwrites a secret an admin set meanwhile."""
    table = ScheduleSourceConfig.__table__
    result = session.execute(
        sa.update(table)
        .where(table.c.id == row_id, table.c.secret_enc == old)
        .values(secret_enc=new)
    )
    return bool(result.rowcount)
