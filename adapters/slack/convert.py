"""Slack payloads <-> the core's neutral types, and replies -> Block Kit.

Pure functions only: no network, no database, so every rendering rule is unit-testable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from adapters.slack.names import mention, unescape_mentions
from bot.model import Button, Form, FormField, Incoming, Reaction, Reply, ThreadReply

PLATFORM = "slack"

# Block Kit limits (https://api.slack.com/reference/block-kit/blocks).
MAX_BLOCKS = 50
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
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return unescape_mentions(escaped)  # a person's mention still names and notifies them


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _chunks(text: str, limit: int) -> list[str]:
    """Split long text on line breaks where possible, each piece at most ``limit``."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    if text:
        pieces.append(text)
    return pieces


def _mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": text}


def _plain(text: str, limit: int) -> dict:
    return {"type": "plain_text", "text": _cut(text, limit), "emoji": True}


def fallback_text(reply: Reply) -> str:
    """The notification / accessibility text that accompanies the blocks."""
    return _cut(escape(reply.plain()) or " ", MAX_FALLBACK_TEXT)


def blocks(reply: Reply) -> list[dict]:
    """A reply as Block Kit blocks: header, text, fields, buttons, footer."""
    out: list[dict] = []
    if reply.title:
        out.append({"type": "header", "text": _plain(reply.title, MAX_HEADER_TEXT)})
    if reply.text:
        for piece in _chunks(escape(reply.text), MAX_SECTION_TEXT):
            out.append({"type": "section", "text": _mrkdwn(piece)})
    for field in reply.fields:
        body = f"*{escape(field.label)}*\n{escape(field.value)}"
        for piece in _chunks(body, MAX_SECTION_TEXT):
            out.append({"type": "section", "text": _mrkdwn(piece)})
    button_blocks = _button_blocks(reply.buttons)
    footer = (
        [{"type": "context", "elements": [_mrkdwn(_cut(escape(reply.footer), 2000))]}]
        if reply.footer
        else []
    )
    room = MAX_BLOCKS - len(button_blocks) - len(footer)
    if len(out) > room:
        out = [
            *out[: room - 1],
            {"type": "context", "elements": [_mrkdwn("(More than fits in one message.)")]},
        ]
    return out + button_blocks + footer


def _button_blocks(buttons: tuple[Button, ...]) -> list[dict]:
    elements = [button_element(button, index) for index, button in enumerate(buttons)]
    return [
        {"type": "actions", "block_id": f"huddle-actions-{start}", "elements": chunk}
        for start in range(0, len(elements), MAX_ACTIONS_PER_BLOCK)
        if (chunk := elements[start : start + MAX_ACTIONS_PER_BLOCK])
    ]


def button_element(button: Button, index: int) -> dict:
    if button.prompt:
        action_id = f"{PROMPT_ACTION}-{index}"
        value = json.dumps({"command": button.command, "prompt": button.prompt})
    else:
        action_id = f"{BUTTON_ACTION}-{index}"
        value = button.command
    element = {
        "type": "button",
        "action_id": action_id,
        "text": _plain(button.label, MAX_BUTTON_TEXT),
        "value": value[:MAX_BUTTON_VALUE],
    }
    if button.style in {"primary", "danger"}:
        element["style"] = button.style
    return element


def prompt_from_value(value: str) -> tuple[str, str]:
    """(command, question) from a prompt button's value."""
    data = json.loads(value)
    return str(data["command"]), str(data.get("prompt") or "Your answer")


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
        user_mention=mention(payload.get("user_id")),
    )


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
            user_mention=mention(self.user_id),
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


def modal_command(view: dict) -> str:
    """The command a submitted modal belongs to."""
    try:
        return str(json.loads(view.get("private_metadata") or "{}").get("command") or "")
    except ValueError:
        return ""


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


# -- modals -----------------------------------------------------------------------------


def form_modal(form: Form, *, metadata: str) -> dict:
    """A core Form as a modal view (views.open)."""
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "private_metadata": metadata,
        "title": _plain(form.title, MAX_MODAL_TITLE),
        "submit": _plain(form.submit_label, MAX_MODAL_TITLE),
        "close": _plain("Cancel", MAX_MODAL_TITLE),
        "blocks": [_input_block(field) for field in form.fields],
    }


def _input_block(field: FormField) -> dict:
    if field.kind == "select":
        element: dict = {
            "type": "static_select",
            "action_id": field.name,
            "options": [
                {"text": _plain(label, MAX_OPTION_TEXT), "value": value}
                for value, label in field.options[:100]
            ],
        }
        if field.placeholder:
            element["placeholder"] = _plain(field.placeholder, 150)
    else:
        element = {
            "type": "plain_text_input",
            "action_id": field.name,
            "multiline": field.kind == "multiline",
        }
        if field.max_length:
            element["max_length"] = min(field.max_length, 3000)
        if field.placeholder:
            element["placeholder"] = _plain(field.placeholder, 150)
    return {
        "type": "input",
        "block_id": field.name,
        "optional": field.optional,
        "label": _plain(field.label, 2000),
        "element": element,
    }


def prompt_modal(command: str, question: str, *, metadata: str) -> dict:
    """The one-question modal behind a prompt button."""
    return {
        "type": "modal",
        "callback_id": PROMPT_CALLBACK,
        "private_metadata": metadata,
        "title": _plain("Huddle", MAX_MODAL_TITLE),
        "submit": _plain("Send", MAX_MODAL_TITLE),
        "close": _plain("Cancel", MAX_MODAL_TITLE),
        "blocks": [
            {
                "type": "input",
                "block_id": PROMPT_INPUT,
                "label": _plain(question, 2000),
                "element": {
                    "type": "plain_text_input",
                    "action_id": PROMPT_INPUT,
                    "multiline": True,
                    "max_length": 2000,
                },
            }
        ],
    }


def form_values(view: dict) -> dict[str, str]:
    """A submitted modal's state -> {field name: value}; empty optional fields are ''."""
    values: dict[str, str] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        for action_id, state in actions.items():
            name = action_id or block_id
            if state.get("type") == "static_select" or "selected_option" in state:
                option = state.get("selected_option") or {}
                values[name] = option.get("value") or ""
            else:
                values[name] = state.get("value") or ""
    return values


def home_view(reply: Reply) -> dict:
    """The App Home tab (views.publish)."""
    return {"type": "home", "blocks": blocks(reply)}
