"""Who may edit, delete or undo a record, and the audit entry each deletion leaves.

The person who recorded something may edit or delete it, and so may the practice's
admins; everyone else is told who can. A reply to a command that saved a record has
an **Undo** button for ``UNDO_WINDOW``: only its author can use it, and after that
it says how to delete the record instead. Audit entries name the kind of record and
its id, never its content (a tidbit is patient data).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.commands.admins import require_admin
from bot.commands.context import Context, UsageError
from bot.model import Button
from bot.storage.audit import record_audit

UNDO_WINDOW = timedelta(minutes=10)


def undo_button(command: str) -> Button:
    """The one-tap Undo for what a reply just saved (``command``: ``defect undo 5``)."""
    return Button("Undo", command)


def may_change(ctx: Context, *, author_id: str, author_name: str, what: str) -> str | None:
    """Refuse (naming the admins) unless the sender recorded it or is an admin.

    ``what`` is the kind of record (``defect``). Returns ``require_admin``'s note, if any.
    """
    if author_id == ctx.incoming.user_id:
        return None
    return require_admin(ctx, f"change or delete {author_name}'s {what}")


def may_undo(
    ctx: Context, *, author_id: str, created_at: datetime, what: str, delete_with: str
) -> None:
    """Undo is its author's alone, and only within ``UNDO_WINDOW`` of saving it."""
    if author_id != ctx.incoming.user_id:
        raise UsageError(
            f"Only the person who recorded this {what} can undo it. "
            f"An admin can delete it: `/{delete_with}`."
        )
    if ctx.now - created_at > UNDO_WINDOW:
        minutes = int(UNDO_WINDOW.total_seconds() // 60)
        raise UsageError(
            f"It's too late to undo that: Undo works for {minutes} minutes after saving. "
            f"You can still delete it: `/{delete_with}`."
        )


def may(
    ctx: Context,
    sub: str,
    *,
    author_id: str,
    author_name: str,
    created_at: datetime,
    what: str,
    delete_with: str,
) -> str | None:
    """The check an ``edit``, ``delete`` or ``undo`` makes first (``may_undo`` for an undo,
    else ``may_change``); returns ``require_admin``'s note, if any."""
    if sub == "undo":
        may_undo(
            ctx, author_id=author_id, created_at=created_at, what=what, delete_with=delete_with
        )
        return None
    return may_change(ctx, author_id=author_id, author_name=author_name, what=what)


def audit_change(ctx: Context, *, action: str, record_id: int) -> None:
    """Who changed which record (``defect.delete``, ``story.undo``, …), when; no content."""
    record_audit(
        session=ctx.session,
        workspace_id=ctx.workspace_id,
        actor_id=ctx.incoming.user_id,
        actor_name=ctx.incoming.user_name,
        action=action,
        record_count=1,
        record_id=record_id,
        channel_id=ctx.incoming.channel_id,
        now=ctx.now,
    )
