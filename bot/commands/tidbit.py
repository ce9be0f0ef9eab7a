"""Remember the person behind the patient: small personal things they mention.

`/tidbit <patient-ref> <note>` remembers a personal, non-clinical detail, e.g. `/tidbit JS-1042 daughter's wedding in June`
  (or put `patient: JS-1042`, `pt JS-1042` or `(JS-1042)` anywhere in the note; quote a reference with a space: `"JS 1042"`)
`/tidbit <patient-ref>` recalls that patient's open or recent defect and their 10 newest tidbits; `/tidbit <patient-ref> more` (or `all`, `page 3`) shows older ones
`/tidbit edit <id> <new note>` rewrites one of yours
`/tidbit forget <id>` deletes one of yours for good (an admin can delete anyone's)

Use a chart number or initials, never a full name. Replies are only ever shown to you.
"""

from __future__ import annotations

import re
from datetime import timedelta

from bot.commands import tidbit_recall
from bot.commands.admins import require_admin
from bot.commands.changes import may_change, may_undo, undo_button
from bot.commands.context import Context, UsageError
from bot.commands.gate import MARKER, confirmed, gate, take_patient_refs, without_marker
from bot.commands.parsing import looks_like_id, parse_id
from bot.commands.suggest import did_you_mean
from bot.commands.tidbits_setting import refuse_when_off
from bot.model import Button, Reply
from bot.privacy import RefReading, check_patient_ref, split_ambiguous_ref
from bot.storage import tidbits
from bot.storage.audit import record_audit
from bot.storage.models import PATIENT_REF_MAX, TIDBIT_MAX, Tidbit
from bot.wording import local_full_date, shorten

RECENT_DEFECTS = timedelta(days=90)


_reply = tidbit_recall.private


def handle(ctx: Context) -> list[Reply]:
    refuse_when_off(ctx)  # every form: nothing saved, nothing read
    text = without_marker(ctx.incoming.text, ctx.incoming.mentions)
    if not text or text.casefold() in {"help", "?"}:
        return [_reply(title="/tidbit", text=__doc__.strip())]
    first, _, rest = text.partition(" ")
    if first.casefold() == "forget" and rest.strip():
        return [_forget(ctx, rest.strip())]
    if first.casefold() in {"edit", "undo"} and rest.strip().lstrip("#")[:1] in "0123456789":
        return [_edit(ctx, rest.strip()) if first.casefold() == "edit" else _undo(ctx, rest)]
    typo = _typo_of_subcommand(first, rest)
    if typo is not None:
        raise UsageError(typo)
    reading = _reading(text)
    if not isinstance(reading, RefReading):
        return [_ask_which_ref(ctx, *reading)]
    ref, note = reading
    if len(ref) > PATIENT_REF_MAX:
        raise UsageError(
            f"A patient reference is at most {PATIENT_REF_MAX} characters: a chart number or "
            "initials, like `/tidbit JS-1042 daughter's wedding in June`."
        )
    if hint := check_patient_ref(ref):
        raise UsageError(f"{hint} Nothing was saved.")
    if not note:
        return [tidbit_recall.recall(ctx, ref)]
    page = tidbit_recall.page_asked(note)
    if page is not None:
        return [tidbit_recall.recall(ctx, ref, page)]
    if len(note) > TIDBIT_MAX:
        raise UsageError(
            f"That note is {len(note)} characters; keep tidbits brief (at most {TIDBIT_MAX})."
        )
    if (warning := gate(ctx, note, kind="tidbit", command=f"tidbit {text}")) is not None:
        return [warning]
    return [_remember(ctx, ref, note)]


SUBCOMMANDS = ("forget", "edit", "undo", "help")


def _typo_of_subcommand(first: str, rest: str) -> str | None:
    """`/tidbit forgot 4`: a near miss followed by a number (or nothing) files no note."""
    words = rest.split()
    if words and not looks_like_id(words[0]):
        return None
    return did_you_mean("tidbit", first, SUBCOMMANDS)


_QUOTED = re.compile(r'^["“”](?P<ref>[^"“”]{1,64})["“”]\s*')


def _reading(text: str) -> RefReading | tuple[RefReading, RefReading]:
    """(ref, note) as the text says them, or the two readings to ask between.

    A quoted reference (``"JS 1042" …``), one named anywhere (``… pt JS-1042``), else the
    first word; ``JS 1042 loves …`` can be read two ways, so the person is asked.
    """
    quoted = _QUOTED.match(text)
    if quoted:
        return RefReading(quoted.group("ref").strip(), text[quoted.end() :].strip())
    refs, note = take_patient_refs(text)
    if refs:
        return RefReading(refs[0], note)
    readings = split_ambiguous_ref(text)
    if readings is not None and readings[0].rest:
        return readings
    if readings is not None:
        return readings[0]
    first, _, rest = text.partition(" ")
    return RefReading(first, rest.strip())


def _ask_which_ref(ctx: Context, joined: RefReading, split: RefReading) -> Reply:
    """`/tidbit JS 1042 loves …`: is the patient `JS 1042` or `JS`? Nothing saved yet."""
    again = f"tidbit {MARKER} " if confirmed(ctx) else "tidbit "  # chosen already
    return _reply(
        title="Which patient reference?",
        text=f"Is the patient `{joined.ref}`, or `{split.ref}` with a note that starts "
        f"“{shorten(split.rest, 30)}”? Pick one; nothing is saved until you do.",
        buttons=tuple(
            Button(reading.ref, f'{again}"{reading.ref}" {reading.rest}')
            for reading in (joined, split)
        ),
        footer='Next time, quote a reference with a space in it: `/tidbit "JS 1042" …`.',
    )


def _remember(ctx: Context, ref: str, note: str) -> Reply:
    incoming = ctx.incoming
    tidbit = tidbits.store_tidbit(
        session=ctx.session,
        workspace_id=ctx.workspace_id,
        patient_ref_hash=ctx.vault.ref_hash(ctx.workspace_key, ref),
        patient_ref_enc=ctx.vault.encrypt(ref),
        note_enc=ctx.vault.encrypt(note),
        author_id=incoming.user_id,
        author_name=incoming.user_name,
        now=ctx.now,
        expires_at=ctx.now + timedelta(days=ctx.settings.tidbit_retention_days),
    )
    record_audit(
        session=ctx.session,
        workspace_id=ctx.workspace_id,
        actor_id=incoming.user_id,
        actor_name=incoming.user_name,
        action="tidbit.create",
        patient_ref_hash=tidbit.patient_ref_hash,
        patient_ref_enc=tidbit.patient_ref_enc,
        record_count=1,
        channel_id=incoming.channel_id,
        now=ctx.now,
    )
    text = f"Noted for {ref}: “{note}”"
    expiry = local_full_date(tidbit.expires_at, ctx.workspace.timezone)
    return _reply(
        title=f"Tidbit #{tidbit.id} saved",
        text=text,
        buttons=(undo_button(f"tidbit undo {tidbit.id}"),),
        footer=f"Only you can see this. It will be deleted on {expiry}.",
    )


def _find(ctx: Context, text: str, example: str) -> Tidbit:
    tidbit_id = parse_id((text.split() or [""])[0], what="tidbit", example=example)
    tidbit = tidbits.get_tidbit(
        session=ctx.session, workspace_id=ctx.workspace_id, tidbit_id=tidbit_id
    )
    if tidbit is None or tidbit.expires_at <= ctx.now:
        raise UsageError(
            f"I can't find tidbit #{tidbit_id} here. `/tidbit <patient-ref>` lists a patient's tidbits."
        )
    return tidbit


def _audit(ctx: Context, tidbit: Tidbit, action: str) -> None:
    """Who changed which tidbit: its id and the patient's lookup hash, never the note."""
    record_audit(
        session=ctx.session,
        workspace_id=ctx.workspace_id,
        actor_id=ctx.incoming.user_id,
        actor_name=ctx.incoming.user_name,
        action=action,
        patient_ref_hash=tidbit.patient_ref_hash,
        patient_ref_enc=tidbit.patient_ref_enc,
        record_count=1,
        record_id=tidbit.id,
        channel_id=ctx.incoming.channel_id,
        now=ctx.now,
    )


def _edit(ctx: Context, rest: str) -> Reply:
    id_text, _, note = rest.partition(" ")
    tidbit = _find(ctx, id_text, "/tidbit edit 7 daughter's wedding moved to July")
    told = may_change(
        ctx, author_id=tidbit.author_id, author_name=tidbit.author_name, what="tidbit"
    )
    note = note.strip()
    if not note:
        raise UsageError(f"What should it say? For example `/tidbit edit {tidbit.id} <the note>`.")
    if len(note) > TIDBIT_MAX:
        raise UsageError(
            f"That note is {len(note)} characters; keep tidbits brief (at most {TIDBIT_MAX})."
        )
    command = f"tidbit edit {tidbit.id} {note}"
    if (warning := gate(ctx, note, kind="tidbit", command=command)) is not None:
        return warning
    tidbits.edit_tidbit(session=ctx.session, tidbit=tidbit, note_enc=ctx.vault.encrypt(note))
    _audit(ctx, tidbit, "tidbit.edit")
    return _reply(text=f"Tidbit #{tidbit.id} now reads: “{note}”", footer=told)


def _undo(ctx: Context, rest: str) -> Reply:
    tidbit = _find(ctx, rest, "/tidbit undo 7")
    may_undo(
        ctx,
        author_id=tidbit.author_id,
        created_at=tidbit.created_at,
        what="tidbit",
        delete_with=f"tidbit forget {tidbit.id}",
    )
    _audit(ctx, tidbit, "tidbit.undo")
    tidbits.delete_tidbit(session=ctx.session, tidbit=tidbit)
    return _reply(text=f"Tidbit #{tidbit.id} is undone: deleted for good.")


def _forget(ctx: Context, rest: str) -> Reply:
    tidbit = _find(ctx, rest, "/tidbit forget 7")
    note = None
    if tidbit.author_id != ctx.incoming.user_id:
        note = require_admin(ctx, "delete someone else's tidbit")
    _audit(ctx, tidbit, "tidbit.forget")
    tidbit_id = tidbit.id
    tidbits.delete_tidbit(session=ctx.session, tidbit=tidbit)
    return _reply(text=f"Tidbit #{tidbit_id} is deleted for good.", footer=note)
