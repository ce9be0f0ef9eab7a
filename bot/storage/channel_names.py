"""What people call a channel: its name as the platform shows it, per workspace.

Huddle keys everything by the platform's channel id (Slack ``C0123ABC``, Teams
``19:…@thread.tacv2``), which means nothing to a practice manager reading the dashboard.
The adapter sends the name where the platform says it (a Slack slash command's
``channel_name``, a Teams channel's and team's names), and the door keeps the latest here,
so a page can say "#front-desk" instead of an id. A channel never named is shown by id.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, select

from bot.storage.db import upsert
from bot.storage.models import ID_MAX, NAME_MAX, _ts


class ChannelName(SQLModel, table=True):
    """One channel of one workspace and the name it was last seen with."""

    __tablename__ = "channel_name"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "channel_id", name="uq_channel_name"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    channel_id: str = Field(max_length=ID_MAX)
    name: str = Field(max_length=NAME_MAX)
    updated_at: datetime = _ts()


def note_channel_name(
    *, session: Session, workspace_id: int, channel_id: str, name: str, now: datetime
) -> None:
    """Keep ``channel_id`` -> ``name``: one read, and a write only for a new or changed name
    (two events from one new channel at once both go through).

    Read first, not an upsert whose update is skipped when nothing changed: PostgreSQL
    locks the row an ON CONFLICT DO UPDATE meets even when it writes nothing, so every
    command in a channel would wait for the channel's last command to commit."""
    name = "".join(ch for ch in name if ch >= " ").strip()[:NAME_MAX]  # no control bytes
    if not name or not channel_id or len(channel_id) > ID_MAX:
        return
    known = session.exec(
        select(ChannelName.name).where(
            ChannelName.workspace_id == workspace_id, ChannelName.channel_id == channel_id
        )
    ).first()
    if known == name:
        return
    table = ChannelName.__table__
    insert = upsert(session, table).values(
        workspace_id=workspace_id, channel_id=channel_id, name=name, updated_at=now
    )
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["workspace_id", "channel_id"],
            set_={"name": insert.excluded.name, "updated_at": insert.excluded.updated_at},
            where=table.c.name != insert.excluded.name,
        )
    )


def channel_names(
    *, session: Session, workspace_id: int, channel_ids: Iterable[str]
) -> dict[str, str]:
    """``{channel_id: name}`` for those of ``channel_ids`` this workspace has a name for."""
    wanted = sorted(set(channel_ids))
    if not wanted:
        return {}
    rows = session.exec(
        select(ChannelName.channel_id, ChannelName.name).where(
            ChannelName.workspace_id == workspace_id, ChannelName.channel_id.in_(wanted)
        )
    )
    return dict(rows.all())


def named_channels(*, session: Session, workspace_id: int, limit: int = 200) -> dict[str, str]:
    """``{channel_id: name}`` of every channel this workspace has a name for, by name."""
    rows = session.exec(
        select(ChannelName.channel_id, ChannelName.name)
        .where(ChannelName.workspace_id == workspace_id)
        .order_by(ChannelName.name, ChannelName.channel_id)
        .limit(limit)
    )
    return dict(rows.all())
