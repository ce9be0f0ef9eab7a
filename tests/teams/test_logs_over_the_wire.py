"""No request body, payload or typed text reaches a log line, whatever Teams or an attacker sends.

Each request carries a unique marker where a person's words would be; the whole log,
at DEBUG, from Huddle and every library, as every process writes it
(``bot.logs.private_handler`` on the root logger), must not contain it.
"""

from __future__ import annotations

import json

import pytest

from tests.teams.conftest import CHANNEL, _token

MARKER = "JS-1042-MARKER-daughters-wedding"
WORDS = f"{MARKER} loves sailing"


def _assert_no_trace(log_output, statuses: list[int]) -> None:
    assert all(status < 500 for status in statuses), statuses
    logged = log_output.getvalue()
    assert logged  # the log did run at DEBUG
    assert MARKER not in logged
    assert "loves sailing" not in logged


def _malformed(teams) -> list[tuple[bytes, str]]:
    """Bodies that are refused before (or by) botbuilder, each with the marker inside."""
    activity = teams.activity(text=WORDS)
    return [
        (f'{{"type": "message", "text": "{MARKER}'.encode(), "application/json"),
        (json.dumps({**activity, "from": WORDS}).encode(), "application/json"),
        (json.dumps({**activity, "timestamp": WORDS}).encode(), "application/json"),
        (json.dumps({**activity, "text": f"{WORDS}\x00"}).encode(), "application/json"),
        (json.dumps({**activity, "entities": [WORDS]}).encode(), "application/json"),
        (
            json.dumps({**activity, "serviceUrl": f"https://{MARKER}.example/"}).encode(),
            "application/json",
        ),
        (json.dumps([activity]).encode(), "application/json"),
        (json.dumps(activity).encode(), "text/plain"),
        (
            json.dumps({**activity, "type": "invoke", "value": {"text": WORDS}}).encode(),
            "application/json",
        ),
    ]


async def _post_raw(client, data: bytes, content_type: str, headers: dict | None = None) -> int:
    response = await client.post(
        "/api/messages", data=data, headers={"Content-Type": content_type, **(headers or {})}
    )
    return response.status


async def test_refused_malformed_and_failed_requests_leave_no_trace_in_emulator_mode(
    teams, bot_connector, log_output
):
    statuses = [await _post_raw(teams.client, data, kind) for data, kind in _malformed(teams)]
    # A card the core refuses (a form with a stage that does not exist), and a forged card.
    form = {
        "huddle_action": "form",
        "huddle_command": "defect",
        "stage": WORDS,
        "description": WORDS,
        "patient_ref": MARKER,
    }
    statuses.append(await teams.post(teams.activity(value=form)))
    forged = {
        "huddle_action": "button",
        "huddle_command": f"wow {WORDS}",
        "huddle_channel": CHANNEL,
    }
    statuses.append(await teams.post(teams.activity(value=forged)))
    # Genuine commands, with the Bot Connector failing every reply.
    bot_connector.fail_always(500)
    statuses.append(await teams.say(f"tidbit {WORDS}"))
    statuses.append(await teams.say(f"defect arrival: {WORDS}", scope="channel", mention=True))
    statuses.append(await teams.say(f"wow {WORDS}", scope="channel", mention=True))
    bot_connector.heal()
    bot_connector.fail_always(429)
    statuses.append(await teams.say(f"defect arrival: {WORDS}"))
    _assert_no_trace(log_output, statuses)


@pytest.mark.parametrize("app_password", ["a-wrong-secret"])
async def test_refused_and_failed_requests_leave_no_trace_with_authentication(
    signed_in, bot_connector, signing_key, log_output, app_password
):
    body = signed_in.activity(text=f"tidbit {WORDS}")
    good = {"Authorization": f"Bearer {_token(signing_key, bot_connector.url)}"}
    statuses = [
        await signed_in.post(body),  # no token
        await signed_in.post(body, headers={"Authorization": f"Bearer {MARKER}"}),
        await signed_in.post(
            body,
            headers={
                "Authorization": f"Bearer {_token(signing_key, bot_connector.url, aud=MARKER)}"
            },
        ),
    ]
    statuses += [
        await _post_raw(signed_in.client, data, kind, good) for data, kind in _malformed(signed_in)
    ]
    # A genuine command whose answer can't be sent: the bot can't sign in.
    statuses.append(await signed_in.post(body, headers=good))
    _assert_no_trace(log_output, statuses)


async def test_a_reply_the_connector_fails_leaves_no_trace_when_signed_in(
    signed_in, bot_connector, signing_key, log_output
):
    good = {"Authorization": f"Bearer {_token(signing_key, bot_connector.url)}"}
    bot_connector.fail_always(502)
    statuses = [
        await signed_in.post(signed_in.activity(text=f"defect arrival: {WORDS}"), headers=good),
        await signed_in.post(
            signed_in.activity(text=f"tidbit {WORDS}", scope="channel", mention=True), headers=good
        ),
    ]
    bot_connector.heal()
    bot_connector.fail_always(400)
    statuses.append(await signed_in.post(signed_in.activity(text=f"wow {WORDS}"), headers=good))
    _assert_no_trace(log_output, statuses)
