"""CSV day sheets: a column mapping set once, delimiter sniffed, UTF-8 and cp1252."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from adapters.daysheet.source import ColumnMapping, DaySheetError, days_in_sheet, read_day_sheet

DAY = date(2026, 12, 1)
MAPPING = ColumnMapping(
    {
        "time": "Time",
        "reference": "Chart #",
        "provider": "Provider",
        "status": "Status",
        "new_patient": "NP",
    }
)
SAMPLE = Path(__file__).parents[2] / "content" / "examples" / "day_sheet.csv"


def _sheet(delimiter: str) -> str:
    rows = [
        ["Time", "Chart #", "Patient", "Provider", "Status", "NP", "Note"],
        ["8:30 am", "JS-1042", "Zoë Müller", "Dr Léa", "FIRM", "Y", "Prémolaire, allergie"],
        ["14:15", "AB-2210", "Renée Dupré", "Hyg", "??????", "", ""],
        ["", "", "", "", "", "", "lunch"],
    ]
    return "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_a_sheet_is_read_whatever_its_delimiter_and_encoding(delimiter, encoding):
    data = _sheet(delimiter).encode(encoding)
    first, second = read_day_sheet(data, DAY, MAPPING)
    assert (first.starts, first.patient_ref, first.provider) == (time(8, 30), "JS-1042", "Dr Léa")
    assert (first.confirmed, first.new_patient) == (True, True)
    assert (second.starts, second.confirmed, second.new_patient) == (time(14, 15), False, False)


def test_a_missing_column_is_named_with_the_columns_the_sheet_has():
    mapping = ColumnMapping({"time": "Time", "reference": "Chart Number"})
    with pytest.raises(DaySheetError) as raised:
        read_day_sheet(_sheet(",").encode(), DAY, mapping)
    message = str(raised.value)
    assert "no column 'Chart Number' (for reference)" in message
    assert "Its columns are: Time, Chart #, Patient" in message


def test_the_mapping_needs_a_time_and_a_reference():
    with pytest.raises(DaySheetError, match="needs reference"):
        ColumnMapping({"time": "Time"})
    with pytest.raises(DaySheetError, match="no use for surname"):
        ColumnMapping({"time": "Time", "reference": "Chart #", "surname": "Patient"})


def test_a_bad_time_names_the_row_but_never_quotes_the_cell():
    mapping = ColumnMapping({"time": "Patient", "reference": "Chart #"})  # mapped by mistake
    with pytest.raises(DaySheetError, match="Row 2: the time column") as raised:
        read_day_sheet(_sheet(",").encode(), DAY, mapping)
    assert "Zo" not in str(raised.value)


def test_a_date_column_keeps_only_that_day_and_says_which_days_it_covers():
    data = b"Date,Time,Ref\n01/12/2026,09:00,JS-1042\n02/12/2026,10:00,AB-2210\n"
    mapping = ColumnMapping({"date": "Date", "time": "Time", "reference": "Ref"})
    assert [a.patient_ref for a in read_day_sheet(data, DAY, mapping)] == ["JS-1042"]
    assert days_in_sheet(data, mapping) == [date(2026, 12, 1), date(2026, 12, 2)]


def test_a_birthdate_column_sets_the_flag_only():
    data = b"Time,Ref,DOB\n09:00,JS-1042,1980-12-03\n10:00,AB-2210,1980-06-03\n"
    mapping = ColumnMapping({"time": "Time", "reference": "Ref", "birthdate": "DOB"})
    first, second = read_day_sheet(data, DAY, mapping)
    assert (first.birthday_this_week, second.birthday_this_week) == (True, False)
    assert not hasattr(first, "birthdate")


def test_the_sample_day_sheet_reads_with_its_documented_mapping():
    found = read_day_sheet(SAMPLE.read_bytes(), DAY, MAPPING)
    assert len(found) == 8
    assert found[0].patient_ref == "JS-1042"
    assert sum(a.new_patient and not a.confirmed for a in found) == 1
