"""Log a service defect, follow its recovery, close it.

`/defect <stage>: <what happened>` logs one (add `patient: JS-1042`, `pt JS-1042` or `(JS-1042)` anywhere to link a patient); without a stage I ask which, or say `/defect no stage: <what happened>`
`/defect` opens the defect form
`/defect <stage>` shows that stage's common defects to pick from
`/defect list` shows open defects, newest first; add `closed`, `all`, `mine`, a stage, `@owner`, `more` or `page 2`
`/defect <id>` (or `/defect show <id>`) shows one with its stage, owner and recovery actions
`/defect recover <id> <what we did or will do>` adds a recovery action (the first to add one owns the defect)
`/defect assign <id> @person` makes them its owner (they're told privately)
`/defect stage <id> <stage>` sets a defect's stage
`/defect close <id> …` closes one or several (`/defect close 8 9 10`)
`/defect edit <id> <new text>` and `/defect delete <id>` change or delete yours (admins: anyone's)
`/defect recover edit <action-id> <new text>` and `/defect recover delete <action-id>` the same for an action
"""

from __future__ import annotations

from bot.commands import defect_list, defect_stage
from bot.commands.changes import audit_change, may, undo_button
from bot.commands.context import Context, UsageError
from bot.commands.gate import (
    confirmed,
    form_values,
    gate,
    gate_form,
    is_form_text,
    patient_ref_in,
    without_marker,
)
from bot.commands.parsing import looks_like_id, parse_ids
from bot.commands.recovery import assign, find_defect, recover
from bot.model import Button, Field, Form, FormField, Reply
from bot.privacy import check_patient_ref
from bot.storage import defects
from bot.storage.models import DEFECT_MAX, PATIENT_REF_MAX, RECOVERY_MAX
from bot.wording import local_date, shorten

LIST_LIMIT = defect_list.LIST_LIMIT


def handle(ctx: Context) -> list[Reply]:
    if ctx.incoming.form is not None:
        return _from_form(ctx, ctx.incoming.form)
    text = without_marker(ctx.incoming.text, ctx.incoming.mentions)
    if is_form_text(text):  # a form carried by the privacy warning's buttons
        values = form_values(text)
        return _from_form(ctx, values) if confirmed(ctx) else [_form_reply(ctx, values)]
    if not text:
        return [_form_reply(ctx)]
    word, _, rest = text.partition(" ")
    sub = word.casefold()
    if sub in {"help", "?"}:
        return [Reply(title="/defect", text=__doc__.strip())]
    if sub == "list":
        return [defect_list.listing(ctx, rest)]
    if sub == "show" or looks_like_id(word):
        return [defect_list.show(ctx, rest if sub == "show" else text)]
    if sub in {"recover", "recovery"}:
        return [recover(ctx, rest)]
    if sub == "assign":
        return assign(ctx, rest)
    if sub in {"edit", "delete", "undo"} and rest.strip().lstrip("#")[:1] in "0123456789":
        return [_change(ctx, sub, rest)]
    if sub == "close":
        return [_close(ctx, rest)]
    if sub == "stage" and rest.strip()[:1].isdigit():
        return [_set_stage(ctx, rest)]
    typo = defect_stage.typo_of_subcommand(ctx, word, rest)
    if typo is not None:
        return [typo]
    return [_log(ctx, text)]


def _log(ctx: Context, text: str) -> Reply:
    command = f"defect {text}"
    patient_ref, text = patient_ref_in(text)
    unstaged = defect_stage.said_no_stage(text)
    if unstaged is not None:  # the person chose "No stage"
        defect_stage.refuse_if_wordless(unstaged)
        _check_description(unstaged)
        if (warning := gate(ctx, unstaged, kind="defect", command=command)) is not None:
            return warning
        return _record(ctx, None, unstaged, patient_ref, recovery=None)
    stage_id, description = _split_stage(ctx, text)
    if stage_id and not description:
        return _suggestions(ctx, stage_id)
    if stage_id is None:  # nothing is saved until a stage (or "no stage") is chosen
        return defect_stage.ask_for_stage(ctx, text, patient_ref)
    defect_stage.refuse_if_wordless(description)
    _check_description(description)
    if (warning := gate(ctx, description, kind="defect", command=command)) is not None:
        return warning
    return _record(ctx, stage_id, description, patient_ref, recovery=None)


def _split_stage(ctx: Context, text: str) -> tuple[str | None, str]:
    head, colon, tail = text.partition(":")
    if colon and len(head) <= 40:
        stage = ctx.content.find_stage(head)
        if stage is not None:
            return stage.id, tail.strip()
    stage = ctx.content.find_stage(text)
    if stage is not None:  # just a stage name: offer its common defects
        return stage.id, ""
    return None, text.strip()


def _record(
    ctx: Context,
    stage_id: str | None,
    description: str,
    patient_ref: str | None,
    recovery: str | None,
) -> Reply:
    if not description:
        raise UsageError(
            "Tell me what happened, for example "
            "`/defect arrival: waited 25 minutes with no word from us`."
        )
    _check_description(description)
    if patient_ref is not None and len(patient_ref) > PATIENT_REF_MAX:
        raise UsageError(
            f"A patient reference is at most {PATIENT_REF_MAX} characters: "
            "a chart number or initials, like `JS-1042`."
        )
    if recovery is not None and len(recovery) > RECOVERY_MAX:
        raise UsageError(f"A recovery action is at most {RECOVERY_MAX} characters.")
    incoming = ctx.incoming
    defect = defects.record_defect(
        session=ctx.session,
        workspace_id=ctx.workspace_id,
        channel_id=incoming.channel_id,
        stage=stage_id,
        description=description,
        reporter_id=incoming.user_id,
        reporter_name=incoming.user_name,
        now=ctx.now,
        patient_ref_enc=ctx.vault.encrypt(patient_ref) if patient_ref else None,
        patient_ref_hash=ctx.vault.ref_hash(ctx.workspace_key, patient_ref)
        if patient_ref
        else None,
    )
    actions = ()
    if recovery:
        actions = (
            defects.add_recovery_action(
                session=ctx.session,
                defect=defect,
                action=recovery,
                owner_id=incoming.user_id,
                owner_name=incoming.user_name,
                now=ctx.now,
            ),
        )
    fields = []
    if patient_ref:
        fields.append(Field("Patient", patient_ref))
    if actions:
        fields.append(Field("Recovery", f"{actions[0].action} (owner: {actions[0].owner_name})"))
    buttons: list[Button] = []
    text = description
    if stage_id is None:
        text += "\n\nWhich stage of the patient journey was it? Pick one to file it there."
        buttons += [
            Button(stage.name, f"defect stage {defect.id} {stage.id}")
            for stage in ctx.content.stages
        ]
    buttons += _follow_up_buttons(defect.id)
    buttons.append(undo_button(f"defect undo {defect.id}"))
    return Reply(
        title=f"Defect #{defect.id} logged · {ctx.content.stage_name(stage_id)}",
        text=text,
        fields=tuple(fields),
        buttons=tuple(buttons),
        footer="Thank you for logging it: that's how we get better.",
        sensitive=patient_ref is not None,
    )


def _follow_up_buttons(defect_id: int) -> list[Button]:
    return [
        Button(
            "Add recovery action",
            f"defect recover {defect_id}",
            prompt="What did we do, or what will we do, to make it right?",
        ),
        Button("Close", f"defect close {defect_id}", style="danger"),
    ]


def _suggestions(ctx: Context, stage_id: str) -> Reply:
    stage = ctx.content.stage(stage_id)
    assert stage is not None
    common = stage.blueprint.common_defects[:8]
    text = f"What happened at {stage.name}? Type `/defect {stage.id}: what happened`"
    if common:
        text += ", or pick a common one below."
    return Reply(
        title=f"Log a defect · {stage.name}",
        text=text,
        buttons=tuple(Button(shorten(item, 70), f"defect {stage.id}: {item}") for item in common),
    )


def _form_reply(ctx: Context, values: dict[str, str] | None = None) -> Reply:
    """The defect form, empty or prefilled with ``values`` (to edit after a warning)."""
    given = values or {}
    stage_options = tuple((stage.id, stage.name) for stage in ctx.content.stages)
    form = Form(
        title="Log a service defect",
        command="defect",
        submit_label="Log it",
        fields=(
            FormField(
                "stage",
                "Stage of the patient journey",
                kind="select",
                options=stage_options,
                initial=given.get("stage"),
            ),
            FormField(
                "description",
                "What happened?",
                kind="multiline",
                max_length=DEFECT_MAX,
                placeholder="Waited 25 minutes with no word from us",
                initial=given.get("description"),
            ),
            FormField(
                "patient_ref",
                "Patient reference (chart number or initials)",
                optional=True,
                max_length=PATIENT_REF_MAX,
                placeholder="JS-1042",
                initial=given.get("patient_ref"),
            ),
            FormField(
                "recovery",
                "What did we do, or will we do, to make it right?",
                kind="multiline",
                optional=True,
                max_length=RECOVERY_MAX,
                initial=given.get("recovery"),
            ),
        ),
    )
    return Reply(
        title="Log a service defect",
        text="Type `/defect <stage>: <what happened>`, for example "
        "`/defect arrival: waited 25 minutes with no word from us`.",
        form=form,
    )


def _from_form(ctx: Context, values: dict[str, str]) -> list[Reply]:
    stage_value = (values.get("stage") or "").strip()
    stage = ctx.content.find_stage(stage_value) if stage_value else None
    if stage_value and stage is None:
        raise UsageError("Please pick a stage from the list.")
    description = (values.get("description") or "").strip()
    patient_ref = (values.get("patient_ref") or "").strip() or None
    recovery = (values.get("recovery") or "").strip() or None
    if patient_ref and (hint := check_patient_ref(patient_ref)):
        raise UsageError(hint + " Nothing was saved.")
    _check_description(description)
    texts = [(description, "defect"), (recovery or "", "recovery")]
    warning = gate_form(ctx, texts, command="defect", values=values) if description else None
    if warning is not None:
        return [warning]
    return [_record(ctx, stage.id if stage else None, description, patient_ref, recovery)]


def _close(ctx: Context, rest: str) -> Reply:
    """`/defect close 8 9 10`: each one closed, or why not, one line per id."""
    if not rest.strip():
        raise UsageError("Say which defect to close, like `/defect close 12`.")
    ids = parse_ids(rest, what="defect", example="/defect close 12")
    lines = [_close_one(ctx, defect_id) for defect_id in ids]
    if len(lines) == 1:
        return Reply(text=lines[0])
    return Reply(title=f"Closing {len(ids)} defects", text="\n".join(f"• {line}" for line in lines))


def _close_one(ctx: Context, defect_id: int) -> str:
    try:
        defect = find_defect(ctx, str(defect_id), "/defect close 12")
    except UsageError as missing:
        return str(missing)
    if defect.closed_at is not None:
        return (
            f"Defect #{defect.id} was already closed on "
            f"{local_date(defect.closed_at, ctx.workspace.timezone)} by {defect.closed_by}."
        )
    defects.close_defect(
        session=ctx.session, defect=defect, closed_by=ctx.incoming.user_name, now=ctx.now
    )
    return f"Defect #{defect.id} is closed. Thank you for following it through."


def _set_stage(ctx: Context, rest: str) -> Reply:
    id_text, _, stage_text = rest.strip().partition(" ")
    defect = find_defect(ctx, id_text, "/defect stage 12 arrival")
    stage = ctx.content.find_stage(stage_text)
    if stage is None:
        names = ", ".join(s.name for s in ctx.content.stages)
        raise UsageError(
            f"Pick one of these stages: {names}. For example `/defect stage {defect.id} arrival`."
        )
    defects.set_stage(session=ctx.session, defect=defect, stage=stage.id)
    return Reply(
        text=f"Defect #{defect.id} is filed under {stage.name}.",
        buttons=tuple(_follow_up_buttons(defect.id)) if defect.closed_at is None else (),
    )


def _change(ctx: Context, sub: str, rest: str) -> Reply:
    """`/defect edit|delete|undo <id> …`: the author's (or an admin's) change to a defect."""
    id_text, _, text = rest.strip().partition(" ")
    defect = find_defect(ctx, id_text, f"/defect {sub} 12")
    note = may(
        ctx,
        sub,
        author_id=defect.reporter_id,
        author_name=defect.reporter_name,
        created_at=defect.created_at,
        what="defect",
        delete_with=f"defect delete {defect.id}",
    )
    if sub == "edit":
        text = text.strip()
        if not text:
            raise UsageError(f"What should it say? For example `/defect edit {defect.id} <text>`.")
        _check_description(text)
        command = f"defect edit {defect.id} {text}"
        if (warning := gate(ctx, text, kind="defect", command=command)) is not None:
            return warning
        defects.edit_defect(session=ctx.session, defect=defect, description=text)
        return Reply(text=f"Defect #{defect.id} now reads: {text}", footer=note)
    audit_change(ctx, action=f"defect.{sub}", record_id=defect.id)
    actions = defects.delete_defect(session=ctx.session, defect=defect)
    gone = f" with its {actions} recovery action{'s' if actions != 1 else ''}" if actions else ""
    done = "undone" if sub == "undo" else "deleted"
    return Reply(text=f"Defect #{defect.id} is {done}{gone}.", footer=note)


def _check_description(description: str) -> None:
    if len(description) > DEFECT_MAX:
        raise UsageError(
            f"That description is {len(description)} characters; the limit is {DEFECT_MAX}. "
            "Please shorten it and send it again."
        )
