"""`/huddle frontdesk`: who hears about unconfirmed new patients and late patients.

`/huddle frontdesk` lists the front desk and when they are told
`/huddle frontdesk add @someone` · `remove @someone` changes it (admins)
`/huddle frontdesk at 15:00` sets when tomorrow's unconfirmed new patients are sent (admins)
`/huddle frontdesk deadline 17:00` · `deadline end of day` sets the time they are asked to confirm by
`/huddle frontdesk popups on|off` pushes open recoveries to Open Dental as popups (admins)
With no front desk set, the practice's admins are told instead.
"""

from __future__ import annotations

from bot import roles
from bot.commands.admins import require_admin
from bot.commands.context import Context, UsageError
from bot.commands.when import take_time
from bot.model import Person, Reply, Visibility
from bot.storage import front_desk as stored
from bot.storage.audit import record_audit
from bot.wording import clock_time

EXAMPLE = "`/huddle frontdesk add @Sam`"


def front_desk(ctx: Context, rest: str) -> Reply:
    word, _, tail = rest.strip().partition(" ")
    action = word.casefold()
    if not action:
        return _list(ctx)
    changes = {"add": _add, "remove": _remove, "at": _at, "deadline": _deadline, "popups": _popups}
    change = changes.get(action)
    if change is None:
        raise UsageError(
            f"Try {EXAMPLE}, `/huddle frontdesk remove @Sam`, `/huddle frontdesk at 15:00`, "
            "`/huddle frontdesk deadline 17:00` or `/huddle frontdesk popups on`."
        )
    note = require_admin(ctx, "change the front desk and its notices")
    reply = change(ctx, tail.strip())
    return reply if note is None else Reply(text=reply.text, footer=note, mentions=reply.mentions)


def _audit(ctx: Context, action: str) -> None:
    """Who changed the front desk or its notices, where and when; no one's name stored."""
    is_person = action in ("add", "remove")
    record_audit(
        session=ctx.session,
        workspace_id=ctx.workspace_id,
        actor_id=ctx.incoming.user_id,
        actor_name=ctx.incoming.user_name,
        action=f"frontdesk.{action}" if is_person else f"setting.frontdesk.{action}",
        record_count=1 if is_person else 0,
        channel_id=ctx.incoming.channel_id,
        now=ctx.now,
    )


def _list(ctx: Context) -> Reply:
    people, admins_instead = stored.who_hears(session=ctx.session, workspace_id=ctx.workspace_id)
    protocol = stored.protocols(session=ctx.session, workspace_ids={ctx.workspace_id})[
        ctx.workspace_id
    ]
    if admins_instead:
        who = (
            "No front desk is set, so the practice's admins are told instead: "
            f"{roles.named(people) or 'no one yet'}. Add someone with {EXAMPLE}."
        )
    else:
        who = f"The front desk: {roles.named(people)}."
    return Reply(
        title="The front desk",
        text=f"{who}\n{_when(protocol)}",
        mentions=people,
    )


def _when(protocol: stored.Protocol) -> str:
    popups = "on" if protocol.popups else "off"
    return (
        f"Each open day at {clock_time(protocol.notice_at)} they are told privately which new "
        "patients booked for tomorrow have not confirmed, to confirm by "
        f"{_deadline_words(protocol)}. Where the schedule shows arrivals (Open Dental), they "
        "are told a minute after a patient's time when the patient is not here. "
        f"Popups in Open Dental for open recoveries: {popups}."
    )


def _deadline_words(protocol: stored.Protocol) -> str:
    at = protocol.deadline
    return "the end of today" if at is None else f"{clock_time(at)} today"


def _person(ctx: Context) -> Person:
    person = roles.first_person(ctx.incoming)
    if person is None:
        raise UsageError(f"Say who, with a mention: {EXAMPLE} or `/huddle frontdesk remove @Sam`.")
    return person


def _add(ctx: Context, rest: str) -> Reply:
    person = _person(ctx)
    added = stored.add_front_desk(
        session=ctx.session,
        workspace_id=ctx.workspace_id,
        user_id=person.user_id or person.name,
        name=person.name,
        added_by=ctx.incoming.user_id,
        now=ctx.now,
    )
    if added:
        _audit(ctx, "add")
    text = (
        f"{person.at} is now on the front desk: Huddle tells them privately about new patients "
        "who have not confirmed and about late patients."
        if added
        else f"{person.at} is already on the front desk."
    )
    return Reply(text=text, visibility=Visibility.CHANNEL, mentions=(person,))


def _remove(ctx: Context, rest: str) -> Reply:
    person = _person(ctx)
    removed = stored.remove_front_desk(
        session=ctx.session, workspace_id=ctx.workspace_id, user_id=person.user_id or person.name
    )
    if not removed:
        raise UsageError(f"{person.name} isn't on the front desk. `/huddle frontdesk` lists it.")
    _audit(ctx, "remove")
    after = ""
    if not stored.list_front_desk(session=ctx.session, workspace_id=ctx.workspace_id):
        after = " No one is on the front desk now, so the practice's admins are told instead."
    return Reply(
        text=f"{person.at} is no longer on the front desk.{after}",
        visibility=Visibility.CHANNEL,
        mentions=(person,),
    )


def _at(ctx: Context, rest: str) -> Reply:
    at = _time(rest, "`/huddle frontdesk at 15:00`")
    protocol = stored.set_protocol(
        session=ctx.session,
        workspace_id=ctx.workspace_id,
        now=ctx.now,
        notice_minutes=at.hour * 60 + at.minute,
    )
    _audit(ctx, "at")
    return Reply(text=_when(protocol))


def _deadline(ctx: Context, rest: str) -> Reply:
    if " ".join(rest.casefold().split()) in ("end of day", "end of the day", "eod", "off"):
        minutes = None
    else:
        at = _time(rest, "`/huddle frontdesk deadline 17:00` or `deadline end of day`")
        minutes = at.hour * 60 + at.minute
    protocol = stored.set_protocol(
        session=ctx.session, workspace_id=ctx.workspace_id, now=ctx.now, deadline_minutes=minutes
    )
    _audit(ctx, "deadline")
    return Reply(text=_when(protocol))


def _popups(ctx: Context, rest: str) -> Reply:
    answer = rest.casefold().strip()
    if answer not in ("on", "off"):
        raise UsageError("Say `/huddle frontdesk popups on` or `/huddle frontdesk popups off`.")
    protocol = stored.set_protocol(
        session=ctx.session, workspace_id=ctx.workspace_id, now=ctx.now, popups=answer == "on"
    )
    _audit(ctx, "popups")
    if protocol.popups:
        text = (
            "Open recoveries on a patient now go to Open Dental as a popup on that patient, "
            "once per defect, so whoever opens the chart sees it. Only recoveries, never "
            "tidbits. This needs Open Dental as the schedule source."
        )
    else:
        text = (
            "No more popups in Open Dental. Popups already there stay until someone disables them."
        )
    return Reply(text=text)


def _time(rest: str, example: str):
    words = rest.split()
    try:
        at, taken = take_time(words)
    except UsageError as error:
        raise UsageError(f"{error} For example {example}.") from None
    if words[taken:]:
        raise UsageError(f"Give only the time, in the practice's timezone, like {example}.")
    return at
