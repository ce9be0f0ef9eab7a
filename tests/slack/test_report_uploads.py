"""Over Slack's wire: the service report's chart goes up as Slack takes files
(files.getUploadURLExternal, the bytes to the upload URL, files.completeUploadExternal),
with the report's text as its comment; a failed upload still posts the text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.slack.messenger import messenger_for
from adapters.slack.uploads import NOT_ATTACHED
from bot.clock.jobs import run_monday_meeting
from bot.clock.jobs.monthly_report import MONTHLY_REPORT
from bot.model import Attachment, ConversationRef, Reply, Visibility
from tests.clock.conftest import channel
from tests.slack.conftest import TOKEN, said, slack_settings

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
MEETING = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # the first Monday of December


def seed_november(huddle, clock, *, schedule: bool = False):
    room = channel(huddle, "C1")
    clock.set(datetime(2026, 11, 12, 9, tzinfo=UTC))
    if schedule:
        assert "scheduled" in room("/huddle schedule monday 08:00 UTC")
    clock.set(datetime(2026, 11, 13, 9, tzinfo=UTC))
    room("/defect arrival: the front door was locked at opening time")
    room.as_("Priya")("/defect recover 1 called the patient to apologise")
    clock.set(datetime(2026, 12, 10, 9, tzinfo=UTC))


@pytest.fixture
async def messenger(api, huddle):
    messenger = messenger_for(slack_settings(api), huddle)
    yield messenger
    await messenger.close()


async def test_huddle_report_says_the_text_privately_and_sends_the_chart_to_the_persons_dm(
    slack, api, huddle, clock
):
    seed_november(huddle, clock)
    response = await slack.command("/huddle report 2026-11", user="U1")
    assert response.status == 200

    [said_privately] = api.calls_to("response_url")
    assert "Service report · November 2026" in said(said_privately)
    assert "in your direct messages with Huddle" in said(said_privately)
    [opened] = api.calls_to("conversations.open")
    assert opened["users"] == "U1" and opened.token == TOKEN
    [asked] = api.calls_to("files.getUploadURLExternal")
    [upload] = api.uploads.values()
    assert asked["filename"] == upload.filename == "service-report-2026-11.png"
    assert int(asked["length"]) == len(upload.data)
    assert upload.data.startswith(b"\x89PNG\r\n\x1a\n")  # the chart's bytes arrived
    assert upload.alt_text and "Arrival 1 against 0" in upload.alt_text
    assert upload.channel == "DU1"
    assert "Service report · November 2026" in upload.initial_comment
    assert "owner Priya" in upload.initial_comment  # the private version, in their own DM
    assert api.calls_to("chat.postMessage") == []


async def test_the_monthly_post_uploads_the_chart_in_the_meetings_thread_with_its_text(
    api, messenger, huddle, clock
):
    seed_november(huddle, clock, schedule=True)
    await run_monday_meeting(huddle, {"slack": messenger}, MEETING)
    assert len(api.calls_to("chat.postMessage")) == 1
    meeting_ts = api.messages[("T1", "C1")][0]["ts"]

    report = await MONTHLY_REPORT(huddle, {"slack": messenger}, MEETING + timedelta(minutes=1))
    assert report.posted == 1

    [upload] = api.uploads.values()
    assert upload.data.startswith(b"\x89PNG") and len(upload.data) == upload.length
    assert (upload.channel, upload.thread_ts) == ("C1", meeting_ts)
    comment = upload.initial_comment
    assert "Service report · November 2026" in comment
    assert "1 service defect logged in November 2026 (0 in October 2026)" in comment
    assert "Priya" not in comment and "front door" not in comment
    [complete] = api.calls_to("files.completeUploadExternal")
    assert complete.token == TOKEN
    shared = api.messages[("T1", "C1")][-1]
    assert shared["subtype"] == "file_share" and shared["thread_ts"] == meeting_ts
    assert len(api.calls_to("chat.postMessage")) == 1  # the meeting only


@pytest.mark.parametrize(
    "failure",
    [
        ("files.completeUploadExternal", {"error": "internal_error"}),
        ("files.getUploadURLExternal", {"error": "missing_scope"}),
        ("upload", {"status": 500, "times": 10}),
    ],
    ids=["complete", "url", "bytes"],
)
async def test_a_failed_upload_still_posts_the_text(api, messenger, failure):
    method, how = failure
    api.fail(method, **how)
    reply = Reply(
        title="Service report · November 2026",
        text="1 service defect logged in November 2026 (0 in October 2026).",
        visibility=Visibility.CHANNEL,
        files=(Attachment("chart.png", PNG, "image/png", "Chart", alt="A bar chart"),),
    )

    ts = await messenger.send(
        ConversationRef("slack", "T1", "C1", thread_id="1800000001.000100"), reply
    )

    [post] = api.calls_to("chat.postMessage")
    assert ts and post["channel"] == "C1" and post["thread_ts"] == "1800000001.000100"
    text = said(post)
    assert "1 service defect logged in November 2026" in text
    assert NOT_ATTACHED in text


async def test_files_for_someone_go_to_their_direct_messages(api, messenger):
    from bot.model import Person

    reply = Reply(
        text="Your export",
        to=Person("U7", "Sam"),
        files=(Attachment("defects.csv", b"id,stage\n1,arrival\n", "text/csv", "Defects"),),
    )
    await messenger.send(ConversationRef("slack", "T1", "C1"), reply)

    [upload] = api.uploads.values()
    assert upload.channel == "DU7" and upload.data == b"id,stage\n1,arrival\n"
    assert upload.initial_comment == "Your export"


async def test_a_private_chart_that_cannot_be_sent_is_explained_after_the_text(
    slack, api, huddle, clock
):
    seed_november(huddle, clock)
    api.fail("files.completeUploadExternal", error="missing_scope")  # an install not re-consented

    await slack.command("/huddle report 2026-11", user="U1")

    report, note = api.calls_to("response_url")
    assert "Service report · November 2026" in said(report)
    assert "I couldn't send you the file (Slack said: missing_scope)" in said(note)
    assert "reinstall" in said(note)
