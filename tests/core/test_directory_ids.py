"""The door remembers which platform user a sender's directory id is, per workspace."""

from __future__ import annotations

from sqlmodel import select

from bot.model import Incoming, Installed, Reaction
from bot.storage.db import transaction
from bot.storage.directory_ids import DirectoryPerson, find_person
from bot.storage.workspaces import get_workspace


def _people(huddle) -> list[tuple[str, str, str, str]]:
    with transaction(huddle.engine) as session:
        rows = session.exec(select(DirectoryPerson).order_by(DirectoryPerson.id)).all()
        return [(r.directory_id, r.user_id, r.name, str(r.workspace_id)) for r in rows]


def _command(user_id="29:nia", name="Nia", directory_id="oid-nia", tenant="tenant-1", **kw):
    return Incoming(
        "teams", tenant, "a:chat", user_id, name, "defect", "list", directory_id=directory_id, **kw
    )


def test_a_command_with_a_directory_id_is_remembered_once(huddle):
    huddle.handle(_command())
    huddle.handle(_command())
    [(directory_id, user_id, name, _)] = _people(huddle)
    assert (directory_id, user_id, name) == ("oid-nia", "29:nia", "Nia")


def test_a_new_name_or_user_id_for_the_same_directory_id_replaces_the_old(huddle):
    huddle.handle(_command())
    huddle.handle(_command(name="Niamh"))
    huddle.handle(_command(user_id="29:nia-again", name="Niamh"))
    [(_, user_id, name, _)] = _people(huddle)
    assert (user_id, name) == ("29:nia-again", "Niamh")


def test_each_workspace_keeps_its_own_people(huddle):
    huddle.handle(_command(tenant="tenant-1"))
    huddle.handle(_command(tenant="tenant-2", user_id="29:other-nia"))
    with transaction(huddle.engine) as session:
        one = get_workspace(session=session, platform="teams", external_id="tenant-1")
        two = get_workspace(session=session, platform="teams", external_id="tenant-2")
        here = find_person(session=session, workspace_id=one.id, directory_id="oid-nia")
        there = find_person(session=session, workspace_id=two.id, directory_id="oid-nia")
        assert (here.user_id, there.user_id) == ("29:nia", "29:other-nia")


def test_the_installer_and_a_reactor_are_remembered_too(huddle):
    huddle.handle(
        Installed(
            "teams",
            "tenant-1",
            "a:chat",
            installer_id="29:mia",
            installer_name="Mia",
            installer_directory_id="oid-mia",
        )
    )
    huddle.handle(
        Reaction(
            "teams",
            "tenant-1",
            "a:chat",
            "m1",
            "29:sam",
            "Sam",
            "like",
            True,
            None,
            directory_id="oid-sam",
        )
    )
    assert [p[:3] for p in _people(huddle)] == [
        ("oid-mia", "29:mia", "Mia"),
        ("oid-sam", "29:sam", "Sam"),
    ]


def test_an_unusable_directory_id_is_dropped_and_the_command_still_runs(huddle):
    for odd in ("", "   ", "x" * 500):
        [reply] = huddle.handle(_command(directory_id=odd))
        assert "couldn't read" not in reply.text
    assert _people(huddle) == []


def test_no_directory_id_stores_nothing(huddle):
    huddle.handle(_command(directory_id=None))
    assert _people(huddle) == []
