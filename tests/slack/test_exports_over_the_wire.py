"""Over Slack's wire: an admin's `/huddle export` arrives as a file in their own direct
messages with Huddle (files_upload_v2 to the stand-in), never in the channel; anyone
else is refused and nothing is uploaded."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from tests.clock.conftest import channel
from tests.slack.conftest import TOKEN, said


def seed_defects(huddle, clock):
    room = channel(huddle, "C1")
    clock.set(datetime(2026, 11, 13, 9, tzinfo=UTC))
    room("/defect arrival: =HYPERLINK the front door was locked at opening time")
    room.as_("Priya")("/defect recover 1 called the patient to apologise")
    clock.set(datetime(2026, 11, 20, 9, tzinfo=UTC))


async def test_an_admins_export_is_uploaded_to_their_dm_as_a_csv_excel_opens(
    slack, api, huddle, clock
):
    seed_defects(huddle, clock)
    response = await slack.command("/huddle export defects", user="U1")
    assert response.status == 200

    [opened] = api.calls_to("conversations.open")
    assert opened["users"] == "U1" and opened.token == TOKEN
    [upload] = api.uploads.values()
    assert upload.channel.startswith("D")  # their direct messages, not the channel
    assert upload.filename.endswith(".csv")
    assert upload.data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for Excel
    rows = list(csv.reader(io.StringIO(upload.data.decode("utf-8-sig"))))
    text = "\n".join(",".join(row) for row in rows)
    assert "the front door was locked" in text
    # A cell that starts like a formula is written as text ('=...), never run by Excel.
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    assert api.calls_to("chat.postMessage") == []  # nothing in the channel


async def test_someone_who_is_not_an_admin_gets_no_file(slack, api, huddle, clock):
    seed_defects(huddle, clock)
    assert (await slack.command("/huddle admins", user="U1")).status == 200
    await slack.command("/huddle export defects", user="U1")  # U1 becomes the first admin
    first = len(api.uploads)
    response = await slack.command("/huddle export defects", user="U2")
    assert response.status == 200
    assert len(api.uploads) == first
    refusal = said(api.calls_to("response_url")[-1])
    assert "admins" in refusal
