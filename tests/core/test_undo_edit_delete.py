"""Every mistake can be taken back: edit, delete and a short-lived Undo, by the author or an admin.

Each record kind (defect, recovery action, story, tidbit): its author edits and
deletes it, anyone else is refused with the admins named, an admin may. Deletions
and undos are audited by kind and id, never with the content.
"""

import pytest
from sqlmodel import Session, select

from bot.model import Installed, Visibility
from bot.storage.models import (
    AuditEntry,
    Defect,
    Nomination,
    RecoveryAction,
    Story,
    StoryHero,
    Tidbit,
)


def _install(huddle) -> None:
    """Dana added Huddle: the practice's admin."""
    huddle.handle(Installed("slack", "T1", "C1", installer_id="U-dana", installer_name="Dana"))


def _rows(engine, table) -> list:
    with Session(engine) as session:
        return list(session.exec(select(table)))


def _audit(engine) -> list[tuple[str, int | None, str]]:
    with Session(engine) as session:
        rows = session.exec(select(AuditEntry).order_by(AuditEntry.id))
        return [(e.action, e.record_id, e.actor_name) for e in rows]


# Each kind: how to record one as Jo (its id is 1), edit it, delete it, and its table.
KINDS = {
    "defect": (
        "/defect arrival: waited 25 minutes",
        "/defect edit 1 waited 35 minutes with no word",
        "/defect delete 1",
        Defect,
        lambda row: row.description,
    ),
    "recovery": (
        "/defect recover 1 called to apologise",
        "/defect recover edit 1 called and rebooked her",
        "/defect recover delete 1",
        RecoveryAction,
        lambda row: row.action,
    ),
    "story": (
        "/wow @Priya stayed late to re-do Mrs K's crown",
        "/wow edit 1 @Priya stayed late to re-do Mr K's crown",
        "/wow delete 1",
        Story,
        lambda row: row.text,
    ),
    "tidbit": (
        "/tidbit JS-1042 daughter's wedding in June",
        "/tidbit edit 1 daughter's wedding moved to July",
        "/tidbit forget 1",
        Tidbit,
        None,
    ),
}


def _record(chat, kind: str) -> None:
    if kind == "recovery":
        chat.as_("Sam")("/defect arrival: waited 25 minutes")
    chat.as_("Jo")(KINDS[kind][0])


@pytest.mark.parametrize("kind", KINDS)
def test_the_author_edits_and_deletes_their_own_record(kind, huddle, chat, engine, vault):
    _install(huddle)
    _record(chat, kind)
    _, edit, delete, table, text_of = KINDS[kind]
    assert "now reads" in chat(edit)
    [row] = _rows(engine, table)
    if text_of is not None:
        assert text_of(row) == edit.split(" ", 4 if kind == "recovery" else 3)[-1]
    else:
        assert vault.decrypt(row.note_enc) == "daughter's wedding moved to July"
    assert "deleted" in chat(delete)
    assert _rows(engine, table) == []


@pytest.mark.parametrize("kind", KINDS)
def test_someone_else_is_refused_with_the_admins_named_and_nothing_changes(
    kind, huddle, chat, engine
):
    _install(huddle)
    _record(chat, kind)
    _, edit, delete, table, _ = KINDS[kind]
    for line in (edit, delete):
        [reply] = chat.as_("Robin").replies(line)
        assert reply.visibility is Visibility.PRIVATE
        assert "Only the practice's admins can" in reply.text and "@Dana" in reply.text
        assert [p.name for p in reply.mentions] == ["Dana"]
    assert len(_rows(engine, table)) == 1
    assert [a for a, _, _ in _audit(engine) if a.endswith((".delete", ".forget"))] == []


@pytest.mark.parametrize("kind", KINDS)
def test_an_admin_may_edit_and_delete_anyones_record(kind, huddle, chat, engine):
    _install(huddle)
    _record(chat, kind)
    _, edit, delete, table, _ = KINDS[kind]
    assert "now reads" in chat.as_("Dana")(edit)
    assert "deleted" in chat.as_("Dana")(delete)
    assert _rows(engine, table) == []


def test_deletions_are_audited_by_kind_and_id_without_their_content(huddle, chat, engine):
    _install(huddle)
    chat.as_("Jo")("/defect arrival: waited 25 minutes")
    chat("/defect recover 1 called to apologise")
    chat("/wow @Priya stayed late to re-do Mrs K's crown")
    chat("/tidbit JS-1042 daughter's wedding in June")
    chat("/defect recover delete 1")
    chat("/wow delete 1")
    chat("/tidbit forget 1")
    chat.as_("Dana")("/defect delete 1")
    deletions = [e for e in _audit(engine) if e[0] not in ("tidbit.create", "admin.add")]
    assert deletions == [
        ("recovery.delete", 1, "Jo"),
        ("story.delete", 1, "Jo"),
        ("tidbit.forget", 1, "Jo"),
        ("defect.delete", 1, "Dana"),
    ]
    with Session(engine) as session:
        for entry in session.exec(select(AuditEntry)):
            stored = " ".join(str(v) for v in entry.model_dump().values())
            for content in ("waited", "apologise", "crown", "wedding", "JS-1042"):
                assert content not in stored


def test_a_deleted_defect_takes_its_recovery_actions(chat, engine):
    chat.as_("Jo")("/defect arrival: waited 25 minutes")
    chat("/defect recover 1 called to apologise")
    chat.as_("Sam")("/defect recover 1 rebooked her at a time that suits")
    assert "with its 2 recovery actions" in chat.as_("Jo")("/defect delete 1")
    assert _rows(engine, RecoveryAction) == []
    assert "No open defects" in chat("/defect list")


def test_a_deleted_story_takes_its_nominations_and_heroes(chat, engine):
    chat.as_("Jo")("/wow @Priya stayed late to re-do Mrs K's crown")
    chat.as_("Sam")("/wow nominate 1")
    chat.as_("Lee")("/wow nominate 1")
    assert "with its 2 nominations" in chat.as_("Jo")("/wow delete 1")
    assert _rows(engine, Nomination) == [] and _rows(engine, StoryHero) == []
    assert "Priya" not in chat("/huddle leaderboard")


# -- Undo --------------------------------------------------------------------------


UNDO = {
    "defect": ("/defect arrival: waited 25 minutes", "defect undo 1", Defect),
    "recovery": ("/defect recover 1 called to apologise", "defect recover undo 1", RecoveryAction),
    "story": ("/wow @Priya stayed late", "wow undo 1", Story),
    "tidbit": ("/tidbit JS-1042 daughter's wedding in June", "tidbit undo 1", Tidbit),
}


@pytest.mark.parametrize("kind", UNDO)
def test_undo_on_the_reply_takes_it_back_within_ten_minutes(kind, chat, engine, clock):
    line, command, table = UNDO[kind]
    if kind == "recovery":
        chat.as_("Sam")("/defect arrival: waited 25 minutes")
    replies = chat.as_("Jo").replies(line)
    undo = [b for r in replies for b in r.buttons if b.label == "Undo"]
    assert [b.command for b in undo] == [command]
    clock.advance(minutes=9)
    assert "undone" in chat(f"/{command}")
    assert _rows(engine, table) == []
    assert _audit(engine)[-1][:2] == (f"{kind}.undo", 1)


@pytest.mark.parametrize("kind", UNDO)
def test_undo_after_the_window_says_it_is_too_late_and_how_to_delete(kind, chat, engine, clock):
    line, command, table = UNDO[kind]
    if kind == "recovery":
        chat.as_("Sam")("/defect arrival: waited 25 minutes")
    chat.as_("Jo")(line)
    clock.advance(minutes=10, seconds=1)
    reply = chat(f"/{command}")
    assert "too late to undo" in reply
    delete = {"defect": "defect delete 1", "recovery": "defect recover delete 1"}
    delete |= {"story": "wow delete 1", "tidbit": "tidbit forget 1"}
    assert f"`/{delete[kind]}`" in reply
    assert len(_rows(engine, table)) == 1


def test_only_the_author_can_undo(chat, engine):
    chat.as_("Jo")("/defect arrival: waited 25 minutes")
    assert "Only the person who recorded this defect can undo it" in chat.as_("Sam")(
        "/defect undo 1"
    )
    assert len(_rows(engine, Defect)) == 1


def test_a_tidbit_edit_keeps_the_note_out_of_the_audit_and_the_reply_private(chat, engine):
    chat.as_("Jo")("/tidbit JS-1042 daughter's wedding in June")
    [reply] = chat.replies("/tidbit edit 1 daughter's wedding moved to July")
    assert reply.visibility is Visibility.PRIVATE and reply.sensitive
    assert _audit(engine)[-1][:2] == ("tidbit.edit", 1)


def test_undo_is_gone_from_nothing_after_the_record_is_deleted(chat, clock):
    chat.as_("Jo")("/defect arrival: waited 25 minutes")
    chat("/defect delete 1")
    clock.advance(minutes=1)
    assert "can't find defect #1" in chat("/defect undo 1")


def test_edit_without_new_text_says_what_to_type(chat):
    chat.as_("Jo")("/defect arrival: waited 25 minutes")
    assert "/defect edit 1 <text>" in chat("/defect edit 1")


@pytest.mark.parametrize(
    "line", ["/defect delete", "/wow delete", "/wow edit", "/tidbit edit", "/tidbit undo"]
)
def test_a_change_without_an_id_asks_for_the_number_and_saves_nothing(line, chat, engine):
    assert "number there, for example" in chat(line)
    for table in (Defect, Story, Tidbit):
        assert _rows(engine, table) == []
