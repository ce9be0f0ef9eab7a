"""What a tick reads once and every job filters: targets, skips and claims.

``Clock.tick`` loads one ``Snapshot`` (a query for the subscribed channels with their
references, one for the skips, one per claims table) and hands it to every job; a
job that claims or takes back rows marks its claims ``changed``, so the jobs after it
(the WOW of the week after the meeting) read those again. ``huddle jobs run`` and
a job run on its own load a snapshot of their own.

An idle tick asks one question first (``bot.storage.clock_snapshot.clock_mark``): if
the clock's inputs are as they were at the last tick that found nothing due, and no
channel's moment (a meeting time, a retry, a new period) has come since, it loads
nothing at all (``Quiet``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

from sqlmodel import Session

from bot.clock.collector import collection_paused
from bot.scheduling import Period, local_day
from bot.storage.clock import ClaimRow, Claims, Target, load_targets
from bot.storage.clock_snapshot import clock_mark, load_claims, load_claims_of, load_skips

Rows = dict[tuple[int, str, str], ClaimRow]

# Local time runs from UTC-12 to UTC+14: the periods it can be anywhere now lie within.
_BEHIND, _AHEAD = timedelta(hours=12), timedelta(hours=14)


def periods_around(everies: Iterable[Period], now: datetime) -> list[str]:
    """Every period (of these kinds) it is somewhere in the world at ``now``."""
    first, last = (now - _BEHIND).date(), (now + _AHEAD).date()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return sorted({every.key(day) for every in set(everies) for day in days})


@dataclass
class Snapshot:
    """The clock's world at ``now``, read once per tick."""

    now: datetime
    targets: list[Target]
    skips: Mapping[int, set[date]]
    claims: dict[Claims, Rows]
    _periods: dict[tuple[Period, str], str] = field(default_factory=dict)
    _skipped: dict[int, frozenset[date]] = field(default_factory=dict)

    def period(self, every: Period, tz: str) -> str:
        """The key of the ``every`` period it is now in ``tz`` (worked out once per zone)."""
        key = (every, tz)
        if key not in self._periods:
            self._periods[key] = every.of(self.now, tz)
        return self._periods[key]

    def zone_periods(self, every: Period) -> dict[str, str]:
        """The current ``every`` period in each of the channels' timezones (most channels
        share a few zones: looked up by zone, not worked out per channel)."""
        return {tz: self.period(every, tz) for tz in self.zones}

    @cached_property
    def zones(self) -> frozenset[str]:
        return frozenset(t.timezone for t in self.targets)

    def skipped(self, target: Target) -> frozenset[date]:
        sid = target.subscription_id
        if sid not in self._skipped:
            self._skipped[sid] = frozenset(self.skips.get(sid, ()))
        return self._skipped[sid]

    def rows(self, session: Session, claims: Claims, periods: Iterable[str]) -> Rows:
        """The claims of ``claims`` (read again if a job changed them since)."""
        if claims not in self.claims:
            self.claims[claims] = load_claims(session=session, claims=claims, periods=periods)
        return self.claims[claims]

    def changed(self, claims: Claims) -> None:
        """A job wrote these claims: the next job to need them reads them afresh."""
        self.claims.pop(claims, None)

    def period_ends(self, every: Period) -> datetime | None:
        """When the current ``every`` period ends first, in any channel's timezone."""
        ends = []
        for tz in self.zones:
            key = self.period(every, tz)
            following = every.key(_last_day(every, key) + timedelta(days=1))
            ends.append(every.start(following, tz))
        return min(ends, default=None)


def _last_day(every: Period, key: str) -> date:
    first = every.first_day(key)
    if every is Period.DAY:
        return first
    if every is Period.WEEK:
        return first + timedelta(days=6)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - timedelta(days=1)


@collection_paused()  # 10,000 targets and their claims: no cycle collection meanwhile
def load_snapshot(
    *, session: Session, now: datetime, claims: Sequence[Claims], everies: Iterable[Period]
) -> Snapshot:
    """Targets, skips around now, and these claims of the channels' current periods."""
    targets = load_targets(session=session)
    if not targets:
        return Snapshot(now, [], {}, {c: {} for c in claims})
    days = [local_day(now, tz) for tz in {t.timezone for t in targets}]
    skips = load_skips(
        session=session, start=min(days) - timedelta(days=7), end=max(days) + timedelta(days=7)
    )
    snapshot = Snapshot(now, targets, skips, {})
    zones = {t.timezone for t in targets}
    periods = {snapshot.period(every, tz) for every in set(everies) for tz in zones}
    snapshot.claims.update(load_claims_of(session=session, claims=claims, periods=periods))
    return snapshot


@dataclass(frozen=True)
class Quiet:
    """A tick found nothing due: until ``until``, an equal ``mark`` means still nothing."""

    mark: tuple[Any, ...]
    until: datetime
    claims: tuple[Claims, ...]
    periods: tuple[str, ...]

    def holds(self, session: Session, now: datetime) -> bool:
        """One query: whether this tick, too, has nothing to do."""
        if now >= self.until:
            return False
        return clock_mark(session=session, claims=self.claims, periods=self.periods) == self.mark
