"""Slack's request signature: anything not signed by Slack, or signed too long ago, is refused."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlencode

from bot.storage.models import Defect
from tests.slack.conftest import sign
from tests.slack.helpers import count, nominations, stories

STALE = int(time.time()) - 6 * 60


async def test_a_wrong_signature_is_refused_and_nothing_is_stored(slack, api, engine):
    response = await slack.command("/defect arrival: waited", secret="not-the-signing-secret")

    assert response.status == 401
    assert count(engine, Defect) == 0
    assert [c for c in api.calls if c.method != "auth.test"] == []


async def test_a_timestamp_older_than_five_minutes_is_refused(slack, api, engine):
    response = await slack.command("/defect arrival: waited", timestamp=STALE)

    assert response.status == 401
    assert count(engine, Defect) == 0


async def test_a_request_without_a_signature_is_refused(slack, api, engine):
    body = urlencode({"command": "/defect", "text": "arrival: waited", "team_id": "T1"})
    response = await slack.client.post(
        "/slack/events",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status == 401
    assert count(engine, Defect) == 0


async def test_a_replayed_body_with_another_bodys_signature_is_refused(slack, api, engine):
    signed = urlencode({"command": "/defect", "text": "arrival: waited", "team_id": "T1"})
    headers = sign(signed)
    tampered = signed.replace("waited", "lied")
    response = await slack.client.post(
        "/slack/events",
        data=tampered,
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
    )

    assert response.status == 401
    assert count(engine, Defect) == 0


async def test_events_with_a_bad_signature_or_a_stale_timestamp_are_refused_and_not_counted(
    slack, api, engine
):
    await slack.command("/wow <@U7|Priya> drove Mrs K home", user="U1", name="sam")
    [story] = stories(engine)
    vote = {
        "type": "reaction_added",
        "user": "U2",
        "reaction": "star-struck",
        "item": {"type": "message", "channel": "C1", "ts": story.message_id},
    }

    forged = await slack.event(vote, secret="wrong")
    stale = await slack.event(vote, timestamp=STALE)

    assert (forged.status, stale.status) == (401, 401)
    assert nominations(engine) == 0


async def test_slacks_url_verification_challenge_is_answered(slack):
    body = json.dumps(
        {
            "token": "t",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    response = await slack.post(body, "application/json")

    assert response.status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in await response.text()


async def test_a_signed_slash_command_replayed_within_the_window_counts_once(slack, api, engine):
    """An attacker (or a proxy) re-sending the very request Slack signed makes no second defect."""
    from urllib.parse import urlencode as encode

    form = {
        "team_id": "T1",
        "team_domain": "practice",
        "channel_id": "C1",
        "user_id": "U1",
        "user_name": "alex",
        "command": "/defect",
        "text": "arrival: waited 25 minutes with no word from us",
        "response_url": api.response_url("replayed"),
        "trigger_id": "1234.5678.replayed",
    }
    body = encode(form)
    headers = sign(body)
    for _ in range(3):
        response = await slack.client.post(
            "/slack/events",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
        )
        assert response.status == 200
        await slack.adapter.drained()

    assert count(engine, Defect) == 1


async def test_slacks_app_rate_limited_notice_is_acknowledged_and_logged(slack, api, caplog):
    body = json.dumps(
        {
            "token": "verification-token-t",
            "type": "app_rate_limited",
            "team_id": "T1",
            "minute_rate_limited": 1518467820,
            "api_app_id": "A0HUDDLE",
        }
    )
    with caplog.at_level(logging.INFO, logger="huddle"):
        response = await slack.post(body, "application/json")

    assert response.status == 200  # not the 404 bolt gives an event nobody listens to
    [line] = [r.getMessage() for r in caplog.records if "app_rate_limited" in r.getMessage()]
    assert line == "slack app_rate_limited: workspace=T1 minute=2018-02-12T20:37Z"
    assert "verification-token-t" not in caplog.text and "A0HUDDLE" not in caplog.text
    assert api.calls == []  # nothing is answered to Slack for it


async def test_an_app_rate_limited_notice_without_a_minute_is_still_acknowledged(slack, caplog):
    body = json.dumps({"type": "app_rate_limited", "team_id": "T9", "minute_rate_limited": "x"})
    with caplog.at_level(logging.INFO, logger="huddle"):
        response = await slack.post(body, "application/json")
    assert response.status == 200
    assert "slack app_rate_limited: workspace=T9 minute=?" in caplog.text


FORM = "application/x-www-form-urlencoded"


async def test_signed_bodies_slack_would_never_send_are_refused_with_400(slack, engine):
    bodies = [
        (urlencode({"team_id": "T1", "text": "no command field"}), FORM),
        (urlencode({"payload": "[1, 2]"}), FORM),  # an interaction that is not an object
        (urlencode({"payload": "{not json"}), FORM),
        ("[1, 2]", "application/json"),
        ("{not json", "application/json"),
    ]
    for body, content_type in bodies:
        response = await slack.post(body, content_type)
        assert response.status == 400, body
        assert await response.text() == "Not a Slack request."
    assert count(engine, Defect) == 0


async def test_a_slash_command_is_recognised_by_its_field_names_however_they_are_encoded(
    slack, api, engine
):
    body = urlencode(
        {
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "user_name": "alex",
            "command": "/defect",
            "text": "arrival: waited 25 minutes & more = too long",
            "trigger_id": "9.9.9",
        }
    ).replace("command=", "comm%61nd=")  # the same field to parse_qs (and to bolt)
    response = await slack.post(body, FORM)
    assert response.status == 200
    assert count(engine, Defect) == 1
