"""The tables, one class each; limits in ``Field(max_length=...)``, uniqueness and
idempotency in constraints (not Python); times stored as UTC, always returned aware."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# Lengths users can type; the commands check them first and say so kindly.
STORY_MAX = 2000
DEFECT_MAX = 2000
RECOVERY_MAX = 1000
TIDBIT_MAX = 500
PATIENT_REF_MAX = 32
NAME_MAX = 120
ID_MAX = 128
PERIOD_MAX = 16  # "2026-W49", "2026-12-01", "2026-12"


class UTCDateTime(sa.types.TypeDecorator):
    """Stores naive UTC, returns aware UTC: identical on SQLite and PostgreSQL."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC time")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def _ts(*, nullable: bool = False, index: bool = False):
    return Field(sa_column=sa.Column(UTCDateTime(), nullable=nullable, index=index))


class Workspace(SQLModel, table=True):
    """A tenant: a Slack workspace, a Teams tenant, or the console."""

    __tablename__ = "workspace"
    __table_args__ = (sa.UniqueConstraint("platform", "external_id", name="uq_workspace_ext"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=ID_MAX)
    name: str | None = Field(default=None, max_length=NAME_MAX)
    timezone: str = Field(max_length=64)
    nominate_emoji: str | None = Field(default=None, max_length=64)
    tidbits: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    created_at: datetime = _ts()

    @property
    def patient_salt(self) -> str:
        """Salts patient-reference hashes so equal refs differ across workspaces."""
        return f"{self.platform}:{self.external_id}"


class Subscription(SQLModel, table=True):
    """A channel subscribed to the weekly meeting at a local weekday and time."""

    __tablename__ = "subscription"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "channel_id", name="uq_subscription"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    channel_id: str = Field(max_length=ID_MAX)
    weekday: int = Field(ge=0, le=6)  # 0 = Monday, as in date.weekday()
    hour: int = Field(ge=0, le=23)
    minute: int = Field(ge=0, le=59)
    timezone: str = Field(max_length=64)
    active: bool = Field(default=True, index=True)
    paused_until: date | None = None
    brief_minutes: int | None = Field(default=None, ge=0, le=1439)  # the morning brief's time
    created_by: str = Field(max_length=ID_MAX)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class Skip(SQLModel, table=True):
    """A date on which a channel's meeting and nudges are skipped (a holiday)."""

    __tablename__ = "skip"
    __table_args__ = (sa.UniqueConstraint("subscription_id", "skip_date", name="uq_skip"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    subscription_id: int = Field(foreign_key="subscription.id", index=True)
    skip_date: date
    created_by: str = Field(max_length=ID_MAX)
    created_at: datetime = _ts()


class MeetingPost(SQLModel, table=True):
    """One channel's Monday Morning Meeting for one local ISO week (``period``, "2026-W49")."""

    __tablename__ = "meeting_post"
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "channel_id", "period", name="uq_meeting_period"),
        # The clock reads "this period's rows" every minute.
        sa.Index("ix_meeting_post_period", "period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")  # indexed by the unique key
    channel_id: str = Field(max_length=ID_MAX)
    period: str = Field(max_length=PERIOD_MAX)
    rule_id: str = Field(max_length=80)
    status: str = Field(default="claimed", max_length=16)  # claimed | sending | posted | ...
    message_id: str | None = Field(default=None, max_length=ID_MAX)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    claimed_at: datetime = _ts()
    posted_at: datetime | None = _ts(nullable=True)
    # When the clock may try a failed post again (back-off); None = not before the next run.
    next_attempt_at: datetime | None = _ts(nullable=True)


class ClockNotice(SQLModel, table=True):
    """A message the clock sends at most once per channel, kind and period besides the meeting.

    ``kind`` names the job's message: ``nudge`` (the mid-week story reminder), ``wow``
    (the WOW of the week), ``digest`` (the defect digest), or a new job's own. ``period``
    is the key of its day (``"2026-12-01"``), ISO week (``"2026-W49"``) or month
    (``"2026-12"``). ``status`` is claimed, sending, sent, failed, undeliverable, uncertain or ``none``
    (nothing to say that period: no nominations, a story was already shared, no defects).
    """

    __tablename__ = "clock_notice"
    __table_args__ = (
        sa.UniqueConstraint(
            "workspace_id", "channel_id", "kind", "period", name="uq_clock_notice_period"
        ),
        sa.Index("ix_clock_notice_period", "period", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")  # indexed by the unique key
    channel_id: str = Field(max_length=ID_MAX)
    period: str = Field(max_length=PERIOD_MAX)
    kind: str = Field(max_length=16)
    status: str = Field(default="claimed", max_length=16)
    message_id: str | None = Field(default=None, max_length=ID_MAX)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    claimed_at: datetime = _ts()
    sent_at: datetime | None = _ts(nullable=True)
    next_attempt_at: datetime | None = _ts(nullable=True)


class Story(SQLModel, table=True):
    """A WOW story: someone going above and beyond for a patient."""

    __tablename__ = "story"
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "channel_id", "message_id", name="uq_story_message"),
        # The month's board: this workspace's stories since the 1st.
        sa.Index("ix_story_board", "workspace_id", "created_at"),
        # A board's people: each author's latest name.
        sa.Index("ix_story_author", "workspace_id", "author_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    channel_id: str = Field(max_length=ID_MAX)
    author_id: str = Field(max_length=ID_MAX)
    author_name: str = Field(max_length=NAME_MAX)
    text: str = Field(max_length=STORY_MAX)
    source: str = Field(default="command", max_length=16)  # command | thread
    message_id: str | None = Field(default=None, max_length=ID_MAX)
    created_at: datetime = _ts(index=True)
    # Its active nominations, kept by every vote write (``bot.storage.stories``) so a
    # board reads one number per story instead of counting the votes.
    votes: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


# The all-time board: the most voted first, ties to the earliest (0032), read in order.
sa.Index("ix_story_top", Story.workspace_id, Story.votes.desc(), Story.created_at, Story.id)


class StoryHero(SQLModel, table=True):
    """A colleague a story is about (the teller, ``Story.author_id``, only tells it).

    ``user_id``: the platform's id, or ``name:<name>`` for a typed name only."""

    __tablename__ = "story_hero"
    __table_args__ = (
        sa.UniqueConstraint("story_id", "user_id", name="uq_story_hero"),
        sa.Index("ix_story_hero_person", "workspace_id", "user_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    story_id: int = Field(foreign_key="story.id", index=True)
    user_id: str = Field(max_length=ID_MAX)
    name: str = Field(max_length=NAME_MAX)


class StoryDraft(SQLModel, table=True):
    """A story waiting for its hero: seen only by its teller, posted once it has one."""

    __tablename__ = "story_draft"
    # Never reuse a finished draft's id: an old "It was me" button must find nothing.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    channel_id: str = Field(max_length=ID_MAX)
    author_id: str = Field(max_length=ID_MAX)
    author_name: str = Field(max_length=NAME_MAX)
    text: str = Field(max_length=STORY_MAX)
    source: str = Field(default="command", max_length=16)
    message_id: str | None = Field(default=None, max_length=ID_MAX)
    thread_id: str | None = Field(default=None, max_length=ID_MAX)
    created_at: datetime = _ts(index=True)


class Nomination(SQLModel, table=True):
    """One person's vote for one story, counted while ``active`` (a vote taken back stays,
    inactive). Of an add and a remove handled at once, the later ``decided_at`` wins."""

    __tablename__ = "nomination"
    __table_args__ = (
        sa.UniqueConstraint("story_id", "voter_id", name="uq_nomination"),
        # The boards count one workspace's votes that count, and nothing else.
        sa.Index(
            "ix_nomination_counted",
            "workspace_id",
            "story_id",
            postgresql_where=sa.text("active"),
            sqlite_where=sa.text("active = 1"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    story_id: int = Field(foreign_key="story.id", index=True)
    voter_id: str = Field(max_length=ID_MAX)
    created_at: datetime = _ts()
    active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    decided_at: datetime = _ts()


class Defect(SQLModel, table=True):
    """A service defect: something that went wrong at a stage of the patient journey."""

    __tablename__ = "defect"
    __table_args__ = (  # open defects are few: the App Home and ``/defect list`` read these
        sa.Index(
            "ix_defect_open_stage",
            "workspace_id",
            "stage",
            "created_at",
            postgresql_where=sa.text("closed_at IS NULL"),
            sqlite_where=sa.text("closed_at IS NULL"),
        ),
        sa.Index(
            "ix_defect_open",
            "workspace_id",
            "created_at",
            postgresql_where=sa.text("closed_at IS NULL"),
            sqlite_where=sa.text("closed_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    channel_id: str = Field(max_length=ID_MAX)
    stage: str | None = Field(default=None, max_length=64)  # None = unassigned
    description: str = Field(max_length=DEFECT_MAX)
    patient_ref_enc: str | None = None
    patient_ref_hash: str | None = Field(default=None, max_length=64, index=True)
    reporter_id: str = Field(max_length=ID_MAX)
    reporter_name: str = Field(max_length=NAME_MAX)
    created_at: datetime = _ts(index=True)
    closed_at: datetime | None = _ts(nullable=True)
    closed_by: str | None = Field(default=None, max_length=NAME_MAX)
    owner_id: str | None = Field(default=None, max_length=ID_MAX)  # assigned, or 1st recorder
    owner_name: str | None = Field(default=None, max_length=NAME_MAX)
    overdue_told: str | None = Field(default=None, max_length=PERIOD_MAX)  # day owner was told
    fta_cause: str | None = Field(default=None, max_length=64)  # a fail-to-attend's root cause
    booked_by_id: str | None = Field(default=None, max_length=ID_MAX)  # who took that booking
    booked_by_name: str | None = Field(default=None, max_length=NAME_MAX)


class RecoveryAction(SQLModel, table=True):
    """One step, in order, to make a defect right; ``owner_*`` is who recorded it."""

    __tablename__ = "recovery_action"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    defect_id: int = Field(foreign_key="defect.id", index=True)
    action: str = Field(max_length=RECOVERY_MAX)
    owner_id: str = Field(max_length=ID_MAX)
    owner_name: str = Field(max_length=NAME_MAX)
    created_at: datetime = _ts()


class Tidbit(SQLModel, table=True):
    """A personal, non-clinical detail a patient shared. Encrypted; expires."""

    __tablename__ = "tidbit"
    __table_args__ = (sa.Index("ix_tidbit_lookup", "workspace_id", "patient_ref_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    patient_ref_hash: str = Field(max_length=64)
    patient_ref_enc: str
    note_enc: str
    author_id: str = Field(max_length=ID_MAX)
    author_name: str = Field(max_length=NAME_MAX)
    created_at: datetime = _ts()
    expires_at: datetime = _ts(index=True)


class AuditEntry(SQLModel, table=True):
    """Who read, changed or deleted what, when: the kind and id, never content or patient data."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    actor_id: str = Field(max_length=ID_MAX)
    actor_name: str = Field(max_length=NAME_MAX)
    action: str = Field(max_length=32)  # tidbit.read | tidbit.forget | defect.delete | ...
    record_id: int | None = None  # which record (its kind is the action's first word)
    patient_ref_hash: str | None = Field(default=None, max_length=64)
    # Encrypted like every patient reference, so a key rotation can re-hash the entry.
    patient_ref_enc: str | None = None
    record_count: int = 0
    channel_id: str | None = Field(default=None, max_length=ID_MAX)
    created_at: datetime = _ts(index=True)


class KeyCanary(SQLModel, table=True):
    """A known value under the patient data's key: every process decrypts it at start-up,
    so a wrong or missing key stops it with a message, not with empty recalls."""

    __tablename__ = "key_canary"

    id: int | None = Field(default=None, primary_key=True)
    token: str
    fingerprint: str = Field(max_length=16)  # the primary key's public fingerprint
    updated_at: datetime = _ts()


class ProcessedEvent(SQLModel, table=True):
    """A platform delivery already handled; a redelivery of it is ignored."""

    __tablename__ = "processed_event"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "event_id", name="uq_processed_event"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    event_id: str = Field(max_length=ID_MAX)
    created_at: datetime = _ts(index=True)


class ConversationReference(SQLModel, table=True):
    """How to reach a conversation later (Teams' proactive messages). JSON blob."""

    __tablename__ = "conversation_reference"
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "channel_id", name="uq_conversation_reference"),
        sa.Index("ix_conversation_reference_group", "workspace_id", "group_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    channel_id: str = Field(max_length=ID_MAX)
    kind: str = Field(default="channel", max_length=16)  # channel | personal | groupchat
    group_id: str | None = Field(default=None, max_length=ID_MAX)  # e.g. its Teams team
    data: str
    updated_at: datetime = _ts()


class PracticeAdmin(SQLModel, table=True):
    """Someone who may change the practice's settings in one workspace (``bot.roles``).

    ``source``: ``installer``, ``platform`` (a Slack workspace admin), ``added`` in chat,
    or ``first`` (the first to change a setting where no admin was known)."""

    __tablename__ = "practice_admin"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "user_id", name="uq_practice_admin"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    user_id: str = Field(max_length=ID_MAX)
    name: str = Field(max_length=NAME_MAX)
    source: str = Field(max_length=16)
    added_by: str | None = Field(default=None, max_length=ID_MAX)
    created_at: datetime = _ts()
