"""Who may change what: the practice's admins.

By default a workspace's admins are the platform's own (the adapter says so on each
command: ``Incoming.platform_admin``, a Slack workspace owner or admin) and whoever
added Huddle (``Installed.installer_id``); admins add and remove others in chat.
Everyone may read; changing the practice's settings (the schedule, the timezone, the
reaction emoji) and deleting other people's records is for admins. A workspace from
before roles, with no admin known at all, makes the first person to change a setting
its first admin, so no practice is ever locked out of its own settings.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.model import Incoming, Person, RoleSeen
from bot.storage import admins
from bot.storage.audit import record_audit


def first_person(incoming: Incoming) -> Person | None:
    """The first person the command mentions (``admin add @Dana``), or None."""
    return incoming.mentions[0] if incoming.mentions else None


def note_platform_admin(
    *, session: Session, workspace_id: int, incoming: Incoming | RoleSeen, now
) -> None:
    """Keep the platform's word on the sender: listed while it says admin, dropped when not.

    Only rows the platform made (``platform``) are dropped; an admin added in chat or
    the installer stays one whatever the platform says.
    """
    if incoming.platform_admin is None:
        return
    row = admins.get_admin(session=session, workspace_id=workspace_id, user_id=incoming.user_id)
    if incoming.platform_admin and row is None:
        admins.add_admin(
            session=session,
            workspace_id=workspace_id,
            user_id=incoming.user_id,
            name=incoming.user_name,
            source="platform",
            now=now,
        )
    elif not incoming.platform_admin and row is not None and row.source == "platform":
        admins.remove_admin(session=session, admin=row)


def is_admin(*, session: Session, workspace_id: int, incoming: Incoming) -> bool:
    found = admins.get_admin(session=session, workspace_id=workspace_id, user_id=incoming.user_id)
    if found is not None and found.name != incoming.user_name and incoming.user_name:
        admins.rename_admin(session=session, admin=found, name=incoming.user_name)
    return bool(incoming.platform_admin) or found is not None


def admin_people(*, session: Session, workspace_id: int) -> tuple[Person, ...]:
    """The admins, longest-standing first."""
    found = admins.list_admins(session=session, workspace_id=workspace_id)
    return tuple(Person(a.user_id, a.name) for a in found)


def named(people: tuple[Person, ...]) -> str:
    """'@Dana, @Sam': each to be mentioned (``Reply.mentions``)."""
    return ", ".join(p.at for p in people)


def refusal(*, session: Session, workspace_id: int, what: str) -> tuple[str, tuple[Person, ...]]:
    """The friendly private answer to someone who may not do ``what``, and who it names."""
    people = admin_people(session=session, workspace_id=workspace_id)
    return f"Only the practice's admins can {what}: {named(people)}. Ask one of them.", people


def admit_first(*, session: Session, workspace_id: int, incoming: Incoming, now: datetime) -> bool:
    """Make the sender the first admin when the workspace has none; True when it did."""
    if admins.list_admins(session=session, workspace_id=workspace_id):
        return False
    added = admins.add_admin(
        session=session,
        workspace_id=workspace_id,
        user_id=incoming.user_id,
        name=incoming.user_name,
        source="first",
        now=now,
    )
    if added:
        audit_admin_change(
            session=session,
            workspace_id=workspace_id,
            incoming=incoming,
            action="admin.add",
            now=now,
        )
    return added


def audit_admin_change(
    *, session: Session, workspace_id: int, incoming: Incoming, action: str, now: datetime
) -> None:
    """One audit entry per admin added or removed: who did it, where and when; no content."""
    record_audit(
        session=session,
        workspace_id=workspace_id,
        actor_id=incoming.user_id,
        actor_name=incoming.user_name,
        action=action,
        record_count=1,
        channel_id=incoming.channel_id,
        now=now,
    )
