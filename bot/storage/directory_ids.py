"""Who a directory id is on the platform: one workspace's people, by their directory id.

A platform may know a person under two ids: the one its chat uses (Teams' Bot Framework
id, ``29:…``, which Huddle stores everywhere) and the one its directory uses (the
account a sign-in page vouches for). The adapter sends both with each event; the door
keeps the latest pairing here, so a sign-in can say which chat person it is. Scoped by
workspace: the same directory id in another workspace is another row, never a match.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, select

from bot.storage.db import upsert
from bot.storage.models import ID_MAX, NAME_MAX, _ts


class DirectoryPerson(SQLModel, table=True):
    """One person of one workspace: their directory id and their platform user id."""

    __tablename__ = "directory_person"
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "directory_id", name="uq_directory_person"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    directory_id: str = Field(max_length=ID_MAX)
    user_id: str = Field(max_length=ID_MAX)
    name: str = Field(max_length=NAME_MAX)
    updated_at: datetime = _ts()


def find_person(
    *, session: Session, workspace_id: int, directory_id: str
) -> DirectoryPerson | None:
    """The workspace's person with this directory id, or None when never seen there."""
    statement = select(DirectoryPerson).where(
        DirectoryPerson.workspace_id == workspace_id,
        DirectoryPerson.directory_id == directory_id,
    )
    return session.exec(statement).first()


def note_person(
    *,
    session: Session,
    workspace_id: int,
    directory_id: str,
    user_id: str,
    name: str,
    now: datetime,
) -> None:
    """Keep ``directory_id`` -> (``user_id``, ``name``): one read, and a write only for a new
    pairing or a changed one (two events of one person at once both go through). Read
    first for the reason ``channel_names.note_channel_name`` gives: no row lock held for
    the rest of every event's transaction."""
    name = (name or user_id)[:NAME_MAX]
    known = session.exec(
        select(DirectoryPerson.user_id, DirectoryPerson.name).where(
            DirectoryPerson.workspace_id == workspace_id,
            DirectoryPerson.directory_id == directory_id,
        )
    ).first()
    if known is not None and tuple(known) == (user_id, name):
        return
    table = DirectoryPerson.__table__
    insert = upsert(session, table).values(
        workspace_id=workspace_id,
        directory_id=directory_id,
        user_id=user_id,
        name=name,
        updated_at=now,
    )
    changed = (table.c.user_id != insert.excluded.user_id) | (table.c.name != insert.excluded.name)
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["workspace_id", "directory_id"],
            set_={k: insert.excluded[k] for k in ("user_id", "name", "updated_at")},
            where=changed,
        )
    )
