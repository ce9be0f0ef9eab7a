"""Slack payloads <-> the core's neutral types, and replies -> Block Kit.

Pure functions only: no network, no database, so every rendering rule is unit-testable.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from adapters.slack.mentions import mention
from bot.model import Button, Incoming, Person, Reaction, Reply, ThreadReply

PLATFORM = "slack"

# Block Kit limits (https://api.slack.com/reference/block-kit/blocks).
MAX_BLOCKS = 50  # a message
MAX_VIEW_BLOCKS = 100  # a view: the App Home tab, a modal
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTIONS_PER_BLOCK = 25
MAX_MODAL_TITLE = 24
MAX_OPTION_TEXT = 75
MAX_FALLBACK_TEXT = 3000

# Identifiers of our interactive parts; bolt routes on them.
BUTTON_ACTION = "huddle-run"  # action_id prefix: the button's value is the command to run
PROMPT_ACTION = "huddle-ask"  # action_id prefix: ask for text first, then run
FORM_CALLBACK = "huddle-form"  # a core Form rendered as a modal
PROMPT_CALLBACK = "huddle-prompt"  # the one-question modal behind a prompt button
PROMPT_INPUT = "answer"


def escape(text: str) -> str:
    """Slack mrkdwn control characters, so user text can never ping @channel or fake links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _whole(text: str, cut: int) -> int:
    """``cut``, moved back so it splits no ``&amp;``-style entity and no ``<@U…>`` mention."""
    amp, semi = text.rfind("&", 0, cut), text.rfind(";", 0, cut)
    if amp > semi and cut - amp < 6:
        cut = amp
    opened, closed = text.rfind("<", 0, cut), text.rfind(">", 0, cut)
    if opened > closed:
        cut = opened
    return cut if cut > 0 else 1


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: _whole(text, limit - 1)] + "…"


def _chunks(text: str, limit: int) -> list[str]:
    """Split long text on line breaks where possible, each piece at most ``limit``, never
    inside an entity (``&amp;``) or a mention."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else _whole(text, limit)
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    if text:
        pieces.append(text)
    return pieces


def _mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": text}


def plain_text(text: str, limit: int) -> dict:
    return {"type": "plain_text", "text": _cut(text, limit), "emoji": True}


def fallback_text(reply: Reply) -> str:
    """The notification / accessibility text that accompanies the blocks."""
    return _cut(_said(reply, reply.plain()) or " ", MAX_FALLBACK_TEXT)


def _said(reply: Reply, text: str) -> str:
    """Text as mrkdwn: escaped, with the reply's people mentioned for real."""
    return mention(escape(text), reply.mentions)


def blocks(reply: Reply, limit: int = MAX_BLOCKS) -> list[dict]:
    """A reply as Block Kit blocks: header, text, fields, buttons, footer; at most
    ``limit`` blocks (a message's 50, a view's 100), the last saying when some did not fit."""
    out: list[dict] = []
    if reply.title:
        out.append({"type": "header", "text": plain_text(reply.title, MAX_HEADER_TEXT)})
    if reply.text:
        for piece in _chunks(_said(reply, reply.text), MAX_SECTION_TEXT):
            out.append({"type": "section", "text": _mrkdwn(piece)})
    for field in reply.fields:
        body = f"*{escape(field.label)}*\n{_said(reply, field.value)}"
        for piece in _chunks(body, MAX_SECTION_TEXT):
            out.append({"type": "section", "text": _mrkdwn(piece)})
    button_blocks = _button_blocks(reply.buttons, reply.mentions)
    footer = (
        [{"type": "context", "elements": [_mrkdwn(_cut(_said(reply, reply.footer), 2000))]}]
        if reply.footer
        else []
    )
    room = limit - len(button_blocks) - len(footer)
    if len(out) > room:
        out = [
            *out[: room - 1],
            {"type": "context", "elements": [_mrkdwn("(More than fits in one message.)")]},
        ]
    return out + button_blocks + footer


def _button_blocks(buttons: tuple[Button, ...], people: tuple[Person, ...] = ()) -> list[dict]:
    elements = [button_element(button, index, people) for index, button in enumerate(buttons)]
    return [
        {"type": "actions", "block_id": f"huddle-actions-{start}", "elements": chunk}
        for start in range(0, len(elements), MAX_ACTIONS_PER_BLOCK)
        if (chunk := elements[start : start + MAX_ACTIONS_PER_BLOCK])
    ]


def button_element(button: Button, index: int, people: tuple[Person, ...] = ()) -> dict:
    """A button; the people its reply names stay real mentions in the command it runs."""
    if people:
        button = dataclasses.replace(button, command=mention(button.command, people))
    if button.prompt:
        action_id = f"{PROMPT_ACTION}-{index}"
        value = _prompt_value(button)
    else:
        action_id = f"{BUTTON_ACTION}-{index}"
        value = button.command
    element = {
        "type": "button",
        "action_id": action_id,
        "text": plain_text(button.label, MAX_BUTTON_TEXT),
        "value": value[:MAX_BUTTON_VALUE],
    }
    if button.style in {"primary", "danger"}:
        element["style"] = button.style
    return element


def _prompt_value(button: Button) -> str:
    """A prompt button's value: its command, question, picker and prefilled answer.

    The prefilled answer is cut, if it must be, so the value stays whole JSON within
    Slack's limit: the person sees the text they are editing.
    """
    asked = {"command": button.command, "prompt": button.prompt}
    if button.picks:
        asked["picks"] = button.picks
    initial = button.initial or ""
    value = json.dumps({**asked, "initial": initial} if initial else asked)
    while len(value) > MAX_BUTTON_VALUE and initial:
        initial = initial[: len(initial) - (len(value) - MAX_BUTTON_VALUE) - 1]
        value = json.dumps({**asked, "initial": initial} if initial else asked)
    return value


def prompt_from_value(value: str) -> tuple[str, str, str | None, str | None]:
    """(command, question, what it picks, prefilled answer) from a prompt button's value."""
    data = json.loads(value)
    picks, initial = data.get("picks"), data.get("initial")
    question = str(data.get("prompt") or "Your answer")
    return str(data["command"]), question, picks and str(picks), initial and str(initial)


# -- incoming ------------------------------------------------------------------------


def split_command(line: str) -> tuple[str, str]:
    """'defect close 12' -> ('defect', 'close 12')."""
    command, _, text = line.strip().lstrip("/").partition(" ")
    return command.casefold(), text.strip()


def incoming_from_command(payload: dict) -> Incoming:
    """A slash command's form fields -> Incoming.

    Its ``trigger_id`` is unique to the one time the person pressed Enter, so a signed
    request replayed within Slack's five-minute signature window counts once.
    """
    trigger = payload.get("trigger_id")
    return Incoming(
        platform=PLATFORM,
        workspace_id=payload.get("team_id") or "",
        channel_id=payload.get("channel_id") or "",
        user_id=payload.get("user_id") or "",
        user_name=payload.get("user_name") or payload.get("user_id") or "someone",
        command=(payload.get("command") or "").lstrip("/"),
        text=payload.get("text") or "",
        workspace_name=payload.get("team_domain"),
        event_id=f"trigger:{trigger}" if trigger else None,
        channel_name=channel_name(payload.get("channel_name")),
    )


# What Slack sends as ``channel_name`` for a conversation that has no name of its own.
UNNAMED = frozenset({"directmessage", "privategroup", "mpdm"})


def channel_name(name: object) -> str | None:
    """``#front-desk`` as Slack shows it, or None for a DM or a name Slack withholds."""
    if not isinstance(name, str) or not name.strip() or name in UNNAMED:
        return None
    if name.startswith("mpdm-"):
        return None  # a group DM: named after its members
    return f"#{name.strip()}"


@dataclass(frozen=True)
class Origin:
    """Where an interaction came from: who, in which conversation, how to answer them."""

    team_id: str
    channel_id: str
    user_id: str
    user_name: str
    response_url: str | None = None
    trigger_id: str | None = None
    team_domain: str | None = None

    def incoming(self, line: str, *, form: dict[str, str] | None = None) -> Incoming:
        """A button press or form submission -> Incoming (a replay of it counts once)."""
        command, text = split_command(line)
        return Incoming(
            platform=PLATFORM,
            workspace_id=self.team_id,
            channel_id=self.channel_id,
            user_id=self.user_id,
            user_name=self.user_name,
            command=command,
            text=text,
            form=form,
            workspace_name=self.team_domain,
            event_id=f"trigger:{self.trigger_id}" if self.trigger_id else None,
        )

    def metadata(self, command: str) -> str:
        """What a modal must remember to answer in the right place (private_metadata)."""
        return json.dumps(
            {
                "command": command,
                "channel_id": self.channel_id,
                "response_url": self.response_url,
            }
        )


def origin_from_command(payload: dict) -> Origin:
    return Origin(
        team_id=payload.get("team_id") or "",
        channel_id=payload.get("channel_id") or "",
        user_id=payload.get("user_id") or "",
        user_name=payload.get("user_name") or payload.get("user_id") or "someone",
        response_url=payload.get("response_url"),
        trigger_id=payload.get("trigger_id"),
        team_domain=payload.get("team_domain"),
    )


def origin_from_interaction(payload: dict) -> Origin:
    """A block_actions or view_submission payload -> Origin (channel from the modal's metadata)."""
    user = payload.get("user") or {}
    team = payload.get("team") or {}
    channel = (payload.get("channel") or {}).get("id") or (payload.get("container") or {}).get(
        "channel_id"
    )
    response_url = payload.get("response_url")
    view = payload.get("view") or {}
    if view.get("private_metadata"):
        try:
            meta = json.loads(view["private_metadata"])
        except ValueError:
            meta = {}
        channel = channel or meta.get("channel_id")
        response_url = response_url or meta.get("response_url")
    return Origin(
        team_id=team.get("id") or user.get("team_id") or "",
        channel_id=channel or "",
        user_id=user.get("id") or "",
        user_name=user.get("username") or user.get("name") or user.get("id") or "someone",
        response_url=response_url,
        trigger_id=payload.get("trigger_id"),
        team_domain=team.get("domain"),
    )


def reaction_from_event(event: dict, *, team_id: str, event_id: str | None) -> Reaction | None:
    """A reaction_added / reaction_removed event -> Reaction (None: not on a message)."""
    item = event.get("item") or {}
    if item.get("type") != "message" or not event.get("user"):
        return None
    return Reaction(
        platform=PLATFORM,
        workspace_id=team_id,
        channel_id=item.get("channel") or "",
        message_id=item.get("ts") or "",
        user_id=event["user"],
        user_name=event["user"],
        # Skin tones arrive as "thumbsup::skin-tone-2"; the emoji is the part before.
        emoji=(event.get("reaction") or "").split("::")[0],
        added=event.get("type") == "reaction_added",
        event_id=event_id,
        at=event_time(event.get("event_ts")),
    )


def event_time(ts: object) -> datetime | None:
    """Slack's ``event_ts`` ('1700000000.123456', seconds) as an aware UTC time."""
    try:
        return datetime.fromtimestamp(float(str(ts)), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def is_thread_reply(event: dict) -> bool:
    """A person's new message inside a thread (not the thread's root, an edit or a bot's)."""
    thread_ts = event.get("thread_ts")
    return bool(
        thread_ts
        and thread_ts != event.get("ts")
        and event.get("user")
        and not event.get("subtype")
        and not event.get("bot_id")
    )


def thread_reply_from_event(
    event: dict, *, team_id: str, user_name: str, event_id: str | None
) -> ThreadReply:
    """A message event that ``is_thread_reply`` -> ThreadReply."""
    return ThreadReply(
        platform=PLATFORM,
        workspace_id=team_id,
        channel_id=event.get("channel") or "",
        thread_id=event["thread_ts"],
        message_id=event.get("ts") or "",
        user_id=event["user"],
        user_name=user_name,
        text=event.get("text") or "",
        event_id=event_id,
    )


def origin_of(event: Reaction | ThreadReply) -> Origin:
    """Where to answer the person behind an event that came with no response_url."""
    return Origin(event.workspace_id, event.channel_id, event.user_id, event.user_name)


def home_view(reply: Reply) -> dict:
    """The App Home tab (views.publish): up to a view's 100 blocks."""
    return {"type": "home", "blocks": blocks(reply, MAX_VIEW_BLOCKS)}
