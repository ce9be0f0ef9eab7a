"""The day's appointments: the one port every schedule source fills, and its sync.

A schedule source (Open Dental's API, a calendar feed, a CSV day sheet) lives in
``adapters/`` and answers ``await source.day(workspace, date)`` with neutral
``Appointment`` values. It keeps almost nothing: the time, the provider or chair,
the patient reference staff type in ``/tidbit`` and ``/defect``, and three flags.
Names, notes, procedures and birthdates are dropped inside the adapter, before an
``Appointment`` exists, so they can reach neither the database nor a log.

``sync_day`` stores a day's answer in place of the last one. A source that fails
raises ``ScheduleSourceError`` with a message for people, and the last good day
stays as it was.

Example::

    result = await sync_day(source, engine=engine, vault=vault,
                            workspace=SourceWorkspace(id=1, timezone="Europe/London",
                                                      patient_salt=salt),
                            day=date(2026, 12, 1), now=now)
    print(result.summary())  # "2026-12-01: 14 appointment(s) stored"
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol

import sqlalchemy as sa

from bot.crypto import Vault
from bot.storage import appointments as stored
from bot.storage.db import transaction

log = logging.getLogger("huddle.appointments")

REFERENCE_MAX = 32  # as long as a reference typed in /tidbit
LABEL_MAX = 64


@dataclass(frozen=True)
class SourceWorkspace:
    """What a source needs to know of the practice: which one, and its wall clock."""

    id: int
    timezone: str
    patient_salt: str


@dataclass(frozen=True)
class Appointment:
    """One appointment, as little as the morning huddle needs.

    ``starts`` and ``arrived`` are the practice's wall-clock times of that day.
    ``birthday_this_week`` is worked out by the source from a birthdate it then forgets.
    """

    starts: time
    provider: str
    patient_ref: str
    confirmed: bool
    new_patient: bool
    arrived: time | None = None
    birthday_this_week: bool = False

    def __post_init__(self) -> None:
        if not self.patient_ref.strip():
            raise ValueError("an appointment needs a patient reference")
        object.__setattr__(self, "patient_ref", self.patient_ref.strip()[:REFERENCE_MAX])
        object.__setattr__(self, "provider", self.provider.strip()[:LABEL_MAX])


class ScheduleSourceError(Exception):
    """A source could not give the day. The message says what went wrong, for people,
    and never holds patient data (no reference, no name, no row of the source)."""


class ScheduleSource(Protocol):
    """Today's and tomorrow's appointments of one practice."""

    kind: str

    async def day(self, workspace: SourceWorkspace, day: date) -> list[Appointment]: ...


def birthday_within_week(birthdate: date | None, day: date) -> bool:
    """Whether a birthday falls in the seven days from ``day`` (a 29 February birthday
    is kept on 28 February in other years). Adapters call this and drop the birthdate.

    >>> birthday_within_week(date(1980, 12, 3), date(2026, 12, 1))
    True
    """
    if birthdate is None:
        return False
    for offset in range(7):
        candidate = day + timedelta(days=offset)
        month, dom = birthdate.month, birthdate.day
        if (month, dom) == (2, 29) and candidate.month == 2 and candidate.day == 28:
            next_day = candidate + timedelta(days=1)
            if next_day.month == 3:  # no 29 February this year
                return True
        if (candidate.month, candidate.day) == (month, dom):
            return True
    return False


@dataclass(frozen=True)
class SyncResult:
    day: date
    stored: int | None  # None: the source failed and the last good day was kept
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        if self.problem is not None:
            return f"{self.day.isoformat()}: not synced ({self.problem}); the last good day is kept"
        return f"{self.day.isoformat()}: {self.stored} appointment(s) stored"


async def sync_day(
    source: ScheduleSource,
    *,
    engine: sa.Engine,
    vault: Vault,
    workspace: SourceWorkspace,
    day: date,
    now: datetime,
) -> SyncResult:
    """Ask ``source`` for ``day`` and store its answer in place of the last one.

    A failing source leaves the stored day untouched and the result says why.
    """
    try:
        appointments = await source.day(workspace, day)
    except ScheduleSourceError as error:
        log.warning(
            "schedule sync failed: workspace %s, %s source, %s: %s",
            workspace.id,
            source.kind,
            day.isoformat(),
            error,
        )
        await asyncio.to_thread(record_problem, engine, workspace.id, str(error), now)
        return SyncResult(day, None, str(error))
    rows = [sealed(vault, workspace.patient_salt, a) for a in appointments]

    def store() -> int:
        with transaction(engine) as session:
            count = stored.replace_day(
                session=session, workspace_id=workspace.id, day=day, rows=rows, now=now
            )
            stored.record_sync(session=session, workspace_id=workspace.id, now=now)
            return count

    count = await asyncio.to_thread(store)
    log.info(
        "schedule synced: workspace %s, %s source, %s: %d appointment(s)",
        workspace.id,
        source.kind,
        day.isoformat(),
        count,
    )
    return SyncResult(day, count)


def record_problem(engine: sa.Engine, workspace_id: int, problem: str, now: datetime) -> None:
    """Keep what went wrong, in words, for ``/huddle source`` (the last good day stays)."""
    with transaction(engine) as session:
        stored.record_sync(session=session, workspace_id=workspace_id, now=now, problem=problem)


def sealed(vault: Vault, patient_salt: str, appointment: Appointment) -> stored.AppointmentRow:
    """The row to store: the reference encrypted and hashed exactly as ``/tidbit`` does,
    so a hash found here finds that patient's tidbits and defects."""
    return stored.AppointmentRow(
        starts=appointment.starts,
        provider=appointment.provider,
        patient_ref_hash=vault.ref_hash(patient_salt, appointment.patient_ref),
        patient_ref_enc=vault.encrypt(appointment.patient_ref),
        confirmed=appointment.confirmed,
        new_patient=appointment.new_patient,
        arrived=appointment.arrived,
        birthday_this_week=appointment.birthday_this_week,
    )
