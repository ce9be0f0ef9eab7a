"""What a request to Slack's request URL must look like before bolt is given it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs, unquote_plus


@dataclass(frozen=True)
class Shape:
    """What ``shape_of`` found: whether Slack could have sent it, and a rate-limit notice."""

    well_formed: bool
    rate_limited_team: str | None = None  # set: an ``app_rate_limited`` notice, ack only
    rate_limited_minute: str | None = None  # the minute Slack stopped sending, UTC, or "?"


def shape_of(body: str, content_type: str) -> Shape:
    """Whether a request body is shaped like something Slack sends to a request URL.

    JSON: an object (an event callback or a URL check); when it is Slack's
    ``app_rate_limited`` notice (a workspace's events passed 30,000 an hour), its team.
    A form: a slash command, or an interaction whose ``payload`` is a JSON object.
    Anything else is not well formed (a 400).

    Each body is parsed at most once here (bolt parses it again): a slash command's
    field names are read without decoding its values, the text a person typed.
    """
    if "application/json" in content_type:
        try:
            payload = json.loads(body)
        except ValueError:
            return Shape(False)
        if not isinstance(payload, dict):
            return Shape(False)
        if payload.get("type") == "app_rate_limited":
            team = str(payload.get("team_id") or "?")
            return Shape(True, team, _minute(payload.get("minute_rate_limited")))
        return Shape(True)
    names = form_names(body)
    if "payload" in names:
        form = parse_qs(body, keep_blank_values=True)
        try:
            return Shape(isinstance(json.loads(form["payload"][0]), dict))
        except ValueError:
            return Shape(False)
    return Shape("command" in names)


def _minute(value: object) -> str:
    """Slack's ``minute_rate_limited`` (epoch seconds) as the UTC minute it names."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "?"
    try:
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%MZ")
    except (OverflowError, OSError, ValueError):
        return "?"


def form_names(body: str) -> set[str]:
    """The field names of a form body, as ``parse_qs(body, keep_blank_values=True)`` has them."""
    return {unquote_plus(field.partition("=")[0]) for field in body.split("&") if field}
