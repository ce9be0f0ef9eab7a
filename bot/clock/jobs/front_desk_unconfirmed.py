"""front-desk-unconfirmed: the afternoon before, the new patients who have not confirmed.

Each open day from the practice's notice time (`/huddle frontdesk at 15:00`, in the
timezone of its first subscribed channel; default 15:00), each person on the front
desk (else each admin, and the notice says why) is told privately which new patients
booked for tomorrow have not confirmed: time, reference and provider, with the
practice's deadline (default: the end of today). Exactly once per workspace and day:
a claim per person and day, and a "none" claim when there is nobody to call. Not on a
skipped day or during a pause; a day that has ended is never sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.clock.engine import TICK
from bot.clock.front_desk import (
    NoticeReport,
    Planned,
    deliver,
    home_routes,
    route_ref,
    targets_and_skips,
    within_the_hour,
)
from bot.clock.snapshot import Snapshot
from bot.crypto import Vault
from bot.huddle import Huddle
from bot.model import Person, Reply, Visibility
from bot.ports import Messenger
from bot.scheduling import Period, blocked_on
from bot.storage.appointment_models import Appointment
from bot.storage.audit import record_audit
from bot.storage.db import transaction
from bot.storage.front_desk import (
    Protocol,
    claim_notice,
    notices_claimed,
    protocols,
    settle_notice,
    unconfirmed_new_patients,
    who_hears,
)
from bot.wording import clock_time, day_in_words

KIND = "unconfirmed"
NOBODY = ""  # the claim's recipient when there was no one to tell about (or no one to tell)
CLOCK_ACTOR = ("huddle-clock", "Huddle")  # who the audit log says read the references


@dataclass(frozen=True)
class FrontDeskUnconfirmed:
    name: str = "front-desk-unconfirmed"
    doc: str = "The afternoon before: the front desk told privately of unconfirmed new patients."
    cadence: ClassVar[str] = TICK

    async def __call__(
        self,
        huddle: Huddle,
        messengers: Mapping[str, Messenger],
        now: datetime,
        *,
        snapshot: Snapshot | None = None,
        **_: Any,
    ) -> NoticeReport:
        report = NoticeReport(self.name)
        planned, wake = await asyncio.to_thread(_plan, huddle, set(messengers), now, snapshot)
        await deliver(huddle, messengers, planned, report)
        report.quiet_until = within_the_hour(now, wake)
        return report


def _plan(
    huddle: Huddle, platforms: set[str], now: datetime, snapshot=None
) -> tuple[list[Planned], datetime | None]:
    """The notices claimed now, and the first notice time still to come today."""
    planned: list[Planned] = []
    wake: list[datetime] = []
    with transaction(huddle.engine) as session:
        targets, skipped = targets_and_skips(session, snapshot, now)
        routes = home_routes(targets, platforms)
        if not routes:
            return [], None
        settings = protocols(session=session, workspace_ids=set(routes))
        for workspace_id, target in routes.items():
            protocol = settings[workspace_id]
            local = now.astimezone(ZoneInfo(target.timezone))
            today = local.date()
            if local.time() < protocol.notice_at:
                wake.append(
                    Period.DAY.start(today.isoformat(), target.timezone, at=protocol.notice_at)
                )
                continue
            if blocked_on(target, today, skipped(target)):
                continue
            period = today.isoformat()
            told = {
                who
                for _, who in notices_claimed(
                    session=session, workspace_id=workspace_id, kind=KIND, period=period
                )
            }
            if NOBODY in told:
                continue
            people, admins_instead = who_hears(session=session, workspace_id=workspace_id)
            people = tuple(p for p in people if p.user_id not in told)
            if told and not people:
                continue  # everyone has it (a failed one is let go, and so asked again)
            tomorrow = today + timedelta(days=1)
            appointments = unconfirmed_new_patients(
                session=session, workspace_id=workspace_id, day=tomorrow
            )
            if not appointments or (not people and not told):
                _claim(session, workspace_id, period, NOBODY, now)
                continue
            record_audit(
                session=session,
                workspace_id=workspace_id,
                actor_id=CLOCK_ACTOR[0],
                actor_name=CLOCK_ACTOR[1],
                action="front_desk.unconfirmed",
                record_count=len(appointments) * len(people),
                now=now,
            )
            lines = _lines(huddle.vault, appointments)
            for person in people:
                row_id = _claim(session, workspace_id, period, person.user_id, now)
                if row_id is None:
                    continue
                reply = compose_unconfirmed(
                    lines, person, tomorrow, protocol, admins_instead=admins_instead
                )
                planned.append(Planned(row_id, workspace_id, route_ref(target), reply))
    return planned, min(wake, default=None)


def _claim(session: Session, workspace_id: int, period: str, who: str, now: datetime):
    row_id = claim_notice(
        session=session,
        workspace_id=workspace_id,
        kind=KIND,
        period=period,
        item="",
        recipient_id=who,
        now=now,
    )
    if row_id is not None and who == NOBODY:
        settle_notice(session=session, row_id=row_id, status="none")
    return row_id


def _lines(vault: Vault, appointments: list[Appointment]) -> list[str]:
    return [
        f"• {clock_time(a.starts)} {vault.decrypt(a.patient_ref_enc)}"
        + (f" with {a.provider}" if a.provider else "")
        for a in appointments
    ]


def compose_unconfirmed(
    lines: list[str], person: Person, day: date, protocol: Protocol, *, admins_instead: bool
) -> Reply:
    """Privately, to one person at the front desk: tomorrow's unconfirmed new patients."""
    deadline = protocol.deadline
    by = "the end of today" if deadline is None else f"{clock_time(deadline)} today"
    count = len(lines)
    plural = "s" if count != 1 else ""
    footer = (
        "You get this as one of the practice's admins, because no front desk is set. "
        "`/huddle frontdesk add @someone` sends it to them instead."
        if admins_instead
        else None
    )
    return Reply(
        title=f"{count} new patient{plural} not confirmed for {day_in_words(day)}",
        text="\n".join(lines)
        + f"\n\nPlease call each of them to confirm by {by}. A new patient who has not "
        "confirmed by then is a red flag: if they can't come, offer the time to someone else.",
        footer=footer,
        visibility=Visibility.PRIVATE,
        sensitive=True,
        to=person,
    )


FRONT_DESK_UNCONFIRMED = FrontDeskUnconfirmed()
