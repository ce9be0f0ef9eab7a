"""`/huddle tidbits [on|off]`: whether the practice uses patient tidbits at all.

On by default. Off, `/tidbit` (every form, recall included) answers that the practice
has tidbits turned off and names the admins who can turn them on; nothing is saved,
and the morning brief, the home screen and `/huddle brief` show no tidbit lines and
read none. Tidbits already kept stay until they expire, as usual.
"""

from __future__ import annotations

from bot import roles
from bot.commands.admins import require_admin
from bot.commands.context import Context, UsageError
from bot.model import Reply, Visibility
from bot.storage.audit import record_audit
from bot.storage.workspaces import update_workspace

AUDIT_ON, AUDIT_OFF = "setting.tidbits.on", "setting.tidbits.off"


def refuse_when_off(ctx: Context) -> None:
    """Raise the kind refusal (naming the admins) when the practice has tidbits off."""
    if ctx.workspace.tidbits:
        return
    people = roles.admin_people(session=ctx.session, workspace_id=ctx.workspace_id)
    who = roles.named(people) or "the practice's admins"
    raise UsageError(
        "This practice has tidbits turned off, so nothing was saved or shown. The practice's "
        f"admins can turn them on with `/huddle tidbits on`: {who}.",
        mentions=people,
    )


def _state(on: bool) -> str:
    if on:
        return "Tidbits are on: anyone can keep a patient's personal details with `/tidbit`."
    return "Tidbits are off: `/tidbit` saves nothing and the brief shows no tidbits."


def tidbits(ctx: Context, rest: str) -> Reply:
    answer = rest.strip().casefold()
    if not answer:
        return Reply(
            text=f"{_state(ctx.workspace.tidbits)} Admins change it with "
            "`/huddle tidbits on` or `/huddle tidbits off`."
        )
    if answer not in ("on", "off"):
        raise UsageError("Say `/huddle tidbits on` or `/huddle tidbits off`.")
    note = require_admin(ctx, "turn the practice's tidbits on or off")
    on = answer == "on"
    if ctx.workspace.tidbits == on:
        text = f"Nothing changed. {_state(on)}"
    else:
        update_workspace(session=ctx.session, workspace=ctx.workspace, tidbits=on)
        record_audit(
            session=ctx.session,
            workspace_id=ctx.workspace_id,
            actor_id=ctx.incoming.user_id,
            actor_name=ctx.incoming.user_name,
            action=AUDIT_ON if on else AUDIT_OFF,
            channel_id=ctx.incoming.channel_id,
            now=ctx.now,
        )
        text = (
            f"Tidbits are on again, turned on by {ctx.incoming.user_name}: `/tidbit` keeps "
            "and recalls patients' personal details, and the brief shows them."
            if on
            else f"Tidbits are off, turned off by {ctx.incoming.user_name}: `/tidbit` saves "
            "nothing and the brief shows no tidbits. The tidbits already kept stay until "
            "they expire as usual; `/huddle tidbits on` turns them back on."
        )
    return Reply(text=text, footer=note, visibility=Visibility.CHANNEL)
