"""/huddle brief: the day's appointments privately, counts only in the channel."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from bot.brief import counts_line
from bot.model import Visibility
from bot.storage.appointments import (
    DayCounts,
    day_counts,
)
from bot.storage.audit import audit_entries
from tests.sample_day import TUESDAY as TODAY
from tests.sample_day import repeat_day, sync_sample


def test_the_channel_line_has_counts_and_leaves_out_what_is_none():
    assert counts_line(DayCounts(14, 3, 1, 2, 1), "today") == (
        "14 patients today: 3 with something to remember, 1 with a recovery to finish, "
        "2 new patients not confirmed, 1 birthday this week"
    )
    assert counts_line(DayCounts(1, 0, 0, 0, 0), "today") == "1 patient today"


async def test_counts_match_tidbits_open_defects_and_unconfirmed_new_patients(huddle, chat):
    chat("/tidbit JS-1042 daughter's wedding in June")
    chat("/tidbit js1042 loves gardening")  # the same patient, counted once
    chat("/defect waiting: kept 40 minutes, no update patient: CD-3307")
    workspace_id = await sync_sample(huddle)

    with Session(huddle.engine) as session:
        counts = day_counts(
            session=session, workspace_id=workspace_id, day=TODAY, now=huddle.clock()
        )

    assert counts.patients == 8
    assert counts.remembered == 1
    assert counts.recovering == 1
    assert counts.new_unconfirmed >= 1


async def test_the_private_brief_shows_each_appointment_with_its_tidbits_and_defects(
    huddle, chat, log_output
):
    chat("/tidbit JS-1042 daughter's wedding in June")
    chat("/defect waiting: kept 40 minutes, no update patient: CD-3307")
    chat("/defect recover 1 called to say sorry")
    await sync_sample(huddle)

    [reply] = chat.replies("/huddle brief today")

    assert reply.visibility is Visibility.PRIVATE and reply.sensitive
    text = reply.plain()
    assert "8:00 am · JS-1042 · DOC1" in text
    assert "daughter's wedding in June" in text
    assert "Defect #1 (open" in text and "called to say sorry (owner Alex)" in text
    assert "new patient · not confirmed" in text
    assert "wedding" not in log_output.getvalue()
    assert "JS-1042" not in log_output.getvalue()


async def test_each_tidbit_read_in_the_brief_is_audited_as_a_recall(huddle, chat):
    chat("/tidbit JS-1042 daughter's wedding in June")
    workspace_id = await sync_sample(huddle)

    chat("/huddle brief")

    with Session(huddle.engine) as session:
        reads = [
            e
            for e in audit_entries(session=session, workspace_id=workspace_id)
            if e.action == "tidbit.read"
        ]
    assert len(reads) == 8  # one per patient shown, as one /tidbit recall each
    assert sorted(e.record_count for e in reads) == [0] * 7 + [1]


async def test_a_provider_narrows_the_brief_and_tomorrow_reads_the_next_day(huddle, chat):
    await sync_sample(huddle)

    doc1 = chat("/huddle brief today DOC1")
    tomorrow = chat("/huddle brief tomorrow")

    assert "DOC1" in doc1 and "DOC2" not in doc1 and "HYG1" not in doc1
    assert "No appointments tomorrow" in tomorrow


async def test_a_long_day_comes_a_page_at_a_time(huddle, chat):
    workspace_id = await sync_sample(huddle)
    repeat_day(huddle, workspace_id, TODAY, times=3)

    [first] = chat.replies("/huddle brief")
    [second] = chat.replies("/huddle brief today page 3")

    assert len(first.fields) == 10 and "page 1 of 3" in first.text
    assert first.buttons[0].command == "huddle brief today page 2"
    assert len(second.fields) == 4 and not second.buttons


def test_only_admins_set_the_brief_time(huddle, chat):
    chat("/huddle schedule monday 8:30 am")  # Alex: the first admin

    assert "Each open day at 7:45 am, Sydney time" in chat("/huddle brief at 7:45")
    assert "Only the practice's admins" in chat.as_("Priya")("/huddle brief off")
    assert "No more morning brief" in chat.as_("Alex")("/huddle brief off")


def test_a_brief_time_needs_the_weekly_meeting_here_first(chat):
    assert "schedule that here first" in chat("/huddle brief at 7:45")


def test_a_day_with_no_appointments_says_where_the_schedule_comes_from(chat):
    reply = chat("/huddle brief")
    assert "No appointments today" in reply and "huddle appointments sync" in reply


async def test_a_full_page_reads_its_patients_in_a_few_statements_not_a_few_per_patient(
    huddle, chat
):
    for ref in ("JS-1042", "AB-2210", "CD-3307", "EF-4415"):
        chat(f"/tidbit {ref} asked about the new puppy")
        chat(f"/defect waiting: kept 40 minutes, no update patient: {ref}")
    chat("/fta JS-1042 transport")
    workspace_id = await sync_sample(huddle)
    repeat_day(huddle, workspace_id, TODAY, times=2)  # 16 appointments: a full page of 10
    statements = []

    def seen(*_):
        statements.append(1)

    sa.event.listen(huddle.engine, "before_cursor_execute", seen)
    try:
        [reply] = chat.replies("/huddle brief")
    finally:
        sa.event.remove(huddle.engine, "before_cursor_execute", seen)

    assert len(reply.fields) == 10
    assert "Tidbit: asked about the new puppy" in reply.plain()
    assert "1 past fail-to-attend" in reply.plain()
    assert len(statements) <= 20  # the door's own and five for the patients; was 5 a patient
