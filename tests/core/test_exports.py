"""`/huddle export`: the practice's records as a spreadsheet that opens cleanly in Excel,
for admins only, patient references only when asked, every export audited."""

from __future__ import annotations

import codecs
import csv
import io

import openpyxl
import pytest
from sqlmodel import Session

from bot.exports.files import Table, escape_formula, to_csv, to_xlsx
from bot.model import Visibility
from bot.storage.audit import audit_entries


def export(chat, line: str):
    [reply] = chat.replies(line)
    return reply


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(codecs.BOM_UTF8)  # Excel reads UTF-8 only with its BOM
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def audits(engine, action_prefix: str = "export"):
    with Session(engine) as session:
        return [
            e
            for e in audit_entries(session=session, workspace_id=1)
            if e.action.startswith(action_prefix)
        ]


@pytest.fixture
def practice(chat):
    """Alex (the first admin) and a day of the practice's records."""
    chat("/huddle admins")
    chat("/huddle emoji star")  # Alex changes a setting: the first admin
    chat("/defect arrival: waited 25 minutes with no word from us (JS-1042)")
    chat("/defect recover 1 apologised and offered a coffee")
    chat('/defect billing: =HYPERLINK("http://evil.example","click")')
    chat("/fta JS-2001 transport booked by @Priya")
    chat("/wow @Priya drove Mrs K home when her taxi never came")
    chat("/tidbit JS-1042 daughter's wedding in June")
    return chat


def test_an_admin_gets_the_defects_privately_as_a_csv_that_opens_in_excel(practice):
    reply = export(practice, "/huddle export defects")

    assert reply.visibility is Visibility.PRIVATE
    [file] = reply.files
    assert file.mime == "text/csv" and file.name == "huddle-defects-all.csv"
    rows = read_csv(file.data)
    header, *body = rows
    assert header[:3] == ["ID", "Logged", "Stage"] and "Patient ref" not in header
    assert "Recovery actions" in header and "Owner" in header and "Status" in header
    first = dict(zip(header, body[0], strict=True))
    assert first["Stage"] == "Arrival" and first["Status"] == "Open"
    assert first["Logged"] == "2026-11-24 09:00"  # the practice's time (Sydney), not UTC
    assert first["Recovery actions"] == "1" and "offered a coffee" in first["What was done"]
    assert first["Owner"] == "Alex"
    assert "3 defects" in reply.text


def test_a_cell_that_would_be_a_formula_is_escaped_with_an_apostrophe(practice):
    rows = read_csv(export(practice, "/huddle export defects").files[0].data)
    header, *body = rows
    described = [dict(zip(header, row, strict=True))["What happened"] for row in body]
    assert '\'=HYPERLINK("http://evil.example","click")' in described


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_escaped_and_round_trips_through_the_csv_module(start):
    text = f'{start}SUM(A1:A9), with a comma and a "quote"\nand a new line'
    data = to_csv(Table("T", ("Text", "Count"), [[text, 3], ["plain", None]]))
    assert read_csv(data) == [["Text", "Count"], ["'" + text, "3"], ["plain", ""]]
    assert escape_formula("plain -1") == "plain -1"


def test_xlsx_opens_with_strings_as_strings_never_formulas(practice):
    reply = export(practice, "/huddle export defects xlsx")
    [file] = reply.files
    assert file.name.endswith(".xlsx") and "spreadsheetml" in file.mime
    sheet = openpyxl.load_workbook(io.BytesIO(file.data)).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["ID", "Logged", "Stage"]
    assert sheet.freeze_panes == "A2"
    described = [row[header.index("What happened")] for row in sheet.iter_rows(min_row=2)]
    evil = next(c for c in described if "HYPERLINK" in str(c.value))
    assert evil.data_type == "s" and evil.value.startswith("=HYPERLINK")  # text, not a formula
    logged = sheet.cell(row=2, column=2).value
    assert logged.year == 2026 and logged.hour == 9  # a real date, in the practice's time


def test_xlsx_writer_keeps_numbers_and_leaves_empty_cells_empty():
    data = to_xlsx(Table("T", ("A", "B"), [["=1+1", 7], [None, "x"]]))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["A", "B"],
        ["=1+1", 7],
        [None, "x"],
    ]
    assert sheet["A2"].data_type == "s"


def test_patient_references_are_exported_only_when_asked_for(practice, engine):
    without = export(practice, "/huddle export defects").files[0].data.decode("utf-8-sig")
    assert "JS-1042" not in without and "JS-2001" not in without

    reply = export(practice, "/huddle export defects with refs")
    header, *body = read_csv(reply.files[0].data)
    assert header[1] == "Patient ref"
    assert [row[1] for row in body] == ["JS-1042", "", "JS-2001"]
    assert reply.sensitive and reply.visibility is Visibility.PRIVATE
    assert "includes patient references" in reply.text


def test_tidbits_are_never_exported(practice):
    for kind in ("defects", "stories", "fta"):
        data = export(practice, f"/huddle export {kind} with refs").files[0].data
        assert b"wedding" not in data


def test_every_export_is_audited_with_its_count_and_whether_refs_were_in_it(practice, engine):
    export(practice, "/huddle export defects")
    export(practice, "/huddle export fta with refs")
    export(practice, "/huddle export stories xlsx")

    entries = audits(engine)
    assert [(e.action, e.record_count, e.actor_name) for e in reversed(entries)] == [
        ("export.defects", 3, "Alex"),
        ("export.fta.refs", 1, "Alex"),
        ("export.stories", 1, "Alex"),
    ]
    assert all(e.patient_ref_enc is None and e.patient_ref_hash is None for e in entries)


def test_someone_who_is_not_an_admin_is_refused_and_nothing_is_exported(practice, engine):
    practice.as_("Priya")
    [reply] = practice.replies("/huddle export defects with refs")
    assert not reply.files
    assert "Only the practice's admins" in reply.text and "Alex" in reply.text
    assert audits(engine) == []


def test_the_stories_export_has_the_date_the_heroes_and_the_votes(practice):
    header, row = read_csv(export(practice, "/huddle export stories").files[0].data)
    story = dict(zip(header, row, strict=True))
    assert header == ["ID", "Date", "Hero(s)", "Told by", "Story", "Votes"]
    assert story["Hero(s)"] == "Priya" and story["Told by"] == "Alex"
    assert story["Votes"] == "0" and "taxi" in story["Story"]


def test_the_fta_export_has_the_root_cause_and_who_booked_it(practice):
    header, row = read_csv(export(practice, "/huddle export fta").files[0].data)
    fta = dict(zip(header, row, strict=True))
    assert fta["Root cause"] == "Could not get here" and fta["Booked by"] == "Priya"
    assert fta["Status"] == "Open" and "Patient ref" not in fta


def test_a_period_keeps_only_its_records(practice, clock):
    clock.advance(days=40)  # into January, Sydney time
    practice("/defect arrival: phones rang out at lunch")
    this_month = export(practice, "/huddle export defects month")
    assert this_month.files[0].name == "huddle-defects-2027-01.csv"
    assert len(read_csv(this_month.files[0].data)) == 2  # the header and January's one
    november = export(practice, "/huddle export defects 2026-11")
    assert len(read_csv(november.files[0].data)) == 4


@pytest.mark.parametrize(
    "line, expected",
    [
        ("/huddle export", "Say what to export"),
        ("/huddle export patients", "Say what to export"),
        ("/huddle export defects fortnight", "I don't know “fortnight”"),
        ("/huddle export defects 2026-13", "There is no month 2026-13"),
    ],
)
def test_bad_input_says_what_to_type_instead(practice, line, expected):
    [reply] = practice.replies(line)
    assert expected in reply.text and not reply.files
    assert "/huddle export defects month" in reply.text or "`week`" in reply.text


def test_an_export_holds_only_its_own_workspaces_records(practice, other_chat):
    other_chat("/huddle emoji star")
    other_chat("/defect arrival: their own defect")
    for kind, rows in (("defects", 1), ("stories", 0), ("fta", 0)):
        data = export(other_chat, f"/huddle export {kind} with refs").files[0].data
        assert len(read_csv(data)) == 1 + rows
        assert b"JS-1042" not in data and b"taxi" not in data and b"waited" not in data
