"""What a request to Slack's request URL must look like before bolt is given it."""

from __future__ import annotations

import json
from urllib.parse import parse_qs


def is_well_formed(body: str, content_type: str) -> bool:
    """Whether a request body is shaped like something Slack sends to a request URL.

    JSON: an object (an event callback or a URL check). A form: a slash command, or an
    interaction whose ``payload`` is a JSON object. Anything else gets a 400.
    """
    if "application/json" in content_type:
        try:
            return isinstance(json.loads(body), dict)
        except ValueError:
            return False
    form = parse_qs(body, keep_blank_values=True)
    if "payload" in form:
        try:
            return isinstance(json.loads(form["payload"][0]), dict)
        except ValueError:
            return False
    return "command" in form


def rate_limited_team(body: str, content_type: str) -> str | None:
    """The workspace of an ``app_rate_limited`` notice (Events API), else None.

    Slack sends it when a workspace's events pass 30,000 an hour; it only needs an ack.
    """
    if "application/json" not in content_type:
        return None
    payload = json.loads(body)
    if payload.get("type") != "app_rate_limited":
        return None
    return str(payload.get("team_id") or "?")
