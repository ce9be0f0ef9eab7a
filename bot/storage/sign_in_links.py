"""One-time dashboard sign-in links (``huddle dashboard link``): stored hashed, used once.

Only the SHA-256 of a link's token is kept, so the table alone signs nobody in; a link
is good for a few minutes and for one sign-in, which a conditional UPDATE makes exact
even when two requests bring the same link at once.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel

from bot.storage.models import ID_MAX, NAME_MAX, _ts


class SignInLink(SQLModel, table=True):
    """A sign-in link for one person of one workspace, until it is used or expires."""

    __tablename__ = "dashboard_sign_in_link"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    user_id: str = Field(max_length=ID_MAX)
    user_name: str = Field(max_length=NAME_MAX)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = _ts()
    used_at: datetime | None = _ts(nullable=True)
    created_at: datetime = _ts()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_link(
    *,
    session: Session,
    workspace_id: int,
    user_id: str,
    user_name: str,
    token: str,
    now: datetime,
    expires_at: datetime,
) -> SignInLink:
    link = SignInLink(
        workspace_id=workspace_id,
        user_id=user_id,
        user_name=user_name[:NAME_MAX],
        token_hash=token_hash(token),
        expires_at=expires_at,
        created_at=now,
    )
    session.add(link)
    session.flush()
    return link


def use_link(*, session: Session, token: str, now: datetime) -> SignInLink | None:
    """The link for ``token``, marked used; None when unknown, used or expired."""
    table = SignInLink.__table__
    claimed = session.execute(
        sa.update(table)
        .where(
            table.c.token_hash == token_hash(token),
            table.c.used_at.is_(None),
            table.c.expires_at > now,
        )
        .values(used_at=now)
        .returning(table.c.id)
    ).first()
    if claimed is None:
        return None
    link = session.get(SignInLink, claimed.id)
    if link is not None:
        session.refresh(link)
    return link


def purge_links(*, session: Session, now: datetime) -> int:
    """Delete links that can no longer sign anyone in."""
    table = SignInLink.__table__
    result = session.execute(
        sa.delete(table).where(sa.or_(table.c.used_at.is_not(None), table.c.expires_at <= now))
    )
    return result.rowcount or 0
