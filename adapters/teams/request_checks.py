"""Is a request to /api/messages a Bot Framework activity at all? Answered before botbuilder runs.

botbuilder deserializes the body inside ``CloudAdapter.process`` and lets any
surprise escape as an exception (a 500 with a traceback), so a body that is not JSON,
not an object, too deeply nested, holds a NUL byte or a lone surrogate (which no
database stores), or that botbuilder's own ``Activity`` model can't read (the wrong
type in any field) is refused here with a 400 and a reason that quotes nothing.
"""

from __future__ import annotations

import json

from botbuilder.schema import Activity
from msrest.exceptions import DeserializationError

MAX_DEPTH = 32  # Teams' activities nest a handful of levels; cards a few more
MAX_ID = 1024  # Teams' longest ids (1:1 chats, reply chains) are a few hundred characters


class NotAnActivity(ValueError):
    """Why a body is not an activity, in words that quote none of it."""


def read_activity(raw: bytes) -> tuple[dict, Activity]:
    """The body as JSON and as botbuilder's ``Activity``; ``NotAnActivity`` when it isn't one."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise NotAnActivity("The body is not JSON.") from None
    if not isinstance(body, dict) or not isinstance(body.get("type"), str) or not body["type"]:
        raise NotAnActivity("The body is not an activity.")
    _check_values(body)
    try:
        activity = Activity().deserialize(body)
    except (DeserializationError, ValueError, TypeError, AttributeError, RecursionError):
        raise NotAnActivity("The activity has a field of the wrong type.") from None
    _check_fields(body)
    return body, activity


def _check_values(node: object, depth: int = 0) -> None:
    """No deeper than ``MAX_DEPTH``, and every string storable (no NUL, no lone surrogate)."""
    if depth > MAX_DEPTH:
        raise NotAnActivity("The activity is nested too deeply.")
    if isinstance(node, str):
        _check_text(node)
    elif isinstance(node, dict):
        for key, value in node.items():
            _check_text(key)
            _check_values(value, depth + 1)
    elif isinstance(node, list):
        for value in node:
            _check_values(value, depth + 1)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise NotAnActivity("The activity holds a NUL character.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NotAnActivity("The activity holds text that is not valid Unicode.") from None


# Fields msrest reads leniently (any value becomes a string) that Huddle reads as
# objects or strings: the wrong type here is refused rather than guessed at.
_OBJECTS = ("from", "conversation", "recipient", "channelData")
_STRINGS = ("id", "serviceUrl", "channelId", "text", "replyToId", "action")
_ACCOUNT_STRINGS = ("id", "name", "aadObjectId", "tenantId", "conversationType")


def _check_fields(body: dict) -> None:
    for name in _OBJECTS:
        if body.get(name) is not None and not isinstance(body[name], dict):
            raise NotAnActivity(f"The activity's {name} is not an object.")
    for name in _STRINGS:
        if body.get(name) is not None and not isinstance(body[name], str):
            raise NotAnActivity(f"The activity's {name} is not a string.")
    ids = {name: body.get(name) for name in ("id", "replyToId", "channelId")}
    for name in ("from", "conversation", "recipient"):
        account = body.get(name) or {}
        for field in _ACCOUNT_STRINGS:
            if account.get(field) is not None and not isinstance(account[field], str):
                raise NotAnActivity(f"The activity's {name}.{field} is not a string.")
        ids[f"{name}.id"] = account.get("id")
    for name, value in ids.items():
        # An id becomes part of the Bot Connector's URL when Huddle answers.
        if value is not None and len(value) > MAX_ID:
            raise NotAnActivity(f"The activity's {name} is too long.")
    for name in ("membersAdded", "membersRemoved", "entities", "attachments"):
        for item in body.get(name) or []:
            if not isinstance(item, dict):
                raise NotAnActivity(f"The activity's {name} holds something that is not an object.")
