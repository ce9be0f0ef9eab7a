"""/fta: a fail-to-attend recorded as a defect of its own kind, with its root cause."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.content import FTA_STAGE
from bot.model import Visibility
from bot.storage.models import AuditEntry, Defect
from tests.sample_day import sync_sample


def _defects(engine) -> list[Defect]:
    with Session(engine) as session:
        return list(session.exec(select(Defect).order_by(Defect.id)))


def test_a_fail_to_attend_with_a_cause_is_recorded_as_its_own_kind_of_defect(chat, engine, vault):
    [reply] = chat.replies("/fta JS-1042 transport")

    assert reply.visibility is Visibility.PRIVATE and reply.sensitive
    assert "Fail-to-attend #1 recorded" in reply.plain()
    assert "Could not get here" in reply.plain()
    [defect] = _defects(engine)
    assert (defect.stage, defect.fta_cause) == (FTA_STAGE, "transport")
    assert defect.closed_at is None and defect.booked_by_name is None
    assert "JS-1042" not in (defect.patient_ref_enc or "")
    assert vault.decrypt(defect.patient_ref_enc) == "JS-1042"


def test_a_cause_can_be_named_by_an_alias_and_carry_a_note(chat, engine):
    chat("/fta JS-1042 reminder: texts went to an old number")
    [defect] = _defects(engine)
    assert defect.fta_cause == "no-reminder"
    assert defect.description == "Reminder never reached them: texts went to an old number"


def test_without_a_cause_it_asks_privately_with_a_button_per_cause_and_saves_nothing(
    chat, engine, content
):
    [ask] = chat.replies("/fta JS-1042")

    assert ask.visibility is Visibility.PRIVATE and ask.sensitive
    assert "nothing is saved until you do" in ask.text
    assert [b.command for b in ask.buttons] == [
        f"fta JS-1042 {cause.id}" for cause in content.fta_causes
    ]
    assert _defects(engine) == []
    chat(f"/{ask.buttons[4].command}")  # pressing "Forgot the appointment"
    [defect] = _defects(engine)
    assert defect.fta_cause == "forgot"


def test_a_near_miss_of_a_cause_is_suggested_and_nothing_is_saved(chat, engine):
    reply = chat("/fta JS-1042 trasnport")
    assert "Did you mean _Could not get here_ (`transport`)?" in reply
    assert _defects(engine) == []
    unknown = chat("/fta JS-1042 moon phase")
    assert "I don't know the cause" in unknown and _defects(engine) == []


def test_booked_by_a_mention_records_who_took_the_booking(chat, engine):
    [reply] = chat.replies("/fta JS-1042 booking call booked by @Priya")

    assert "Booked by: Priya" in reply.plain()
    [defect] = _defects(engine)
    assert (defect.fta_cause, defect.booked_by_id, defect.booked_by_name) == (
        "booking-call",
        "U-priya",
        "Priya",
    )


def test_the_booker_travels_in_the_cause_buttons(chat, engine):
    [ask] = chat.replies("/fta JS-1042 booked by @Priya")
    assert ask.buttons[0].command == "fta JS-1042 booked by @Priya urgency"
    chat.replies(ask.buttons[0].command)
    [defect] = _defects(engine)
    assert (defect.fta_cause, defect.booked_by_name) == ("urgency", "Priya")


def test_a_reference_that_looks_like_a_name_is_refused(chat, engine):
    assert "looks like a name" in chat("/fta Jane transport")
    assert _defects(engine) == []


def test_a_note_with_patient_detail_is_held_by_the_privacy_gate(chat, engine):
    [warning] = chat.replies("/fta JS-1042 other: she rang from 0412 345 678")
    assert warning.title == "Before I save this"
    assert _defects(engine) == []
    chat.replies(warning.buttons[0].command)  # "Save as written"
    [defect] = _defects(engine)
    assert defect.fta_cause == "other"


def test_the_recall_shows_the_fail_to_attend_with_its_cause(chat):
    chat("/fta JS-1042 forgot")
    recalled = chat("/tidbit js1042")
    assert "Defect #1 (open)" in recalled
    assert "Fail to attend" in recalled and "Forgot the appointment" in recalled


async def test_the_brief_shows_a_patient_s_fail_to_attend_with_its_cause(huddle, chat):
    chat("/fta JS-1042 transport")
    await sync_sample(huddle)
    chat("/fta JS-1042 forgot")
    chat("/defect close 2")
    brief = chat("/huddle brief today")
    assert "Defect #1 (open, Fail to attend: Could not get here" in brief
    assert "2 past fail-to-attends" in brief


def test_recording_audits_nothing_new_and_logs_no_patient_data(chat, engine, log_output):
    chat("/fta JS-1042 other: bus strike")
    with Session(engine) as session:
        assert list(session.exec(select(AuditEntry))) == []
    assert "JS-1042" not in log_output.getvalue()
    assert "bus strike" not in log_output.getvalue()


def test_help_lists_the_practice_s_causes(chat, content):
    text = chat("/fta help")
    assert all(f"`{cause.id}`" in text for cause in content.fta_causes)
