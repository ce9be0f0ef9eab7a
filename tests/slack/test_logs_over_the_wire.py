"""No request body, payload or typed text reaches a log line, whatever Slack or an attacker sends.

Each request carries a unique marker where a person's words would be; the whole log,
at DEBUG, from Huddle and every library, as every process writes it
(``bot.logs.private_handler`` on the root logger), must not contain it.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from tests.slack.conftest import sign

MARKER = "JS-1042-MARKER-daughters-wedding"
STALE = 1_600_000_000


def _command(text: str) -> str:
    return urlencode(
        {
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "user_name": "alex",
            "command": "/tidbit",
            "text": text,
            "trigger_id": "1.2.3",
        }
    )


async def test_refused_malformed_and_failed_requests_leave_no_trace_of_their_body(
    slack, api, log_output
):
    body = _command(f"{MARKER} loves sailing")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    sent = [
        # a genuine command signed with an old secret, and one that arrived late
        await slack.client.post(
            "/slack/events", data=body, headers={**form, **sign(body, secret="rotated")}
        ),
        await slack.client.post(
            "/slack/events", data=body, headers={**form, **sign(body, timestamp=STALE)}
        ),
        # no signature at all, a JSON body that is not JSON, a payload that is not JSON
        await slack.client.post("/slack/events", data=body, headers=form),
        await slack.post(f'{{"event": "{MARKER}"', "application/json"),
        await slack.post(
            urlencode({"payload": f"{{{MARKER}"}), "application/x-www-form-urlencoded"
        ),
        # well signed but nonsense: an event type nobody handles, a command with no team
        await slack.post(
            json.dumps(
                {
                    "type": "event_callback",
                    "team_id": "T1",
                    "event": {"type": MARKER, "text": MARKER},
                }
            ),
            "application/json",
        ),
        await slack.post(
            _command(MARKER).replace("team_id=T1", "team_id="), "application/x-www-form-urlencoded"
        ),
    ]
    # and one that works, with Slack failing the reply
    api.fail("chat.postEphemeral", status=500, times=10)
    await slack.command(f"/tidbit {MARKER} loves sailing")

    statuses = [response.status for response in sent]
    assert all(status < 500 for status in statuses), statuses
    logged = log_output.getvalue()
    assert logged  # the log did run at DEBUG
    assert MARKER not in logged
    assert "loves sailing" not in logged
