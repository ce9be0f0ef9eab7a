"""Dates, times and timezones as people type them, over the Teams wire: Activities in at
/api/messages, the reply in words out through the Bot Connector stand-in."""

from __future__ import annotations

from datetime import date

from bot.storage.models import Skip, Subscription, Workspace
from tests.teams.conftest import rows


def _said(bot_connector) -> str:
    return "\n".join(post.everything() for post in bot_connector.posted)


async def test_schedule_monday_8_30_am_sydney_over_teams(teams, bot_connector, engine):
    await teams.say("huddle schedule monday 8:30 am Sydney", scope="channel", mention=True)
    assert "Every Monday 8:30 am Sydney time (Australia/Sydney), next on Mon 30 Nov" in _said(
        bot_connector
    )
    [sub] = rows(engine, Subscription)
    assert (sub.weekday, sub.hour, sub.minute, sub.timezone) == (0, 8, 30, "Australia/Sydney")


async def test_skip_next_monday_and_a_timezone_by_country_over_teams(teams, bot_connector, engine):
    await teams.say("huddle schedule monday 0800", scope="channel", mention=True)
    await teams.say("huddle skip next monday", scope="channel", mention=True)
    assert "Skipping Monday 30 November 2026" in _said(bot_connector)
    assert [s.skip_date for s in rows(engine, Skip)] == [date(2026, 11, 30)]
    await teams.say("huddle timezone New Zealand", scope="channel", mention=True)
    assert "now Auckland time (Pacific/Auckland)" in _said(bot_connector)
    assert [w.timezone for w in rows(engine, Workspace)] == ["Pacific/Auckland"]
