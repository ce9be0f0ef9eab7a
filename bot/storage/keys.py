"""The key canary and the patient-data columns a key rotation works through.

Plain functions on encrypted values only: nothing here sees plaintext.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from bot.storage.appointment_models import Appointment
from bot.storage.models import AuditEntry, Defect, KeyCanary, Tidbit, Workspace


@dataclass(frozen=True)
class Encrypted:
    """One table's encrypted columns: the patient reference, its hash, and any others."""

    table: sa.Table
    ref_column: str = "patient_ref_enc"
    hash_column: str = "patient_ref_hash"
    other_columns: tuple[str, ...] = ()


# Every table holding patient data encrypted, and the columns a rotation re-keys.
ENCRYPTED = (
    Encrypted(Tidbit.__table__, other_columns=("note_enc",)),
    Encrypted(Defect.__table__),
    Encrypted(AuditEntry.__table__),
    Encrypted(Appointment.__table__),
)


def get_canary(*, session: Session) -> KeyCanary | None:
    return session.get(KeyCanary, 1)


def set_canary(*, session: Session, token: str, fingerprint: str, now: datetime) -> None:
    canary = session.get(KeyCanary, 1)
    if canary is None:
        canary = KeyCanary(id=1, token=token, fingerprint=fingerprint, updated_at=now)
    else:
        canary.token, canary.fingerprint, canary.updated_at = token, fingerprint, now
    session.add(canary)


def sample_tokens(*, session: Session, limit: int = 3) -> list[str]:
    """A few stored encrypted values (the oldest of each table), to test keys against."""
    tokens: list[str] = []
    for encrypted in ENCRYPTED:
        c = encrypted.table.c
        column = c[encrypted.ref_column]
        statement = sa.select(column).where(column.is_not(None)).order_by(c.id).limit(limit)
        tokens.extend(token for (token,) in session.execute(statement))
    return tokens


def encrypted_rows(
    *, session: Session, encrypted: Encrypted, after_id: int, batch: int
) -> Iterator[sa.Row]:
    """The next ``batch`` rows with a patient reference, with their workspace's ids.

    (``Workspace.patient_salt`` is made from the platform and external id.)
    """
    c = encrypted.table.c
    columns = [c.id, c[encrypted.ref_column], c[encrypted.hash_column]]
    columns += [c[name] for name in encrypted.other_columns]
    w = Workspace.__table__.c
    statement = (
        sa.select(*columns, w.platform, w.external_id, c.workspace_id)
        .join(Workspace.__table__, w.id == c.workspace_id)
        .where(c.id > after_id, c[encrypted.ref_column].is_not(None))
        .order_by(c.id)
        .limit(batch)
    )
    return iter(session.execute(statement).all())


def replace_if_unchanged(
    *, session: Session, encrypted: Encrypted, row_id: int, old: dict, new: dict
) -> bool:
    """Write ``new`` only if the row still holds ``old`` (compare and swap).

    False when someone changed or deleted the row meanwhile: a live system keeps
    writing during a rotation, and the next pass takes the row as it is then.
    """
    c = encrypted.table.c
    statement = (
        sa.update(encrypted.table)
        .where(c.id == row_id, *(c[name] == value for name, value in old.items()))
        .values(**new)
    )
    return bool(session.execute(statement).rowcount)


def rehash_audit(
    *, session: Session, workspace_id: int, old_hashes: list[str], new_hash: str
) -> int:
    """Point audit entries recorded under an old key's hash at the new one."""
    c = AuditEntry.__table__.c
    statement = (
        sa.update(AuditEntry.__table__)
        .where(c.workspace_id == workspace_id, c.patient_ref_hash.in_(old_hashes))
        .values(patient_ref_hash=new_hash)
    )
    return session.execute(statement).rowcount or 0
