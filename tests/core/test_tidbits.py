from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.crypto import Vault, generate_key
from bot.huddle import Huddle
from bot.keys import rotate_keys
from bot.model import Visibility
from bot.storage.models import AuditEntry, Tidbit
from tests.conftest import Chat

NOTE = "daughter's wedding in June"


def _audit(engine) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).order_by(AuditEntry.id)))


def test_a_tidbit_is_remembered_and_recalled_only_to_the_asker(chat):
    [saved] = chat.replies(f"/tidbit JS-1042 {NOTE}")
    assert saved.visibility is Visibility.PRIVATE and saved.sensitive
    [recalled] = chat.replies("/tidbit JS-1042")
    assert recalled.visibility is Visibility.PRIVATE and recalled.sensitive
    assert NOTE in recalled.plain()


def test_recall_matches_the_reference_loosely(chat):
    chat(f"/tidbit JS-1042 {NOTE}")
    assert NOTE in chat("/tidbit js1042")
    assert NOTE in chat("/tidbit Js-1042")


def test_recall_shows_open_and_recent_defects_for_the_same_patient(chat, clock):
    chat(f"/tidbit JS-1042 {NOTE}")
    chat("/defect waiting: kept 40 minutes, no update patient: js1042")
    chat("/defect recover 1 called to say sorry")
    chat("/defect arrival: someone else's defect patient: ZZ-1")
    recalled = chat("/tidbit JS-1042")
    assert "Defect #1 (open)" in recalled
    assert "called to say sorry" in recalled
    assert "someone else's" not in recalled


def test_defects_closed_long_ago_are_not_recalled(chat, clock):
    chat("/defect waiting: kept waiting patient: JS-1042")
    chat("/defect close 1")
    assert "Defect #1 (closed)" in chat("/tidbit JS-1042")
    clock.advance(days=91)
    assert "Defect #1" not in chat("/tidbit JS-1042")


def test_every_read_is_audited_without_patient_data(chat, engine):
    chat(f"/tidbit JS-1042 {NOTE}")
    chat("/tidbit JS-1042")
    chat("/tidbit XY-1")
    actions = [(e.action, e.record_count, e.actor_name) for e in _audit(engine)]
    assert actions == [
        ("tidbit.create", 1, "Alex"),
        ("tidbit.read", 1, "Alex"),
        ("tidbit.read", 0, "Alex"),
    ]
    for entry in _audit(engine):
        assert "JS-1042" not in str(entry.model_dump())


def test_forget_deletes_a_tidbit_for_good(chat, engine):
    chat(f"/tidbit JS-1042 {NOTE}")
    assert "deleted for good" in chat("/tidbit forget 1")
    assert "Nothing noted for JS-1042" in chat("/tidbit JS-1042")
    with Session(engine) as session:
        assert session.exec(select(Tidbit)).all() == []
    assert "can't find tidbit #1" in chat("/tidbit forget 1")


def test_tidbits_expire_after_the_retention_period(chat, huddle, clock, engine, settings):
    chat(f"/tidbit JS-1042 {NOTE}")
    clock.advance(days=settings.tidbit_retention_days - 1)
    assert NOTE in chat("/tidbit JS-1042")
    clock.advance(days=1, seconds=1)
    assert NOTE not in chat("/tidbit JS-1042")
    assert huddle.purge_expired() == 1
    with Session(engine) as session:
        assert session.exec(select(Tidbit)).all() == []


def test_the_reply_says_when_the_tidbit_will_be_deleted(chat):
    assert "deleted on 24 Nov 2027" in chat(f"/tidbit JS-1042 {NOTE}")


def test_tidbit_warnings_come_before_saving_and_say_what_belongs_where(chat, engine):
    assert "looks like a name" in chat("/tidbit Margaret loves gardening")
    assert "Contact details" in chat("/tidbit JS-1 new mobile 0412 345 678")
    assert "Contact details" in chat("/tidbit JS-1 email is jo@example.com")
    assert "full name" in chat("/tidbit JS-1 her son Tom Baker starts uni")
    clinical = chat("/tidbit JS-1 taking warfarin since March")
    assert "clinical record" in clinical and "Nothing is saved until you choose" in clinical
    with Session(engine) as session:
        assert session.exec(select(Tidbit)).all() == []
    plain = chat("/tidbit JS-1 new puppy called Biscuit")
    assert "•" not in plain and "Tidbit #1 saved" in plain


def test_a_month_name_is_not_mistaken_for_a_full_name(chat):
    assert "full name" not in chat("/tidbit JS-1 off to Lisbon in June")


def test_bad_tidbit_input_gets_help(chat, engine):
    assert "/tidbit <patient-ref> <note>" in chat("/tidbit")
    assert "at most 32 characters" in chat("/tidbit " + "A" * 40 + " note")
    assert "keep tidbits brief" in chat("/tidbit JS-1 " + "x" * 501)
    with Session(engine) as session:
        assert session.exec(select(Tidbit)).all() == []


def test_raw_storage_holds_no_tidbit_plaintext(chat, engine, tmp_path):
    chat(f"/tidbit JS-1042 {NOTE}")
    chat("/defect checkout: overcharged patient: JS-1042")
    dumped = []
    with engine.connect() as connection:
        for table in ("tidbit", "defect", "audit_log"):
            for row in connection.execute(sa.text(f"SELECT * FROM {table}")):
                dumped.append(" ".join(str(value) for value in row))
    text = "\n".join(dumped)
    assert "wedding" not in text
    assert "JS-1042" not in text and "js1042" not in text
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(FULL)")
        raw = Path(engine.url.database).read_bytes()
        assert b"wedding" not in raw
        assert b"JS-1042" not in raw


def test_the_same_patient_reference_in_another_workspace_sees_nothing(chat, other_chat, engine):
    chat(f"/tidbit JS-1042 {NOTE}")
    assert "Nothing noted for JS-1042" in other_chat("/tidbit JS-1042")
    assert "can't find tidbit #1" in other_chat("/tidbit forget 1")
    other_chat("/tidbit JS-1042 moving to Perth")
    with Session(engine) as session:
        hashes = {t.patient_ref_hash for t in session.exec(select(Tidbit))}
    assert len(hashes) == 2  # same reference, different workspace: different lookup hash
    assert "Perth" not in chat("/tidbit JS-1042")


def test_key_rotation_keeps_every_tidbit_readable(engine, settings, content, clock, chat):
    chat(f"/tidbit JS-1042 {NOTE}")
    old_key = settings.encryption_key.get_secret_value()
    new_key = generate_key()
    rotated = Vault([new_key, old_key])
    assert rotate_keys(engine=engine, vault=rotated).reencrypted == {"tidbit": 1, "audit_log": 1}
    only_new = Huddle(
        engine=engine, settings=settings, content=content, vault=Vault([new_key]), clock=clock
    )
    assert NOTE in Chat(only_new)("/tidbit JS-1042")


def test_lookups_work_mid_rotation_with_both_keys(engine, settings, content, clock, chat):
    chat(f"/tidbit JS-1042 {NOTE}")
    both = Vault([generate_key(), settings.encryption_key.get_secret_value()])
    mid = Huddle(engine=engine, settings=settings, content=content, vault=both, clock=clock)
    assert NOTE in Chat(mid)("/tidbit JS-1042")
