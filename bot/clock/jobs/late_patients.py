"""late-patients: a minute after a patient's time with no arrival, the front desk is told.

Only where the schedule source reports arrivals (Open Dental's ``DateTimeArrived``;
a source says so with ``arrivals_every``, the least time between two asks). Each tick,
a practice with an appointment that started a minute or more ago, has no arrival and
has not been told about is asked for fresh arrivals (incrementally: the source keeps
its ``DateTStamp`` cursor between ticks), no more often than its source allows. Then
each person on the front desk (else each admin) is told privately, once per
appointment: call to check they are all right, about them and not the appointment,
and no text message until tomorrow; with buttons for arrived late, rescheduled and did
not attend (which records a fail-to-attend with its cause, as `/fta` does). An
appointment more than ``WINDOW`` past its time is never told about (a clock that was
down does not send stale alarms). Not on a skipped day or during a pause.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from bot.appointments import ScheduleSource, ScheduleSourceError, SourceWorkspace, sync_day
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
from bot.clock.sources import Opener, load_source_opener
from bot.huddle import Huddle
from bot.model import Button, Person, Reply, Visibility
from bot.ports import Messenger
from bot.scheduling import blocked_on
from bot.storage.appointment_models import Appointment
from bot.storage.appointments import SyncTarget, sources_to_sync
from bot.storage.audit import record_audit
from bot.storage.clock import Target
from bot.storage.db import transaction
from bot.storage.front_desk import (
    claim_notice,
    next_start_not_arrived,
    not_arrived,
    notices_claimed,
    who_hears,
)
from bot.storage.models import Workspace
from bot.wording import clock_time

log = logging.getLogger("huddle.clock")

KIND = "late"
LATE_AFTER = timedelta(minutes=1)
WINDOW = timedelta(minutes=30)


def item_of(appointment: Appointment) -> str:
    """What a late notice's claim names: the time and the reference's hash, no reference."""
    return f"{appointment.starts:%H:%M}/{appointment.patient_ref_hash[:32]}"


@dataclass
class _Open:
    """A practice's source, kept open between ticks so its cursor carries over."""

    source: ScheduleSource
    updated_at: datetime
    stack: AsyncExitStack
    asked_at: datetime | None = None  # the last ask, answered or not (the interval)
    fresh_at: datetime | None = None  # the last ask that was answered


@dataclass
class LatePatients:
    """``opener``: how to open a stored source (default: the installed entry point)."""

    name: str = "late-patients"
    doc: str = "A minute after a patient's time with no arrival: the front desk told privately."
    opener: Opener | None = field(default=None, compare=False)
    cadence: ClassVar[str] = TICK
    _open: dict[int, _Open] = field(default_factory=dict, compare=False, repr=False)

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
        silent = {
            w: held.updated_at for w, held in self._open.items() if _arrivals_every(held) is None
        }
        waiting, wake = await asyncio.to_thread(
            _waiting, huddle, set(messengers), now, snapshot, silent
        )
        # Someone late now: look again next tick; else when the next patient may be late.
        soon = now + timedelta(seconds=1) if waiting else wake
        report.quiet_until = within_the_hour(now, soon)
        if not waiting:
            return report
        opener = self.opener or load_source_opener()
        if opener is None:
            return report
        fresh: dict[int, datetime] = {}
        for workspace_id, (target, sync) in waiting.items():
            polled = await self._poll(huddle, opener, target, sync, now, report)
            if polled is not None:
                fresh[workspace_id] = polled
        if not fresh:
            return report
        planned = await asyncio.to_thread(_plan, huddle, waiting, fresh, now)
        await deliver(huddle, messengers, planned, report)
        if report.sent or report.failed:
            log.info("%s", report.summary())
        if not report.failed and all(fresh.get(w) == now for w in waiting):
            report.quiet_until = within_the_hour(now, wake)  # everyone late has been told
        return report

    async def _poll(
        self,
        huddle: Huddle,
        opener: Opener,
        route: Target,
        sync: SyncTarget,
        now: datetime,
        report: NoticeReport,
    ) -> datetime | None:
        """Fresh arrivals for the practice's today; when they were read (None: not now)."""
        try:
            held = await self._source(opener, huddle, sync)
        except ScheduleSourceError as error:
            log.warning(
                "late-patients: workspace %s: source not opened: %s", sync.workspace_id, error
            )
            return None
        every = _arrivals_every(held)
        if every is None:
            return None  # this kind of source does not report arrivals
        if held.asked_at is not None and now - held.asked_at < every:
            # Too soon to ask again: the last answer stands, if the last ask had one.
            return held.fresh_at if held.fresh_at == held.asked_at else None
        held.asked_at = now
        salt = Workspace(platform=sync.platform, external_id=sync.external_id).patient_salt
        workspace = SourceWorkspace(sync.workspace_id, sync.timezone, salt)
        today = now.astimezone(ZoneInfo(sync.timezone)).date()
        result = await sync_day(
            held.source,
            engine=huddle.engine,
            vault=huddle.vault,
            workspace=workspace,
            day=today,
            now=now,
        )
        report.polled += 1
        if not result.ok:
            return None  # no fresh word on arrivals: no alarm on stale data
        held.fresh_at = now
        return now

    async def _source(self, opener: Opener, huddle: Huddle, sync: SyncTarget) -> _Open:
        held = self._open.get(sync.workspace_id)
        if held is not None and held.updated_at == sync.source.updated_at:
            return held
        if held is not None:  # the practice changed its source: start again
            self._open.pop(sync.workspace_id)
            await held.stack.aclose()
        stack = AsyncExitStack()
        try:
            source = await stack.enter_async_context(opener(sync.source, huddle.vault))
        except BaseException:
            await stack.aclose()
            raise
        held = _Open(source, sync.source.updated_at, stack)
        self._open[sync.workspace_id] = held
        return held

    async def aclose(self) -> None:
        """Close every source kept open (the clock's shutdown, a test's end)."""
        while self._open:
            _, held = self._open.popitem()
            await held.stack.aclose()


def _arrivals_every(held: _Open) -> timedelta | None:
    """How often the source may be asked for arrivals; None: it reports none."""
    return getattr(held.source, "arrivals_every", None)


def _waiting(
    huddle: Huddle,
    platforms: set[str],
    now: datetime,
    snapshot: Snapshot | None = None,
    silent: Mapping[int, datetime] | None = None,
) -> tuple[dict[int, tuple[Target, SyncTarget]], datetime | None]:
    """Practices with someone a minute late and not told about (worth asking the source),
    and the first moment someone else may be. ``silent``: practices whose source (as
    opened at that ``updated_at``) reports no arrivals."""
    silent = silent or {}
    with transaction(huddle.engine) as session:
        targets, skipped = targets_and_skips(session, snapshot, now)
        routes = home_routes(targets, platforms)
        syncs = {s.workspace_id: s for s in sources_to_sync(session=session)} if routes else {}
        waiting, wake = {}, []
        for workspace_id, target in routes.items():
            sync = syncs.get(workspace_id)
            if sync is None or silent.get(workspace_id) == sync.source.updated_at:
                continue
            if _late(session, target, now, skipped(target)):
                waiting[workspace_id] = (target, sync)
            local = now.astimezone(ZoneInfo(target.timezone))
            after = (
                (local - LATE_AFTER).time()
                if local.date() == (local - LATE_AFTER).date()
                else time(0)
            )
            following = next_start_not_arrived(
                session=session, workspace_id=workspace_id, day=local.date(), after=after
            )
            if following is not None:
                at = datetime.combine(local.date(), following, ZoneInfo(target.timezone))
                wake.append(at + LATE_AFTER)
        return waiting, min(wake, default=None)


def _late(session, target: Target, moment: datetime, skipped) -> list[Appointment]:
    """Appointments a minute or more past their time (as of ``moment``), none told about."""
    local = moment.astimezone(ZoneInfo(target.timezone)).replace(tzinfo=None)
    today = local.date()
    if blocked_on(target, today, skipped):
        return []
    start, end = local - WINDOW, local - LATE_AFTER
    if start.date() != today:
        start = datetime.combine(today, time(0))
    if end.date() != today:
        return []
    found = not_arrived(
        session=session,
        workspace_id=target.workspace_id,
        day=today,
        start=start.time(),
        end=end.time(),
    )
    told = {
        item
        for item, _ in notices_claimed(
            session=session, workspace_id=target.workspace_id, kind=KIND, period=today.isoformat()
        )
    }
    return [a for a in found if item_of(a) not in told]


def _plan(
    huddle: Huddle,
    waiting: dict[int, tuple[Target, SyncTarget]],
    fresh: dict[int, datetime],
    now: datetime,
) -> list[Planned]:
    planned: list[Planned] = []
    with transaction(huddle.engine) as session:
        for workspace_id, polled_at in fresh.items():
            target, _ = waiting[workspace_id]
            # Late as of the last fresh read: arrivals after it are not known yet.
            late = _late(session, target, polled_at, set())
            people, admins_instead = who_hears(session=session, workspace_id=workspace_id)
            if not late or not people:
                continue
            period = polled_at.astimezone(ZoneInfo(target.timezone)).date().isoformat()
            record_audit(
                session=session,
                workspace_id=workspace_id,
                actor_id="huddle-clock",
                actor_name="Huddle",
                action="front_desk.late",
                record_count=len(late) * len(people),
                now=now,
            )
            for appointment in late:
                ref = huddle.vault.decrypt(appointment.patient_ref_enc)
                for person in people:
                    row_id = claim_notice(
                        session=session,
                        workspace_id=workspace_id,
                        kind=KIND,
                        period=period,
                        item=item_of(appointment),
                        recipient_id=person.user_id,
                        now=now,
                    )
                    if row_id is None:
                        continue
                    reply = compose_late(appointment, ref, person, admins_instead=admins_instead)
                    planned.append(Planned(row_id, workspace_id, route_ref(target), reply))
    return planned


def compose_late(
    appointment: Appointment, ref: str, person: Person, *, admins_instead: bool
) -> Reply:
    """Privately, to one person at the front desk: a patient not here a minute after their time."""
    at = clock_time(appointment.starts)
    with_whom = f" with {appointment.provider}" if appointment.provider else ""
    footer = (
        "You get this as one of the practice's admins, because no front desk is set. "
        "`/huddle frontdesk add @someone` sends it to them instead."
        if admins_instead
        else None
    )
    return Reply(
        title=f"Not here yet: {ref}, {at}{with_whom}",
        text=f"{ref} was due at {at} and has not arrived. Please call them now to check they "
        "are all right: ask about them, not about the appointment. No text message until "
        "tomorrow.",
        buttons=(
            Button("Arrived late", f"fta arrived {ref}"),
            Button("Rescheduled", f"fta rescheduled {ref}"),
            Button("Did not attend", f"fta {ref}", style="danger"),
        ),
        footer=footer,
        visibility=Visibility.PRIVATE,
        sensitive=True,
        to=person,
    )


LATE_PATIENTS = LatePatients()
