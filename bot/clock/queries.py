"""The clock's database work, batched: a handful of round trips however many channels.

Per run of a job: one query for the active subscriptions (with their workspaces),
one for the skips, one for this week's rows of the job, one per ``batch`` of
workspaces for history, one multi-row ``INSERT .. ON CONFLICT DO NOTHING
RETURNING`` per ``batch`` of claims (``bot.storage.meetings.claim_weeks``), one ``UPDATE .. RETURNING`` for retries, and
one executemany per ``batch`` of results. See ``count_round_trips``.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from bot.clock.compose import DigestDefect, WowWinner
from bot.clock.plan import Target
from bot.storage.meetings import CLAIMED, FAILED
from bot.storage.models import (
    ClockNotice,
    Defect,
    MeetingPost,
    Nomination,
    RecoveryAction,
    Skip,
    Story,
    Subscription,
    UTCDateTime,
    Workspace,
)

MEETINGS = MeetingPost.__table__
NOTICES = ClockNotice.__table__

# Beyond POSTED / CLAIMED / FAILED (bot.storage.meetings):
UNDELIVERABLE = "undeliverable"  # the platform said it will never work (channel gone, app removed)
SENT = "sent"  # a notice went out
NOTHING = "none"  # a notice had nothing to say this week (no nominations, no defects, a story)


@dataclass(frozen=True)
class WeekRow:
    """This week's meeting post or notice of one channel, as the clock needs it."""

    id: int
    workspace_id: int
    channel_id: str
    iso_year: int
    iso_week: int
    status: str
    message_id: str | None
    done_at: datetime | None
    next_attempt_at: datetime | None
    attempts: int
    rule_id: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What happened to one claimed row after the platform call."""

    row_id: int
    message_id: str | None = None
    error: str | None = None
    permanent: bool = False
    next_attempt_at: datetime | None = None


def chunked(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class RoundTrips:
    """Counts statements sent to the database (an executemany counts once)."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, *args, **kwargs) -> None:
        with self._lock:
            self.count += 1


@contextmanager
def count_round_trips(engine: sa.Engine) -> Iterator[RoundTrips]:
    counter = RoundTrips()
    sa.event.listen(engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        sa.event.remove(engine, "before_cursor_execute", counter)


# -- loading ---------------------------------------------------------------------


def load_targets(*, session: Session) -> list[Target]:
    """Every active subscription with its workspace: for the clock only (all workspaces)."""
    s = Subscription.__table__.c
    w = Workspace.__table__.c
    statement = (
        sa.select(
            s.id,
            s.workspace_id,
            w.platform,
            w.external_id,
            s.channel_id,
            s.weekday,
            s.hour,
            s.minute,
            s.timezone,
            s.paused_until,
            s.updated_at,
        )
        .join(Workspace.__table__, w.id == s.workspace_id)
        .where(s.active.is_(True))
        .order_by(s.id)
    )
    return [Target(*row) for row in session.execute(statement)]


def load_skips(*, session: Session, start: date, end: date) -> dict[int, set[date]]:
    """Skipped dates in [start, end], by subscription id."""
    c = Skip.__table__.c
    statement = sa.select(c.subscription_id, c.skip_date).where(
        c.skip_date >= start, c.skip_date <= end
    )
    skips: dict[int, set[date]] = defaultdict(set)
    for subscription_id, day in session.execute(statement):
        skips[subscription_id].add(day)
    return skips


def load_meeting_rows(
    *, session: Session, weeks: Iterable[tuple[int, int]]
) -> dict[tuple[int, str, int, int], WeekRow]:
    """The meeting posts of these ISO weeks (the few weeks it is now around the world)."""
    c = MEETINGS.c
    return _load_week_rows(session, MEETINGS, weeks, done_at=c.posted_at, extra=(c.rule_id,))


def load_notice_rows(
    *, session: Session, kind: str, weeks: Iterable[tuple[int, int]]
) -> dict[tuple[int, str, int, int], WeekRow]:
    """This kind of notice's rows of these ISO weeks."""
    c = NOTICES.c
    return _load_week_rows(session, NOTICES, weeks, done_at=c.sent_at, where=c.kind == kind)


def _load_week_rows(
    session: Session, table: sa.Table, weeks, *, done_at, extra=(), where=sa.true()
):
    weeks = sorted(set(weeks))
    if not weeks:
        return {}
    c = table.c
    statement = sa.select(
        c.id,
        c.workspace_id,
        c.channel_id,
        c.iso_year,
        c.iso_week,
        c.status,
        c.message_id,
        done_at,
        c.next_attempt_at,
        c.attempts,
        *extra,
    ).where(where, sa.or_(*(sa.and_(c.iso_year == y, c.iso_week == w) for y, w in weeks)))
    return {
        (row.workspace_id, row.channel_id, row.iso_year, row.iso_week): WeekRow(*row)
        for row in session.execute(statement)
    }


def posted_rule_history(
    *, session: Session, workspace_ids: Iterable[int], batch: int = 500
) -> dict[tuple[int, str], list[str]]:
    """The rules each channel of these workspaces has had, oldest first."""
    c = MEETINGS.c
    history: dict[tuple[int, str], list[str]] = defaultdict(list)
    for ids in chunked(sorted(set(workspace_ids)), batch):
        statement = (
            sa.select(c.workspace_id, c.channel_id, c.rule_id)
            .where(c.workspace_id.in_(ids), c.status == "posted")
            .order_by(c.iso_year, c.iso_week)
        )
        for workspace_id, channel_id, rule_id in session.execute(statement):
            history[(workspace_id, channel_id)].append(rule_id)
    return history


def latest_story_times(
    *, session: Session, workspace_ids: Iterable[int], since: datetime, batch: int = 500
) -> dict[tuple[int, str], datetime]:
    """The newest story shared since ``since`` in each channel of these workspaces."""
    c = Story.__table__.c
    latest: dict[tuple[int, str], datetime] = {}
    for ids in chunked(sorted(set(workspace_ids)), batch):
        statement = (
            sa.select(c.workspace_id, c.channel_id, sa.func.max(c.created_at))
            .where(c.workspace_id.in_(ids), c.created_at >= since)
            .group_by(c.workspace_id, c.channel_id)
        )
        for workspace_id, channel_id, newest in session.execute(statement):
            latest[(workspace_id, channel_id)] = newest
    return latest


@dataclass(frozen=True)
class NominatedStory:
    workspace_id: int
    channel_id: str
    winner: WowWinner


def nominated_stories(
    *,
    session: Session,
    workspace_ids: Iterable[int],
    since: datetime,
    until: datetime,
    batch: int = 500,
) -> list[NominatedStory]:
    """Stories shared in [since, until) with at least one nomination, with their counts."""
    s = Story.__table__.c
    n = Nomination.__table__.c
    votes = sa.func.count(n.id)
    found = []
    for ids in chunked(sorted(set(workspace_ids)), batch):
        statement = (
            sa.select(
                s.id,
                s.workspace_id,
                s.channel_id,
                s.author_id,
                s.author_name,
                s.text,
                s.created_at,
                votes,
            )
            .join(Nomination.__table__, sa.and_(n.story_id == s.id, n.active))
            .where(s.workspace_id.in_(ids), s.created_at >= since, s.created_at < until)
            .group_by(
                s.id, s.workspace_id, s.channel_id, s.author_id, s.author_name, s.text, s.created_at
            )
        )
        for sid, ws, channel, author_id, author_name, text, created, count in session.execute(
            statement
        ):
            found.append(
                NominatedStory(
                    ws, channel, WowWinner(sid, author_id, author_name, text, int(count), created)
                )
            )
    return found


@dataclass(frozen=True)
class DefectRow:
    workspace_id: int
    channel_id: str
    defect: DigestDefect


def defects_logged(
    *,
    session: Session,
    workspace_ids: Iterable[int],
    since: datetime,
    until: datetime,
    batch: int = 500,
) -> list[DefectRow]:
    """Defects logged in [since, until): only the columns a digest may show."""
    d = Defect.__table__.c
    return _defects(session, workspace_ids, batch, d.created_at >= since, d.created_at < until)


def stale_defects(
    *, session: Session, workspace_ids: Iterable[int], now: datetime, batch: int = 500
) -> list[DefectRow]:
    """Defects open for more than 7 days with no recovery action, oldest first."""
    d = Defect.__table__.c
    r = RecoveryAction.__table__.c
    return _defects(
        session,
        workspace_ids,
        batch,
        d.closed_at.is_(None),
        d.created_at < now - timedelta(days=7),
        ~sa.exists().where(r.defect_id == d.id),
    )


def _defects(session: Session, workspace_ids, batch: int, *conditions) -> list[DefectRow]:
    d = Defect.__table__.c
    rows = []
    for ids in chunked(sorted(set(workspace_ids)), batch):
        statement = (
            sa.select(d.workspace_id, d.channel_id, d.id, d.stage, d.reporter_name, d.created_at)
            .where(d.workspace_id.in_(ids), *conditions)
            .order_by(d.created_at, d.id)
        )
        rows.extend(
            DefectRow(ws, ch, DigestDefect(i, stage, reporter, created))
            for ws, ch, i, stage, reporter, created in session.execute(statement)
        )
    return rows


# -- claiming ----------------------------------------------------------------------


def reclaim_failed(
    *, session: Session, table: sa.Table, ids: Iterable[int], now: datetime
) -> set[int]:
    """Take failed rows back for another attempt once their back-off has passed.

    One conditional UPDATE: a row another clock took back first no longer matches.
    """
    ids = sorted(set(ids))
    if not ids:
        return set()
    c = table.c
    statement = (
        sa.update(table)
        .where(
            c.id.in_(ids),
            c.status == FAILED,
            sa.or_(c.next_attempt_at.is_(None), c.next_attempt_at <= now),
        )
        .values(status=CLAIMED, claimed_at=now)
        .returning(c.id)
    )
    return {row_id for (row_id,) in session.execute(statement)}


# -- recording ---------------------------------------------------------------------


def record_outcomes(
    *, session: Session, table: sa.Table, outcomes: Sequence[Outcome], now: datetime
) -> None:
    """Mark claimed rows done or failed: one executemany per kind of outcome.

    A failure is never marked done: it keeps its error (no patient data: the
    clock's posts carry none) and, unless permanent, when to try again.
    """
    c = table.c
    done_status, done_at = ("posted", "posted_at") if table is MEETINGS else (SENT, "sent_at")
    done = [
        {"row_id": o.row_id, "new_message_id": o.message_id} for o in outcomes if o.error is None
    ]
    failed = [
        {
            "row_id": o.row_id,
            "new_status": UNDELIVERABLE if o.permanent else FAILED,
            "new_error": o.error[:500],
            "new_next_attempt_at": None if o.permanent else o.next_attempt_at,
        }
        for o in outcomes
        if o.error is not None
    ]
    if done:
        session.execute(
            sa.update(table)
            .where(c.id == sa.bindparam("row_id"))
            .values(
                {
                    "status": done_status,
                    "message_id": sa.bindparam("new_message_id"),
                    done_at: now,
                    "attempts": c.attempts + 1,
                    "last_error": None,
                    "next_attempt_at": None,
                }
            ),
            done,
        )
    if failed:
        session.execute(
            sa.update(table)
            .where(c.id == sa.bindparam("row_id"))
            .values(
                status=sa.bindparam("new_status"),
                attempts=c.attempts + 1,
                last_error=sa.bindparam("new_error"),
                next_attempt_at=sa.bindparam("new_next_attempt_at", type_=UTCDateTime()),
            ),
            failed,
        )
