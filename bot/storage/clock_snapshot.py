"""What a tick of the clock reads: skips, claims, and the idle tick's one question.

``load_claims`` loads one job's claims, ``load_claims_of`` those of every job of a
tick in one query per table (``bot.clock.snapshot`` shares them between the jobs);
``clock_mark`` is the one cheap query an idle tick asks before loading anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from bot.storage.clock import ClaimRow, Claims, claim_columns
from bot.storage.models import Skip, Subscription


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


def load_claims(
    *, session: Session, claims: Claims, periods: Iterable[str]
) -> dict[tuple[int, str, str], ClaimRow]:
    """The rows of these periods (the few it is now around the world), by (workspace, channel, period)."""
    periods = sorted(set(periods))
    if not periods:
        return {}
    c = claims.table.c
    rule = c.rule_id if "rule_id" in c else sa.null()
    statement = sa.select(*claim_columns(claims), rule).where(claims.where(), c.period.in_(periods))
    return {
        (row.workspace_id, row.channel_id, row.period): ClaimRow(*row)
        for row in session.execute(statement).all()
    }


def load_claims_of(
    *, session: Session, claims: Sequence[Claims], periods: Iterable[str]
) -> dict[Claims, dict[tuple[int, str, str], ClaimRow]]:
    """The rows of these periods of several jobs at once: one query per table.

    For a whole tick's snapshot: each ``Claims`` gets its own rows, by (workspace,
    channel, period).
    """
    periods = sorted(set(periods))
    found: dict[Claims, dict[tuple[int, str, str], ClaimRow]] = {c: {} for c in claims}
    if not periods:
        return found
    by_table: dict[sa.Table, list[Claims]] = defaultdict(list)
    for c in found:
        by_table[c.table].append(c)
    for table, kinds in by_table.items():
        c = table.c
        rule = c.rule_id if "rule_id" in c else sa.null()
        kind = c.kind if "kind" in c else sa.null()
        statement = sa.select(*claim_columns(kinds[0]), rule, kind).where(
            sa.or_(*(k.where() for k in kinds)), c.period.in_(periods)
        )
        owner = {k.kind: k for k in kinds}
        for *fields, row_kind in session.execute(statement).all():
            row = ClaimRow(*fields)
            found[owner[row_kind]][(row.workspace_id, row.channel_id, row.period)] = row
    return found


def clock_mark(
    *, session: Session, claims: Sequence[Claims], periods: Iterable[str]
) -> tuple[Any, ...]:
    """One cheap question for an idle tick: has anything the clock reads changed?

    The subscriptions (count, schedules, pauses, last change), the skips (count, last
    id) and each table's claims of these periods (count, last id, attempts, done). Equal
    marks: the clock's inputs are as they were; unequal: look again.
    """
    tables: dict[sa.Table, str] = {}
    for c in claims:
        tables.setdefault(c.table, c.done_at)
    periods = tuple(sorted(set(periods)))
    statement = _mark_statement(tuple(tables.items()), bool(periods))
    return tuple(session.execute(statement, {"periods": list(periods)}).one())


@lru_cache(maxsize=8)
def _mark_statement(tables: tuple[tuple[sa.Table, str], ...], any_periods: bool) -> sa.Select:
    """The mark's statement, built once per set of claim tables (an idle tick runs it every
    minute: building it cost more Python than running it); the periods are its parameter."""
    s = Subscription.__table__.c
    k = Skip.__table__.c
    # One scan per table (aggregates side by side, joined on true), not one per figure.
    schedules = sa.func.sum(
        sa.case((s.active.is_(True), 1), else_=0) + s.weekday * 1440 + s.hour * 60 + s.minute
    )
    parts = [
        sa.select(
            sa.func.count().label("n"),
            sa.func.max(s.updated_at).label("changed"),
            sa.func.max(s.id).label("last"),
            schedules.label("schedules"),
            sa.func.count(s.paused_until).label("paused"),
            sa.func.sum(sa.func.coalesce(s.brief_minutes, -1)).label("briefs"),
        ).subquery("subscriptions"),
        sa.select(sa.func.count().label("n"), sa.func.max(k.id).label("last")).subquery("skips"),
    ]
    for n, (table, done_at) in enumerate(tables):
        c = table.c
        current = (
            c.period.in_(sa.bindparam("periods", expanding=True)) if any_periods else sa.false()
        )
        parts.append(
            sa.select(
                sa.func.count().label("n"),
                sa.func.max(c.id).label("last"),
                sa.func.sum(c.attempts).label("attempts"),
                sa.func.count(c[done_at]).label("done"),
            )
            .where(current)
            .subquery(f"claims_{n}")
        )
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.join(part, sa.true())
    return sa.select(*(column for part in parts for column in part.c)).select_from(joined)
