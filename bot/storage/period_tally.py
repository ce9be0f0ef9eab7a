"""The period boards' stored tallies, kept like the all-time one (migration 0028).

``story_period``: a row per story per period it was told in (its ISO week, month,
quarter and year in the practice's timezone, keyed ``2026-W48``, ``2026-11``,
``2026-Q4``, ``2026``, as ``bot.periods`` names them), carrying the story's stored
count. ``hero_period_tally``: per workspace, period and person, the votes of the
period's stories about them and how many of those have votes. The rows of a story are
written with it (``periods_of``); triggers keep both tallies on every vote and every
hero written. So a period's Top stories and Top people read five rows from the top
of an index each, however many stories the period holds.

A story keeps the periods it was told in: when a practice later changes its
timezone, its old stories stay in the weeks and months of the zone they were told in.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from bot.storage.models import ID_MAX, UTCDateTime

PERIOD_MAX = 8  # "2026-W48"


def periods_of(moment: datetime, tz: str) -> tuple[str, str, str, str]:
    """The keys of the week, month, quarter and year ``moment`` falls in, in ``tz``.

    >>> from datetime import UTC
    >>> periods_of(datetime(2026, 11, 30, 14, tzinfo=UTC), "Australia/Sydney")
    ('2026-W49', '2026-12', '2026-Q4', '2026')
    """
    local = moment.astimezone(ZoneInfo(tz))
    iso = local.isocalendar()
    quarter = (local.month - 1) // 3 + 1
    return (
        f"{iso.year:04d}-W{iso.week:02d}",
        f"{local.year:04d}-{local.month:02d}",
        f"{local.year:04d}-Q{quarter}",
        f"{local.year:04d}",
    )


class StoryPeriod(SQLModel, table=True):
    """A story in one of its periods, with its stored count (``story.votes``)."""

    __tablename__ = "story_period"
    # A period's board: its most voted stories, read from the top (backward; ties on
    # the votes, to the earliest, sorted among equals only), as ``ix_hero_tally_board``.
    __table_args__ = (sa.Index("ix_story_period_board", "workspace_id", "period", "votes"),)

    story_id: int = Field(foreign_key="story.id", primary_key=True)
    period: str = Field(max_length=PERIOD_MAX, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id")
    created_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False))
    votes: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class HeroPeriodTally(SQLModel, table=True):
    """A hero's votes and voted stories in one period of one workspace."""

    __tablename__ = "hero_period_tally"
    __table_args__ = (sa.Index("ix_hero_period_board", "workspace_id", "period", "votes"),)

    workspace_id: int = Field(foreign_key="workspace.id", primary_key=True)
    period: str = Field(max_length=PERIOD_MAX, primary_key=True)
    user_id: str = Field(max_length=ID_MAX, primary_key=True)
    votes: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    stories: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
