"""Every malformed request to /api/messages gets a 4xx, never a 500 or a traceback.

Malformed: not JSON, not an object, the wrong type in any field of an activity,
missing conversation, sender or recipient, huge strings, NUL bytes, garbage nested
anywhere, the wrong content type. In Emulator mode and with a valid token alike. A
valid activity Huddle has nothing to do with may get 200 or 201.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.teams.conftest import _token

WRONG = [None, 0, 1.5, True, "", [1, "a"], {"x": {"y": [None]}}]
TOP_LEVEL = [
    "type",
    "id",
    "timestamp",
    "serviceUrl",
    "channelId",
    "from",
    "conversation",
    "recipient",
    "channelData",
    "text",
    "textFormat",
    "value",
    "entities",
    "attachments",
    "replyToId",
    "action",
    "membersAdded",
    "membersRemoved",
    "reactionsAdded",
    "reactionsRemoved",
    "locale",
]
NESTED = {
    "from": ["id", "name", "aadObjectId"],
    "conversation": ["id", "conversationType", "tenantId", "isGroup"],
    "recipient": ["id", "name"],
    "channelData": ["tenant", "team", "channel", "eventType"],
}
KINDS = ["message", "messageReaction", "conversationUpdate", "installationUpdate", "invoke"]
EVERY_FIELD_OF = ["message", "conversationUpdate"]  # hypothesis mixes up the other kinds


def _base(teams, kind: str) -> dict:
    body = teams.activity(kind, text="defect list", scope="channel", mention=True, action="add")
    body["membersAdded"] = [{"id": "28:huddle-bot"}]
    body["reactionsAdded"] = [{"type": "like"}]
    body["replyToId"] = "1700000000001"
    body["value"] = {"huddle_action": "button", "huddle_command": "defect list"}
    return body


def malformed_bodies(teams) -> list[dict]:
    """One activity of each kind with each field (and each nested field) made wrong."""
    bodies = []
    for kind in EVERY_FIELD_OF:
        base = _base(teams, kind)
        for field in TOP_LEVEL:
            for wrong in WRONG:
                bodies.append({**base, field: wrong})
            without = dict(base)
            without.pop(field, None)
            bodies.append(without)
        for parent, fields in NESTED.items():
            for field in fields:
                for wrong in WRONG:
                    bodies.append({**base, parent: {**base[parent], field: wrong}})
        for field in ("text", "id", "from", "conversation"):
            huge = "x" * 200_000
            bodies.append({**base, field: huge if field in ("text", "id") else {"id": huge}})
            bodies.append({**base, field: "a\x00b" if field in ("text", "id") else {"id": "\x00"}})
        bodies.append({**base, "entities": [{"type": "mention", "mentioned": "28:huddle-bot"}]})
        bodies.append({**base, "entities": [{"type": 5, "text": ["<at>"]}]})
        bodies.append({**base, "attachments": [{"contentType": 1, "content": "x"}]})
        bodies.append({**base, "reactionsAdded": [{"type": None}, "like"]})
        bodies.append({**base, "membersRemoved": ["28:huddle-bot"]})
    return bodies


RAW = [
    (b"{not json", "application/json"),
    (b"", "application/json"),
    (b"[]", "application/json"),
    (b'[{"type": "message"}]', "application/json"),
    (b"null", "application/json"),
    (b"42", "application/json"),
    (b'"message"', "application/json"),
    (b'{"type": "message"}', "text/plain"),
    (b"type=message", "application/x-www-form-urlencoded"),
    (b"\xff\xfe\x00garbage", "application/json"),
    (b'{"type": "message", "text": "\\ud800"}', "application/json"),
    (b'{"type": "message"}' * 3, "application/json"),
    (b"[" * 5000 + b"]" * 5000, "application/json"),
    (b'{"type": ' + b"[" * 5000 + b"]" * 5000 + b"}", "application/json"),
]


def _assert_refused_cleanly(statuses: list[int], log_output) -> None:
    bad = [s for s in statuses if s >= 500 or s < 200 or (300 <= s < 400)]
    assert bad == [], sorted(set(bad))
    assert "Traceback" not in log_output.getvalue()


async def _post_raw(client, data: bytes, content_type: str, headers: dict | None = None) -> int:
    response = await client.post(
        "/api/messages", data=data, headers={"Content-Type": content_type, **(headers or {})}
    )
    return response.status


async def test_every_malformed_activity_gets_a_4xx_in_emulator_mode(teams, log_output):
    statuses = [await teams.post(body) for body in malformed_bodies(teams)]
    statuses += [await _post_raw(teams.client, data, kind) for data, kind in RAW]
    _assert_refused_cleanly(statuses, log_output)


async def test_every_malformed_activity_gets_a_4xx_with_a_valid_token(
    signed_in, bot_connector, signing_key, log_output
):
    header = {"Authorization": f"Bearer {_token(signing_key, bot_connector.url)}"}
    bodies = malformed_bodies(signed_in)
    statuses = [await signed_in.post(body, headers=header) for body in bodies]
    statuses += [await _post_raw(signed_in.client, d, k, header) for d, k in RAW]
    _assert_refused_cleanly(statuses, log_output)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from(KINDS),
    changes=st.dictionaries(st.sampled_from(TOP_LEVEL), JSON, min_size=1, max_size=4),
    nested=st.dictionaries(
        st.sampled_from(sorted(NESTED)), st.dictionaries(st.text(max_size=12), JSON), max_size=2
    ),
)
async def test_garbage_anywhere_in_an_activity_never_gets_a_500(
    teams, log_output, kind, changes, nested
):
    body = {**_base(teams, kind), **changes}
    for parent, garbage in nested.items():
        if isinstance(body.get(parent), dict):
            body[parent] = {**body[parent], **garbage}
    status = await teams.post(body)
    assert 200 <= status < 300 or 400 <= status < 500, (status, json.dumps(body)[:300])
    assert "Traceback" not in log_output.getvalue()
