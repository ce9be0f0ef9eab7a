"""The service report's figures, read in a few statements for one workspace and one window.

``report_figures(session=s, workspace_id=1, since=a, until=b, before=(c, a), now=n)``
counts the defects of [a, b) by journey stage beside those of the window before,
their recoveries, the fail-to-attends by root cause and the WOW stories with their
heroes. It reads ids, stages, times, causes, counts and names, never a description,
a patient reference or a tidbit.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from bot.storage.fail_to_attends import FTA_STAGE
from bot.storage.heroes import HeroScore
from bot.storage.models import Defect, RecoveryAction, Story, StoryHero

STILL_OPEN_AFTER = timedelta(days=7)
HEROES_SHOWN = 3


@dataclass(frozen=True)
class OpenDefect:
    """A defect of the period still open more than 7 days after it was logged."""

    defect_id: int
    stage: str | None
    created_at: datetime
    owner_name: str | None


@dataclass(frozen=True)
class ReportFigures:
    """Everything the report shows, for one workspace and one period."""

    by_stage: dict[str | None, int]  # this period's defects by stage (None: unassigned)
    before_by_stage: dict[str | None, int]  # the period before's
    recovered: int  # of this period's defects, how many have a recovery action
    first_action: timedelta | None  # the median time from logging to the first action
    still_open: list[OpenDefect]  # oldest first
    fta_by_cause: dict[str | None, int]  # None: no cause given
    stories: int
    nominations: int  # the counted nominations of this period's stories
    heroes: list[HeroScore]  # most nominated first

    @property
    def defects(self) -> int:
        return sum(self.by_stage.values())

    @property
    def defects_before(self) -> int:
        return sum(self.before_by_stage.values())

    @property
    def fail_to_attends(self) -> int:
        return sum(self.fta_by_cause.values())


def report_figures(
    *,
    session: Session,
    workspace_id: int,
    since: datetime,
    until: datetime,
    before: tuple[datetime, datetime],
    now: datetime,
) -> ReportFigures:
    """The report of [since, until), compared with the window ``before``."""
    return ReportFigures(
        by_stage=defects_by_stage(
            session=session, workspace_id=workspace_id, since=since, until=until
        ),
        before_by_stage=defects_by_stage(
            session=session, workspace_id=workspace_id, since=before[0], until=before[1]
        ),
        **_recovery(session, workspace_id, since, until, now),
        fta_by_cause=fail_to_attends_by_cause(
            session=session, workspace_id=workspace_id, since=since, until=until
        ),
        **_wow(session, workspace_id, since, until),
    )


def defects_by_stage(
    *, session: Session, workspace_id: int, since: datetime, until: datetime
) -> dict[str | None, int]:
    """Service defects logged in [since, until) by journey stage (fail-to-attends aside)."""
    d = Defect.__table__.c
    rows = session.execute(
        sa.select(d.stage, sa.func.count())
        .where(*_journey(d, workspace_id, since, until))
        .group_by(d.stage)
    ).all()
    return {stage: int(count) for stage, count in rows}


def fail_to_attends_by_cause(
    *, session: Session, workspace_id: int, since: datetime, until: datetime
) -> dict[str | None, int]:
    """Fail-to-attends recorded in [since, until) by root cause (None: none given)."""
    d = Defect.__table__.c
    rows = session.execute(
        sa.select(d.fta_cause, sa.func.count())
        .where(
            d.workspace_id == workspace_id,
            d.stage == FTA_STAGE,
            d.created_at >= since,
            d.created_at < until,
        )
        .group_by(d.fta_cause)
    ).all()
    return {cause: int(count) for cause, count in rows}


def _journey(d, workspace_id: int, since: datetime, until: datetime) -> list:
    return [
        d.workspace_id == workspace_id,
        d.created_at >= since,
        d.created_at < until,
        sa.or_(d.stage.is_(None), d.stage != FTA_STAGE),
    ]


def _recovery(
    session: Session, workspace_id: int, since: datetime, until: datetime, now: datetime
) -> dict:
    """One statement: each defect of the period with its first recovery action's time.

    The median is taken here: SQLite has no percentile function, and a period holds
    at most a few thousand defects.
    """
    d, r = Defect.__table__.c, RecoveryAction.__table__.c
    first = sa.func.min(r.created_at)
    rows = session.execute(
        sa.select(d.id, d.stage, d.created_at, d.closed_at, d.owner_name, first)
        .select_from(
            Defect.__table__.outerjoin(
                RecoveryAction.__table__,
                sa.and_(r.defect_id == d.id, r.workspace_id == d.workspace_id),
            )
        )
        .where(*_journey(d, workspace_id, since, until))
        .group_by(d.id, d.stage, d.created_at, d.closed_at, d.owner_name)
        .order_by(d.created_at, d.id)
    ).all()
    delays = []
    still_open = []
    for defect_id, stage, created_at, closed_at, owner_name, first_at in rows:
        created_at = _aware(created_at)
        if first_at is not None:
            delays.append(_aware(first_at) - created_at)
        if closed_at is None and now - created_at > STILL_OPEN_AFTER:
            still_open.append(OpenDefect(defect_id, stage, created_at, owner_name))
    return {
        "recovered": len(delays),
        "first_action": statistics.median(delays) if delays else None,
        "still_open": still_open,
    }


def _wow(session: Session, workspace_id: int, since: datetime, until: datetime) -> dict:
    """The period's stories, their counted nominations, and the heroes they were about."""
    s, h = Story.__table__.c, StoryHero.__table__.c
    in_period = [s.workspace_id == workspace_id, s.created_at >= since, s.created_at < until]
    stories, nominations = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(s.votes), 0)).where(*in_period)
    ).one()
    total = sa.func.sum(s.votes)
    top = session.execute(
        sa.select(h.user_id, total, sa.func.count())
        .join_from(StoryHero.__table__, Story.__table__, s.id == h.story_id)
        .where(*in_period, h.workspace_id == workspace_id, s.votes > 0)
        .group_by(h.user_id)
        .order_by(total.desc(), h.user_id)
        .limit(HEROES_SHOWN)
    ).all()
    names: dict[str, str] = {}
    if top:
        for user_id, name in session.execute(
            sa.select(h.user_id, h.name)
            .where(h.workspace_id == workspace_id, h.user_id.in_([row[0] for row in top]))
            .order_by(h.id.desc())
        ):
            names.setdefault(user_id, name)  # the latest name they were written with
    heroes = [
        HeroScore(user_id, names.get(user_id, user_id), int(votes), int(count))
        for user_id, votes, count in top
    ]
    return {"stories": int(stories), "nominations": int(nominations), "heroes": heroes}


def _aware(moment: datetime) -> datetime:
    # min() over the column comes back without the column's type on SQLite: naive UTC.
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
