"""A defect keeps every recovery action in order, and has one owner who is told privately."""

from sqlmodel import Session

from bot.model import Person, Visibility
from bot.storage.models import Defect


def _owner(engine, defect_id: int = 1) -> tuple[str | None, str | None]:
    with Session(engine) as session:
        defect = session.get(Defect, defect_id)
        return defect.owner_id, defect.owner_name


def test_two_recovery_actions_are_both_shown_in_order_with_who_and_when(chat, clock):
    chat.as_("Jo")("/defect arrival: waited 25 minutes")
    chat.as_("Sam")("/defect recover 1 called to apologise")
    clock.advance(days=1)
    reply = chat.as_("Lee")("/defect recover 1 rebooked her at a time that suits")
    first = "1. called to apologise (Sam, Tue 24 Nov, action #1)"
    second = "2. rebooked her at a time that suits (Lee, Wed 25 Nov, action #2)"
    for shown in (reply, chat("/defect list")):
        assert first in shown and second in shown
        assert shown.index(first) < shown.index(second)
        assert "Owner: Sam" in shown


def test_the_patients_recall_shows_every_recovery_action(chat):
    chat.as_("Jo")("/defect arrival: waited 25 minutes patient: JS-1042")
    chat.as_("Sam")("/defect recover 1 called to apologise")
    chat.as_("Lee")("/defect recover 1 rebooked her")
    recalled = chat("/tidbit JS-1042")
    assert "Recovery: called to apologise (Sam)" in recalled
    assert "Recovery: rebooked her (Lee)" in recalled


def test_the_first_to_record_a_recovery_owns_the_defect_and_a_second_does_not_take_it(chat, engine):
    chat.as_("Jo")("/defect arrival: waited 25 minutes")
    assert "No owner yet" in chat("/defect list")
    chat.as_("Sam")("/defect recover 1 called to apologise")
    chat.as_("Lee")("/defect recover 1 rebooked her")
    assert _owner(engine) == ("U-sam", "Sam")


def test_assigning_by_mention_makes_them_the_owner_and_tells_them_privately(chat, engine):
    chat.as_("Jo")("/defect arrival: waited 25 minutes")
    chat.as_("Sam")("/defect recover 1 called to apologise")
    said, told = chat.as_("Dana").replies("/defect assign 1 @Priya")
    assert said.visibility is Visibility.CHANNEL
    assert said.text.startswith("@Priya now owns defect #1")
    assert said.mentions == (Person("U-priya", "Priya"),)
    assert told.to == Person("U-priya", "Priya")
    assert told.title == "You own defect #1 · Arrival"
    assert "Dana asked you to follow it up" in told.text and "waited 25 minutes" in told.text
    assert _owner(engine) == ("U-priya", "Priya")
    assert "Owner: Priya" in chat("/defect list")


def test_assigning_to_yourself_sends_no_private_message(chat, engine):
    chat.as_("Jo")("/defect arrival: waited 25 minutes")
    [said] = chat.as_("Priya").replies("/defect assign 1 @Priya")
    assert said.to is None and _owner(engine) == ("U-priya", "Priya")


def test_assign_without_a_mention_says_how(chat, engine):
    chat.as_("Jo")("/defect arrival: waited 25 minutes")
    assert "`/defect assign 12 @Priya`" in chat("/defect assign 1 Priya")
    assert _owner(engine) == (None, None)


def test_another_workspace_cannot_assign_or_change_this_ones_defect(chat, other_chat, engine):
    chat.as_("Jo")("/defect arrival: waited 25 minutes")
    assert "can't find defect #1" in other_chat("/defect assign 1 @Priya")
    assert "can't find defect #1" in other_chat("/defect delete 1")
    assert _owner(engine) == (None, None)
