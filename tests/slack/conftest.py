"""Slack scenario fixtures: the served app, a Slack API stand-in, and a client that signs
requests exactly as Slack does (v0 HMAC-SHA256 over ``v0:<timestamp>:<body>``)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.slack.app import SLACK, make_mount
from adapters.slack.settings import SlackSettings
from adapters.web import build_web_app
from tests import database
from tests.standins.slack_api import SlackAPIStandIn

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-t1-token"


@pytest.fixture
def pg_engine(_postgres_engine):
    database.empty_all_tables(_postgres_engine)
    return _postgres_engine


def sign(body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict:
    timestamp = int(time.time()) if timestamp is None else timestamp
    base = f"v0:{timestamp}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


class Slack:
    """Plays Slack's side: signs and POSTs slash commands, events and interactions."""

    def __init__(self, client: TestClient, api: SlackAPIStandIn, team: str = "T1"):
        self.client = client
        self.api = api
        self.team = team
        self._ids = itertools.count(1)

    @property
    def adapter(self):
        return self.client.server.app[SLACK]

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        headers: dict | None = None,
        drain: bool = True,
        **signing,
    ):
        """POST to /slack/events; with ``drain`` (the default), also wait for the work the
        app does after its acknowledgement."""
        response = await self.client.post(
            "/slack/events",
            data=body.encode(),
            headers={"Content-Type": content_type, **sign(body, **signing), **(headers or {})},
        )
        await response.read()
        if drain:
            await self.adapter.drained()
        return response

    async def command(
        self,
        line: str,
        *,
        user: str = "U1",
        name: str = "alex",
        channel: str = "C1",
        team: str | None = None,
        channel_name: str = "team",
        **post,
    ):
        command, _, text = line.partition(" ")
        n = next(self._ids)
        form = {
            "token": "legacy-verification-token",
            "team_id": team or self.team,
            "team_domain": "practice",
            "channel_id": channel,
            "channel_name": channel_name,
            "user_id": user,
            "user_name": name,
            "command": command,
            "text": text,
            "api_app_id": "A0HUDDLE",
            "is_enterprise_install": "false",
            "response_url": self.api.response_url(f"cmd{n}"),
            "trigger_id": f"{n}.1.trigger",
        }
        return await self.post(urlencode(form), "application/x-www-form-urlencoded", **post)

    async def event(
        self,
        event: dict,
        *,
        event_id: str | None = None,
        team: str | None = None,
        retry_num: int | None = None,
        **signing,
    ):
        envelope = {
            "token": "legacy-verification-token",
            "team_id": team or self.team,
            "api_app_id": "A0HUDDLE",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._ids):06d}",
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": team or self.team, "user_id": f"UB{team or self.team}", "is_bot": True}
            ],
        }
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.post(json.dumps(envelope), "application/json", headers=headers, **signing)

    async def interact(self, payload: dict, **signing):
        return await self.post(
            urlencode({"payload": json.dumps(payload)}),
            "application/x-www-form-urlencoded",
            **signing,
        )

    async def click(self, button: dict, *, user: str = "U1", name: str = "alex", channel="C1"):
        """Click a button element from a message the app sent."""
        n = next(self._ids)
        return await self.interact(
            {
                "type": "block_actions",
                "user": {"id": user, "username": name, "name": name, "team_id": self.team},
                "api_app_id": "A0HUDDLE",
                "team": {"id": self.team, "domain": "practice"},
                "container": {"type": "message", "channel_id": channel, "is_ephemeral": True},
                "channel": {"id": channel, "name": "team"},
                "trigger_id": f"{n}.2.trigger",
                "response_url": self.api.response_url(f"act{n}"),
                "actions": [
                    {
                        "type": "button",
                        "action_id": button["action_id"],
                        "block_id": "huddle-actions-0",
                        "text": button["text"],
                        "value": button["value"],
                        "action_ts": "1800000000.1",
                    }
                ],
            }
        )

    async def submit(self, view: dict, values: dict, *, user: str = "U1", name: str = "alex"):
        """Submit a modal the app opened, with {block_id: value} (selects by option value)."""
        n = next(self._ids)
        state: dict = {}
        for block in view["blocks"]:
            element = block["element"]
            value = values.get(block["block_id"])
            if element["type"] == "static_select":
                option = (
                    next(o for o in element["options"] if o["value"] == value) if value else None
                )
                state[block["block_id"]] = {
                    element["action_id"]: {"type": "static_select", "selected_option": option}
                }
            elif element["type"] == "users_select":  # value: the picked user's id
                state[block["block_id"]] = {
                    element["action_id"]: {"type": "users_select", "selected_user": value}
                }
            else:
                state[block["block_id"]] = {
                    element["action_id"]: {"type": "plain_text_input", "value": value}
                }
        return await self.interact(
            {
                "type": "view_submission",
                "team": {"id": self.team, "domain": "practice"},
                "user": {"id": user, "username": name, "name": name, "team_id": self.team},
                "api_app_id": "A0HUDDLE",
                "trigger_id": f"{n}.9.trigger",
                "view": {
                    **view,
                    "id": "V0MODAL",
                    "team_id": self.team,
                    "state": {"values": state},
                },
            }
        )


def slack_settings(api: SlackAPIStandIn, **overrides) -> SlackSettings:
    values = {
        "SLACK_CLIENT_ID": None,
        "SLACK_CLIENT_SECRET": None,
        "SLACK_APP_TOKEN": None,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api.url,
        "SLACK_RETRY_INTERVAL": 0,
        **overrides,
    }
    # Explicit values (None included) win over the developer's environment; no .env is read.
    return SlackSettings(_env_file=None, **values)


@pytest.fixture
async def api():
    async with SlackAPIStandIn() as standin:
        standin.add_workspace("T1", token=TOKEN)
        yield standin


async def serve(huddle, settings, slack: SlackSettings) -> TestClient:
    app = build_web_app(huddle, settings, mounts=[make_mount(slack)])
    client = TestClient(TestServer(app))
    try:
        await client.start_server()
    except BaseException:
        await client.close()  # the test client's own session, and whatever did start
        raise
    return client


@pytest.fixture
async def slack(huddle, settings, api):
    client = await serve(huddle, settings, slack_settings(api))
    yield Slack(client, api)
    await client.close()


def buttons(call) -> list[dict]:
    """Every button element in a recorded message."""
    return [
        element
        for block in call.get("blocks") or []
        if block.get("type") == "actions"
        for element in block["elements"]
    ]


def button(call, label: str) -> dict:
    return next(b for b in buttons(call) if b["text"]["text"] == label)


def said(call) -> str:
    """A recorded message's blocks as plain text."""
    parts = []
    for block in call.get("blocks") or []:
        if "text" in block:
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            if "text" in element and isinstance(element["text"], str):
                parts.append(element["text"])
    return "\n".join(parts) or call.get("text", "")
