"""The periods people ask for: a report's, an export's, a leaderboard's, in the practice's zone.

One reader for every command that takes a period: ``week`` (this ISO week, from Monday),
``month``, ``quarter`` and ``year`` (each so far, also as ``this month`` ...), ``all``
(everything) and a month like ``2026-10``. Each command says which it takes and what it
defaults to; bad input gets one set of replies saying what to type instead.

>>> from datetime import datetime, UTC
>>> read_period("quarter", now=datetime(2026, 11, 20, tzinfo=UTC), tz="UTC").label
'Q4 2026'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rapidfuzz.distance import DamerauLevenshtein

from bot.scheduling import local_datetime

KINDS = ("week", "month", "quarter", "year", "all")
EXAMPLE_MONTH = "2026-10"
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_FIRST_YEAR = 2000  # the earliest month a report compares (there is no practice data before)


class PeriodError(ValueError):
    """A period that cannot be read; the message says what to type instead."""


@dataclass(frozen=True)
class Period:
    """[first, end) in local days (both None for all time), how people call it, and its key.

    ``label`` reads "November 2026", "Q4 2026", "2026", "the week of 23 November 2026"
    or "All time"; ``key`` is for file names: "2026-11", "2026-Q4", "2026", "2026-W48", "all".
    """

    kind: str  # one of KINDS
    first: date | None
    end: date | None  # the day after the last
    label: str
    key: str
    so_far: bool  # the period has not ended yet (figures to date)
    tz: str = "UTC"

    def window(self) -> tuple[datetime, datetime]:
        """[start, end) as aware UTC: local midnights in ``tz``. Not for all time."""
        if self.first is None or self.end is None:
            raise ValueError("all time has no window")
        zone = ZoneInfo(self.tz)
        return local_datetime(self.first, time(0), zone), local_datetime(self.end, time(0), zone)

    @property
    def since(self) -> datetime | None:
        """The UTC moment it began (None: all time)."""
        return None if self.first is None else self.window()[0]

    @property
    def until(self) -> datetime | None:
        """The UTC moment it ends, or None while it has not ended (or for all time)."""
        return None if self.so_far or self.end is None else self.window()[1]

    def covers(self, moment: datetime) -> bool:
        since, until = self.since, self.until
        return (since is None or moment >= since) and (until is None or moment < until)

    def previous(self) -> Period:
        """The period of the same kind just before: what a report compares with."""
        if self.first is None:
            raise ValueError("all time has no period before it")
        day_before = self.first - timedelta(days=1)
        return _of(self.kind, day_before, today=self.first, tz=self.tz)


def _of(kind: str, day: date, *, today: date, tz: str) -> Period:
    """The ``kind`` period that holds ``day``, as seen on ``today``."""
    if kind == "week":
        first = day - timedelta(days=day.weekday())
        end = first + timedelta(days=7)
        iso = first.isocalendar()
        label, key = f"the week of {first.day} {first:%B %Y}", f"{iso.year}-W{iso.week:02d}"
    elif kind == "month":
        first = day.replace(day=1)
        end = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        label, key = f"{first:%B %Y}", f"{first:%Y-%m}"
    elif kind == "quarter":
        quarter = (day.month - 1) // 3 + 1
        first = date(day.year, 3 * quarter - 2, 1)
        end = date(day.year + 1, 1, 1) if quarter == 4 else date(day.year, 3 * quarter + 1, 1)
        label, key = f"Q{quarter} {day.year}", f"{day.year:04d}-Q{quarter}"
    elif kind == "year":
        first, end = date(day.year, 1, 1), date(day.year + 1, 1, 1)
        label = key = f"{day.year:04d}"
    else:
        raise ValueError(kind)
    return Period(kind, first, end, label, key, first <= today < end, tz)


def month_period(year: int, month: int, *, today: date, tz: str = "UTC") -> Period:
    """That calendar month."""
    return _of("month", date(year, month, 1), today=today, tz=tz)


def previous_month(today: date, *, tz: str = "UTC") -> Period:
    """The month before ``today``'s: what the monthly post reports on."""
    return month_period(today.year, today.month, today=today, tz=tz).previous()


def all_time(tz: str = "UTC") -> Period:
    return Period("all", None, None, "All time", "all", True, tz)


def is_period_word(word: str) -> bool:
    """Whether ``word`` reads as a period (a kind or a month), right or not."""
    return word.casefold() in KINDS or _MONTH.fullmatch(word) is not None


def read_period(
    text: str | None,
    *,
    now: datetime,
    tz: str,
    default: str = "month",
    kinds: Sequence[str] = KINDS,
    past_months_only: bool = False,
    command: str | None = None,
) -> Period:
    """The period ``text`` names at ``now`` in ``tz``; empty text is ``default``.

    ``kinds`` are the words this command takes (a month ``YYYY-MM`` always reads);
    ``past_months_only`` refuses a month that has not started (or before 2000);
    ``command`` ("report", "export defects") shapes the hint in a refusal.
    """
    today = now.astimezone(ZoneInfo(tz)).date()
    word = " ".join((text or "").split()).casefold() or default
    word = word.removeprefix("this ") if word.removeprefix("this ") in KINDS else word
    if word in kinds:
        return all_time(tz) if word == "all" else _of(word, today, today=today, tz=tz)
    found = _MONTH.fullmatch(word)
    if found is None:
        raise PeriodError(unknown_period(word, command=command, kinds=kinds))
    year, month = int(found[1]), int(found[2])
    if not 1 <= month <= 12 or year < 1 or (past_months_only and year < _FIRST_YEAR):
        raise PeriodError(f"There is no month {word}. {period_hint(command, kinds)}")
    if past_months_only and date(year, month, 1) > today:
        raise PeriodError(
            f"{date(year, month, 1):%B %Y} hasn't started yet. {period_hint(command, kinds)}"
        )
    return month_period(year, month, today=today, tz=tz)


def unknown_period(word: str, *, command: str | None, kinds: Sequence[str] = KINDS) -> str:
    """The reply to a word that is no period: a guess at what was meant, and what to type."""
    meant = _closest(word.split()[0] if word.split() else word, kinds)
    guess = f"Did you mean `{_typed(command, meant)}`? " if meant else ""
    shown = word if len(word) <= 30 else word[:29] + "…"
    return f"{guess}I don't know the period “{shown}”. {period_hint(command, kinds)}"


def period_hint(command: str | None, kinds: Sequence[str] = KINDS) -> str:
    """What to type: the words, and two examples (`/huddle report quarter`)."""
    words = [f"`{k}`" for k in kinds]
    listed = ", ".join(words[:-1]) + f" or {words[-1]}" if len(words) > 1 else words[0]
    if command is None:  # an operator on the command line
        return f"Say one of {listed}, or a month like {EXAMPLE_MONTH}.".replace("`", "")
    return (
        f"Type `/huddle {command}` alone, or add {listed}, or a month: "
        f"`{_typed(command, 'quarter')}` or `{_typed(command, EXAMPLE_MONTH)}`."
    )


def _typed(command: str | None, word: str) -> str:
    return f"/huddle {command} {word}" if command else word


def _closest(word: str, kinds: Sequence[str]) -> str | None:
    """A kind ``word`` is a typo of (one edit for short words, two for longer)."""
    if not word.isalpha():
        return None
    best = None
    for kind in kinds:
        allowed = 1 if len(kind) <= 4 else 2
        distance = DamerauLevenshtein.distance(word, kind, score_cutoff=allowed)
        if 0 < distance <= allowed and (best is None or distance < best[0]):
            best = (distance, kind)
    return best[1] if best else None
