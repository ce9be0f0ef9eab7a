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

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.model import Incoming
from bot.storage import admins
from bot.storage.audit import record_audit

# A person named in command text: the neutral mention ``<@ID>`` or ``<@ID|Name>`` (Slack
# writes it so; other adapters convert theirs to it), or a plain ``@Name`` (the console).
MENTION = re.compile(r"<@(?P<id>[^>|\s]+)(?:\|(?P<name>[^>]*))?>|@(?P<plain>[\w.-]+)")


@dataclass(frozen=True)
class Person:
    user_id: str
    mention: str


def parse_person(text: str) -> Person | None:
    """The first person mentioned in ``text``, or None.

    >>> parse_person("add <@U2|dana>")
    Person(user_id='U2', mention='<@U2|dana>')
    """
    match = MENTION.search(text)
    if match is None:
        return None
    if match.group("id"):
        return Person(match.group("id"), match.group(0))
    plain = match.group("plain")
    return Person(plain.casefold(), plain)


def mention_of(incoming: Incoming) -> str:
    """How to name the person who sent ``incoming`` so the platform shows them."""
    return incoming.user_mention or incoming.user_name


def note_platform_admin(*, session: Session, workspace_id: int, incoming: Incoming, now) -> None:
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
            mention=mention_of(incoming),
            source="platform",
            now=now,
        )
    elif not incoming.platform_admin and row is not None and row.source == "platform":
        admins.remove_admin(session=session, admin=row)


def is_admin(*, session: Session, workspace_id: int, incoming: Incoming) -> bool:
    if incoming.platform_admin:
        return True
    found = admins.get_admin(session=session, workspace_id=workspace_id, user_id=incoming.user_id)
    return found is not None


def admin_names(*, session: Session, workspace_id: int) -> str:
    """'Dana, Sam': the admins as the platform mentions them, longest-standing first."""
    return ", ".join(
        a.mention for a in admins.list_admins(session=session, workspace_id=workspace_id)
    )


def refusal(*, session: Session, workspace_id: int, what: str) -> str:
    """The friendly private answer to someone who may not do ``what``."""
    return (
        f"Only the practice's admins can {what}: "
        f"{admin_names(session=session, workspace_id=workspace_id)}. Ask one of them."
    )


def admit_first(*, session: Session, workspace_id: int, incoming: Incoming, now: datetime) -> bool:
    """Make the sender the first admin when the workspace has none; True when it did."""
    if admins.list_admins(session=session, workspace_id=workspace_id):
        return False
    added = admins.add_admin(
        session=session,
        workspace_id=workspace_id,
        user_id=incoming.user_id,
        mention=mention_of(incoming),
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
