"""`/huddle admins` and `/huddle admin add|remove <person>`, and the check every
admin-only action makes first (``require_admin``)."""

from __future__ import annotations

from bot import roles
from bot.commands.context import Context, UsageError
from bot.model import Person, Reply, Visibility
from bot.storage import admins

FIRST_ADMIN = (
    "You are the practice's first admin on Huddle: from now on only admins change its "
    "settings. `/huddle admin add @someone` adds another."
)


def require_admin(ctx: Context, what: str) -> str | None:
    """Refuse (a ``UsageError`` naming the admins) unless the sender is an admin.

    ``what`` finishes "Only the practice's admins can …". Returns a note to add to the
    reply when this made the sender the workspace's first admin, else None.
    """
    session, workspace_id = ctx.session, ctx.workspace_id
    if roles.is_admin(session=session, workspace_id=workspace_id, incoming=ctx.incoming):
        return None
    if roles.admit_first(
        session=session, workspace_id=workspace_id, incoming=ctx.incoming, now=ctx.now
    ):
        return FIRST_ADMIN
    text, people = roles.refusal(session=session, workspace_id=workspace_id, what=what)
    raise UsageError(text, mentions=people)


def list_admins(ctx: Context, rest: str) -> Reply:
    people = roles.admin_people(session=ctx.session, workspace_id=ctx.workspace_id)
    return Reply(
        title="The practice's admins",
        mentions=people,
        text=(
            roles.named(people)
            or "No one yet: the first person to change a setting becomes the first."
        )
        + "\nAdmins change the schedule, the timezone and the reaction emoji, and can delete "
        "anyone's records. `/huddle admin add @someone` and `/huddle admin remove @someone`.",
    )


def admin(ctx: Context, rest: str) -> Reply:
    word = rest.strip().partition(" ")[0]
    action = word.casefold()
    person = roles.first_person(ctx.incoming)
    if action not in ("add", "remove") or person is None:
        raise UsageError(
            "Say who, with a mention: `/huddle admin add @Dana` or `/huddle admin remove @Dana`."
        )
    note = require_admin(ctx, "add or remove admins")
    text = _add(ctx, person) if action == "add" else _remove(ctx, person)
    return Reply(
        text=f"{text}\n\n{note}" if note else text,
        visibility=Visibility.CHANNEL,
        mentions=(person,),
    )


def _add(ctx: Context, person: Person) -> str:
    added = admins.add_admin(
        session=ctx.session,
        workspace_id=ctx.workspace_id,
        user_id=person.user_id or person.name,
        name=person.name,
        source="added",
        added_by=ctx.incoming.user_id,
        now=ctx.now,
    )
    if not added:
        return f"{person.at} is already one of the practice's admins."
    roles.audit_admin_change(
        session=ctx.session,
        workspace_id=ctx.workspace_id,
        incoming=ctx.incoming,
        action="admin.add",
        now=ctx.now,
    )
    return f"{person.at} is now one of the practice's admins, added by {ctx.incoming.user_name}."


def _remove(ctx: Context, person: Person) -> str:
    found = admins.get_admin(
        session=ctx.session, workspace_id=ctx.workspace_id, user_id=person.user_id or person.name
    )
    if found is None:
        raise UsageError(
            f"{person.name} isn't one of the practice's admins. `/huddle admins` lists them."
        )
    if found.source == "platform":
        raise UsageError(
            f"{found.name} administers the workspace itself, so Huddle follows the platform: "
            "they stay an admin here while they are one there."
        )
    everyone = admins.list_admins(session=ctx.session, workspace_id=ctx.workspace_id)
    if len(everyone) <= 1:
        raise UsageError(
            f"{found.name} is the practice's only admin, and someone has to be one. "
            "Add another first: `/huddle admin add @someone`."
        )
    admins.remove_admin(session=ctx.session, admin=found)
    roles.audit_admin_change(
        session=ctx.session,
        workspace_id=ctx.workspace_id,
        incoming=ctx.incoming,
        action="admin.remove",
        now=ctx.now,
    )
    return f"{person.at} is no longer one of the practice's admins."
