"""A platform's word on someone's role heard outside a command (a dashboard sign-in)
follows the chat's rule: listed while the platform says admin, dropped when it stops."""

from sqlmodel import Session, select

from bot.model import Installed, RoleSeen
from bot.storage.models import PracticeAdmin, Workspace


def _admins(engine) -> list[tuple[str, str, str]]:
    with Session(engine) as session:
        rows = session.exec(select(PracticeAdmin).order_by(PracticeAdmin.id))
        return [(row.user_id, row.name, row.source) for row in rows]


def test_an_admin_the_platform_names_is_listed_and_dropped_when_it_stops(huddle, engine):
    huddle.handle(Installed("slack", "T1", None))
    assert huddle.handle(RoleSeen("slack", "T1", "U-sam", "Sam", True)) == []
    assert _admins(engine) == [("U-sam", "Sam", "platform")]
    huddle.handle(RoleSeen("slack", "T1", "U-sam", "Sam", True))
    assert _admins(engine) == [("U-sam", "Sam", "platform")]
    huddle.handle(RoleSeen("slack", "T1", "U-sam", "Sam", False))
    assert _admins(engine) == []


def test_an_installer_stays_an_admin_whatever_the_platform_says(huddle, engine):
    huddle.handle(Installed("slack", "T1", None, installer_id="U-dana", installer_name="Dana"))
    huddle.handle(RoleSeen("slack", "T1", "U-dana", "Dana", False))
    assert _admins(engine) == [("U-dana", "Dana", "installer")]


def test_a_workspace_huddle_is_not_in_is_not_made_by_it(huddle, engine):
    assert huddle.handle(RoleSeen("slack", "T-unknown", "U-x", "Xavier", True)) == []
    with Session(engine) as session:
        assert session.exec(select(Workspace)).all() == []
    assert _admins(engine) == []
