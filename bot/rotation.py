"""Key rotation: re-encrypt and re-hash patient data under the primary key."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import select

from bot.crypto import Vault
from bot.storage.db import transaction
from bot.storage.models import Defect, Tidbit, Workspace


def rotate_patient_data(*, engine: sa.Engine, vault: Vault, batch: int = 500) -> int:
    """Re-encrypt every tidbit and defect patient reference; returns how many rows changed."""
    changed = 0
    for table in (Tidbit, Defect):
        last_id = 0
        while True:
            with transaction(engine) as session:
                rows = session.exec(
                    select(table, Workspace)
                    .join(Workspace, Workspace.id == table.workspace_id)
                    .where(table.id > last_id)
                    .order_by(table.id)
                    .limit(batch)
                ).all()
                if not rows:
                    break
                for row, workspace in rows:
                    last_id = row.id
                    if row.patient_ref_enc is None:
                        continue
                    ref = vault.decrypt(row.patient_ref_enc)
                    row.patient_ref_enc = vault.rotate(row.patient_ref_enc)
                    row.patient_ref_hash = vault.ref_hash(workspace.patient_salt, ref)
                    if isinstance(row, Tidbit):
                        row.note_enc = vault.rotate(row.note_enc)
                    session.add(row)
                    changed += 1
    return changed
