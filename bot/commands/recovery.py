"""`/defect recover …` and `/defect assign …`: a defect's recovery, step by step, and its owner.

Every recovery action is kept in order with who recorded it and when, and every
view shows them all. A defect has one owner, who follows it up: whoever it is
assigned to by mention, else the first person to record a recovery. The owner is
told privately when it is assigned to them (and by the clock when it has been a
week with no action).
"""

from __future__ import annotations

from bot.commands.changes import audit_change, may, undo_button
from bot.commands.context import Context, UsageError
from bot.commands.gate import gate
from bot.commands.parsing import parse_id
from bot.model import Button, Person, Reply, Visibility
from bot.roles import first_person
from bot.storage import defects
from bot.storage.defects import DefectView
from bot.storage.models import RECOVERY_MAX, Defect, RecoveryAction
from bot.wording import local_date, shorten

# How many of a defect's newest actions each reply shows, so it fits every platform.
SHOWN_AFTER_RECORDING = 20


def find_defect(ctx: Context, text: str, example: str) -> Defect:
    defect_id = parse_id(text, what="defect", example=example)
    defect = defects.get_defect(
        session=ctx.session, workspace_id=ctx.workspace_id, defect_id=defect_id
    )
    if defect is None:
        raise UsageError(
            f"I can't find defect #{defect_id} here. `/defect list` shows the open ones."
        )
    return defect


def history(view: DefectView, tz: str, *, width: int = 160, last: int | None = None) -> str:
    """Every recovery action in order, with who and when, and the owner.

    ``last`` keeps a long history inside a message's limits: only the newest ``last``
    actions (numbered as they are), after a line saying how many came before and where
    to see them.
    """
    actions = view.actions if last is None else view.actions[-last:]
    skipped = len(view.actions) - len(actions)
    lines = [
        f"{n}. {shorten(a.action, width)} ({a.owner_name}, {local_date(a.created_at, tz)}, "
        f"action #{a.id})"
        for n, a in enumerate(actions, start=skipped + 1)
    ] or ["No recovery action yet"]
    if skipped:
        lines.insert(
            0,
            f"({skipped} earlier action{'s' if skipped > 1 else ''}: `/defect show "
            f"{view.defect.id}`)",
        )
    owner = view.defect.owner_name
    lines.append(f"Owner: {owner}" if owner else "No owner yet")
    return "\n".join(lines)


def recover(ctx: Context, rest: str) -> Reply:
    word, _, tail = rest.strip().partition(" ")
    sub = word.casefold()
    if sub in {"edit", "delete", "undo"}:
        return _change(ctx, sub, tail)
    return _record(ctx, rest)


def _record(ctx: Context, rest: str) -> Reply:
    id_text, _, action = rest.strip().partition(" ")
    if not id_text:
        raise UsageError(
            "Say which defect and what we did: `/defect recover 12 called to apologise`."
        )
    defect = find_defect(ctx, id_text, "/defect recover 12 called to apologise")
    action = action.strip()
    if not action:
        raise UsageError(
            f"What did we do, or what will we do? For example "
            f"`/defect recover {defect.id} called to apologise and rebooked at a time that suits`."
        )
    _check_length(action)
    command = f"defect recover {defect.id} {action}"
    if (warning := gate(ctx, action, kind="recovery", command=command)) is not None:
        return warning
    saved = defects.add_recovery_action(
        session=ctx.session,
        defect=defect,
        action=action,
        owner_id=ctx.incoming.user_id,
        owner_name=ctx.incoming.user_name,
        now=ctx.now,
    )
    view = DefectView(defect, defects.actions_for(session=ctx.session, defect=defect))
    buttons = [undo_button(f"defect recover undo {saved.id}")]
    if not defect.closed_at:
        buttons.append(Button("Close", f"defect close {defect.id}", style="danger"))
    return Reply(
        title=f"Recovery recorded for defect #{defect.id}",
        text=history(view, ctx.workspace.timezone, last=SHOWN_AFTER_RECORDING),
        buttons=tuple(buttons),
        footer="Close it with the button, or `/defect close "
        f"{defect.id}`, once the patient is looked after.",
    )


def _check_length(action: str) -> None:
    if len(action) > RECOVERY_MAX:
        raise UsageError(f"A recovery action is at most {RECOVERY_MAX} characters.")


def _find_action(ctx: Context, text: str, example: str) -> RecoveryAction:
    action_id = parse_id(text, what="recovery action", example=example)
    found = defects.get_action(
        session=ctx.session, workspace_id=ctx.workspace_id, action_id=action_id
    )
    if found is None:
        raise UsageError(
            f"I can't find recovery action #{action_id} here. "
            "`/defect list` shows each defect's actions with their numbers."
        )
    return found


def _change(ctx: Context, sub: str, rest: str) -> Reply:
    id_text, _, text = rest.strip().partition(" ")
    example = f"/defect recover {sub} 7" + (" called again and rebooked" if sub == "edit" else "")
    if not id_text:
        raise UsageError(f"Say which recovery action, like `{example}`.")
    action = _find_action(ctx, id_text, example)
    note = may(
        ctx,
        sub,
        author_id=action.owner_id,
        author_name=action.owner_name,
        created_at=action.created_at,
        what="recovery action",
        delete_with=f"defect recover delete {action.id}",
    )
    if sub == "edit":
        text = text.strip()
        if not text:
            raise UsageError(f"What should it say? For example `{example}`.")
        _check_length(text)
        command = f"defect recover edit {action.id} {text}"
        if (warning := gate(ctx, text, kind="recovery", command=command)) is not None:
            return warning
        defects.edit_action(session=ctx.session, action=action, text=text)
        return Reply(text=f"Recovery action #{action.id} now reads: {text}", footer=note)
    audit_change(ctx, action=f"recovery.{sub}", record_id=action.id)
    defects.delete_action(session=ctx.session, action=action)
    done = "undone" if sub == "undo" else "deleted"
    return Reply(
        text=f"Recovery action #{action.id} on defect #{action.defect_id} is {done}.",
        footer=None if sub == "undo" else note,
    )


def assign(ctx: Context, rest: str) -> list[Reply]:
    id_text = rest.strip().partition(" ")[0]
    person = first_person(ctx.incoming)
    if not id_text or person is None or not person.user_id:
        raise UsageError("Say which defect and who, with a mention: `/defect assign 12 @Priya`.")
    defect = find_defect(ctx, id_text, "/defect assign 12 @Priya")
    defects.assign_owner(
        session=ctx.session, defect=defect, owner_id=person.user_id, owner_name=person.name
    )
    replies = [
        Reply(
            text=f"{person.at} now owns defect #{defect.id}: following it up until it is closed.",
            visibility=Visibility.CHANNEL,
            mentions=(person,),
        )
    ]
    if person.user_id != ctx.incoming.user_id:
        replies.append(owner_told(ctx, defect, person))
    return replies


def owner_told(ctx: Context, defect: Defect, owner: Person) -> Reply:
    """The private word to a defect's new owner: what it is, and what to do next."""
    stage = ctx.content.stage_name(defect.stage)
    return Reply(
        title=f"You own defect #{defect.id} · {stage}",
        text=f"{ctx.incoming.user_name} asked you to follow it up: "
        f"“{shorten(defect.description, 200)}”",
        buttons=(
            Button(
                "Add recovery action",
                f"defect recover {defect.id}",
                prompt="What did we do, or what will we do, to make it right?",
            ),
        ),
        footer=f"Record what we do with `/defect recover {defect.id} …`; "
        f"close it with `/defect close {defect.id}`.",
        to=owner,
    )
