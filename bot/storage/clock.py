"""The clock's targets and claims, batched: a handful of round trips however many channels.

Every message the clock sends is first *claimed*: one row per (channel, kind,
period) in ``meeting_post`` (the weekly meeting) or ``clock_notice`` (everything
else), and a unique constraint decides who owns it, so running a job twice at once,
or two clocks by mistake, still sends each message once. A period is the key of a
local day, ISO week or month (``bot.scheduling.Period``).

Per tick (``bot.clock.snapshot``): one query for the active subscriptions (with their
workspaces and stored references), one for the skips, one per table for every job's
claims; per job: one ``INSERT .. ON CONFLICT DO NOTHING RETURNING`` for its claims,
one ``UPDATE .. RETURNING`` for retries, and while posting one ``UPDATE`` per group of
posts about to start (``mark_sending``) and one per group of results (``record_outcomes``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from bot.storage.models import (
    ClockNotice,
    ConversationReference,
    MeetingPost,
    Subscription,
    UTCDateTime,
    Workspace,
)
from bot.storage.unnest import array_text, unnest_insert

# What a claim's row says about its message.
CLAIMED = "claimed"  # claimed by a run (``claimed_at``) that has not started its post yet
SENDING = "sending"  # its post has started; settled by ``next_attempt_at`` if no answer comes
UNCERTAIN = "uncertain"  # no answer came and the platform cannot be asked: never resent
POSTED = "posted"  # a meeting went out
SENT = "sent"  # a notice went out
FAILED = "failed"  # the platform refused; retried with back-off while its period lasts
UNDELIVERABLE = "undeliverable"  # the platform said never (channel gone, app removed)
NOTHING = "none"  # a notice had nothing to say this period (no nominations, no defects)


@dataclass(frozen=True)
class Claims:
    """Where one job's claims live: the table, the kind of message, how "done" is recorded."""

    table: sa.Table
    kind: str | None  # clock_notice's ``kind``; None for meeting_post (it holds one kind)
    done: str  # the status once sent: posted (meetings) or sent (notices)
    done_at: str  # the column stamped then

    def where(self) -> sa.ColumnElement[bool]:
        return sa.true() if self.kind is None else self.table.c.kind == self.kind


MEETINGS = Claims(MeetingPost.__table__, None, POSTED, "posted_at")


def notices(kind: str) -> Claims:
    """The claims of one kind of notice (``"wow"``, ``"digest"``, a new job's own)."""
    return Claims(ClockNotice.__table__, kind, SENT, "sent_at")


@dataclass(frozen=True)
class Target:
    """A subscribed channel: its weekly schedule, its workspace, and how to reach it.

    It has a schedule's fields, so ``bot.scheduling`` reckons with it directly.
    ``reference`` is the platform's stored conversation reference (Teams), None
    where the platform needs none (Slack).
    """

    subscription_id: int
    workspace_id: int  # our id
    platform: str
    external_workspace_id: str  # the platform's id (Slack team, Teams tenant)
    channel_id: str
    weekday: int
    hour: int
    minute: int
    timezone: str
    paused_until: date | None
    updated_at: datetime
    reference: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    brief_minutes: int | None = None  # the morning brief's local time, minutes after midnight

    @cached_property  # read several times per channel per job: made once
    def key(self) -> tuple[int, str]:
        return (self.workspace_id, self.channel_id)


class ClaimRow(NamedTuple):  # immutable; read per channel, faster than a frozen dataclass
    """One channel's claim of one period, as the clock needs it."""

    id: int
    workspace_id: int
    channel_id: str
    period: str
    status: str
    message_id: str | None
    done_at: datetime | None
    next_attempt_at: datetime | None
    attempts: int
    claimed_at: datetime | None = None  # when the current claim (or attempt) was taken
    rule_id: str | None = None  # a meeting's rule


@dataclass(frozen=True)
class Outcome:
    """What happened to one claimed row after the platform call."""

    row_id: int
    message_id: str | None = None
    error: str | None = None
    permanent: bool = False
    next_attempt_at: datetime | None = None
    unconfirmed: bool = False  # no answer: the row stays ``sending``, settled later
    nothing: bool = False  # settled: not posted, and nothing to say any more


# -- loading ---------------------------------------------------------------------


def load_targets(*, session: Session) -> list[Target]:
    """Every active subscription with its workspace and stored reference: for the clock only.

    One query across all workspaces, ordered by subscription id (a workspace's first
    subscribed channel comes first).
    """
    s = Subscription.__table__.c
    w = Workspace.__table__.c
    r = ConversationReference.__table__.c
    columns = (s.id, s.workspace_id, w.platform, w.external_id, s.channel_id, s.weekday, s.hour)
    columns += (s.minute, s.timezone, s.paused_until, s.updated_at, r.data, s.brief_minutes)
    statement = (
        sa.select(*columns)
        .join(Workspace.__table__, w.id == s.workspace_id)
        .outerjoin(
            ConversationReference.__table__,
            sa.and_(r.workspace_id == s.workspace_id, r.channel_id == s.channel_id),
        )
        .where(s.active.is_(True))
        .order_by(s.id)
    )
    return [
        Target(*row[:-2], reference=_reference(row[-2]), brief_minutes=row[-1])
        for row in session.execute(statement).all()
    ]


def _reference(data: str | None) -> Mapping[str, Any] | None:
    if data is None:
        return None
    try:
        loaded = json.loads(data)
    except ValueError:
        return None  # unreadable: its messenger says the reference is missing
    return loaded if isinstance(loaded, dict) else None


def claim_columns(claims: Claims) -> list[sa.ColumnElement[Any]]:
    """The columns a ``ClaimRow`` is built from (before its ``rule_id``)."""
    c = claims.table.c
    return [
        c.id,
        c.workspace_id,
        c.channel_id,
        c.period,
        c.status,
        c.message_id,
        c[claims.done_at],
        c.next_attempt_at,
        c.attempts,
        c.claimed_at,
    ]


# -- claiming ----------------------------------------------------------------------


def claim_periods(
    *, session: Session, claims: Claims, rows: Sequence[Mapping[str, Any]], batch: int = 500
) -> dict[tuple[int, str], int]:
    """Insert claims of (channel, period), skipping any that exist: returns those we inserted.

    Each row names ``workspace_id``, ``channel_id``, ``period``, ``status`` and
    ``claimed_at`` (and the table's own columns, such as a meeting's ``rule_id``).
    The unique constraint decides: whoever inserts a (channel, kind, period) first
    owns it, whether the rival is another request, another run of the job or another
    clock. PostgreSQL: one ``INSERT .. SELECT FROM unnest(..) ON CONFLICT DO NOTHING
    RETURNING`` (arrays, one per column); SQLite: one cached statement, executemany.
    """
    table = claims.table
    [unique] = [c for c in table.constraints if isinstance(c, sa.UniqueConstraint)]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        insert, conflict = postgresql.insert(table), {"constraint": unique.name}
    elif dialect == "sqlite":
        insert, conflict = (
            sqlite.insert(table),
            {"index_elements": [c.name for c in unique.columns]},
        )
    else:  # pragma: no cover - make_engine only builds SQLite and PostgreSQL engines
        raise ValueError(f"Huddle runs on SQLite or PostgreSQL, not {dialect}")
    kind = {} if claims.kind is None else {"kind": claims.kind}
    groups: dict[tuple[str, ...], list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(row)].append(row)  # one statement per set of columns (as built)
    won: dict[tuple[int, str], int] = {}
    returning = (table.c.id, table.c.workspace_id, table.c.channel_id)
    for names, group in groups.items():
        if dialect == "postgresql":
            # One INSERT .. SELECT FROM unnest(arrays): a short statement whatever the count.
            # A column the same in every row (the status, the period, claimed_at, the kind)
            # goes once as a value: dumping it 10,000 times into an array cost most of it.
            same = ({} if "attempts" in names else {"attempts": 0}) | kind
            varying: dict[str, list[Any]] = {}
            for name in names:
                if name in kind:
                    continue  # the claims' own kind, whatever a row says
                values = [r[name] for r in group]
                if len(set(values)) == 1:
                    same[name] = values[0]
                else:
                    varying[name] = values
            params = {f"v_{n}": v for n, v in same.items()}
            texts = {n: t for n, vs in varying.items() if (t := array_text(vs)) is not None}
            params |= {f"v_{n}": texts.get(n, vs) for n, vs in varying.items()}
            columns = (*same, *varying)
            statement = unnest_insert(table, columns, tuple(same), frozenset(texts), unique.name)
            result = session.execute(statement, params)
        else:
            # One cached statement, executemany (SQLAlchemy pages it, ``batch`` rows each).
            statement = (
                insert.on_conflict_do_nothing(**conflict)
                .returning(*returning)
                .execution_options(insertmanyvalues_page_size=batch)
            )
            result = session.execute(statement, [{"attempts": 0, **r, **kind} for r in group])
        won.update({(workspace_id, channel_id): i for i, workspace_id, channel_id in result.all()})
    return won


def _update(claims: Claims, ids: Iterable[int], where, values) -> sa.Update | None:
    """One conditional UPDATE of these rows, returning the ids it changed."""
    ids = sorted(set(ids))
    if not ids:
        return None
    c = claims.table.c
    return sa.update(claims.table).where(c.id.in_(ids), where).values(values).returning(c.id)


def _ids(session: Session, statement: sa.Update | None) -> set[int]:
    return set() if statement is None else {row_id for (row_id,) in session.execute(statement)}


def retake(
    *, session: Session, claims: Claims, ids: Iterable[int], now: datetime, abandoned: datetime
) -> set[int]:
    """Take rows back for another attempt: failed ones once their back-off has passed, and
    claimed ones whose run never started them (claimed before ``abandoned``: it crashed).

    One conditional UPDATE: a row another clock took back first no longer matches, and
    the run that claimed it can no longer start it (``mark_sending`` checks ``claimed_at``).
    """
    c = claims.table.c
    backed_off = sa.or_(c.next_attempt_at.is_(None), c.next_attempt_at <= now)
    where = sa.or_(
        sa.and_(c.status == FAILED, backed_off),
        sa.and_(c.status == CLAIMED, c.claimed_at <= abandoned),
    )
    return _ids(session, _update(claims, ids, where, {"status": CLAIMED, "claimed_at": now}))


def take_uncertain(
    *, session: Session, claims: Claims, ids: Iterable[int], now: datetime, until: datetime | None
) -> set[int]:
    """Take ``sending`` rows whose answer never came (``next_attempt_at`` passed).

    ``until``: hold them until then while asking the platform whether the post exists
    (``claimed_at`` is kept: the post is looked for from then). None: the platform
    cannot be asked, so they are marked ``uncertain`` for good (never posted twice).
    """
    c = claims.table.c
    values: dict[str, Any] = {"status": UNCERTAIN} if until is None else {"next_attempt_at": until}
    where = sa.and_(c.status == SENDING, c.next_attempt_at <= now)
    return _ids(session, _update(claims, ids, where, values))


def settle_nothing(*, session: Session, claims: Claims, ids: Iterable[int]) -> None:
    """Rows that, tried again, have nothing to say any more: marked ``none``."""
    c = claims.table.c
    _ids(session, _update(claims, ids, c.status.in_((FAILED, CLAIMED)), {"status": NOTHING}))


def mark_sending(
    *,
    session: Session,
    claims: Claims,
    claimed: Iterable[int],
    held: Mapping[int, datetime],
    claimed_at: datetime,
    until: datetime,
) -> set[int]:
    """Rows whose post starts now: ``sending``, to be settled after ``until`` if no answer.

    ``claimed``: rows this run claimed at ``claimed_at``; ``held``: ``sending`` rows it
    holds, each with the ``next_attempt_at`` it set (a settling, or a retry after a 429).
    A row another clock took over since no longer matches, so it is not posted twice.
    Returns the ids it may post. One UPDATE for the claimed, one per hold time.
    """
    c = claims.table.c
    values = {"status": SENDING, "next_attempt_at": until}
    mine = _ids(
        session,
        _update(claims, claimed, sa.and_(c.status == CLAIMED, c.claimed_at == claimed_at), values),
    )
    by_lease: dict[datetime, list[int]] = defaultdict(list)
    for row_id, lease in held.items():
        by_lease[lease].append(row_id)
    for lease, ids in by_lease.items():
        where = sa.and_(c.status == SENDING, c.next_attempt_at == lease)
        mine |= _ids(session, _update(claims, ids, where, values))
    return mine


# -- recording ---------------------------------------------------------------------


def record_outcomes(
    *, session: Session, claims: Claims, outcomes: Sequence[Outcome], now: datetime
) -> None:
    """Record what came of posts: one executemany per kind of outcome (usually one).

    A failure is never marked done: it keeps its error (no patient data: the clock's
    posts carry none) and, unless permanent, when to try again. An unconfirmed post
    stays ``sending`` with its error, to be settled once ``next_attempt_at`` passes.
    Only rows still claimed or sending change: one another clock settled stays so.
    """
    c = claims.table.c
    pending = sa.or_(c.status == CLAIMED, c.status == SENDING)  # executemany: no IN
    kinds: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for o in outcomes:
        if o.nothing:
            kinds["nothing"].append({"row_id": o.row_id})
        elif o.error is None:
            kinds["done"].append({"row_id": o.row_id, "new_message_id": o.message_id})
        else:
            kinds["unconfirmed" if o.unconfirmed else "failed"].append(
                {
                    "row_id": o.row_id,
                    "new_status": UNDELIVERABLE if o.permanent else FAILED,
                    "new_error": o.error[:500],
                    "new_next_attempt_at": None if o.permanent else o.next_attempt_at,
                }
            )
    values: dict[str, dict[Any, Any]] = {
        "nothing": {"status": NOTHING},
        "done": {
            "status": claims.done,
            "message_id": sa.bindparam("new_message_id"),
            claims.done_at: now,
            "attempts": c.attempts + 1,
            "last_error": None,
            "next_attempt_at": None,
        },
        "failed": {
            "status": sa.bindparam("new_status"),
            "attempts": c.attempts + 1,
            "last_error": sa.bindparam("new_error"),
            "next_attempt_at": sa.bindparam("new_next_attempt_at", type_=UTCDateTime()),
        },
        "unconfirmed": {"attempts": c.attempts + 1, "last_error": sa.bindparam("new_error")},
    }
    for kind, rows in kinds.items():
        statement = sa.update(claims.table).where(c.id == sa.bindparam("row_id"), pending)
        session.execute(statement.values(values[kind]), rows)
