"""A CSV day sheet as a ``ScheduleSource``: a column mapping set once, the rest dropped.

The practice maps its export's columns once: ``time`` and ``reference`` are needed;
``provider``, ``status``, ``new_patient``, ``date`` and ``birthdate`` are optional.
Every other column (names, notes, procedures, phone numbers) is never read. The
delimiter is sniffed (comma, semicolon, tab or bar) and the file is read as UTF-8
(with or without a BOM) or else as cp1252, Excel's default on Western Windows.
A birthdate column only sets the birthday-this-week flag and is then forgotten.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from dateutil import parser as dateparser

from bot.appointments import Appointment, ScheduleSourceError, SourceWorkspace, birthday_within_week

NEEDED = ("time", "reference")
OPTIONAL = ("provider", "status", "new_patient", "date", "birthdate")
DEFAULT_CONFIRMED = ("confirmed", "firm", "firm-e", "yes", "y", "true", "1")
DEFAULT_NEW = ("y", "yes", "true", "1", "x", "np", "new")
_TIME = re.compile(r"^\s*(\d{1,2})[:.h](\d{2})(?::\d{2})?\s*([ap]\.?m\.?)?\s*$", re.IGNORECASE)


class DaySheetError(ScheduleSourceError):
    """The day sheet could not be read; the message names the column or row, never a cell."""


@dataclass(frozen=True)
class ColumnMapping:
    """Which of the export's columns holds what (headers as the export spells them)."""

    columns: dict[str, str]
    confirmed_values: tuple[str, ...] = DEFAULT_CONFIRMED
    new_patient_values: tuple[str, ...] = DEFAULT_NEW
    dayfirst: bool = True  # 03/12/2026 is 3 December, as outside the US

    def __post_init__(self) -> None:
        missing = [name for name in NEEDED if not self.columns.get(name)]
        if missing:
            raise DaySheetError(
                "The column mapping needs " + " and ".join(missing) + ": e.g. "
                "--column time=Time --column reference='Chart #'."
            )
        unknown = sorted(set(self.columns) - set(NEEDED) - set(OPTIONAL))
        if unknown:
            raise DaySheetError(
                f"The column mapping has no use for {', '.join(unknown)}; it maps "
                f"{', '.join(NEEDED + OPTIONAL)}."
            )

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> ColumnMapping:
        return cls(
            columns=dict(settings.get("columns", {})),
            confirmed_values=tuple(
                v.casefold() for v in settings.get("confirmed_values", DEFAULT_CONFIRMED)
            ),
            new_patient_values=tuple(
                v.casefold() for v in settings.get("new_patient_values", DEFAULT_NEW)
            ),
            dayfirst=bool(settings.get("dayfirst", True)),
        )

    def as_settings(self) -> dict[str, Any]:
        return {
            "columns": dict(self.columns),
            "confirmed_values": list(self.confirmed_values),
            "new_patient_values": list(self.new_patient_values),
            "dayfirst": self.dayfirst,
        }


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped), else cp1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_day_sheet(data: bytes, day: date, mapping: ColumnMapping) -> list[Appointment]:
    """The appointments of ``day`` in a day sheet (all its rows if it has no date column)."""
    reader, columns = _rows(data, mapping)
    found = []
    for number, row in enumerate(reader, start=2):  # row 1 is the header
        appointment = _appointment(row, number, day, columns, mapping)
        if appointment is not None:
            found.append(appointment)
    return sorted(found, key=lambda a: (a.starts, a.provider))


def days_in_sheet(data: bytes, mapping: ColumnMapping) -> list[date]:
    """The days a sheet with a date column covers (none when it has no date column):
    an import replaces those days only, so a sheet of today never empties tomorrow."""
    if "date" not in mapping.columns:
        return []
    reader, columns = _rows(data, mapping)
    days = set()
    for number, row in enumerate(reader, start=2):
        value = (row.get(columns["date"]) or "").strip()
        if value and (row.get(columns["reference"]) or "").strip():
            days.add(_date(value, number, "date", mapping.dayfirst))
    return sorted(days)


def _rows(data: bytes, mapping: ColumnMapping) -> tuple[csv.DictReader, dict[str, str]]:
    text = decode(data)
    if not text.strip():
        raise DaySheetError("The day sheet is empty.")
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    headers = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = headers
    columns = {k: v.strip() for k, v in mapping.columns.items() if v}
    absent = [
        f"{header!r} (for {name})" for name, header in columns.items() if header not in headers
    ]
    if absent:
        raise DaySheetError(
            f"The day sheet has no column {', '.join(absent)}. Its columns are: "
            f"{', '.join(headers) or 'none'}."
        )
    return reader, columns


def _appointment(
    row: dict[str, str | None],
    number: int,
    day: date,
    columns: dict[str, str],
    mapping: ColumnMapping,
) -> Appointment | None:
    def cell(name: str) -> str:
        header = columns.get(name)
        return (row.get(header) or "").strip() if header else ""

    reference = cell("reference")
    if not reference:
        return None  # a blocked slot, a break
    if "date" in columns:
        on = _date(cell("date"), number, "date", mapping.dayfirst)
        if on != day:
            return None
    birthdate = (
        _date(cell("birthdate"), number, "birthdate", mapping.dayfirst)
        if cell("birthdate")
        else None
    )
    status = cell("status").casefold()
    return Appointment(
        starts=_time(cell("time"), number),
        provider=cell("provider"),
        patient_ref=reference,
        confirmed=status in mapping.confirmed_values if "status" in columns else True,
        new_patient=cell("new_patient").casefold() in mapping.new_patient_values,
        birthday_this_week=birthday_within_week(birthdate, day),
    )


def _time(value: str, number: int) -> time:
    match = _TIME.match(value)
    if match is None:
        raise DaySheetError(_not_a("time", number, "a time like 08:30 or 2:15 pm"))
    hour, minute, meridiem = int(match.group(1)), int(match.group(2)), match.group(3)
    if meridiem:
        if not 1 <= hour <= 12:
            raise DaySheetError(_not_a("time", number, "a time like 08:30 or 2:15 pm"))
        hour = hour % 12 + (12 if meridiem.lower().startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise DaySheetError(_not_a("time", number, "a time like 08:30 or 2:15 pm"))
    return time(hour, minute)


def _date(value: str, number: int, name: str, dayfirst: bool) -> date:
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
        return dateparser.parse(value, dayfirst=dayfirst).date()
    except (ValueError, OverflowError) as error:
        raise DaySheetError(_not_a(name, number, "a date like 2026-12-01")) from error


def _not_a(name: str, number: int, wanted: str) -> str:
    # A cell is never quoted back: a column mapped by mistake could hold a name.
    return f"Row {number}: the {name} column does not hold {wanted}; check the column mapping."


@dataclass
class DaySheetSource:
    """A day sheet already read from a file: the CLI imports it, ``sync_day`` stores it."""

    data: bytes
    mapping: ColumnMapping
    kind: str = field(default="daysheet", init=False)

    async def day(self, workspace: SourceWorkspace, day: date) -> list[Appointment]:
        return read_day_sheet(self.data, day, self.mapping)
