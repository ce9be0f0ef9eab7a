"""Record a fail-to-attend: a patient who missed their visit, and why.

`/fta <patient-ref> <cause>` records it as a service defect of its own kind (Fail to attend), with its root cause from the practice's list
`/fta <patient-ref> <cause>: <a few words>` adds a note (checked for patient detail before it is saved)
add `booked by @person` to say who took the booking, like `/fta JS-1042 transport booked by @Priya`
without a cause, or with one I don't know, I ask which privately, and nothing is saved until you pick
It shows in `/tidbit <patient-ref>` and the morning brief; follow it with `/defect recover <id> …`
`/fta arrived <patient-ref>` · `/fta rescheduled <patient-ref>` answer a late-patient notice: nothing is recorded
"""

from __future__ import annotations

import re

from bot.commands.changes import undo_button
from bot.commands.context import Context, UsageError
from bot.commands.gate import gate, without_marker
from bot.commands.suggest import closest
from bot.content import FTA_STAGE, FtaCause
from bot.model import Button, Field, Person, Reply
from bot.privacy import check_patient_ref
from bot.storage import defects
from bot.storage.models import DEFECT_MAX, PATIENT_REF_MAX

EXAMPLE = "/fta JS-1042 transport"
# A booker named by a typed name (as a button carries it back): a first name, maybe a surname.
_TYPED_BOOKER = re.compile(
    r"\b(?i:booked\s+by)\s+@?(?P<name>[A-Za-z][\w'.-]*(?:\s+[A-Z][\w'.-]*)?)"
)


def handle(ctx: Context) -> list[Reply]:
    text = without_marker(ctx.incoming.text, ctx.incoming.mentions)
    ref, _, rest = text.partition(" ")
    if not ref or ref.casefold() in {"help", "?"}:
        return [_help(ctx)]
    if ref.casefold() in _OUTCOMES and rest.strip():
        return [_outcome(ref.casefold(), rest.strip().partition(" ")[0])]
    _check_ref(ref)
    booker, reason = _booker_in(ctx, rest)
    cause, note = _cause_in(ctx, reason)
    if cause is None:  # nothing is saved until a cause is chosen
        return [_ask_cause(ctx, ref, booker, reason)]
    description = cause.name + (f": {note}" if note else "")
    if len(description) > DEFECT_MAX:
        raise UsageError(
            f"That note makes it {len(description)} characters; the limit is {DEFECT_MAX}. "
            "Please shorten it and send it again."
        )
    if note and (warning := gate(ctx, note, kind="defect", command=f"fta {text}")) is not None:
        return [warning]
    return [_record(ctx, ref, cause, note, booker)]


# A late patient who turned out fine: what the notice's buttons answer, and nothing is saved.
_OUTCOMES = {
    "arrived": "Good: {ref} arrived. Nothing is recorded; welcome them warmly, not with the clock.",
    "rescheduled": "Thanks: {ref} has a new time. Nothing is recorded as a fail-to-attend.",
}


def _outcome(word: str, ref: str) -> Reply:
    _check_ref(ref)
    return Reply(
        title=f"Late patient · {ref}", text=_OUTCOMES[word].format(ref=ref), sensitive=True
    )


def _help(ctx: Context) -> Reply:
    causes = "\n".join(f"• `{c.id}`: {c.name}" for c in ctx.content.fta_causes)
    return Reply(title="/fta", text=f"{__doc__.strip()}\n\nThe causes:\n{causes}")


def _check_ref(ref: str) -> None:
    if len(ref) > PATIENT_REF_MAX:
        raise UsageError(
            f"A patient reference is at most {PATIENT_REF_MAX} characters: "
            f"a chart number or initials, like `{EXAMPLE}`."
        )
    if hint := check_patient_ref(ref):
        raise UsageError(hint + " Nothing was saved.")


def _booker_in(ctx: Context, text: str) -> tuple[Person | None, str]:
    """Who took the booking (``booked by @Priya``) and the text without it."""
    for person in ctx.incoming.mentions:
        said = re.search(rf"\bbooked\s+by\s+{re.escape(person.at)}", text, re.IGNORECASE)
        if said:
            return person, " ".join((text[: said.start()] + text[said.end() :]).split())
    typed = _TYPED_BOOKER.search(text)
    if typed:
        person = Person("", typed.group("name"))
        return person, " ".join((text[: typed.start()] + text[typed.end() :]).split())
    if ctx.incoming.mentions:
        raise UsageError(
            f"Say who took the booking as `booked by @person`, like `{EXAMPLE} booked by @Priya`."
        )
    return None, text.strip()


def _cause_in(ctx: Context, reason: str) -> tuple[FtaCause | None, str]:
    """The cause the reason names (all of it, before a colon, or its first word) and a note."""
    reason = reason.strip()
    if not reason:
        return None, ""
    cause = ctx.content.find_fta_cause(reason)
    if cause is not None:
        return cause, ""
    head, colon, tail = reason.partition(":")
    if colon and (cause := ctx.content.find_fta_cause(head)) is not None:
        return cause, tail.strip()
    first, _, tail = reason.partition(" ")
    if (cause := ctx.content.find_fta_cause(first)) is not None:
        return cause, tail.strip()
    return None, ""


def _ask_cause(ctx: Context, ref: str, booker: Person | None, reason: str) -> Reply:
    booked = f" booked by {booker.at}" if booker else ""
    text = f"Why did {ref} not come? Pick the cause below; nothing is saved until you do."
    if reason:
        keys = {key for c in ctx.content.fta_causes for key in c.names() if " " not in key}
        meant = closest(reason.partition(" ")[0].rstrip(":"), keys)
        if meant is not None:
            cause = ctx.content.find_fta_cause(meant)
            assert cause is not None
            text = f"Did you mean _{cause.name}_ (`{cause.id}`)? " + text
        else:
            text = f"I don't know the cause \u201c{reason}\u201d. " + text
    return Reply(
        title=f"Fail to attend · {ref}",
        text=text,
        buttons=tuple(Button(c.name, f"fta {ref}{booked} {c.id}") for c in ctx.content.fta_causes),
        sensitive=True,
        mentions=(booker,) if booker and booker.user_id else (),
    )


def _record(ctx: Context, ref: str, cause: FtaCause, note: str, booker: Person | None) -> Reply:
    incoming = ctx.incoming
    defect = defects.record_defect(
        session=ctx.session,
        workspace_id=ctx.workspace_id,
        channel_id=incoming.channel_id,
        stage=FTA_STAGE,
        description=cause.name + (f": {note}" if note else ""),
        reporter_id=incoming.user_id,
        reporter_name=incoming.user_name,
        now=ctx.now,
        patient_ref_enc=ctx.vault.encrypt(ref),
        patient_ref_hash=ctx.vault.ref_hash(ctx.workspace_key, ref),
        fta_cause=cause.id,
        booked_by=(booker.user_id, booker.name) if booker else None,
    )
    fields = [Field("Patient", ref), Field("Cause", cause.name)]
    if note:
        fields.append(Field("Note", note))
    if booker:
        fields.append(Field("Booked by", booker.name))
    return Reply(
        title=f"Fail-to-attend #{defect.id} recorded",
        text="Filed as a service defect (Fail to attend). Call them to see they are all right "
        "and to find a time that works.",
        fields=tuple(fields),
        buttons=(
            Button(
                "Add recovery action",
                f"defect recover {defect.id}",
                prompt="What did we do, or what will we do, to make it right?",
            ),
            undo_button(f"defect undo {defect.id}"),
        ),
        footer="Thank you: knowing why is how we keep the next one.",
        sensitive=True,
    )
