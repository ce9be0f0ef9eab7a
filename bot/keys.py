"""Keys that fail loudly and rotate safely.

``check_keys`` runs as every process starts: its keys must decrypt the database's
canary (a known value encrypted under the key the patient data is stored under),
so a wrong, missing or misordered key stops the process with a message naming the
problem instead of making every recall come back empty.

``rotate_keys`` moves every patient value to the first key while the system is
live: a row at a time, each written only if it is unchanged since it was read (so
a tidbit forgotten or written meanwhile never breaks it), pass after pass until
nothing is left under an older key. It re-keys every keyed hash, the audit log's
included, so earlier audit entries still match their patient.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from bot.crypto import EncryptionKeyError, Vault
from bot.scheduling import utc_now
from bot.storage import appointments as schedules
from bot.storage import keys as stored
from bot.storage.db import transaction
from bot.storage.models import Workspace

log = logging.getLogger("huddle.keys")

CANARY = "huddle key canary"
_KEY_VAR = "HUDDLE_ENCRYPTION_KEY"


def check_keys(*, engine: sa.Engine, vault: Vault, now: datetime | None = None) -> None:
    """Refuse to start (``EncryptionKeyError``) unless these keys read the stored data.

    A database with no canary yet gets one, after checking that the keys read a few
    of the values already stored (so a database that predates the canary is checked
    too). A canary under an older key of the list is fine (a rotation is under way).
    """
    with transaction(engine) as session:
        if not sa.inspect(session.connection()).has_table("key_canary"):
            log.warning("the database is not migrated yet (run `huddle db upgrade`)")
            return
        canary = stored.get_canary(session=session)
        if canary is not None:
            try:
                readable = vault.decrypt(canary.token) == CANARY
            except EncryptionKeyError:
                readable = False
            if not readable:
                raise EncryptionKeyError(
                    f"None of the keys in {_KEY_VAR} (first key {vault.fingerprint()}) is the "
                    f"key this database's patient data is stored under (key {canary.fingerprint}"
                    "). Was the key changed, or a key removed before `huddle keys rotate` "
                    "finished? Put the right key back in the list."
                )
            if canary.fingerprint != vault.fingerprint():
                log.warning(
                    "patient data is stored under key %s, not the first key %s: "
                    "run `huddle keys rotate`",
                    canary.fingerprint,
                    vault.fingerprint(),
                )
            return
        for token in stored.sample_tokens(session=session):
            try:
                vault.decrypt(token)
            except EncryptionKeyError:
                raise EncryptionKeyError(
                    f"The keys in {_KEY_VAR} (first key {vault.fingerprint()}) cannot decrypt "
                    "the patient data already in this database. Set the key it was stored "
                    "under (newest first, then older ones)."
                ) from None
        stored.set_canary(
            session=session,
            token=vault.encrypt(CANARY),
            fingerprint=vault.fingerprint(),
            now=now or utc_now(),
        )


@dataclass
class Rotation:
    """What ``rotate_keys`` did, for the operator."""

    reencrypted: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    audit_rehashed: int = 0
    changed_meanwhile: int = 0  # rows someone changed during a pass (taken again next pass)
    unreadable: int = 0  # rows no key decrypts (left as they are)
    passes: int = 0
    already_done: bool = False  # nothing was under an older key

    @property
    def total(self) -> int:
        return sum(self.reencrypted.values())

    @property
    def complete(self) -> bool:
        return self.changed_meanwhile == 0 and self.unreadable == 0

    def summary(self, vault: Vault) -> str:
        if self.already_done and self.unreadable == 0:
            text = f"Everything is already under the first key ({vault.fingerprint()})."
            if vault.key_count > 1:
                text += (
                    " If you meant to move to a new key, put the new key first in "
                    f"{_KEY_VAR} and run this again."
                )
            return text
        parts = ", ".join(f"{count} {name}" for name, count in sorted(self.reencrypted.items()))
        text = (
            f"Re-encrypted under the first key ({vault.fingerprint()}): {parts or 'nothing'}; "
            f"{self.audit_rehashed} audit entries re-hashed, in {self.passes} pass(es)."
        )
        if self.unreadable:
            text += (
                f" {self.unreadable} value(s) could not be decrypted with any key and were "
                "left as they are: find the key they were stored under."
            )
        if self.changed_meanwhile:
            text += f" {self.changed_meanwhile} changed while rotating: run it again."
        elif self.complete:
            text += " Nothing is left under an older key: you can remove the old key now."
        return text


def rotate_keys(
    *, engine: sa.Engine, vault: Vault, batch: int = 200, max_passes: int = 5
) -> Rotation:
    """Move every patient value to the first key; safe beside live workers. Re-runnable."""
    result = Rotation()
    for _ in range(max_passes):
        result.passes += 1
        result.changed_meanwhile = 0
        result.unreadable = 0
        seen_refs: dict[int, tuple[str, set[str]]] = {}
        for encrypted in stored.ENCRYPTED:
            _rotate_table(engine, vault, encrypted, batch, result, seen_refs)
        _rotate_source_secrets(engine, vault, result)
        result.audit_rehashed += _rehash_audit(engine, vault, seen_refs)
        if result.changed_meanwhile == 0:
            break
    result.already_done = result.total == 0 and result.audit_rehashed == 0 and not result.unreadable
    if result.complete:
        with transaction(engine) as session:
            stored.set_canary(
                session=session,
                token=vault.encrypt(CANARY),
                fingerprint=vault.fingerprint(),
                now=utc_now(),
            )
    return result


def _rotate_table(engine, vault: Vault, encrypted, batch: int, result: Rotation, seen_refs) -> None:
    name = encrypted.table.name
    last_id = 0
    while True:
        with transaction(engine) as session:
            rows = list(
                stored.encrypted_rows(
                    session=session, encrypted=encrypted, after_id=last_id, batch=batch
                )
            )
            if not rows:
                return
            for row in rows:
                last_id = row.id
                values = row._mapping
                columns = (encrypted.ref_column, *encrypted.other_columns)
                try:
                    ref = vault.decrypt(values[encrypted.ref_column])
                    for column in encrypted.other_columns:
                        vault.decrypt(values[column])
                except EncryptionKeyError:
                    result.unreadable += 1
                    continue
                salt = Workspace(platform=row.platform, external_id=row.external_id).patient_salt
                workspace_refs = seen_refs.setdefault(row.workspace_id, (salt, set()))[1]
                workspace_refs.add(ref)
                new_hash = vault.ref_hash(salt, ref)
                if all(vault.under_primary(values[c]) for c in columns) and (
                    values[encrypted.hash_column] == new_hash
                ):
                    continue
                old = {c: values[c] for c in columns}
                new = {c: vault.rotate(values[c]) for c in columns}
                new[encrypted.hash_column] = new_hash
                if stored.replace_if_unchanged(
                    session=session, encrypted=encrypted, row_id=row.id, old=old, new=new
                ):
                    result.reencrypted[name] += 1
                else:
                    result.changed_meanwhile += 1


def _rotate_source_secrets(engine, vault: Vault, result: Rotation) -> None:
    """Schedule sources' secrets (a customer key, a feed address) move to the first key too."""
    with transaction(engine) as session:
        for row_id, token in schedules.source_secrets(session=session):
            if vault.under_primary(token):
                continue
            try:
                vault.decrypt(token)
            except EncryptionKeyError:
                result.unreadable += 1
                continue
            new = vault.rotate(token)
            if schedules.replace_secret_if_unchanged(
                session=session, row_id=row_id, old=token, new=new
            ):
                result.reencrypted["schedule source secret"] += 1
            else:
                result.changed_meanwhile += 1


def _rehash_audit(engine, vault: Vault, seen_refs) -> int:
    """Audit entries of every known patient under an old key's hash get the new hash."""
    if vault.key_count < 2:
        return 0
    rehashed = 0
    with transaction(engine) as session:
        for workspace_id, (salt, refs) in seen_refs.items():
            for ref in refs:
                rehashed += stored.rehash_audit(
                    session=session,
                    workspace_id=workspace_id,
                    old_hashes=vault.old_ref_hashes(salt, ref),
                    new_hash=vault.ref_hash(salt, ref),
                )
    return rehashed
