"""The morning brief: the channel's counts of the day, and each asker's private detail.

The channel hears numbers only ("14 patients today: 3 with something to remember,
..."): never a reference, a time or a name. ``/huddle brief`` gives the asker, and
only the asker, each appointment's time, reference and provider with that patient's
tidbits (each read audited as a ``/tidbit`` recall is), open or recent defects with
their recovery, and the new-patient, confirmation and birthday flags. A long day
comes a page at a time. A practice with tidbits turned off (``/huddle tidbits off``)
gets no tidbit line and no "to remember" count, and no tidbit is read or audited.

Example::

    line = counts_line(DayCounts(14, 3, 1, 2, 1), "today")
    # "14 patients today: 3 with something to remember, 1 with a recovery to finish,
    #  2 new patients not confirmed, 1 birthday this week"
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.content import Content
from bot.crypto import Vault
from bot.model import Button, Field, Reply, Visibility
from bot.storage import defects, tidbits
from bot.storage.appointments import DayCounts, appointments_on, day_counts
from bot.storage.audit import record_audit
from bot.storage.fail_to_attends import fail_to_attend_counts
from bot.wording import clock_time, local_date, shorten

PAGE = 10  # appointments a page: well inside Slack's 50 blocks and a Teams card's size
HOME_SHOWN = 3 * PAGE  # on a home screen (Slack's has room for 100 blocks); a multiple of PAGE
HOME_FIELD_MAX = 2800  # one appointment's detail on a home screen: one block's text
RECENT_DEFECTS = timedelta(days=90)  # as a /tidbit recall shows them
TIDBITS_SHOWN = 3
NOTE_MAX = 160


def _counted(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def counts_line(counts: DayCounts, when: str) -> str:
    """The channel's line: counts only, never who."""
    head = f"{_counted(counts.patients, 'patient', 'patients')} {when}"
    parts = [
        f"{counts.remembered} with something to remember" if counts.remembered else "",
        f"{counts.recovering} with a recovery to finish" if counts.recovering else "",
        _counted(counts.new_unconfirmed, "new patient", "new patients") + " not confirmed"
        if counts.new_unconfirmed
        else "",
        _counted(counts.birthdays, "birthday", "birthdays") + " this week"
        if counts.birthdays
        else "",
    ]
    shown = [p for p in parts if p]
    return f"{head}: {', '.join(shown)}" if shown else head


def channel_brief(counts: DayCounts) -> Reply | None:
    """The clock's post to a channel; None on a day with no appointments (a closed day)."""
    if counts.patients == 0:
        return None
    return Reply(
        title="Morning brief",
        text=counts_line(counts, "today"),
        footer="The detail is private: `/huddle brief` shows it only to you.",
        visibility=Visibility.CHANNEL,
    )


@dataclass(frozen=True)
class Asker:
    """Who asked, for the audit log of each tidbit read."""

    workspace_id: int
    patient_salt: str
    user_id: str
    user_name: str
    channel_id: str
    tidbits: bool = True  # the practice uses tidbits; off, none is read (or audited)


def private_brief(
    *,
    session: Session,
    vault: Vault,
    content: Content,
    asker: Asker,
    day: date,
    when: str,
    provider: str | None,
    page: int,
    tz: str,
    now: datetime,
) -> Reply:
    """One page of ``day`` for the asker only (``sensitive``: never posted or logged)."""
    found = appointments_on(session=session, workspace_id=asker.workspace_id, day=day)
    if provider:
        wanted = provider.casefold()
        found = [a for a in found if wanted in a.provider.casefold()]
    for_whom = f" for {shorten(provider, 40)}" if provider else ""
    if not found:
        return _private(
            text=f"No appointments {when}{for_whom} ({day.isoformat()}). The schedule comes "
            "from the practice's source; an admin can sync it with `huddle appointments sync`."
        )
    pages = (len(found) + PAGE - 1) // PAGE
    page = min(max(page, 1), pages)
    shown = found[(page - 1) * PAGE : page * PAGE]
    fields = tuple(appointment_fields(session, vault, content, asker, shown, tz, now))
    buttons = ()
    more = f"{len(found) - page * PAGE} more" if page < pages else ""
    if more:
        command = f"huddle brief {when} {provider or ''} page {page + 1}".replace("  ", " ")
        buttons = (Button(f"More ({more})", command),)
    return _private(
        title=f"Brief {when}{for_whom} · {day.isoformat()}",
        text=f"{_counted(len(found), 'appointment', 'appointments')}; page {page} of {pages}.",
        fields=fields,
        buttons=buttons,
        footer=_only_you(asker) + (f" Next: `/{buttons[0].command}`." if buttons else ""),
    )


def home_brief(
    *,
    session: Session,
    vault: Vault,
    content: Content,
    asker: Asker,
    day: date,
    tz: str,
    now: datetime,
) -> list[Field]:
    """The asker's own day as fields of their home screen: its counts, then the first
    ``HOME_SHOWN`` appointments as ``/huddle brief`` shows them (each tidbit read
    audited), then how to see the rest. A home screen has room for about a hundred
    blocks, so a long day shows what fits and names the page where the rest begins."""
    found = appointments_on(session=session, workspace_id=asker.workspace_id, day=day)
    heading = f"Your day · {day:%A} {day.day} {day:%B}"
    if not found:
        return [
            Field(
                heading,
                "No appointments today. The schedule comes from the practice's source "
                "(`/huddle source`).",
            )
        ]
    counts = day_counts(session=session, workspace_id=asker.workspace_id, day=day, now=now)
    counts = as_shown(counts, tidbits_on=asker.tidbits)
    shown = found[:HOME_SHOWN]
    fields = [
        Field(
            heading,
            f"{counts_line(counts, 'today')}. {_only_you(asker)}",
        )
    ]
    for field in appointment_fields(session, vault, content, asker, shown, tz, now):
        value = field.value
        if len(value) > HOME_FIELD_MAX:  # keeps its lines, unlike ``shorten``
            value = value[: HOME_FIELD_MAX - 1] + "…"
        fields.append(Field(field.label, value))
    if len(found) > len(shown):
        rest = len(found) - len(shown)
        fields.append(
            Field(
                f"…and {_counted(rest, 'more appointment', 'more appointments')}",
                f"See them with `/huddle brief page {len(shown) // PAGE + 1}`.",
            )
        )
    return fields


def _only_you(asker: Asker) -> str:
    if not asker.tidbits:
        return "Only you can see this. The practice has tidbits turned off."
    return "Only you can see this. Each patient's tidbits read here is recorded in the audit log."


def as_shown(counts: DayCounts, *, tidbits_on: bool) -> DayCounts:
    """The day's counts as the practice sees them: none "to remember" with tidbits off."""
    return counts if tidbits_on else dataclasses.replace(counts, remembered=0)


def _private(**kwargs) -> Reply:
    return Reply(visibility=Visibility.PRIVATE, sensitive=True, **kwargs)


def appointment_fields(
    session: Session,
    vault: Vault,
    content: Content,
    asker: Asker,
    shown: list,
    tz: str,
    now: datetime,
) -> list[Field]:
    """Each appointment shown with its patient's tidbits, defects and flags.

    The patients' data is read for all of them at once (tidbits, defects with their
    recovery actions, past fail-to-attends: five statements however long the page), and
    each patient's tidbit read is audited as a ``/tidbit`` recall records it (action
    ``tidbit.read``, the reference hashed and encrypted)."""
    refs = [vault.decrypt(a.patient_ref_enc) for a in shown]
    hashes = [vault.ref_hashes(asker.patient_salt, ref) for ref in refs]
    every = sorted({h for found in hashes for h in found})
    where = {"session": session, "workspace_id": asker.workspace_id, "ref_hashes": every}
    notes = (
        tidbits.recent_tidbits_by_ref(**where, now=now, limit=TIDBITS_SHOWN)
        if asker.tidbits
        else {}
    )
    views = defects.views_for_patients(**where, closed_since=now - RECENT_DEFECTS)
    missed = fail_to_attend_counts(**where)
    fields = []
    for appointment, ref, mine in zip(shown, refs, hashes, strict=True):
        pages = [notes[h] for h in mine if h in notes]
        newest = sorted(
            (t for page in pages for t in page.tidbits),
            key=lambda t: (t.created_at, t.id),
            reverse=True,
        )[:TIDBITS_SHOWN]
        if asker.tidbits:
            record_audit(
                session=session,
                workspace_id=asker.workspace_id,
                actor_id=asker.user_id,
                actor_name=asker.user_name,
                action="tidbit.read",
                patient_ref_hash=mine[0],
                patient_ref_enc=vault.encrypt(ref),
                record_count=len(newest),
                channel_id=asker.channel_id,
                now=now,
            )
        fields.append(
            _appointment(
                content,
                appointment,
                ref,
                [vault.decrypt(t.note_enc) for t in newest],
                sum(page.total for page in pages),
                [v for v in views if v.defect.patient_ref_hash in mine],
                sum(missed.get(h, 0) for h in mine),
                tz,
            )
        )
    return fields


def _appointment(
    content: Content, appointment, ref: str, notes: list[str], total: int, views, missed, tz
) -> Field:
    flags = [
        "new patient" if appointment.new_patient else "",
        "confirmed" if appointment.confirmed else "not confirmed",
        "birthday this week" if appointment.birthday_this_week else "",
        f"arrived {clock_time(appointment.arrived)}" if appointment.arrived else "",
        f"{missed} past fail-to-attend{'s' if missed != 1 else ''}" if missed else "",
    ]
    body = [" · ".join(f for f in flags if f)]
    body += [f"Tidbit: {shorten(note, NOTE_MAX)}" for note in notes]
    if total > len(notes):
        body.append(f"…and {total - len(notes)} more: `/tidbit {ref}`")
    for view in views:
        d = view.defect
        status = "closed" if d.closed_at else "open"
        last = view.actions[-1] if view.actions else None
        owner = f"owner {d.owner_name}" if d.owner_name else "no owner yet"
        recovery = (
            f"recovery: {shorten(last.action, 100)} ({owner})"
            if last is not None
            else f"no recovery action yet ({owner})"
        )
        cause = content.fta_cause(d.fta_cause)  # a fail-to-attend says why
        kind = content.stage_name(d.stage) + (f": {cause.name}" if cause else "")
        body.append(
            f"Defect #{d.id} ({status}, {kind}, {local_date(d.created_at, tz)}): {recovery}"
        )
    label = f"{clock_time(appointment.starts)} · {ref} · {appointment.provider or 'no provider'}"
    return Field(label, "\n".join(body))
