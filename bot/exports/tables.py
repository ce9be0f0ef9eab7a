"""The rows of each export, in words a practice manager reads: the practice's local
dates, stage names, status, owner and the recovery actions, heroes and votes.

Patient references appear only when ``refs`` is given (the decrypted reference of a
row, asked for explicitly and audited by the caller). Never a tidbit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.content import Content
from bot.exports.files import Cell, Table
from bot.storage.defects import DefectView
from bot.storage.heroes import Hero
from bot.storage.models import Defect, Story

# A row's patient reference, decrypted; None: the export has no reference column.
Refs = Callable[[Defect], str] | None

DEFECT_HEADERS = (
    "ID",
    "Logged",
    "Stage",
    "What happened",
    "Logged by",
    "Owner",
    "Status",
    "Closed",
    "Closed by",
    "Recovery actions",
    "First recovery",
    "What was done",
)
FTA_HEADERS = (
    "ID",
    "Date",
    "Root cause",
    "Note",
    "Booked by",
    "Logged by",
    "Status",
    "Recovery actions",
    "What was done",
)
STORY_HEADERS = ("ID", "Date", "Hero(s)", "Told by", "Story", "Votes")
REF_HEADER = "Patient ref"


def local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A stored UTC time as the practice's wall-clock time (naive, as spreadsheets want)."""
    return None if moment is None else moment.astimezone(zone).replace(tzinfo=None)


def _status(view: DefectView) -> str:
    return "Open" if view.is_open else "Closed"


def _done(view: DefectView, zone: ZoneInfo) -> str:
    return " | ".join(
        f"{local(a.created_at, zone):%Y-%m-%d} {a.owner_name}: {a.action}" for a in view.actions
    )


def defect_table(views: list[DefectView], *, content: Content, tz: str, refs: Refs) -> Table:
    zone = ZoneInfo(tz)
    rows: list[list[Cell]] = []
    for view in views:
        d = view.defect
        row: list[Cell] = [
            d.id,
            local(d.created_at, zone),
            content.stage_name(d.stage) if d.stage else "Unassigned",
            d.description,
            d.reporter_name,
            d.owner_name,
            _status(view),
            local(d.closed_at, zone),
            d.closed_by,
            len(view.actions),
            local(view.actions[0].created_at, zone) if view.actions else None,
            _done(view, zone),
        ]
        rows.append(_with_ref(row, d, refs))
    return Table("Defects", _headers(DEFECT_HEADERS, refs), rows)


def fta_table(views: list[DefectView], *, content: Content, tz: str, refs: Refs) -> Table:
    zone = ZoneInfo(tz)
    rows: list[list[Cell]] = []
    for view in views:
        d = view.defect
        cause = content.fta_cause(d.fta_cause)
        cause_name = cause.name if cause else (d.fta_cause or "Not given")
        note = d.description.removeprefix(cause_name).removeprefix(":").strip()
        row: list[Cell] = [
            d.id,
            local(d.created_at, zone),
            cause_name,
            note or None,
            d.booked_by_name,
            d.reporter_name,
            _status(view),
            len(view.actions),
            _done(view, zone),
        ]
        rows.append(_with_ref(row, d, refs))
    return Table("Fail to attends", _headers(FTA_HEADERS, refs), rows)


def story_table(stories: list[tuple[Story, list[Hero]]], *, tz: str) -> Table:
    zone = ZoneInfo(tz)
    rows: list[list[Cell]] = [
        [
            story.id,
            local(story.created_at, zone),
            ", ".join(h.name for h in heroes) or None,
            story.author_name,
            story.text,
            story.votes,
        ]
        for story, heroes in stories
    ]
    return Table("Stories", STORY_HEADERS, rows)


def _headers(headers: tuple[str, ...], refs: Refs) -> tuple[str, ...]:
    return (*headers[:1], REF_HEADER, *headers[1:]) if refs else headers


def _with_ref(row: list[Cell], defect: Defect, refs: Refs) -> list[Cell]:
    if refs is None:
        return row
    return [row[0], refs(defect) if defect.patient_ref_enc else None, *row[1:]]
