"""Who may change what: the practice's admins, and everyone else told who can."""

from dataclasses import replace

from sqlmodel import Session, select

from bot.model import Incoming, Installed, Visibility
from bot.storage.models import AuditEntry, PracticeAdmin, Subscription, Tidbit
from tests.conftest import Chat


def _admins(engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        rows = session.exec(select(PracticeAdmin).order_by(PracticeAdmin.id))
        return [(row.user_id, row.source) for row in rows]


def _schedule(engine) -> tuple:
    with Session(engine) as session:
        sub = session.exec(select(Subscription)).one()
        return (sub.weekday, sub.hour, sub.minute, sub.timezone, sub.active)


def _install(huddle, installer: str = "U-dana", name: str = "Dana") -> None:
    huddle.handle(Installed("slack", "T1", "C1", installer_id=installer, installer_name=name))


def test_the_installer_is_an_admin_without_being_added(huddle, chat, engine):
    _install(huddle)
    assert _admins(engine) == [("U-dana", "installer")]
    chat.as_("Dana")
    assert "Every Monday 7:45 am" in chat("/huddle schedule monday 07:45")


def test_a_non_admins_schedule_stop_and_timezone_are_refused_naming_the_admins(
    huddle, chat, engine
):
    _install(huddle)
    chat.as_("Dana")("/huddle schedule monday 07:45 Australia/Sydney")
    chat.as_("Robin")
    for line, what in (
        ("/huddle schedule monday 08:00 America/New_York", "change the schedule"),
        ("/huddle stop", "stop the meeting"),
        ("/huddle timezone America/New_York", "change the practice's timezone"),
        ("/huddle emoji heart", "change the reaction emoji"),
        ("/huddle pause until 2027-01-12", "pause the meeting"),
        ("/huddle skip 2026-11-30", "skip a meeting"),
        ("/huddle resume", "resume the meeting"),
    ):
        [reply] = chat.replies(line)
        assert reply.visibility is Visibility.PRIVATE
        assert reply.text == f"Only the practice's admins can {what}: @Dana. Ask one of them."
    assert _schedule(engine) == (0, 7, 45, "Australia/Sydney", True)
    # Reading is for everyone.
    assert "Australia/Sydney" in chat("/huddle timezone")
    assert "Monday 7:45 am" in chat("/huddle status")


def test_a_platform_admin_is_an_admin_without_being_added(huddle, chat, engine):
    _install(huddle)
    sam = Incoming(
        "slack",
        "T1",
        "C1",
        "U-sam",
        "Sam",
        "huddle",
        "schedule monday 08:00",
        platform_admin=True,
    )
    [reply] = huddle.handle(sam)
    assert "Every Monday 8:00 am" in reply.text
    assert _admins(engine) == [("U-dana", "installer"), ("U-sam", "platform")]
    [refused] = Chat(huddle).as_("Robin").replies("/huddle stop")
    assert "@Dana, @Sam" in refused.text
    # No longer one on the platform: no longer one here.
    huddle.handle(replace(sam, text="status", platform_admin=False))
    assert _admins(engine) == [("U-dana", "installer")]


def test_admins_are_added_and_removed_in_chat_and_each_change_is_audited(huddle, chat, engine):
    _install(huddle)
    chat.as_("Robin")
    assert "Only the practice's admins can add or remove admins" in chat("/huddle admin add @Robin")
    chat.as_("Dana")
    added = chat("/huddle admin add @Sam")
    assert "@Sam is now one of the practice's admins, added by Dana" in added
    assert "@Dana, @Sam" in chat("/huddle admins")
    chat.as_("Sam")
    assert "Every Monday" in chat("/huddle schedule monday 08:00")
    assert "no longer one of the practice's admins" in chat("/huddle admin remove @Dana")
    assert _admins(engine) == [("U-sam", "added")]
    with Session(engine) as session:
        audit = list(session.exec(select(AuditEntry).order_by(AuditEntry.id)))
    assert [(a.action, a.actor_id) for a in audit] == [
        ("admin.add", "U-dana"),  # the installer, on installing
        ("admin.add", "U-dana"),  # Sam, by Dana
        ("admin.remove", "U-sam"),
    ]
    assert all(a.patient_ref_hash is None and a.patient_ref_enc is None for a in audit)


def test_the_last_admin_cannot_be_removed(huddle, chat, engine):
    _install(huddle)
    chat.as_("Dana")
    assert "only admin" in chat("/huddle admin remove @Dana")
    assert _admins(engine) == [("U-dana", "installer")]


def test_changing_a_schedule_says_what_it_replaces_and_only_the_confirm_applies_it(chat, engine):
    chat("/huddle schedule monday 07:45 Australia/Sydney")
    [ask] = chat.replies("/huddle schedule monday 08:00 America/New_York")
    assert ask.visibility is Visibility.PRIVATE
    assert "Monday 7:45 am Sydney time (Australia/Sydney)" in ask.text
    assert "Monday 8:00 am New York time (America/New_York)" in ask.text
    assert _schedule(engine) == (0, 7, 45, "Australia/Sydney", True)
    [button] = ask.buttons
    command, _, text = button.command.partition(" ")
    [done] = chat.replies(f"/{command} {text}")
    assert "Every Monday 8:00 am New York time (America/New_York)" in done.text
    assert _schedule(engine) == (0, 8, 0, "America/New_York", True)


def test_a_workspace_with_no_admin_makes_the_first_to_change_a_setting_its_first(chat, engine):
    reply = chat.as_("Alex")("/huddle schedule monday 08:00")
    assert "first admin" in reply
    assert _admins(engine) == [("U-alex", "first")]
    assert "Only the practice's admins can stop the meeting: @Alex." in chat.as_("Robin")(
        "/huddle stop"
    )


def test_forgetting_another_persons_tidbit_is_refused_unless_an_admin(huddle, chat, engine):
    _install(huddle)
    chat.as_("Robin")("/tidbit JS-1042 daughter's wedding in June")
    chat.as_("Kim")("/tidbit JS-1043 new puppy")
    [refused] = chat.as_("Kim").replies("/tidbit forget 1")
    assert refused.text == (
        "Only the practice's admins can delete someone else's tidbit: @Dana. Ask one of them."
    )
    assert "deleted" in chat.as_("Kim")("/tidbit forget 2")  # one's own
    assert "deleted" in chat.as_("Dana")("/tidbit forget 1")  # an admin
    with Session(engine) as session:
        assert session.exec(select(Tidbit)).all() == []
