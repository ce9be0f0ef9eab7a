from sqlmodel import Session, select

from bot.model import Visibility
from bot.storage.models import Defect, RecoveryAction


def _defects(engine) -> list[Defect]:
    with Session(engine) as session:
        return list(session.exec(select(Defect).order_by(Defect.id)))


def test_defect_with_a_known_stage_is_logged_under_that_stage(chat, engine):
    text = chat("/defect arrival: waited 25 minutes with no word from us")
    assert "Defect #1 logged · Arrival" in text
    [defect] = _defects(engine)
    assert defect.stage == "arrival"
    assert defect.description == "waited 25 minutes with no word from us"
    assert defect.reporter_name == "Alex"
    assert defect.closed_at is None


def test_stage_matches_names_and_aliases_in_any_case(chat, engine):
    chat("/defect FRONT DESK: nobody looked up for a minute")
    chat("/defect Checkout and Payment: card machine down")
    chat("/defect in-the-chair: bib forgotten")
    assert [d.stage for d in _defects(engine)] == ["arrival", "checkout", "in-the-chair"]


def test_an_unknown_stage_saves_nothing_until_a_stage_or_no_stage_is_picked(chat, engine, content):
    [reply] = chat.replies("/defect the parking lot: flooded again")
    assert _defects(engine) == []
    assert "Nothing is saved until you choose" in reply.text
    commands = [b.command for b in reply.buttons]
    assert commands == [
        *(f"defect {stage.id}: the parking lot: flooded again" for stage in content.stages),
        "defect no stage: the parking lot: flooded again",
    ]
    [saved] = chat.replies(commands[-1])
    [defect] = _defects(engine)
    assert defect.stage is None
    assert defect.description == "the parking lot: flooded again"  # nothing typed is lost
    stage_buttons = [b for b in saved.buttons if b.command.startswith("defect stage")]
    assert [b.command for b in stage_buttons] == [
        f"defect stage {defect.id} {stage.id}" for stage in content.stages
    ]
    assert "Unassigned" in saved.title


def test_a_stage_button_files_the_defect(chat, engine):
    chat("/defect no stage: given here")
    assert "filed under Waiting" in chat("/defect stage 1 waiting")
    assert _defects(engine)[0].stage == "waiting"


def test_list_shows_open_defects_newest_first_privately(chat, clock):
    chat("/defect arrival: first one")
    clock.advance(minutes=5)
    chat("/defect waiting: second one")
    [reply] = chat.replies("/defect list")
    assert reply.visibility is Visibility.PRIVATE
    assert reply.title == "Open defects (2)"
    assert [f.value.splitlines()[0] for f in reply.fields] == ["second one", "first one"]
    assert [b.command for b in reply.buttons] == ["defect close 2", "defect close 1"]


def test_recovery_action_is_recorded_with_its_owner(chat, engine):
    chat("/defect arrival: waited 25 minutes")
    reply = chat.as_("Sam")("/defect recover 1 called to say sorry and rebooked her")
    assert "Recovery recorded for defect #1" in reply
    with Session(engine) as session:
        [action] = session.exec(select(RecoveryAction)).all()
    assert (action.action, action.owner_name) == ("called to say sorry and rebooked her", "Sam")
    listed = chat("/defect list")
    assert "1. called to say sorry and rebooked her (Sam, Tue 24 Nov, action #1)" in listed
    assert "Owner: Sam" in listed


def test_a_defect_stays_open_until_closed(chat):
    chat("/defect arrival: waited")
    chat("/defect recover 1 said sorry")
    assert "Open defects (1)" in chat("/defect list")
    assert "is closed" in chat("/defect close 1")
    assert "No open defects" in chat("/defect list")
    assert "already closed" in chat("/defect close 1")


def test_patient_reference_is_parsed_and_stored_encrypted(chat, engine):
    reply = chat("/defect checkout: charged twice for the clean patient: JS-1042")
    assert "Patient: JS-1042" in reply
    [defect] = _defects(engine)
    assert defect.description == "charged twice for the clean"
    assert "JS-1042" not in (defect.patient_ref_enc or "")
    assert defect.patient_ref_hash


def test_empty_defect_returns_the_form_with_every_stage(chat, content):
    [reply] = chat.replies("/defect")
    assert reply.form is not None
    stage_field = reply.form.fields[0]
    assert stage_field.kind == "select"
    assert [value for value, _ in stage_field.options] == [s.id for s in content.stages]
    assert "/defect <stage>: <what happened>" in reply.text


def test_form_submission_logs_the_defect_and_its_recovery(chat, engine):
    form = {
        "stage": "waiting",
        "description": "No update for 30 minutes",
        "patient_ref": "AB-77",
        "recovery": "Offered a coffee and a new time",
    }
    reply = chat("/defect", form=form)
    assert "Defect #1 logged · Waiting" in reply
    assert "Offered a coffee and a new time" in reply
    [defect] = _defects(engine)
    assert defect.stage == "waiting"


def test_form_without_a_description_saves_nothing(chat, engine):
    reply = chat("/defect", form={"stage": "waiting", "description": "  "})
    assert "Tell me what happened" in reply
    assert _defects(engine) == []


def test_a_stage_alone_suggests_its_common_defects(chat, content, engine):
    [reply] = chat.replies("/defect arrival")
    common = content.stage("arrival").blueprint.common_defects
    assert reply.buttons
    assert reply.buttons[0].command == f"defect arrival: {common[0]}"
    assert _defects(engine) == []


def test_an_over_long_description_is_refused_and_nothing_is_saved(chat, engine):
    reply = chat("/defect arrival: " + "x" * 2001)
    assert "limit is 2000" in reply
    assert _defects(engine) == []


def test_unknown_ids_and_malformed_ids_get_a_friendly_reply(chat):
    assert "can't find defect #99" in chat("/defect close 99")
    assert "I need a defect number" in chat("/defect close twelve")
    assert "What did we do" in (chat("/defect arrival: x") and chat("/defect recover 1"))
    assert "Say which defect" in chat("/defect recover")


def test_a_page_of_the_list_reads_the_page_with_its_actions_in_a_fixed_few_statements(chat, huddle):
    import sqlalchemy as sa

    def statements_for(command: str) -> int:
        seen = []
        listen = lambda *_: seen.append(1)  # noqa: E731
        sa.event.listen(huddle.engine, "before_cursor_execute", listen)
        try:
            chat.replies(command)
        finally:
            sa.event.remove(huddle.engine, "before_cursor_execute", listen)
        return len(seen)

    chat("/defect arrival: the first one")
    chat("/defect recover 1 rang her back")
    one = statements_for("/defect list")
    for n in range(25):
        chat(f"/defect waiting: waited, time {n}")
        chat(f"/defect recover {n + 2} said sorry")
    # Ten defects with their actions cost what one did: the count, the page, its actions.
    assert statements_for("/defect list") == one
    assert statements_for("/defect list page 3") == one
