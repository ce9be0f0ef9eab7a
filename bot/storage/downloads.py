"""Files offered as a link that works once, for one person, for a short while.

A platform that cannot attach a file to a bot's message (Teams, in most chats) offers
an export as a link instead. The file is stored encrypted, like patient data, with a
random token of which only a hash is kept, and an expiry; taking it deletes the row,
so the link works once. ``purge_downloads`` deletes the ones never taken.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, delete, select

from bot.storage.models import ID_MAX, _ts

DOWNLOAD_TTL = timedelta(minutes=15)
FILE_NAME_MAX = 120
MIME_MAX = 100


class Download(SQLModel, table=True):
    """One file waiting to be downloaded by one person, once, before ``expires_at``."""

    __tablename__ = "download"
    __table_args__ = (sa.UniqueConstraint("token_hash", name="uq_download_token"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    user_id: str = Field(max_length=ID_MAX)  # whom it was offered to
    token_hash: str = Field(max_length=64)
    name: str = Field(max_length=FILE_NAME_MAX)
    mime: str = Field(max_length=MIME_MAX)
    data_enc: str = Field(sa_type=sa.Text)  # the file, base64 then encrypted (bot.crypto)
    created_at: datetime = _ts()
    expires_at: datetime = _ts(index=True)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A random, unguessable link token (256 bits)."""
    return secrets.token_urlsafe(32)


def store_download(
    *,
    session: Session,
    workspace_id: int,
    user_id: str,
    token: str,
    name: str,
    mime: str,
    data_enc: str,
    now: datetime,
    ttl: timedelta = DOWNLOAD_TTL,
) -> Download:
    download = Download(
        workspace_id=workspace_id,
        user_id=user_id,
        token_hash=token_hash(token),
        name=name[:FILE_NAME_MAX],
        mime=mime[:MIME_MAX],
        data_enc=data_enc,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(download)
    session.flush()
    return download


def find_download(*, session: Session, token: str, now: datetime) -> Download | None:
    """The download behind ``token`` if it is still there and not expired, left in place."""
    found = session.exec(select(Download).where(Download.token_hash == token_hash(token))).first()
    return found if found is not None and found.expires_at > now else None


def take_download(*, session: Session, token: str, now: datetime) -> Download | None:
    """The file behind ``token`` if it has not expired, deleted as it is taken; else None.

    The row is deleted with ``DELETE ... RETURNING`` semantics (a delete whose row
    count must be one), so two requests racing for one link get it once between them.
    """
    found = session.exec(select(Download).where(Download.token_hash == token_hash(token))).first()
    if found is None:
        return None
    removed = session.exec(delete(Download).where(Download.id == found.id)).rowcount
    if removed != 1 or found.expires_at <= now:
        return None
    return found


def purge_downloads(*, session: Session, now: datetime) -> int:
    """Delete every download past its expiry, in every workspace."""
    result = session.exec(delete(Download).where(Download.expires_at <= now))
    return result.rowcount or 0
