"""Which existing claims a run takes back, and how: retried, or settled first.

A row of this period is taken back when

- it ``failed`` and its back-off has passed: sent again;
- it is still ``claimed`` by a run that never started its post (claimed more than the
  send timeout ago: that clock died): sent, by this run now;
- it is ``sending`` and its answer never came (``next_attempt_at`` passed: the clock
  died mid-post, or the platform did not answer in time). The post may exist. If the
  platform can be asked (``Messenger.find``: Slack), this run holds the row, looks for
  the post and sends it only if it is not there. If it cannot (Teams), the row is
  marked ``uncertain`` and never sent again: a post missing once is better than twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.clock.config import ClockSettings
from bot.clock.delivery import FanoutReport
from bot.ports import Messenger, can_find
from bot.storage.clock import (
    CLAIMED,
    FAILED,
    SENDING,
    ClaimRow,
    Claims,
    retake,
    settle_nothing,
    take_uncertain,
)


def ready(row: ClaimRow, now: datetime, options: ClockSettings) -> bool:
    """Whether this run may take ``row`` back (see the module's docstring)."""
    if row.status == FAILED:
        return row.next_attempt_at is None or row.next_attempt_at <= now
    if row.status == CLAIMED:
        return row.claimed_at is not None and row.claimed_at <= _abandoned(now, options)
    if row.status == SENDING:
        return row.next_attempt_at is None or row.next_attempt_at <= now
    return False


def ready_at(row: ClaimRow, options: ClockSettings) -> datetime | None:
    """When this run may take ``row`` back, if it is not ready now (None: never)."""
    if row.status in (FAILED, SENDING):
        return row.next_attempt_at
    if row.status == CLAIMED and row.claimed_at is not None:
        return row.claimed_at + timedelta(seconds=options.send_timeout_seconds)
    return None


def take_back(
    *,
    session: Session,
    claims: Claims,
    rows: Mapping[ClaimRow, bool],
    messengers: Mapping[str, Messenger],
    platforms: Mapping[int, str],
    now: datetime,
    options: ClockSettings,
    report: FanoutReport,
) -> dict[int, tuple[datetime, datetime] | None]:
    """Take back ``rows`` (each with whether it has something to say now).

    Returns the rows this run now holds: row id -> None (send it), or for a post to
    settle first, the time to look for it from and until when this run holds it. A row
    another clock took first is left out.
    """
    retried = [row for row in rows if row.status != SENDING]
    saying = {row.id for row in retried if rows[row]}
    held: dict[int, tuple[datetime, datetime] | None] = dict.fromkeys(
        retake(
            session=session,
            claims=claims,
            ids=saying,
            now=now,
            abandoned=_abandoned(now, options),
        )
    )
    settle_nothing(session=session, claims=claims, ids=[r.id for r in retried if not rows[r]])
    uncertain = [row for row in rows if row.status == SENDING]
    findable = [r for r in uncertain if can_find(messengers[platforms[r.id]])]
    until = now + timedelta(seconds=3 * options.send_timeout_seconds)  # to find, then send
    found = take_uncertain(
        session=session, claims=claims, ids=[r.id for r in findable], now=now, until=until
    )
    held.update((r.id, (r.claimed_at or now, until)) for r in findable if r.id in found)
    given_up = take_uncertain(
        session=session,
        claims=claims,
        ids=[r.id for r in uncertain if r not in findable],
        now=now,
        until=None,
    )
    report.uncertain += len(given_up)
    return held


def _abandoned(now: datetime, options: ClockSettings) -> datetime:
    return now - timedelta(seconds=options.send_timeout_seconds)
