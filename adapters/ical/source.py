"""A calendar feed as a ``ScheduleSource``: the day's events, expanded in the practice's
timezone, each read down to a time, a reference and two flags.

The patient reference is found in SUMMARY by the practice's pattern (``JS-1042`` in
"JS-1042 (NP) check-up"); the rest of SUMMARY, DESCRIPTION and every other property
are dropped here. ``STATUS:TENTATIVE`` is unconfirmed, ``CANCELLED`` is left out, and
a marker such as ``(NP)`` in SUMMARY makes a new patient. Google feeds that name
their timezone only in ``X-WR-TIMEZONE`` are repaired with ``x-wr-timezone`` first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import aiohttp
import icalendar
import recurring_ical_events
import x_wr_timezone

from bot.appointments import Appointment, ScheduleSourceError, SourceWorkspace

DEFAULT_PATTERN = r"\b[A-Z]{1,4}-?\d{2,8}\b"


class FeedError(ScheduleSourceError):
    """The feed could not be read; the message names the problem, never the URL."""


@dataclass(frozen=True)
class FeedPractice:
    """How a practice's feed is read (stored per workspace; the URL is the secret)."""

    reference_pattern: str = DEFAULT_PATTERN
    new_patient_marker: str = "(NP)"
    provider_from: str = "LOCATION"  # LOCATION, CATEGORIES or "" for none

    def __post_init__(self) -> None:
        try:
            re.compile(self.reference_pattern)
        except re.error as error:
            raise FeedError(
                f"The reference pattern is not a valid regular expression ({error.msg})."
            ) from error
        if self.provider_from not in ("LOCATION", "CATEGORIES", ""):
            raise FeedError('The provider comes from LOCATION, CATEGORIES or nowhere ("").')

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> FeedPractice:
        known = {"reference_pattern", "new_patient_marker", "provider_from"}
        return cls(**{k: v for k, v in settings.items() if k in known})


def appointments_from_feed(
    text: str | bytes, day: date, timezone: str, practice: FeedPractice
) -> list[Appointment]:
    """The appointments of ``day`` (in ``timezone``) in an iCalendar document."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise FeedError(f"The practice's timezone {timezone!r} is not known.") from error
    try:
        calendar = x_wr_timezone.to_standard(icalendar.Calendar.from_ical(text))
    except ValueError as error:
        raise FeedError("The feed is not an iCalendar file (it did not parse).") from error
    start = datetime.combine(day, time(0), zone)
    try:
        events = recurring_ical_events.of(calendar).between(start, start + timedelta(days=1))
    except Exception as error:  # the library raises its own kinds for broken recurrences
        raise FeedError(
            f"The feed's recurring events could not be expanded ({type(error).__name__})."
        ) from error
    pattern = re.compile(practice.reference_pattern)
    found = []
    for event in events:
        appointment = _appointment(event, day, zone, pattern, practice)
        if appointment is not None:
            found.append(appointment)
    return sorted(found, key=lambda a: (a.starts, a.provider))


def _appointment(
    event: Any, day: date, zone: ZoneInfo, pattern: re.Pattern[str], practice: FeedPractice
) -> Appointment | None:
    status = str(event.get("STATUS", "")).upper()
    if status == "CANCELLED":
        return None
    starts = event.get("DTSTART")
    when = starts.dt if starts is not None else None
    if not isinstance(when, datetime):
        return None  # an all-day event is not an appointment
    when = when.replace(tzinfo=zone) if when.tzinfo is None else when.astimezone(zone)
    if when.date() != day:
        return None
    summary = str(event.get("SUMMARY", ""))
    match = pattern.search(summary)
    if match is None:
        return None  # a lunch break, a staff meeting: no patient
    marker = practice.new_patient_marker
    return Appointment(
        starts=when.time().replace(tzinfo=None),
        provider=_provider(event, practice.provider_from),
        patient_ref=match.group(0),
        confirmed=status != "TENTATIVE",
        new_patient=bool(marker) and marker.casefold() in summary.casefold(),
    )


def _provider(event: Any, where: str) -> str:
    if not where:
        return ""
    value = event.get(where)
    if value is None:
        return ""
    if where == "CATEGORIES":
        categories = value if isinstance(value, list) else [value]
        names = [str(c) for item in categories for c in getattr(item, "cats", [item])]
        return names[0] if names else ""
    return str(value)


class FeedSource:
    """A practice's private calendar feed, fetched over HTTPS on each sync."""

    kind = "ical"

    def __init__(self, url: str, practice: FeedPractice, *, timeout_seconds: float = 30.0):
        if not url.startswith(("https://", "http://", "webcal://")):
            raise FeedError("The feed address must start with https:// (or webcal://).")
        self._url = "https://" + url[len("webcal://") :] if url.startswith("webcal://") else url
        self._practice = practice
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    async def day(self, workspace: SourceWorkspace, day: date) -> list[Appointment]:
        text = await self._fetch()
        return appointments_from_feed(text, day, workspace.timezone, self._practice)

    async def _fetch(self) -> bytes:
        try:
            async with (
                aiohttp.ClientSession(timeout=self._timeout) as session,
                session.get(self._url) as response,
            ):
                if response.status == 404:
                    raise FeedError(
                        "The calendar feed was not found (HTTP 404): the private address "
                        "may have been reset; copy it again from the calendar's settings."
                    )
                if response.status in (401, 403):
                    raise FeedError(
                        f"The calendar refused the feed address (HTTP {response.status}): "
                        "copy the private (secret) address, not the public one."
                    )
                if response.status != 200:
                    raise FeedError(f"The calendar feed answered HTTP {response.status}.")
                return await response.read()
        except aiohttp.ClientError as error:
            raise FeedError(
                f"The calendar feed could not be reached ({type(error).__name__})."
            ) from error
