"""Socket Mode: with SLACK_APP_TOKEN, `huddle serve` connects out to Slack and behaves the same."""

from __future__ import annotations

import gc
import logging
import warnings

import pytest

from adapters.slack.app import SLACK
from bot.wiring import StartupError
from tests.slack.conftest import said, serve, slack_settings
from tests.slack.helpers import nominations, stories, tidbits


async def test_a_slash_command_over_socket_mode_is_acked_stored_and_answered(
    huddle, settings, api, engine, caplog
):
    caplog.set_level(logging.DEBUG)
    client = await serve(
        huddle,
        settings,
        slack_settings(api, SLACK_APP_TOKEN="xapp-1-A0HUDDLE-1-secret", SLACK_SIGNING_SECRET=None),
    )
    try:
        opened = await api.wait_for("apps.connections.open")
        assert {call.token for call in opened} == {"xapp-1-A0HUDDLE-1-secret"}

        envelope = await api.socket_send(
            "slash_commands",
            {
                "team_id": "T1",
                "team_domain": "practice",
                "channel_id": "C1",
                "user_id": "U1",
                "user_name": "alex",
                "command": "/tidbit",
                "text": "JS-1042 new puppy called Biscuit",
                "response_url": api.response_url("socket"),
                "trigger_id": "1.socket",
            },
        )
        acks = await api.wait_for("socket_ack")
        assert acks[0]["envelope_id"] == envelope
        await client.server.app[SLACK].drained()
    finally:
        await client.close()

    [reply] = api.calls_to("response_url")
    assert reply["response_type"] == "ephemeral"
    assert "JS-1042" in said(reply)
    assert tidbits(engine) == 1
    assert all("Biscuit" not in record.getMessage() for record in caplog.records)


async def test_a_refused_app_token_stops_start_up_with_a_clear_message(huddle, settings, api):
    api.fail("apps.connections.open", error="invalid_auth", times=5)
    with pytest.raises(StartupError, match="SLACK_APP_TOKEN"):
        await serve(
            huddle,
            settings,
            slack_settings(api, SLACK_APP_TOKEN="xapp-1-revoked", SLACK_SIGNING_SECRET=None),
        )


async def test_a_refused_start_up_leaves_no_http_session_open(huddle, settings, api):
    api.fail("apps.connections.open", error="invalid_auth", times=5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(StartupError):
            await serve(
                huddle,
                settings,
                slack_settings(api, SLACK_APP_TOKEN="xapp-1-revoked", SLACK_SIGNING_SECRET=None),
            )
        gc.collect()

    assert not [w for w in caught if "Unclosed client session" in str(w.message)]


async def test_reactions_over_socket_mode_nominate_and_are_acknowledged(
    huddle, settings, api, engine
):
    client = await serve(
        huddle,
        settings,
        slack_settings(api, SLACK_APP_TOKEN="xapp-1-A0HUDDLE-1-secret", SLACK_SIGNING_SECRET=None),
    )
    adapter = client.server.app[SLACK]
    try:
        await api.socket_send(
            "slash_commands",
            {
                "team_id": "T1",
                "channel_id": "C1",
                "user_id": "U1",
                "user_name": "sam",
                "command": "/wow",
                "text": "<@U7|Priya> drove Mrs K home",
                "response_url": api.response_url("socket"),
                "trigger_id": "1.socket",
            },
        )
        [post] = await api.wait_for("chat.postMessage")
        await api.wait_for("socket_ack")
        await adapter.drained()
        [story] = stories(engine)

        envelope = await api.socket_send(
            "events_api",
            {
                "type": "event_callback",
                "team_id": "T1",
                "api_app_id": "A0HUDDLE",
                "event_id": "Ev0SOCKET",
                "event": {
                    "type": "reaction_added",
                    "user": "U2",
                    "reaction": "star-struck",
                    "item": {"type": "message", "channel": "C1", "ts": story.message_id},
                },
            },
        )
        acks = await api.wait_for("socket_ack", count=2)
        await adapter.drained()
    finally:
        await client.close()

    assert acks[-1]["envelope_id"] == envelope
    assert post["channel"] == "C1"
    assert nominations(engine) == 1
