"""/huddle brief over Slack's wire: the day's detail ephemeral to the asker, within Slack's limits."""

from __future__ import annotations

import logging

from tests.sample_day import SAMPLE_REFS, TUESDAY, repeat_day, sync_sample
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
