"""Keys fail loudly and rotate safely: a wrong key stops a process, rotation survives a live system."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from bot.crypto import Vault, generate_key
from bot.huddle import Huddle
from bot.keys import check_keys, rotate_keys
from bot.storage.models import AuditEntry, KeyCanary, Tidbit
from bot.wiring import StartupError, build_huddle
from tests.conftest import Chat

NOTE = "loves sailing on the harbour"


def _huddle(engine, settings, content, clock, keys: list[str]) -> Huddle:
    return Huddle(engine=engine, settings=settings, content=content, vault=Vault(keys), clock=clock)


def _key(settings) -> str:
    return settings.encryption_key.get_secret_value()


def test_the_first_start_writes_a_canary_and_a_wrong_key_then_refuses_to_start(engine, settings):
    check_keys(engine=engine, vault=Vault([_key(settings)]))
    with Session(engine) as session:
        assert (
            session.exec(select(KeyCanary)).one().fingerprint
            == Vault([_key(settings)]).fingerprint()
        )

    with pytest.raises(StartupError) as refused:
        build_huddle(settings.model_copy(update={}), Vault([generate_key()]), engine)
    message = str(refused.value)
    assert "HUDDLE_ENCRYPTION_KEY" in message and "is the key this database" in message


def test_a_database_with_data_but_no_canary_is_checked_against_its_data(
    engine, settings, content, clock
):
    Chat(_huddle(engine, settings, content, clock, [_key(settings)]))(f"/tidbit JS-1 {NOTE}")
    with pytest.raises(StartupError, match="cannot decrypt the patient data already"):
        build_huddle(settings, Vault([generate_key()]), engine)
    build_huddle(settings, Vault([_key(settings)]), engine)  # the right key starts


def test_a_misordered_rotation_says_so_and_changes_nothing(engine, settings, content, clock):
    old = _key(settings)
    Chat(_huddle(engine, settings, content, clock, [old]))(f"/tidbit JS-1 {NOTE}")
    check_keys(engine=engine, vault=Vault([old]))
    misordered = Vault([old, generate_key()])  # the old key still first

    result = rotate_keys(engine=engine, vault=misordered)

    assert result.total == 0 and result.already_done
    assert "put the new key first" in result.summary(misordered)


def test_rotation_moves_everything_and_the_audit_log_still_matches_its_patient(
    engine, settings, content, clock
):
    old, new = _key(settings), generate_key()
    chat = Chat(_huddle(engine, settings, content, clock, [old]))
    chat(f"/tidbit JS-1042 {NOTE}")
    chat("/tidbit JS-1042")  # a read, audited
    chat("/defect arrival: waited 25 minutes patient: JS-1042")
    with Session(engine) as session:  # an entry from before audit entries kept the reference
        session.exec(sa.update(AuditEntry).values(patient_ref_enc=None))
        session.commit()

    result = rotate_keys(engine=engine, vault=Vault([new, old]))

    assert result.complete and result.reencrypted == {"tidbit": 1, "defect": 1}
    assert result.audit_rehashed == 2
    only_new = _huddle(engine, settings, content, clock, [new])
    build_huddle(settings, Vault([new]), engine)  # the canary moved to the new key
    assert NOTE in Chat(only_new)("/tidbit js-1042")
    with Session(engine) as session:
        hashes = {e.patient_ref_hash for e in session.exec(select(AuditEntry))}
        tidbit_hash = session.exec(select(Tidbit)).one().patient_ref_hash
    assert hashes == {tidbit_hash}
    assert rotate_keys(engine=engine, vault=Vault([new, old])).already_done  # re-runnable


def test_rotation_survives_tidbits_forgotten_and_written_meanwhile(
    engine, settings, content, clock
):
    old, new = _key(settings), generate_key()
    worker = Chat(_huddle(engine, settings, content, clock, [old]))  # still on the old key
    for n in range(6):
        worker(f"/tidbit JS-{n} {NOTE}")

    class LiveSystem(Vault):
        """Between two batches, a teammate forgets a tidbit just read and notes another."""

        calls = 0

        def rotate(self, token: str) -> str:
            self.calls += 1
            if self.calls == 5:  # the first value of the second batch: rows 3 and 4 are read
                worker("/tidbit forget 4")
                worker(f"/tidbit JS-9 {NOTE}")
            return super().rotate(token)

    result = rotate_keys(engine=engine, vault=LiveSystem([new, old]), batch=2)

    assert result.complete and result.passes == 2  # the forgotten one was changed meanwhile
    with Session(engine) as session:
        left = session.exec(select(Tidbit)).all()
    new_only = Vault([new])
    assert len(left) == 6 and all(new_only.under_primary(t.note_enc) for t in left)


def test_a_recall_that_cannot_decrypt_says_so_instead_of_nothing_noted(
    engine, settings, content, clock, caplog
):
    chat = Chat(_huddle(engine, settings, content, clock, [_key(settings)]))
    chat(f"/tidbit JS-1 {NOTE}")
    with Session(engine) as session:
        session.exec(sa.update(Tidbit).values(note_enc=Vault([generate_key()]).encrypt("x")))
        session.commit()

    reply = chat("/tidbit JS-1")

    assert "can't read them" in reply and "Nothing noted" not in reply
    assert "could not decrypt" in caplog.text and "sailing" not in caplog.text
