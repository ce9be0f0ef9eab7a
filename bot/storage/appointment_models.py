"""The schedule sources' tables: the day's appointments and each practice's source,
and the fail-to-attend protocol's: the front desk, its settings, its notices and popups.

An appointment row keeps only what the morning huddle shows: the wall-clock time,
the provider or chair, the patient reference (encrypted, and hashed as tidbit
references are), and three flags. A source's secret (an API key, a private feed
URL) is stored encrypted, apart from its plain settings, and is never shown back.
"""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from bot.storage.models import ID_MAX, NAME_MAX, _ts

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


# -- the fail-to-attend protocol: the front desk, its notices, popups -----------------


class FrontDesk(SQLModel, table=True):
    """Someone at the front desk: told privately about unconfirmed and late patients."""

    __tablename__ = "front_desk"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "user_id", name="uq_front_desk"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    user_id: str = Field(max_length=ID_MAX)
    name: str = Field(max_length=NAME_MAX)
    added_by: str = Field(max_length=ID_MAX)
    created_at: datetime = _ts()


class PracticeProtocol(SQLModel, table=True):
    """A practice's fail-to-attend settings; no row means the defaults."""

    __tablename__ = "practice_protocol"
    __table_args__ = (sa.UniqueConstraint("workspace_id", name="uq_practice_protocol"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    # When the front desk hears of tomorrow's unconfirmed new patients (minutes after midnight).
    notice_minutes: int = Field(default=15 * 60, ge=0, le=1439)
    # The deadline they are given to confirm by (None: the end of the day).
    deadline_minutes: int | None = Field(default=None, ge=0, le=1439)
    popups: bool = False  # push open recoveries to Open Dental as popups
    updated_at: datetime = _ts()


class FrontDeskNotice(SQLModel, table=True):
    """A claim: one notice (``kind``, ``period``, ``item``) to one person, at most once.

    ``item`` names what it is about without patient data: "" for the day's
    unconfirmed list, ``HH:MM/<reference hash>`` for a late patient.
    """

    __tablename__ = "front_desk_notice"
    __table_args__ = (
        sa.UniqueConstraint(
            "workspace_id", "kind", "period", "item", "recipient_id", name="uq_front_desk_notice"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    kind: str = Field(max_length=16)  # "unconfirmed" | "late"
    period: str = Field(max_length=16)  # the local day it is about
    item: str = Field(max_length=80)
    recipient_id: str = Field(max_length=ID_MAX)
    status: str = Field(max_length=16)  # claimed | sent | undeliverable
    claimed_at: datetime = _ts()


class PopupPush(SQLModel, table=True):
    """A defect's recovery pushed to the practice system as a popup: once per defect."""

    __tablename__ = "popup_push"
    __table_args__ = (sa.UniqueConstraint("defect_id", name="uq_popup_push_defect"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    defect_id: int  # no foreign key: deleting a defect (or undoing it) stays as it was
    status: str = Field(max_length=16)  # pending | pushed | failed
    attempts: int = 0
    next_attempt_at: datetime | None = _ts(nullable=True)
    pushed_at: datetime | None = _ts(nullable=True)
    created_at: datetime = _ts()
