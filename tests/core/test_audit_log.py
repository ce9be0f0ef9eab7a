"""The audit log's reader: who read which patient's tidbits, who changed, deleted or
exported what, when; never the content. In chat for admins only, privately."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from bot.audit_log import read_audit_log
from bot.model import Visibility
from bot.storage.audit import audit_entries, record_audit


@pytest.fixture
def logged(chat):
    """Alex (first admin) saves and reads a tidbit, deletes a defect and exports."""
    chat("/huddle emoji star")
    chat("/tidbit JS-1042 daughter's wedding in June")
    chat("/tidbit JS-1042")
    chat("/defect arrival: waited 25 minutes")
    chat("/defect delete 1")
    chat("/huddle export defects")
    return chat


def entries(engine):
    with Session(engine) as session:
        return audit_entries(session=session, workspace_id=1)


def test_the_reader_says_who_did_what_to_which_record_and_never_the_content(
    logged, engine, vault, clock
):
    with Session(engine) as session:
        page = read_audit_log(
            session=session,
            workspace_id=1,
            vault=vault,
            reader_id="op",
            reader_name="Operator",
            now=clock(),
        )
    said = [(line.actor_name, line.what) for line in page.lines]
    assert said == [
        ("Alex", "exported 0 defects"),
        ("Alex", "deleted defect #1"),
        ("Alex", "read a tidbit"),
        ("Alex", "saved a tidbit"),
        ("Alex", "added an admin"),  # the first to change a setting became the first admin
    ]
    tidbit_lines = [line for line in page.lines if "tidbit" in line.what]
    # Without asking, a patient is a tag of its lookup hash: the same patient, the same tag.
    assert {line.patient for line in tidbit_lines} == {tidbit_lines[0].patient}
    assert tidbit_lines[0].patient.startswith("patient #")
    shown = repr(page)
    assert "wedding" not in shown and "JS-1042" not in shown and "waited" not in shown
    assert not page.more


def test_references_are_shown_only_when_asked_and_that_read_is_audited(
    logged, engine, vault, clock
):
    before = len(entries(engine))
    with Session(engine) as session:
        page = read_audit_log(
            session=session,
            workspace_id=1,
            vault=vault,
            reader_id="op",
            reader_name="Operator",
            now=clock(),
            with_refs=True,
        )
        session.commit()
    assert [line.patient for line in page.lines if line.patient] == ["JS-1042", "JS-1042"]
    newest = entries(engine)
    assert len(newest) == before + 1
    assert (newest[0].action, newest[0].record_count, newest[0].actor_name) == (
        "audit.read",
        2,
        "Operator",
    )


def test_a_long_log_comes_in_pages_and_since_keeps_the_recent_part(engine, vault, chat, clock):
    chat("/huddle help")  # the workspace comes with the first command
    with Session(engine) as session:
        for day in range(1, 31):
            record_audit(
                session=session,
                workspace_id=1,
                actor_id="U-sam",
                actor_name="Sam",
                action="story.delete",
                record_id=day,
                now=datetime(2026, 10, day, tzinfo=UTC),
            )
        session.commit()
        first = read_audit_log(
            session=session,
            workspace_id=1,
            vault=vault,
            reader_id="a",
            reader_name="A",
            now=clock(),
        )
        second = read_audit_log(
            session=session,
            workspace_id=1,
            vault=vault,
            reader_id="a",
            reader_name="A",
            now=clock(),
            offset=first.next_offset,
        )
        recent = read_audit_log(
            session=session,
            workspace_id=1,
            vault=vault,
            reader_id="a",
            reader_name="A",
            now=clock(),
            since=datetime(2026, 10, 25, tzinfo=UTC),
        )
    assert len(first.lines) == 20 and first.more
    assert first.lines[0].what == "deleted WOW story #30"
    assert len(second.lines) == 10 and not second.more
    assert second.lines[-1].what == "deleted WOW story #1"
    assert [line.what for line in recent.lines][-1] == "deleted WOW story #25"
    assert len(recent.lines) == 6


def test_an_admin_reads_the_log_privately_with_the_patients_references(logged, engine):
    [reply] = logged.replies("/huddle audit")
    assert reply.visibility is Visibility.PRIVATE and reply.sensitive
    assert "Alex read a tidbit (JS-1042)" in reply.text
    assert "Alex deleted defect #1" in reply.text and "Alex exported 0 defects" in reply.text
    assert "wedding" not in reply.plain() and "waited" not in reply.plain()
    assert entries(engine)[0].action == "audit.read"  # reading refs is itself audited


def test_someone_who_is_not_an_admin_cannot_read_the_log(logged, engine):
    before = len(entries(engine))
    [reply] = logged.as_("Priya").replies("/huddle audit")
    assert "Only the practice's admins" in reply.text and "JS-1042" not in reply.text
    assert len(entries(engine)) == before


def test_the_chat_log_pages_with_an_older_button_and_reads_since_a_date(chat, engine, clock):
    chat("/huddle emoji star")
    with Session(engine) as session:
        for n in range(1, 26):
            record_audit(
                session=session,
                workspace_id=1,
                actor_id="U-sam",
                actor_name="Sam",
                action="defect.delete",
                record_id=n,
                now=datetime(2026, 11, 1, n % 24, tzinfo=UTC),
            )
        session.commit()
    [first] = chat.replies("/huddle audit since 2026-11-01")
    assert first.text.count("\n") == 19
    [older] = first.buttons
    assert older.command == "huddle audit since 2026-11-01 page 2"
    [second] = chat.replies("/" + older.command)
    assert "page 2" in second.title and second.text.count("•") == 6 and not second.buttons
    [later] = chat.replies("/huddle audit since 20/11")  # the last 20 November, Sydney
    assert "defect" not in later.text


@pytest.mark.parametrize("line", ["/huddle audit yesterday please", "/huddle audit since"])
def test_bad_input_to_the_audit_reader_says_what_to_type(chat, line):
    chat("/huddle emoji star")
    [reply] = chat.replies(line)
    assert "/huddle audit since 2026-11-01" in reply.text
