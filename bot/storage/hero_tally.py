"""Each hero's running total on the all-time board, kept by triggers (migration 0021).

A row per person per workspace: the stored votes (``story.votes``) of every story
about them, and how many of those stories have votes. The database keeps it on every
write that changes it (a vote counted or taken back, a hero added or removed), so the
all-time Top people read five rows instead of adding up the workspace's history.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from bot.storage.models import ID_MAX


class HeroTally(SQLModel, table=True):
    """A hero's all-time votes and voted stories in one workspace."""

    __tablename__ = "hero_tally"
    # The all-time board: this workspace's people with the most votes, read from the top.
    __table_args__ = (sa.Index("ix_hero_tally_board", "workspace_id", "votes"),)

    workspace_id: int = Field(foreign_key="workspace.id", primary_key=True)
    user_id: str = Field(max_length=ID_MAX, primary_key=True)
    votes: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    stories: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
