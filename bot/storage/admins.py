"""Practice admins: who may change a workspace's settings. Plain functions, one workspace each."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.storage.models import NAME_MAX, PracticeAdmin


def list_admins(*, session: Session, workspace_id: int) -> list[PracticeAdmin]:
    """The workspace's admins, longest-standing first."""
    statement = (
        select(PracticeAdmin)
        .where(PracticeAdmin.workspace_id == workspace_id)
        .order_by(PracticeAdmin.created_at, PracticeAdmin.id)
    )
    return list(session.exec(statement))


def get_admin(*, session: Session, workspace_id: int, user_id: str) -> PracticeAdmin | None:
    statement = select(PracticeAdmin).where(
        PracticeAdmin.workspace_id == workspace_id, PracticeAdmin.user_id == user_id
    )
    return session.exec(statement).first()


def add_admin(
    *,
    session: Session,
    workspace_id: int,
    user_id: str,
    name: str,
    source: str,
    now: datetime,
    added_by: str | None = None,
) -> bool:
    """Make ``user_id`` an admin; False when they already were (their row is kept as it is).

    A savepoint of its own, so two requests adding the same person at once both succeed.
    """
    if get_admin(session=session, workspace_id=workspace_id, user_id=user_id) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                PracticeAdmin(
                    workspace_id=workspace_id,
                    user_id=user_id,
                    name=name[:NAME_MAX],
                    source=source,
                    added_by=added_by,
                    created_at=now,
                )
            )
    except sa.exc.IntegrityError:
        return False
    return True


def remove_admin(*, session: Session, admin: PracticeAdmin) -> None:
    session.delete(admin)
    session.flush()


def rename_admin(*, session: Session, admin: PracticeAdmin, name: str) -> None:
    """Keep the name the platform shows now (an installer first known by id only)."""
    admin.name = name[:NAME_MAX]
    session.add(admin)
