"""What the pages show, read from the core's storage, one workspace at a time.

Reading only: every change goes through the core's door (``actions.py``). Nothing
here touches a tidbit's text or a patient reference; tidbits are counted, never read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, select

from bot import stories
from bot.content import Content
from bot.model import Person
from bot.scheduling import next_occurrence
from bot.storage import admins, defects
from bot.storage.channel_names import channel_names
from bot.storage.defect_lists import defect_page
from bot.storage.defects import DefectView
from bot.storage.models import (
    Defect,
    PracticeAdmin,
    RecoveryAction,
    Story,
    StoryHero,
    Subscription,
    Tidbit,
    Workspace,
)

PAGE_SIZE = 20
PERIODS = {"week": "This week", "month": "This month", "quarter": "This quarter", "all": "All time"}


@dataclass(frozen=True)
class Meeting:
    channel_id: str
    next_at: datetime
    when: str  # "Monday 7 December, 8:30 AM", in the channel's timezone
    brief_at: str | None  # "07:45" local, when the morning brief is on
    name: str | None = None  # "#front-desk" as people call it; None when never named

    @property
    def shown(self) -> str:
        """What a page calls the channel: its name, else its id."""
        return self.name or self.channel_id


@dataclass(frozen=True)
class MonthSoFar:
    defects: int
    recoveries: int
    closed: int
    stories: int
    tidbits: int | None  # a count only, never shown; None: the practice has them off


def meetings(*, session: Session, workspace_id: int, now: datetime) -> list[Meeting]:
    """Each active channel's next weekly meeting, soonest first."""
    found = session.exec(
        select(Subscription).where(
            Subscription.workspace_id == workspace_id, Subscription.active.is_(True)
        )
    )
    found = found.all()
    names = channel_names(
        session=session, workspace_id=workspace_id, channel_ids=(s.channel_id for s in found)
    )
    shown = []
    for sub in found:
        after = now
        if sub.paused_until is not None:
            resume = datetime.combine(sub.paused_until, time(0), ZoneInfo(sub.timezone))
            after = max(now, resume.astimezone(UTC))
        at = next_occurrence(sub.weekday, time(sub.hour, sub.minute), sub.timezone, after)
        brief = None
        if sub.brief_minutes is not None:
            brief = f"{sub.brief_minutes // 60:02d}:{sub.brief_minutes % 60:02d}"
        when = at.astimezone(ZoneInfo(sub.timezone)).strftime("%A %-d %B, %-I:%M %p")
        shown.append(Meeting(sub.channel_id, at, when, brief, names.get(sub.channel_id)))
    return sorted(shown, key=lambda m: m.next_at)


def month_start(now: datetime, tz: str) -> datetime:
    local = now.astimezone(ZoneInfo(tz))
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def month_so_far(*, session: Session, workspace_id: int, now: datetime, tz: str) -> MonthSoFar:
    since = month_start(now, tz)

    def count(model, column) -> int:
        return int(
            session.execute(
                sa.select(sa.func.count()).where(
                    model.workspace_id == workspace_id, column >= since
                )
            ).scalar_one()
        )

    return MonthSoFar(
        defects=count(Defect, Defect.created_at),
        recoveries=count(RecoveryAction, RecoveryAction.created_at),
        closed=count(Defect, Defect.closed_at),
        stories=count(Story, Story.created_at),
        tidbits=count(Tidbit, Tidbit.created_at) if _uses_tidbits(session, workspace_id) else None,
    )


def _uses_tidbits(session: Session, workspace_id: int) -> bool:
    workspace = session.get(Workspace, workspace_id)
    return workspace is not None and workspace.tidbits


def open_count(*, session: Session, workspace_id: int) -> int:
    return defect_page(session=session, workspace_id=workspace_id, limit=1).total


def defect_list(
    *,
    session: Session,
    workspace_id: int,
    state: str,
    stage: str | None,
    owner_id: str | None,
    page: int,
):
    return defect_page(
        session=session,
        workspace_id=workspace_id,
        state=state,
        stage=stage,
        owner_id=owner_id,
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )


def defect_view(*, session: Session, workspace_id: int, defect_id: int) -> DefectView | None:
    """One defect of this workspace with all its recovery actions, or None (another's)."""
    found = defects.get_defect(session=session, workspace_id=workspace_id, defect_id=defect_id)
    if found is None:
        return None
    return DefectView(found, defects.actions_for(session=session, defect=found))


def people(*, session: Session, workspace_id: int) -> list[Person]:
    """Everyone the workspace knows by id (admins, reporters, owners, recorders, heroes),
    by name: who a defect can be assigned to."""
    d, r, h, a = (
        Defect.__table__.c,
        RecoveryAction.__table__.c,
        StoryHero.__table__.c,
        PracticeAdmin.__table__.c,
    )
    sources = [
        sa.select(d.reporter_id, d.reporter_name).where(d.workspace_id == workspace_id),
        sa.select(d.owner_id, d.owner_name).where(
            d.workspace_id == workspace_id, d.owner_id.is_not(None)
        ),
        sa.select(r.owner_id, r.owner_name).where(r.workspace_id == workspace_id),
        sa.select(h.user_id, h.name).where(
            h.workspace_id == workspace_id, sa.not_(h.user_id.startswith("name:"))
        ),
        sa.select(a.user_id, a.name).where(a.workspace_id == workspace_id),
    ]
    named: dict[str, str] = {}
    for statement in sources:
        for user_id, name in session.execute(statement):
            if user_id and name:
                named.setdefault(user_id, name)
    return sorted((Person(i, n) for i, n in named.items()), key=lambda p: p.name.casefold())


def person(*, session: Session, workspace_id: int, user_id: str) -> Person | None:
    return next(
        (p for p in people(session=session, workspace_id=workspace_id) if p.user_id == user_id),
        None,
    )


def boards(*, session: Session, workspace_id: int, period: str | None) -> stories.Leaders:
    """A period's boards (a key like "2026-11", read from its tallies), or all time (None)."""
    return stories.leaders(session=session, workspace_id=workspace_id, period=period, limit=10)


def admin_list(*, session: Session, workspace_id: int) -> list[PracticeAdmin]:
    return admins.list_admins(session=session, workspace_id=workspace_id)


def stage_choices(content: Content) -> list[tuple[str, str]]:
    return [(s.id, s.name) for s in content.stages]
