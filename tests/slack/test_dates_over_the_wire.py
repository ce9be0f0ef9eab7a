"""Dates, times and timezones as people type them, over Slack's wire: signed slash commands
in, the reply in words out through the Slack API stand-in."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from bot.storage.models import Skip, Subscription
from tests.slack.conftest import button, said


def _last_said(api) -> str:
    calls = [c for c in api.calls if c.method in ("response_url", "chat.postMessage")]
    return said(calls[-1])


def _schedule(engine) -> tuple:
    with Session(engine) as session:
        sub = session.exec(select(Subscription)).one()
        return (sub.weekday, sub.hour, sub.minute, sub.timezone)


async def test_schedule_monday_8_30_am_sydney_over_slack(slack, api, engine):
    api.user_roles["U9"] = "admin"
    response = await slack.command("/huddle schedule monday 8:30 am Sydney", user="U9")
    assert response.status == 200
    assert "Every Monday 8:30 am Sydney time (Australia/Sydney), next on Mon 30 Nov" in (
        _last_said(api)
    )
    assert _schedule(engine) == (0, 8, 30, "Australia/Sydney")


async def test_an_abbreviation_is_answered_with_its_zone_and_the_confirm_button_keeps_it(
    slack, api, engine
):
    api.user_roles["U9"] = "admin"
    await slack.command("/huddle schedule monday 8am Sydney", user="U9")
    await slack.command("/huddle schedule friday 9.30 AEST", user="U9")
    ask = api.calls_to("response_url")[-1]
    assert "I read AEST as Sydney time (Australia/Sydney)" in said(ask)
    await slack.click(button(ask, "Replace it"), user="U9")
    assert "Every Friday 9:30 am Sydney time (Australia/Sydney)" in _last_said(api)
    assert _schedule(engine) == (4, 9, 30, "Australia/Sydney")


async def test_skip_25_12_and_a_refused_etc_gmt_over_slack(slack, api, engine):
    api.user_roles["U9"] = "admin"
    await slack.command("/huddle schedule monday 8am", user="U9")
    await slack.command("/huddle skip 25/12", user="U9")
    assert "Skipping Friday 25 December 2026" in _last_said(api)
    with Session(engine) as session:
        assert [s.skip_date for s in session.exec(select(Skip))] == [date(2026, 12, 25)]
    await slack.command("/huddle timezone Etc/GMT+10", user="U9")
    assert "the sign in `Etc/GMT` names is inverted" in _last_said(api)
