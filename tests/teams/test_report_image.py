"""Over the Teams wire: the service report's chart is an inline image in the card, within
the size Teams takes; a file Teams can't show says where to get it."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from adapters.teams.convert import to_activity
from adapters.teams.files import INLINE_IMAGE_BYTES
from bot.model import Attachment, Reply
from tests.standins.bot_connector import utf16_size


def _images(card: dict) -> list[dict]:
    return [e for e in card["body"] if e.get("type") == "Image"]


async def test_huddle_report_shows_the_chart_inline_in_the_card_with_its_text(
    teams, bot_connector, clock
):
    clock.set(datetime(2026, 11, 13, 9, tzinfo=UTC))
    assert await teams.say("defect arrival: the front door was locked at opening time") == 201
    clock.set(datetime(2026, 12, 10, 9, tzinfo=UTC))
    bot_connector.posted.clear()

    assert await teams.say("huddle report 2026-11") == 201

    [post] = bot_connector.posted
    [card] = post.cards
    [image] = _images(card)
    header, _, encoded = image["url"].partition(",")
    assert header == "data:image/png;base64"
    png = base64.b64decode(encoded)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) <= INLINE_IMAGE_BYTES
    assert "Arrival 1 against 0" in image["altText"]
    assert card["body"][0]["text"] == "Service report · November 2026"
    assert "1 service defect logged in November 2026" in post.everything()
    size = utf16_size(json.dumps(post.activity).encode())
    assert size <= bot_connector.max_activity_bytes  # as Teams counts it


def test_a_file_teams_cannot_show_inline_says_where_to_get_it():
    reply = Reply(
        text="Your export",
        files=(
            Attachment("defects.csv", b"id\n1\n", "text/csv", "Defects"),
            Attachment("huge.png", b"\x89PNG" + b"0" * INLINE_IMAGE_BYTES, "image/png", "Big"),
        ),
    )
    [attachment] = to_activity(reply).attachments
    texts = [e.get("text", "") for e in attachment.content["body"]]
    assert any("Defects (defects.csv)" in t and "available in Slack" in t for t in texts)
    assert any("Big (huge.png)" in t for t in texts)
    assert _images(attachment.content) == []


async def test_the_clocks_post_carries_the_chart_inline_in_the_meetings_reply_chain(
    teams, bot_connector, engine, huddle, settings, sleeps
):
    from bot.insights.chart import StageBars, stage_chart
    from bot.model import Visibility
    from tests.teams.conftest import CHANNEL
    from tests.teams.test_proactive_and_failures import (
        _channel_ref,
        _installed_in_team,
        _messenger,
    )

    await teams.post(_installed_in_team(teams))
    bars = [StageBars(f"Stage {n}", n, 9 - n) for n in range(9)]  # more rows than the journey
    png = stage_chart(bars, this_label="November 2026", last_label="October 2026")
    reply = Reply(
        title="Service report · November 2026",
        text="36 service defects logged in November 2026 (45 in October 2026).",
        visibility=Visibility.CHANNEL,
        files=(Attachment("service-report-2026-11.png", png, "image/png", "Chart", alt="Bars"),),
    )
    messenger = _messenger(huddle, settings, sleeps)
    try:
        await messenger.send(_channel_ref(engine, "1700000000001"), reply)
    finally:
        messenger.close()

    post = bot_connector.posted[-1]
    assert post.conversation_id == f"{CHANNEL};messageid=1700000000001"
    [card] = post.cards
    [image] = _images(card)
    assert base64.b64decode(image["url"].partition(",")[2]) == png
    assert utf16_size(json.dumps(post.activity).encode()) <= bot_connector.max_activity_bytes
