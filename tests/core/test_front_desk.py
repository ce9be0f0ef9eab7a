"""The front desk: a role admins give in chat, and the fail-to-attend protocol's settings."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.model import Installed, Visibility
from bot.storage.appointment_models import FrontDesk, PracticeProtocol


def _desk(engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.exec(select(FrontDesk).order_by(FrontDesk.id))
        return [(row.user_id, row.name) for row in rows]


def _install(huddle) -> None:
    huddle.handle(Installed("slack", "T1", "C1", installer_id="U-dana", installer_name="Dana"))


def test_an_admin_adds_and_removes_front_desk_people_and_the_list_says_who_hears(
    huddle, chat, engine
):
    _install(huddle)
    chat.as_("Dana")
    [added] = chat.replies("/huddle frontdesk add @Sam")
    assert "@Sam is now on the front desk" in added.plain()
    assert added.visibility is Visibility.CHANNEL
    assert "already on the front desk" in chat("/huddle frontdesk add @Sam")
    chat("/huddle frontdesk add @Lee")
    assert _desk(engine) == [("U-sam", "Sam"), ("U-lee", "Lee")]

    listing = chat("/huddle frontdesk")
    assert "The front desk: @Sam, @Lee." in listing
    assert "at 3:00 pm" in listing and "the end of today" in listing

    assert "no longer on the front desk" in chat("/huddle frontdesk remove @Sam")
    assert _desk(engine) == [("U-lee", "Lee")]


def test_with_no_front_desk_the_list_says_the_admins_are_told_instead(huddle, chat):
    _install(huddle)
    listing = chat.as_("Robin")("/huddle frontdesk")
    assert "No front desk is set, so the practice's admins are told instead: @Dana" in listing

    chat.as_("Dana")("/huddle frontdesk add @Sam")
    left = chat("/huddle frontdesk remove @Sam")
    assert "the practice's admins are told instead" in left


def test_someone_not_an_admin_cannot_change_the_front_desk(huddle, chat, engine):
    _install(huddle)
    refused = chat.as_("Robin")("/huddle frontdesk add @Sam")
    assert "Only the practice's admins can change the front desk" in refused
    assert "@Dana" in refused
    assert _desk(engine) == []


def test_bad_front_desk_input_says_what_to_type(huddle, chat):
    _install(huddle)
    chat.as_("Dana")
    assert "Say who, with a mention" in chat("/huddle frontdesk add Sam")
    assert "/huddle frontdesk at 15:00" in chat("/huddle frontdesk sometime")
    assert "For example `/huddle frontdesk at 15:00`" in chat("/huddle frontdesk at teatime")
    assert "popups on" in chat("/huddle frontdesk popups maybe")
    assert "isn't on the front desk" in chat("/huddle frontdesk remove @Sam")


def test_the_notice_time_deadline_and_popups_are_the_practices_own(huddle, chat, engine):
    _install(huddle)
    chat.as_("Dana")
    assert "Each open day at 2:30 pm" in chat("/huddle frontdesk at 2:30 pm")
    assert "confirm by 5:00 pm today" in chat("/huddle frontdesk deadline 17:00")
    assert "never tidbits" in chat("/huddle frontdesk popups on")
    with Session(engine) as session:
        row = session.exec(select(PracticeProtocol)).one()
    assert (row.notice_minutes, row.deadline_minutes, row.popups) == (870, 1020, True)

    assert "the end of today" in chat("/huddle frontdesk deadline end of day")
    assert "No more popups" in chat("/huddle frontdesk popups off")
    assert "Popups in Open Dental for open recoveries: off" in chat("/huddle frontdesk")


def test_a_late_patients_outcome_buttons_answer_privately_and_save_nothing(chat, engine):
    [arrived] = chat.replies("/fta arrived JS-1042")
    assert "JS-1042 arrived" in arrived.plain() and arrived.sensitive
    [moved] = chat.replies("/fta rescheduled JS-1042")
    assert "new time" in moved.plain()
    [asked] = chat.replies("/fta JS-1042")  # did not attend: the cause is asked first
    assert "Why did JS-1042 not come?" in asked.plain()
    assert any(b.command == "fta JS-1042 transport" for b in asked.buttons)


def test_each_front_desk_change_is_audited_with_who_made_it_and_no_one_s_name(huddle, chat, engine):
    from bot.audit_log import describe
    from bot.storage.models import AuditEntry

    _install(huddle)
    chat.as_("Dana")
    chat("/huddle frontdesk add @Sam")
    chat("/huddle frontdesk add @Sam")  # already there: nothing changed, nothing audited
    chat("/huddle frontdesk at 14:30")
    chat("/huddle frontdesk deadline end of day")
    chat("/huddle frontdesk popups on")
    chat("/huddle frontdesk remove @Sam")
    with Session(engine) as session:
        entries = list(session.exec(select(AuditEntry).order_by(AuditEntry.id)))
    changes = [e for e in entries if "frontdesk" in e.action]
    assert [e.action for e in changes] == [
        "frontdesk.add",
        "setting.frontdesk.at",
        "setting.frontdesk.deadline",
        "setting.frontdesk.popups",
        "frontdesk.remove",
    ]
    assert {e.actor_id for e in changes} == {"U-dana"}
    assert describe(changes[0]) == "added a front-desk person"
    assert describe(changes[1]) == "changed the front desk's notice time"
