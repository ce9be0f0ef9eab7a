"""Patient tidbits. Stored encrypted; this module never sees plaintext.

Callers encrypt and hash with ``bot.crypto.Vault`` before storing and decrypt
after reading, so nothing here can leak a note into a log or an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import sqlalchemy as sa
from sqlmodel import Session, delete, select

from bot.storage.models import Tidbit


def store_tidbit(
    *,
    session: Session,
    workspace_id: int,
    patient_ref_hash: str,
    patient_ref_enc: str,
    note_enc: str,
    author_id: str,
    author_name: str,
    now: datetime,
    expires_at: datetime,
) -> Tidbit:
    tidbit = Tidbit(
        workspace_id=workspace_id,
        patient_ref_hash=patient_ref_hash,
        patient_ref_enc=patient_ref_enc,
        note_enc=note_enc,
        author_id=author_id,
        author_name=author_name[:120],
        created_at=now,
        expires_at=expires_at,
    )
    session.add(tidbit)
    session.flush()
    return tidbit


@dataclass(frozen=True)
class Recalled:
    """What a recall shows of a tidbit (its note still encrypted)."""

    id: int
    note_enc: str
    author_name: str
    created_at: datetime


@dataclass(frozen=True)
class RecalledPage:
    """One page of a patient's tidbits, newest first, and how many they have in all."""

    total: int
    tidbits: tuple[Recalled, ...]


def recent_tidbits(
    *,
    session: Session,
    workspace_id: int,
    ref_hashes: list[str],
    now: datetime,
    offset: int = 0,
    limit: int = 10,
) -> RecalledPage:
    """A patient's unexpired tidbits, newest first: ``limit`` of them from ``offset``.

    One statement, the page with how many there are in all (a patient has a handful, so
    counting them beside the page costs nothing); a page past the end counts on its own.
    """
    params = {"workspace_id": workspace_id, "hashes": ref_hashes, "now": now}
    page, count = _recall_statements()
    rows = session.execute(page, {**params, "limit": limit, "offset": offset}).all()
    if rows:
        return RecalledPage(int(rows[0][-1]), tuple(Recalled(*row[:-1]) for row in rows))
    if not offset:
        return RecalledPage(0, ())
    return RecalledPage(int(session.execute(count, params).scalar_one()), ())


@lru_cache(maxsize=1)
def _recall_statements() -> tuple[sa.Select, sa.Select]:
    """A page of a patient's tidbits (with the count beside it), and the count alone: built
    once, with the workspace, hashes, moment and page as parameters (every recall runs
    them; building them cost more Python than running them)."""
    t = Tidbit.__table__.c
    found = (
        t.workspace_id == sa.bindparam("workspace_id", type_=t.workspace_id.type),
        t.patient_ref_hash.in_(sa.bindparam("hashes", expanding=True)),
        t.expires_at > sa.bindparam("now", type_=t.expires_at.type),
    )
    page = (
        sa.select(t.id, t.note_enc, t.author_name, t.created_at, sa.func.count().over())
        .where(*found)
        .order_by(t.created_at.desc(), t.id.desc())
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .offset(sa.bindparam("offset", type_=sa.Integer))
    )
    return page, sa.select(sa.func.count()).where(*found)


def recent_tidbits_by_ref(
    *, session: Session, workspace_id: int, ref_hashes: list[str], now: datetime, limit: int
) -> dict[str, RecalledPage]:
    """For many reference hashes at once (a day of patients): each one's count of unexpired
    tidbits and its ``limit`` newest. Two statements, a ``GROUP BY`` and a window
    (``row_number`` per hash, newest first), whatever the number of patients."""
    if not ref_hashes:
        return {}
    t = Tidbit.__table__.c
    found = (
        t.workspace_id == workspace_id,
        t.patient_ref_hash.in_(ref_hashes),
        t.expires_at > now,
    )
    totals = dict(
        session.execute(
            sa.select(t.patient_ref_hash, sa.func.count())
            .where(*found)
            .group_by(t.patient_ref_hash)
        ).all()
    )
    if not totals:
        return {}
    rank = (
        sa.func.row_number()
        .over(partition_by=t.patient_ref_hash, order_by=(t.created_at.desc(), t.id.desc()))
        .label("rank")
    )
    ranked = (
        sa.select(t.patient_ref_hash, t.id, t.note_enc, t.author_name, t.created_at, rank)
        .where(*found)
        .subquery()
    )
    c = ranked.c
    rows = session.execute(
        sa.select(c.patient_ref_hash, c.id, c.note_enc, c.author_name, c.created_at)
        .where(c.rank <= limit)
        .order_by(c.patient_ref_hash, c.rank)
    )
    newest: dict[str, list[Recalled]] = {}
    for row in rows:
        newest.setdefault(row[0], []).append(Recalled(*row[1:]))
    return {h: RecalledPage(int(n), tuple(newest.get(h, ()))) for h, n in totals.items()}


def get_tidbit(*, session: Session, workspace_id: int, tidbit_id: int) -> Tidbit | None:
    statement = select(Tidbit).where(Tidbit.id == tidbit_id, Tidbit.workspace_id == workspace_id)
    return session.exec(statement).first()


def edit_tidbit(*, session: Session, tidbit: Tidbit, note_enc: str) -> Tidbit:
    """A new (encrypted) note for the same patient and author."""
    tidbit.note_enc = note_enc
    session.add(tidbit)
    return tidbit


def delete_tidbit(*, session: Session, tidbit: Tidbit) -> None:
    session.delete(tidbit)


def purge_expired_tidbits(*, session: Session, now: datetime) -> int:
    """Delete every tidbit past its retention date, in every workspace."""
    result = session.exec(delete(Tidbit).where(Tidbit.expires_at <= now))
    return result.rowcount or 0
