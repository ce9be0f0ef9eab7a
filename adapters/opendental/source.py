"""Open Dental as a ``ScheduleSource``: appointments of a day, kept to almost nothing.

Each row is read into an ``Appointment`` and everything else in it (the note, the
procedures, the patient's name and birthdate) is dropped here. The practice says
which of its ``Confirmed`` definition numbers count as confirmed (each office has
its own list); any other number, known or not, counts as not confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from adapters.opendental.client import OpenDentalClient, OpenDentalError
from bot.appointments import Appointment, SourceWorkspace, birthday_within_week

NONE_DATE = "0001-01-01"  # Open Dental's "no date"
ON_THE_DAY = {"Scheduled", "Complete", "ASAP"}  # statuses that put a patient in the chair
REFERENCES = ("PatNum", "ChartNumber")


@dataclass(frozen=True)
class OpenDentalPractice:
    """A practice's own Open Dental settings (stored per workspace, not secret)."""

    confirmed_defnums: frozenset[int]
    reference: str = "PatNum"  # or "ChartNumber": whichever staff type in /tidbit
    birthdays: bool = True
    clinic_num: int | None = None

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> OpenDentalPractice:
        reference = settings.get("reference", "PatNum")
        if reference not in REFERENCES:
            raise OpenDentalError(
                f"The Open Dental reference must be PatNum or ChartNumber, not {reference!r}."
            )
        return cls(
            confirmed_defnums=frozenset(int(n) for n in settings.get("confirmed_defnums", [])),
            reference=reference,
            birthdays=bool(settings.get("birthdays", True)),
            clinic_num=settings.get("clinic_num"),
        )


def od_bool(value: Any) -> bool:
    """Open Dental sends booleans as the strings "true" and "false"."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true"


def od_datetime(value: Any) -> datetime | None:
    """A wall-clock ``yyyy-MM-dd HH:mm:ss`` (no offset), or None for ``0001-01-01``."""
    if not value or str(value).startswith(NONE_DATE):
        return None
    try:
        return datetime.strptime(str(value)[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def od_date(value: Any) -> date | None:
    if not value or str(value).startswith(NONE_DATE):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


@dataclass
class _Known:
    """What the client remembers between syncs, in memory only: per day the rows it has
    seen (reduced to ``Appointment``), and the server times to ask for changes since."""

    days: dict[date, dict[int, Appointment | None]] = field(default_factory=dict)
    day_cursor: dict[date, str] = field(default_factory=dict)
    # PatNum -> (ChartNumber, birthday month and day): never a name, never a year.
    patients: dict[int, tuple[str, tuple[int, int] | None]] = field(default_factory=dict)
    patient_cursor: str | None = None


class OpenDentalSource:
    """Today's and tomorrow's appointments from one practice's Open Dental."""

    kind = "opendental"
    # Open Dental reports arrivals (DateTimeArrived); asked for them at most once a minute.
    arrivals_every = timedelta(minutes=1)

    def __init__(self, client: OpenDentalClient, practice: OpenDentalPractice):
        self._client = client
        self._practice = practice
        self._known = _Known()
        self.left_out = 0  # appointments without the chosen reference, last sync

    async def day(self, workspace: SourceWorkspace, day: date) -> list[Appointment]:
        cursor = self._known.day_cursor.get(day)
        page = await self._client.appointments(day.isoformat(), changed_since=cursor)
        if self._needs_patients():
            await self._refresh_patients()
        seen = self._known.days.setdefault(day, {}) if cursor else {}
        self.left_out = 0
        for row in page.rows:
            if self._practice.clinic_num is not None and row.get("ClinicNum") != (
                self._practice.clinic_num
            ):
                continue
            seen[int(row["AptNum"])] = self._appointment(row, day)
        self._known.days[day] = seen
        if page.server_time:
            self._known.day_cursor[day] = page.server_time
        for old in [d for d in self._known.days if d < day]:  # yesterday is done
            self._known.days.pop(old, None)
            self._known.day_cursor.pop(old, None)
        kept = [a for a in seen.values() if a is not None]
        return sorted(kept, key=lambda a: (a.starts, a.provider))

    async def push_popup(self, patient_ref: str, description: str) -> bool:
        """Put ``description`` on the patient's chart as a popup, unless it is there already
        (so a push retried after an unclear failure never makes two). True: it was added."""
        pat_num = await self._pat_num(patient_ref)
        existing = await self._client.popups(pat_num)
        if any(str(row.get("Description", "")) == description for row in existing):
            return False
        await self._client.create_popup(pat_num, description)
        return True

    async def _pat_num(self, patient_ref: str) -> int:
        if self._practice.reference == "PatNum":
            number = _as_int(patient_ref.strip())
            if number is None:
                raise OpenDentalError("That patient reference is not an Open Dental PatNum.")
            return number
        await self._refresh_patients()
        wanted = _plain(patient_ref)
        for pat_num, (chart, _) in self._known.patients.items():
            if chart and _plain(chart) == wanted:
                return pat_num
        raise OpenDentalError("No Open Dental patient has that chart number.")

    def _needs_patients(self) -> bool:
        return self._practice.reference == "ChartNumber" or self._practice.birthdays

    async def _refresh_patients(self) -> None:
        page = await self._client.patients(changed_since=self._known.patient_cursor)
        for row in page.rows:
            born = od_date(row.get("Birthdate"))
            chart = str(row.get("ChartNumber") or "").strip()
            self._known.patients[int(row["PatNum"])] = (
                chart,
                (born.month, born.day) if born else None,
            )
        if page.server_time:
            self._known.patient_cursor = page.server_time

    def _appointment(self, row: dict[str, Any], day: date) -> Appointment | None:
        starts = od_datetime(row.get("AptDateTime"))
        if row.get("AptStatus") not in ON_THE_DAY or starts is None or starts.date() != day:
            return None  # broken, unscheduled or moved to another day
        patnum = int(row["PatNum"])
        chart, birthday = self._known.patients.get(patnum, ("", None))
        ref = str(patnum) if self._practice.reference == "PatNum" else chart
        if not ref:
            self.left_out += 1
            return None
        arrived = od_datetime(row.get("DateTimeArrived"))
        return Appointment(
            starts=starts.time(),
            provider=str(row.get("provAbbr") or row.get("Op") or ""),
            patient_ref=ref,
            confirmed=_as_int(row.get("Confirmed")) in self._practice.confirmed_defnums,
            new_patient=od_bool(row.get("IsNewPatient")),
            arrived=arrived.time() if arrived else None,
            birthday_this_week=self._practice.birthdays and _birthday(birthday, day),
        )


def _plain(ref: str) -> str:
    """A reference as /tidbit compares it: case, spaces and punctuation don't matter."""
    return "".join(ch for ch in ref.casefold() if ch.isalnum())


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _birthday(month_day: tuple[int, int] | None, day: date) -> bool:
    if month_day is None:
        return False
    month, dom = month_day
    year = 2000 if (month, dom) == (2, 29) else 2001  # a leap year only where needed
    return birthday_within_week(date(year, month, dom), day)
