"""Privacy before saving: a free text that looks like patient detail is stored only by choice."""

from __future__ import annotations

import logging

from sqlmodel import Session, select

from bot.model import Button, Incoming, Person, Reply, Visibility
from bot.storage.models import Defect, RecoveryAction, Story, StoryDraft, Tidbit

PHONE = "0412 345 678"


def _rows(engine, table) -> list:
    with Session(engine) as session:
        return list(session.exec(select(table)))


def _button(reply: Reply, label: str) -> Button:
    [button] = [b for b in reply.buttons if b.label == label]
    return button


def _warned(replies: list[Reply]) -> Reply:
    [warning] = replies
    assert warning.title == "Before I save this", warning.plain()
    assert warning.visibility is Visibility.PRIVATE and warning.sensitive
    assert [b.label for b in warning.buttons] == ["Save as written", "Edit"]
    return warning


def test_a_defect_with_a_phone_number_is_not_saved_until_the_person_chooses(chat, engine):
    warning = _warned(chat.replies(f"/defect arrival: Jane rang from {PHONE}, nobody called back"))

    assert "phone number" in warning.text and "Everyone in the channel" in warning.text
    assert PHONE not in warning.plain()  # the warning masks what it found
    assert _rows(engine, Defect) == []

    saved = chat(f"/{_button(warning, 'Save as written').command}")

    assert "Defect #1 logged · Arrival" in saved
    [defect] = _rows(engine, Defect)
    assert defect.description == f"Jane rang from {PHONE}, nobody called back"


def test_edit_asks_again_with_the_text_prefilled_and_checks_the_edit(chat, engine):
    warning = _warned(chat.replies(f"/defect arrival: rang {PHONE}, nobody called back"))
    edit = _button(warning, "Edit")

    assert edit.command == "defect arrival:" and edit.prompt
    assert edit.initial == f"rang {PHONE}, nobody called back"

    _warned(chat.replies(f"/{edit.command} {edit.initial}"))
    assert "Defect #1 logged" in chat(f"/{edit.command} rang her, nobody called back")
    assert [d.description for d in _rows(engine, Defect)] == ["rang her, nobody called back"]


def test_the_marker_typed_by_hand_saves_as_written_but_not_from_inside_the_text(chat, engine):
    _warned(chat.replies(f"/defect arrival: waited, as-written {PHONE}"))
    assert _rows(engine, Defect) == []

    assert "Defect #1 logged" in chat(f"/defect as-written arrival: waited, {PHONE}")


def test_a_clean_defect_is_saved_at_once(chat, engine):
    assert "Defect #1 logged" in chat("/defect arrival: waited 25 minutes with no word from us")
    assert len(_rows(engine, Defect)) == 1


def test_a_recovery_action_with_contact_details_waits_for_the_choice(chat, engine):
    chat("/defect arrival: waited 25 minutes")
    warning = _warned(chat.replies("/defect recover 1 emailed jo.smith@example.com to apologise"))

    assert "recovery actions" in warning.text and _rows(engine, RecoveryAction) == []
    edit = _button(warning, "Edit")
    assert (edit.command, edit.initial) == (
        "defect recover 1",
        "emailed jo.smith@example.com to apologise",
    )

    assert "Recovery recorded" in chat(f"/{_button(warning, 'Save as written').command}")
    assert len(_rows(engine, RecoveryAction)) == 1


def test_the_defect_form_is_checked_and_edit_reopens_it_prefilled(chat, engine):
    values = {
        "stage": "arrival",
        "description": "waited 40 minutes",
        "patient_ref": "JS-1042",
        "recovery": f"called her on {PHONE}",
    }
    warning = _warned(chat.replies("/defect", form=values))
    assert _rows(engine, Defect) == []

    [reopened] = chat.replies(f"/{_button(warning, 'Edit').command}")

    assert reopened.form is not None
    assert {f.name: f.initial for f in reopened.form.fields} == values

    saved = chat(f"/{_button(warning, 'Save as written').command}")

    assert "Defect #1 logged" in saved and "Patient: JS-1042" in saved
    [defect] = _rows(engine, Defect)
    assert defect.stage == "arrival" and defect.patient_ref_hash
    assert [a.action for a in _rows(engine, RecoveryAction)] == [f"called her on {PHONE}"]


def test_a_story_with_patient_detail_is_not_posted_until_the_teller_chooses(chat, engine):
    warning = _warned(chat.replies("/wow @Priya drove Mrs Jane Smith home after her taxi"))

    assert "whole team" in warning.text
    assert _rows(engine, Story) == [] and _rows(engine, StoryDraft) == []

    [post] = chat.replies(f"/{_button(warning, 'Save as written').command}")

    assert post.visibility is Visibility.CHANNEL and post.story_id == 1


def test_a_teammate_mentioned_by_full_name_is_not_mistaken_for_a_patient(huddle):
    priya = Person("U-priya", "Priya Sharma")
    [post] = huddle.handle(
        Incoming(
            "slack",
            "T1",
            "C1",
            "U-alex",
            "Alex",
            "wow",
            "@Priya Sharma stayed late",
            mentions=(priya,),
        )
    )
    assert post.story_id == 1


def test_a_meeting_reply_with_patient_detail_is_not_stored_and_can_be_saved_as_written(
    chat, huddle, engine
):
    text = f"@Sam rang Mrs Jones back on {PHONE} after hours"
    replies = chat.reply_under_the_meeting(text, mentions=(Person("U-sam", "Sam"),))
    warning = _warned(replies)

    assert _rows(engine, Story) == [] and _rows(engine, StoryDraft) == []
    assert _button(warning, "Edit").initial == text

    chat.as_("Jordan").replies(f"/{_button(warning, 'Save as written').command}")
    assert [s.text for s in _rows(engine, Story) + _rows(engine, StoryDraft)] == [text]


def test_edits_are_checked_before_they_are_stored(chat, engine):
    chat("/defect arrival: waited 25 minutes")
    chat("/defect recover 1 called to say sorry")
    chat("/wow @Priya stayed late")
    chat("/tidbit JS-1042 new puppy")

    for line in (
        f"/defect edit 1 waited, rang {PHONE}",
        f"/defect recover edit 1 called {PHONE}",
        "/wow edit 1 @Priya stayed late for Mrs Jane Smith",
        "/tidbit edit 1 on warfarin since March",
    ):
        warning = _warned(chat.replies(line))
        assert "reads:" in chat(f"/{_button(warning, 'Save as written').command}")

    assert _rows(engine, Defect)[0].description == f"waited, rang {PHONE}"


def test_a_tidbit_is_saved_as_written_only_after_the_warning(chat, engine):
    warning = _warned(chat.replies("/tidbit JS-1042 taking warfarin since March"))
    assert _rows(engine, Tidbit) == []

    assert "Tidbit #1 saved" in chat(f"/{_button(warning, 'Save as written').command}")
    assert "warfarin" in chat("/tidbit JS-1042")


def test_a_save_as_written_that_comes_back_cut_short_saves_nothing(chat, engine):
    warning = _warned(chat.replies(f"/defect arrival: rang {PHONE}, nobody called back"))
    command = _button(warning, "Save as written").command

    assert "saved nothing" in chat(f"/{command[:-10]}")
    assert _rows(engine, Defect) == []


def test_the_receptionists_defect_with_name_phone_and_medication_is_not_saved(chat, engine):
    warning = _warned(
        chat.replies("/defect arrival: Jane Smith (0412 345 678) waited 40 min, on warfarin")
    )
    for said in ("full name (J… S…)", "phone number (04•• ••• •78)", "clinical (warfarin)"):
        assert said in warning.text
    assert _rows(engine, Defect) == []


def test_tidbit_medication_talk_and_a_lower_case_full_name_are_caught_before_saving(chat, engine):
    assert "clinical" in chat("/tidbit JS-1042 on metformin, watch her sugar")
    assert "full name" in chat("/tidbit JS-1042 her son tom smith starts uni")
    assert _rows(engine, Tidbit) == []


def test_every_common_defect_offered_as_a_suggestion_is_saved_at_once(chat, content, engine):
    clicked = 0
    for stage in content.stages:
        for suggestion in chat.replies(f"/defect {stage.id}")[0].buttons:
            assert "logged" in chat(f"/{suggestion.command}")
            clicked += 1
    assert clicked > 0 and len(_rows(engine, Defect)) == clicked


def test_neither_the_warning_nor_saving_as_written_logs_the_text(chat, caplog):
    caplog.set_level(logging.DEBUG)
    warning = _warned(chat.replies(f"/defect arrival: Jane Smith rang from {PHONE}"))
    chat(f"/{_button(warning, 'Save as written').command}")
    assert PHONE not in caplog.text and "Jane Smith" not in caplog.text
