"""The clock's jobs, defined as data, and the one engine that runs them all.

A job that posts is a ``ClockJob``: how often it comes (``every``: a day, an ISO week
or a month, in each channel's own timezone), where its claims live (``claims``),
when a channel is owed it (``due``) and what it says (``compose``). The engine does
the rest, the same for every job: it claims each (channel, period) once in one
transaction, posts through the channels' messengers, and records each result, so a
message goes out at most once per channel and period and a failure is retried with
back-off until the period ends. A job that tidies up is a ``Housekeeping``
(``bot.clock.housekeeping``): a purge run hourly in one transaction.

A new job is one file in ``bot/clock/jobs/`` and one line in its table::

    def due(slot: Slot, now: datetime, options: ClockSettings) -> bool:
        # From 07:00 in the channel's timezone; a clock that was down catches up that day.
        return now >= Period.DAY.start(slot.period, slot.target.timezone, at=time(7))

    def compose(plan: Planning, slots: Sequence[Slot]) -> dict[Key, Message | None]:
        # One batched read for all the channels due (plan.session), then each one's message.
        reply = Reply("Good morning", visibility=Visibility.CHANNEL)
        return {s.target.key: Message(reply) for s in slots}

    MORNING_BRIEF = ClockJob(
        name="morning-brief",
        every=Period.DAY,  # claimed once per channel and local day
        claims=notices("brief"),  # rows in clock_notice of kind "brief"
        due=due,
        compose=compose,
    )

and ``MORNING_BRIEF,`` in the table in ``bot/clock/jobs/__init__.py``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any, ClassVar, NamedTuple, Protocol

from sqlmodel import Session

from bot.blueprint import ContentLibrary
from bot.clock.collector import collection_paused
from bot.clock.config import ClockSettings
from bot.clock.delivery import FanoutReport, deliver_and_record, warn_skipped, with_messenger
from bot.clock.fanout import Delivery, Sleep
from bot.clock.retries import ready, ready_at, take_back
from bot.clock.snapshot import Snapshot, load_snapshot
from bot.content import Content
from bot.huddle import Huddle
from bot.model import ConversationRef, Reply
from bot.ports import Messenger
from bot.scheduling import Period
from bot.storage.clock import CLAIMED, NOTHING, ClaimRow, Claims, Target, claim_periods
from bot.storage.db import count_round_trips, transaction

log = logging.getLogger("huddle.clock")

TICK = "tick"  # runs on every tick of the clock (every minute)
HOURLY = "hourly"  # runs once an hour


# Slot and Message are NamedTuples, not frozen dataclasses: as immutable, and about four
# times cheaper to make (one of each per channel per job: 10,000 of each at 10,000 channels).
class Slot(NamedTuple):
    """One channel's message of one period, as a job's ``due`` and ``compose`` see it."""

    target: Target
    period: str  # the period's key in the channel's timezone: "2026-W49", "2026-12-01", ...
    skipped: frozenset[date]  # the channel's skipped dates around now
    row: ClaimRow | None = None  # this period's claim, when it is retried or settled
    after: ClaimRow | None = None  # the done claim of the job this one follows (its meeting)


_NO_COLUMNS: Mapping[str, Any] = MappingProxyType({})


class Message(NamedTuple):
    """What a job says to one channel, and where."""

    reply: Reply
    thread_id: str | None = None  # in this thread of the channel (the meeting post's)
    columns: Mapping[str, Any] = _NO_COLUMNS  # more columns of its claim
    # The whole reply, made after the planning transaction commits (a chart: slow, and
    # it needs no database); ``reply`` is what decides the claim meanwhile.
    draw: Callable[[], Reply] | None = None


@dataclass(frozen=True)
class Planning:
    """What ``compose`` may use: the open transaction (for batched reads) and the run's world."""

    session: Session
    content: Content
    now: datetime
    options: ClockSettings
    targets: Sequence[Target]  # every subscribed channel, not only the ones due
    library: ContentLibrary | None = None  # each practice's own blueprint and rules
    _contents: dict[int, Content] = field(default_factory=dict, repr=False)

    def content_of(self, workspace_id: int) -> Content:
        """One workspace's content: its own blueprint and rules merged over the server's
        (read for every target at once, on first use: one query per run)."""
        if self.library is None:
            return self.content
        if workspace_id not in self._contents:
            wanted = {t.workspace_id for t in self.targets} | {workspace_id}
            self._contents.update(
                self.library.for_workspaces(session=self.session, workspace_ids=wanted)
            )
        return self._contents[workspace_id]


Key = tuple[int, str]  # (workspace id, channel id): ``Target.key``
# due(slot, now, options): the channel is owed the message now (``slot.row`` set: a retry)
Due = Callable[[Slot, datetime, ClockSettings], bool]
# compose(plan, slots): each due channel's message by ``Target.key``; None: nothing to say
Compose = Callable[[Planning, Sequence[Slot]], Mapping[Key, Message | None]]
# wakes(slot, now, options): when a slot not due now may next be (None: not this period)
Wakes = Callable[[Slot, datetime, ClockSettings], datetime | None]


class Report(Protocol):
    job: str

    @property
    def problems(self) -> int: ...

    def summary(self) -> str: ...


class Job(Protocol):
    """A row of the jobs table: ``await job(huddle, messengers, now)`` runs it once."""

    name: str
    doc: str  # one line for operators (`huddle jobs run --help`)
    cadence: str  # TICK or HOURLY

    async def __call__(
        self,
        huddle: Huddle,
        messengers: Mapping[str, Messenger],
        now: datetime,
        *,
        options: ClockSettings | None = None,
        sleep: Sleep | None = None,
        monotonic: Callable[[], float] | None = None,
        snapshot: Snapshot | None = None,
    ) -> Report: ...


@dataclass(frozen=True)
class ClockJob:
    """A message the clock sends each channel at most once per ``every`` period.

    ``after``: only once the channel's claim of that job's current period is done
    (the WOW of the week follows that week's meeting, and can thread under it).
    ``wakes``: when a channel not due now may next be, so an idle clock can rest until
    then; a job without it has the clock look every tick.
    """

    name: str
    every: Period
    claims: Claims
    due: Due
    compose: Compose
    after: ClockJob | None = None
    wakes: Wakes | None = None
    doc: str = ""
    cadence: ClassVar[str] = TICK

    def claimed(self) -> list[Claims]:
        """The claims it reads: its own, and those of the job it follows."""
        return [self.claims] + ([self.after.claims] if self.after is not None else [])

    def everies(self) -> list[Period]:
        return [self.every] + ([self.after.every] if self.after is not None else [])

    async def __call__(
        self,
        huddle: Huddle,
        messengers: Mapping[str, Messenger],
        now: datetime,
        *,
        options: ClockSettings | None = None,
        sleep: Sleep | None = None,
        monotonic: Callable[[], float] | None = None,
        snapshot: Snapshot | None = None,
    ) -> FanoutReport:
        """Claim, post and record this job's messages that are due at ``now``.

        ``snapshot``: the tick's shared reading of targets, skips and claims (else its own).
        """
        settings = options or ClockSettings.defaults()
        report = FanoutReport(job=self.name)
        with count_round_trips(huddle.engine) as trips:
            deliveries = await asyncio.to_thread(
                plan, self, huddle, messengers, now, settings, report, snapshot
            )
            report.due += len(deliveries)
            await deliver_and_record(
                huddle.engine,
                self.claims,
                deliveries,
                messengers,
                now,
                settings,
                report,
                sleep,
                monotonic,
            )
        report.db_round_trips = trips.count
        warn_skipped(report)
        if report.due or report.failed or report.skipped:
            log.info("%s", report.summary())
        return report


def job_table(*jobs: Job) -> dict[str, Job]:
    """The jobs by name, in the order the clock runs them."""
    table = {job.name: job for job in jobs}
    if len(table) != len(jobs):
        raise ValueError("two jobs share a name")
    return table


# -- the engine --------------------------------------------------------------------


@collection_paused()  # a third of its CPU at 10,000 channels (bot.clock.collector)
def plan(
    job: ClockJob,
    huddle: Huddle,
    messengers: Mapping[str, Messenger],
    now: datetime,
    options: ClockSettings,
    report: FanoutReport,
    snapshot: Snapshot | None = None,
) -> list[Delivery]:
    """Claim and compose every message of ``job`` due at ``now``, in one transaction."""
    with transaction(huddle.engine) as session:
        if snapshot is None:
            snapshot = load_snapshot(
                session=session, now=now, claims=job.claimed(), everies=job.everies()
            )
        targets = snapshot.targets
        if not targets:
            report.quiet_until = now + timedelta(days=1)  # a new subscription changes the mark
            return []
        periods = snapshot.zone_periods(job.every)  # by timezone
        rows = snapshot.rows(session, job.claims, set(periods.values()))
        follows, done = _followed(session, snapshot, job)
        finished = job.after.claims.done if job.after is not None else None
        is_due, skipped = job.due, snapshot.skipped
        slots, idle, waiting = [], [], []
        for target in targets:
            workspace_id, channel_id, zone = target.workspace_id, target.channel_id, target.timezone
            after = None
            if follows is not None:
                after = follows.get((workspace_id, channel_id, done[zone]))
                if after is None or after.status != finished:
                    continue  # until the followed claim is done (a change of the mark)
            period = periods[zone]
            row = rows.get((workspace_id, channel_id, period))
            if row is not None and not ready(row, now, options):
                waiting.append(row)
                continue
            slot = Slot(target, period, skipped(target), row, after)
            (slots if is_due(slot, now, options) else idle).append(slot)
        if not slots:
            report.quiet_until = _quiet_until(job, snapshot, idle, waiting, now, options)
            return []
        snapshot.changed(job.claims)  # claimed and taken back below: read afresh after
        slots = with_messenger(slots, messengers, report)
        if not slots:
            return []
        messages = job.compose(
            Planning(session, huddle.content, now, options, targets, huddle.contents), slots
        )
        fresh = [s for s in slots if s.row is None]
        retried = [s for s in slots if s.row is not None]
        won = claim_periods(
            session=session,
            claims=job.claims,
            rows=[_claim(s, messages.get(s.target.key), now) for s in fresh],
            batch=options.batch_size,
        )
        held = take_back(
            session=session,
            claims=job.claims,
            rows={s.row: messages.get(s.target.key) is not None for s in retried},
            messengers=messengers,
            platforms={s.row.id: s.target.platform for s in retried},
            now=now,
            options=options,
            report=report,
        )

    deliveries = []
    for slot in slots:
        message = messages.get(slot.target.key)
        if slot.row is None:
            row_id, attempts, hold = won.get(slot.target.key), 0, None
        else:
            row_id, attempts, hold = slot.row.id, slot.row.attempts, held.get(slot.row.id)
        since, lease = hold or (None, None)  # an uncertain post: look from, held until
        if message is None and since is None:
            if slot.row is not None or row_id is not None:
                report.nothing_to_say += 1
            continue
        if row_id is None or (slot.row is not None and row_id not in held):
            continue  # another run or another clock has it (or it was given up)
        ref = _ref(slot.target, message.thread_id if message else None)
        reply = None if message is None else message.draw() if message.draw else message.reply
        claim = f"{job.name}/{slot.period}/{row_id}"
        deliveries.append(Delivery(row_id, ref, reply, attempts, claim, since, lease))
    # Uncertain posts first: this run holds them only for a while.
    deliveries.sort(key=lambda d: d.since is None)
    return deliveries


def _followed(
    session: Session, snapshot: Snapshot, job: ClockJob
) -> tuple[Mapping[tuple[int, str, str], ClaimRow] | None, Mapping[str, str]]:
    """The followed job's claims of its current periods (by channel and period), and
    that period in each timezone; (None, {}) for a job that follows none."""
    if job.after is None:
        return None, {}
    wanted = snapshot.zone_periods(job.after.every)
    return snapshot.rows(session, job.after.claims, set(wanted.values())), wanted


def _quiet_until(
    job: ClockJob,
    snapshot: Snapshot,
    idle: Sequence[Slot],
    waiting: Sequence[ClaimRow],
    now: datetime,
    options: ClockSettings,
) -> datetime | None:
    """Nothing is due: the first moment something of ``job`` may be (None: look every tick)."""
    if job.wakes is None:
        return None
    moments = [snapshot.period_ends(every) for every in job.everies()]
    moments += [ready_at(row, options) for row in waiting]
    moments += [job.wakes(slot, now, options) for slot in idle]
    return min((m for m in moments if m is not None), default=None)


def _claim(slot: Slot, message: Message | None, now: datetime) -> dict[str, Any]:
    return {
        "workspace_id": slot.target.workspace_id,
        "channel_id": slot.target.channel_id,
        "period": slot.period,
        "status": CLAIMED if message is not None else NOTHING,
        "claimed_at": now,
        **(message.columns if message is not None else {}),
    }


def _ref(target: Target, thread_id: str | None) -> ConversationRef:
    return ConversationRef(
        platform=target.platform,
        workspace_id=target.external_workspace_id,
        channel_id=target.channel_id,
        thread_id=thread_id,
        data=target.reference,
    )
