"""/huddle tidbits on|off: a practice that does not use tidbits at all."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.audit_log import describe
from bot.model import HomeOpened, Visibility
from bot.storage.models import AuditEntry, Tidbit, Workspace
from tests.sample_day import set_day_sheet_source, sync_sample

NOTE = "daughter's wedding in June"


def _tidbits(engine) -> list[Tidbit]:
    with Session(engine) as session:
        return list(session.exec(select(Tidbit)))


def _actions(engine) -> list[str]:
    with Session(engine) as session:
        return [e.action for e in session.exec(select(AuditEntry).order_by(AuditEntry.id))]


def _off(chat) -> str:
    chat.as_("Dana")
    said = chat("/huddle tidbits off")
    chat.as_("Sam")
    return said


def test_a_practice_starts_with_tidbits_on(chat, engine):
    assert "Tidbits are on" in chat("/huddle tidbits")
    chat(f"/tidbit JS-1042 {NOTE}")
    with Session(engine) as session:
        assert all(w.tidbits for w in session.exec(select(Workspace)))
    assert len(_tidbits(engine)) == 1


def test_off_every_form_of_tidbit_is_refused_kindly_naming_the_admins_and_saves_nothing(
    chat, engine
):
    chat(f"/tidbit JS-1042 {NOTE}")  # kept from before
    said = _off(chat)
    assert "Tidbits are off" in said and "stay until they expire as usual" in said
    for line in (
        f"/tidbit AB-2210 {NOTE}",
        "/tidbit JS-1042",
        "/tidbit JS-1042 more",
        "/tidbit edit 1 moved to July",
        "/tidbit forget 1",
        "/tidbit help",
    ):
        [reply] = chat.replies(line)
        text = reply.plain()
        assert "has tidbits turned off" in text and "@Dana" in text, line
        assert "/huddle tidbits on" in text
        assert NOTE not in text, line
        assert reply.visibility is Visibility.PRIVATE
    [kept] = _tidbits(engine)  # the old one stays, unchanged; no new one
    assert kept.id == 1
    assert "tidbit.read" not in _actions(engine) and _actions(engine).count("tidbit.create") == 1


def test_only_an_admin_turns_tidbits_off_and_on_and_each_change_is_audited(chat, engine):
    chat.as_("Dana")("/huddle tidbits off")  # Dana: the practice's first admin
    chat.as_("Sam")
    said = chat("/huddle tidbits on")
    assert "Only the practice's admins can turn the practice's tidbits on or off" in said
    assert "@Dana" in said
    assert "has tidbits turned off" in chat(f"/tidbit JS-1042 {NOTE}")
    chat.as_("Dana")
    assert "Nothing changed" in chat("/huddle tidbits off")
    assert "Tidbits are on again" in chat("/huddle tidbits on")
    chat.as_("Sam")
    assert "Noted for JS-1042" in chat(f"/tidbit JS-1042 {NOTE}")
    settings = [a for a in _actions(engine) if a.startswith("setting.")]
    assert settings == ["setting.tidbits.off", "setting.tidbits.on"]
    assert describe(AuditEntry(action="setting.tidbits.off")) == (
        "turned the practice's tidbits off"
    )


def test_a_word_other_than_on_or_off_says_what_to_type(chat):
    assert "`/huddle tidbits on` or `/huddle tidbits off`" in chat("/huddle tidbits maybe")


async def test_off_the_private_brief_shows_and_reads_no_tidbit_and_audits_no_read(
    huddle, chat, engine
):
    chat(f"/tidbit JS-1042 {NOTE}")
    chat("/defect waiting: kept 40 minutes, no update patient: CD-3307")
    await sync_sample(huddle)
    _off(chat)
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_):
        statements.append(statement)

    sa.event.listen(huddle.engine, "before_cursor_execute", seen)
    try:
        [reply] = chat.replies("/huddle brief")
    finally:
        sa.event.remove(huddle.engine, "before_cursor_execute", seen)

    text = reply.plain()
    assert "8:00 am · JS-1042 · DOC1" in text and "Defect #1 (open" in text
    assert "Tidbit:" not in text and NOTE not in text
    assert "tidbits turned off" in text
    assert not [s for s in statements if "FROM tidbit" in s]
    assert "tidbit.read" not in _actions(engine)


async def test_off_the_home_screen_shows_no_tidbit_and_counts_nothing_to_remember(
    huddle, chat, engine
):
    chat(f"/tidbit JS-1042 {NOTE}")
    set_day_sheet_source(huddle, await sync_sample(huddle))
    _off(chat)
    [home] = huddle.handle(HomeOpened(platform="slack", workspace_id="T1", user_id="U-sam"))
    text = home.plain()
    assert "8:00 am · JS-1042" in text
    assert "Tidbit:" not in text and NOTE not in text and "to remember" not in text
    assert "tidbit.read" not in _actions(engine)
