"""The schedule sources' tables: the day's appointments and each practice's source.

An appointment row keeps only what the morning huddle shows: the wall-clock time,
the provider or chair, the patient reference (encrypted, and hashed as tidbit
references are), and three flags. A source's secret (an API key, a private feed
URL) is stored encrypted, apart from its plain settings, and is never shown back.
"""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from bot.storage.models import ID_MAX, _ts

LABEL_MAX = 64
SOURCE_KINDS = ("opendental", "ical", "daysheet")
PROBLEM_MAX = 500


class Appointment(SQLModel, table=True):
    """One appointment of one day. Deleted a few days after it happens."""

    __tablename__ = "appointment"
    __table_args__ = (
        sa.Index("ix_appointment_day", "workspace_id", "day"),
        sa.Index("ix_appointment_patient", "workspace_id", "patient_ref_hash"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    day: date = Field(sa_column=sa.Column(sa.Date(), nullable=False))
    starts: time = Field(sa_column=sa.Column(sa.Time(), nullable=False))
    provider: str = Field(max_length=LABEL_MAX)
    patient_ref_hash: str = Field(max_length=64)
    patient_ref_enc: str
    confirmed: bool
    new_patient: bool
    arrived: time | None = Field(default=None, sa_column=sa.Column(sa.Time(), nullable=True))
    birthday_this_week: bool = False
    synced_at: datetime = _ts()


class ScheduleSourceConfig(SQLModel, table=True):
    """Where a practice's appointments come from: one source per workspace."""

    __tablename__ = "schedule_source"
    __table_args__ = (sa.UniqueConstraint("workspace_id", name="uq_schedule_source_workspace"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    kind: str = Field(max_length=16)  # one of SOURCE_KINDS
    settings_json: str = "{}"  # plain settings: a column mapping, a pattern, DefNums
    secret_enc: str | None = None  # the customer key or the private feed URL, encrypted
    updated_by: str = Field(max_length=ID_MAX)
    updated_at: datetime = _ts()
    # The last sync's outcome: when it last stored a day, and what went wrong since, in words
    # (a ScheduleSourceError's message: never a secret, never patient data).
    last_synced_at: datetime | None = _ts(nullable=True)
    last_problem: str | None = Field(default=None, max_length=PROBLEM_MAX)
