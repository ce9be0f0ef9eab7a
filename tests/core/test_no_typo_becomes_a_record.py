"""The receptionist's list (issue 14): every line that used to save the wrong thing."""

from sqlmodel import Session, select

from bot.storage.models import Defect, RecoveryAction, Story, StoryDraft, Tidbit


def _all(engine, model) -> list:
    with Session(engine) as session:
        return list(session.exec(select(model).order_by(model.id)))


def _log_defects(chat, count: int) -> None:
    for n in range(1, count + 1):
        chat(f"/defect arrival: waited {n} minutes")


def test_defect_lsit_asks_whether_list_was_meant_and_logs_nothing(chat, engine):
    reply = chat("/defect lsit")
    assert "Did you mean `/defect list`?" in reply
    assert _all(engine, Defect) == []


def test_defect_cloes_5_asks_and_leaves_defect_5_open(chat, engine):
    _log_defects(chat, 5)
    [reply] = chat.replies("/defect cloes 5")
    assert "Did you mean `/defect close`?" in reply.text
    assert [b.command for b in reply.buttons] == ["defect close 5"]
    assert len(_all(engine, Defect)) == 5
    assert all(d.closed_at is None for d in _all(engine, Defect))


def test_defect_recovr_asks_and_records_neither_an_action_nor_a_defect(chat, engine):
    _log_defects(chat, 3)
    [reply] = chat.replies("/defect recovr 3 called her back")
    assert "Did you mean `/defect recover`?" in reply.text
    assert [b.command for b in reply.buttons] == ["defect recover 3 called her back"]
    assert _all(engine, RecoveryAction) == []
    assert len(_all(engine, Defect)) == 3
    chat.replies(reply.buttons[0].command)  # "Yes" does what was meant
    [action] = _all(engine, RecoveryAction)
    assert (action.defect_id, action.action) == (3, "called her back")


def test_defect_show_6_shows_it_with_stage_owner_and_every_action(chat, engine):
    _log_defects(chat, 6)
    chat.as_("Sam")("/defect recover 6 apologised at the desk")
    chat.as_("Priya")("/defect recover 6 rang her that evening")
    reply = chat("/defect show 6")
    assert "Defect #6" in reply
    assert "Arrival" in reply and "waited 6 minutes" in reply
    assert "1. apologised at the desk (Sam" in reply
    assert "2. rang her that evening (Priya" in reply
    assert "Owner: Sam" in reply
    assert len(_all(engine, Defect)) == 6


def test_defect_3_shows_defect_3_and_logs_nothing(chat, engine):
    _log_defects(chat, 3)
    reply = chat("/defect 3")
    assert "Defect #3" in reply and "waited 3 minutes" in reply
    assert "No owner yet" in reply
    assert len(_all(engine, Defect)) == 3


def test_showing_a_defect_that_is_not_there_says_so(chat):
    assert "can't find defect #42" in chat("/defect 42")


def test_a_colon_alone_or_a_stage_with_nothing_after_it_is_refused_with_what_to_type(chat, engine):
    assert "Tell me what happened" in chat("/defect :")
    assert "Tell me what happened" in chat("/defect !!! ...")
    assert "Type `/defect arrival: what happened`" in chat("/defect arrival:")
    assert "Tell me what happened" in chat("/defect arival: ?")
    assert _all(engine, Defect) == []


def test_a_mistyped_stage_is_suggested_and_nothing_is_saved_until_one_is_picked(chat, engine):
    [reply] = chat.replies("/defect arival: waited")
    assert "Did you mean Arrival?" in reply.text
    assert _all(engine, Defect) == []
    first = reply.buttons[0]
    assert (first.label, first.command, first.style) == (
        "Arrival",
        "defect arrival: waited",
        "primary",
    )
    assert reply.buttons[-1].command == "defect no stage: waited"
    chat(first.command)
    [defect] = _all(engine, Defect)
    assert (defect.stage, defect.description) == ("arrival", "waited")


def test_no_stage_typed_in_the_console_saves_it_unassigned(chat, engine):
    assert "Nothing is saved" in chat("/defect phones were off all morning")
    assert _all(engine, Defect) == []
    assert "Unassigned" in chat("/defect no stage: phones were off all morning")
    [defect] = _all(engine, Defect)
    assert (defect.stage, defect.description) == (None, "phones were off all morning")


def test_a_patient_reference_travels_with_the_stage_choice(chat, engine):
    [reply] = chat.replies("/defect the lift broke patient: JS-1042")
    assert _all(engine, Defect) == []
    assert reply.buttons[0].command.endswith("the lift broke patient: JS-1042")
    chat(reply.buttons[0].command)
    [defect] = _all(engine, Defect)
    assert defect.description == "the lift broke" and defect.patient_ref_hash is not None


def test_wow_nominat_3_asks_and_posts_no_story(chat, engine):
    reply = chat("/wow nominat 3")
    assert "Did you mean `/wow nominate`?" in reply
    assert _all(engine, Story) == [] and _all(engine, StoryDraft) == []


def test_a_story_about_someone_whose_name_looks_like_a_subcommand_is_still_a_story(chat, engine):
    reply = chat("/wow Edith stayed late to drive Mrs K home @Priya")
    assert "Did you mean" not in reply
    assert len(_all(engine, Story)) == 1


def test_tidbit_forgot_4_asks_and_saves_no_tidbit(chat, engine):
    reply = chat("/tidbit forgot 4")
    assert "Did you mean `/tidbit forget`?" in reply
    assert _all(engine, Tidbit) == []


def test_defect_close_8_9_10_closes_each_and_says_so_per_id(chat, engine):
    _log_defects(chat, 9)
    chat("/defect close 9")
    reply = chat("/defect close 8 9 10")
    assert "Defect #8 is closed" in reply
    assert "Defect #9 was already closed" in reply
    assert "can't find defect #10" in reply
    closed = {d.id for d in _all(engine, Defect) if d.closed_at is not None}
    assert closed == {8, 9}


def test_wow_nominate_3_4_nominates_both(chat, engine):
    chat.as_("Sam")("/wow @Priya stayed late")
    chat.as_("Sam")("/wow @Priya came in early")
    reply = chat.as_("Alex")("/wow nominate 1 2 7")
    assert "You nominated story #1" in reply
    assert "You nominated story #2" in reply
    assert "can't find story #7" in reply


def test_a_stage_without_its_colon_is_offered_first_and_nothing_is_saved(chat, engine):
    [reply] = chat.replies("/defect front desk nobody looked up")
    assert "Did you mean Arrival?" in reply.text
    assert reply.buttons[0].command == "defect arrival: nobody looked up"
    assert _all(engine, Defect) == []
