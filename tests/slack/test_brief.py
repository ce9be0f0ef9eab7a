"""/huddle brief over Slack's wire: the day's detail ephemeral to the asker, within Slack's limits."""

from __future__ import annotations

import logging

from sqlmodel import Session

from bot.storage.audit import audit_entries
from tests.sample_day import SAMPLE_REFS, TUESDAY, repeat_day, set_day_sheet_source, sync_sample
from tests.slack.conftest import buttons, said

SLACK_BLOCKS_MAX = 50
SECTION_TEXT_MAX = 3000


async def test_the_brief_is_ephemeral_and_no_reference_reaches_a_channel_or_a_log(
    slack, api, huddle, caplog
):
    caplog.set_level(logging.DEBUG)
    await slack.command("/tidbit JS-1042 daughter's wedding in June")
    await sync_sample(huddle)

    await slack.command("/huddle brief today")

    reply = api.calls_to("response_url")[-1]
    assert reply["response_type"] == "ephemeral"
    text = said(reply)
    assert "8:00 am · JS-1042 · DOC1" in text and "daughter's wedding in June" in text
    channel_calls = [c for c in api.calls if c.method != "response_url"]
    for ref in SAMPLE_REFS:
        assert all(ref not in call.text_everywhere() for call in channel_calls)
        assert all(ref not in record.getMessage() for record in caplog.records)


async def test_a_long_day_pages_within_slack_limits_and_more_shows_the_next_page(
    slack, api, huddle
):
    workspace_id = await sync_sample(huddle)
    repeat_day(huddle, workspace_id, TUESDAY, times=6)

    await slack.command("/huddle brief")

    first = api.calls_to("response_url")[-1]
    assert len(first["blocks"]) <= SLACK_BLOCKS_MAX
    for block in first["blocks"]:
        assert len(block.get("text", {}).get("text", "")) <= SECTION_TEXT_MAX
    assert "page 1 of 5" in said(first)
    [more] = [b for b in buttons(first) if b["text"]["text"].startswith("More")]
    assert more["text"]["text"] == "More (38 more)"


HOME = {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}
VIEW_BLOCKS_MAX = 100
HEADER_TEXT_MAX = 150
CONTEXT_TEXT_MAX = 2000


async def test_the_app_home_shows_my_day_first_when_the_practice_has_a_schedule_source(
    slack, api, huddle, caplog
):
    caplog.set_level(logging.DEBUG)
    await slack.command("/tidbit JS-1042 daughter's wedding in June")
    workspace_id = await sync_sample(huddle)
    set_day_sheet_source(huddle, workspace_id)

    await slack.event(HOME)

    [published] = api.calls_to("views.publish")
    assert published["user_id"] == "U1"
    shown = said(published["view"])
    assert "Your day · Tuesday 24 November" in shown
    assert "8 patients today: 1 with something to remember" in shown
    assert "8:00 am · JS-1042 · DOC1" in shown and "daughter's wedding in June" in shown
    assert shown.index("Your day") < shown.index("rule ·")  # the day first, then the week
    with Session(huddle.engine) as session:
        reads = [
            e
            for e in audit_entries(session=session, workspace_id=workspace_id)
            if e.action == "tidbit.read"
        ]
    assert len(reads) == 8 and {e.actor_id for e in reads} == {"U1"}
    for ref in SAMPLE_REFS:
        assert all(ref not in record.getMessage() for record in caplog.records)
        posted = [c for c in api.calls if c.method not in ("views.publish", "response_url")]
        assert all(ref not in call.text_everywhere() for call in posted)  # none in a channel


async def test_the_app_home_of_a_practice_with_tidbits_off_shows_and_audits_no_tidbit(
    slack, api, huddle
):
    await slack.command("/tidbit JS-1042 daughter's wedding in June")
    workspace_id = await sync_sample(huddle)
    set_day_sheet_source(huddle, workspace_id)
    await slack.command("/huddle tidbits off")

    await slack.event(HOME)

    [published] = api.calls_to("views.publish")
    shown = said(published["view"])
    assert "8:00 am · JS-1042 · DOC1" in shown
    assert "wedding" not in shown and "to remember" not in shown
    assert "tidbits turned off" in shown
    with Session(huddle.engine) as session:
        actions = [e.action for e in audit_entries(session=session, workspace_id=workspace_id)]
    assert "tidbit.read" not in actions and "setting.tidbits.off" in actions


async def test_the_app_home_has_no_brief_without_a_schedule_source(slack, api, huddle):
    await sync_sample(huddle)  # appointments, but no source set: nothing of them shown

    await slack.event(HOME)

    [published] = api.calls_to("views.publish")
    shown = said(published["view"])
    assert "Your day" not in shown
    assert all(ref not in shown for ref in SAMPLE_REFS)


async def test_a_long_day_on_the_app_home_shows_what_fits_and_where_the_rest_is(slack, api, huddle):
    await slack.command("/tidbit JS-1042 " + "loves long walks on the beach " * 16)
    workspace_id = await sync_sample(huddle)
    repeat_day(huddle, workspace_id, TUESDAY, times=12)  # 96 appointments
    set_day_sheet_source(huddle, workspace_id)

    await slack.event(HOME)

    [published] = api.calls_to("views.publish")
    view_blocks = published["view"]["blocks"]
    assert len(view_blocks) <= VIEW_BLOCKS_MAX
    for block in view_blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= HEADER_TEXT_MAX
        elif block["type"] == "section":
            assert len(block["text"]["text"]) <= SECTION_TEXT_MAX
        elif block["type"] == "context":
            assert all(len(e["text"]) <= CONTEXT_TEXT_MAX for e in block["elements"])
    shown = said(published["view"])
    assert "…and 66 more appointments" in shown
    assert "/huddle brief page 4" in shown
    assert "Open defects" in shown  # the rest of the home still fits
    assert "More than fits" not in shown
