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
    """Keep ``directory_id`` -> (``user_id``, ``name``); a write only when either changed.

    A savepoint of its own, so two events of one person at once both go through.
    """
    name = (name or user_id)[:NAME_MAX]
    found = find_person(session=session, workspace_id=workspace_id, directory_id=directory_id)
    if found is not None:
        if (found.user_id, found.name) != (user_id, name):
            found.user_id, found.name, found.updated_at = user_id, name, now
            session.add(found)
            session.flush()
        return
    try:
        with session.begin_nested():
            session.add(
                DirectoryPerson(
                    workspace_id=workspace_id,
                    directory_id=directory_id,
                    user_id=user_id,
                    name=name,
                    updated_at=now,
                )
            )
    except sa.exc.IntegrityError:
        pass  # the same person's other event stored them a moment ago
