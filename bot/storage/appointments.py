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

from bot.storage.appointment_models import SOURCE_KINDS, Appointment, ScheduleSourceConfig

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


def remove_source(*, session: Session, workspace_id: int) -> bool:
    result = session.exec(
        delete(ScheduleSourceConfig).where(ScheduleSourceConfig.workspace_id == workspace_id)
    )
    return bool(result.rowcount)


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
