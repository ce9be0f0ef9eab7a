"""Bot Framework activities <-> Huddle's neutral types, and replies as Adaptive Cards.

Pure functions over plain data: no network, no database, easy to test.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from botbuilder.schema import Activity, ActivityTypes, Attachment

from bot.model import Button, Form, FormField, Reply

PLATFORM = "teams"
COMMANDS = ("defect", "tidbit", "wow", "huddle")
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.4"
BUTTONS_PER_ROW = 3
# Keys Huddle puts in Action.Submit data, prefixed so they never clash with form inputs.
ACTION, COMMAND, CHANNEL, ANSWER = (
    "huddle_action",
    "huddle_command",
    "huddle_channel",
    "huddle_answer",
)

HELP = (
    "Hi! I'm Huddle. Type one of these (in a channel, @mention me first):\n\n"
    "- `defect` to log a service defect (`defect list` shows open ones)\n"
    "- `wow <story>` to share a WOW story\n"
    "- `tidbit <patient-ref> <note>` to remember something personal (only you see it)\n"
    "- `huddle` for the weekly meeting and the leaderboard\n\n"
    "Add `help` to any of them for more, like `defect help`."
)

_MESSAGE_ID = re.compile(r";messageid=(?P<id>[^;]+)", re.IGNORECASE)
_AT_TAG = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_CODE = re.compile(r"`([^`\n]+)`")


@dataclass(frozen=True)
class Where:
    """Which workspace and conversation an activity belongs to, in Huddle's terms."""

    workspace_id: str
    channel_id: str  # the conversation id without any ";messageid=" reply-chain suffix
    thread_id: str | None  # the reply chain's root message id, in Teams channels
    scope: str  # "personal" | "channel" | "groupChat"

    @property
    def shared(self) -> bool:
        return self.scope != "personal"


@dataclass(frozen=True)
class Submitted:
    """What a card's Action.Submit sent back."""

    action: str  # "button" | "form"
    command: str  # full command text for buttons, the command name for forms
    channel_id: str | None  # the conversation the card was about (set for 1:1 copies)
    answer: str | None = None
    form: dict[str, str] | None = None


def parse_activity(body: dict) -> Activity:
    """An activity from its JSON (as Teams posts it).

    The adapter itself gets activities from CloudAdapter; the tests use this so that
    botbuilder is imported in this folder only.
    """
    return Activity().deserialize(body)


def split_conversation_id(conversation_id: str) -> tuple[str, str | None]:
    """``19:x@thread.tacv2;messageid=17`` -> (``19:x@thread.tacv2``, ``17``)."""
    match = _MESSAGE_ID.search(conversation_id)
    if match is None:
        return conversation_id, None
    return conversation_id[: match.start()] + conversation_id[match.end() :], match.group("id")


def tenant_of(activity: Activity) -> str | None:
    conversation = activity.conversation
    if conversation is not None and conversation.tenant_id:
        return conversation.tenant_id
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant") if isinstance(data.get("tenant"), dict) else {}
    return tenant.get("id") or None


def where(activity: Activity) -> Where | None:
    """The workspace (tenant) and channel (conversation) of an activity, if it has both."""
    tenant = tenant_of(activity)
    if not tenant and activity.channel_id and activity.channel_id != "msteams":
        tenant = activity.channel_id  # the Emulator and Web Chat have no tenant: one workspace each
    if not tenant or activity.conversation is None or not activity.conversation.id:
        return None
    channel_id, thread_id = split_conversation_id(activity.conversation.id)
    scope = activity.conversation.conversation_type or "personal"
    if scope not in {"personal", "channel", "groupChat"}:
        scope = "groupChat" if activity.conversation.is_group else "personal"
    return Where(tenant, channel_id, thread_id, scope)


def _channel_data(activity: Activity, key: str) -> dict:
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def team_name(activity: Activity) -> str | None:
    return _channel_data(activity, "team").get("name") or None


def team_id(activity: Activity) -> str | None:
    """The team an activity happened in (``channelData.team.id``); None outside teams.

    It is the id of the team's General channel, and no other channel's.
    """
    value = _channel_data(activity, "team").get("id")
    return str(value) if value else None


# Where a stored reference keeps its team; botbuilder ignores the key when it reads one.
TEAM_KEY = "teamId"
# Teams' channelData.eventType values that take Huddle out of a whole team.
TEAM_GONE = frozenset({"teamDeleted", "teamHardDeleted"})


@dataclass(frozen=True)
class Removal:
    """Huddle can no longer post somewhere: a whole team, or one conversation."""

    workspace_id: str
    team_id: str | None  # set: every channel of this team
    channel_id: str | None  # this conversation (with team_id: the team's channel it names)

    def covers(self, channel_id: str, reference: dict) -> bool:
        """Whether a stored conversation reference (its channel id and data) is covered."""
        if channel_id == self.channel_id:
            return True
        if self.team_id is None:
            return False
        return channel_id == self.team_id or reference.get(TEAM_KEY) == self.team_id


def removal(activity: Activity) -> Removal | None:
    """What an activity says Huddle was removed from, or None when it says no such thing.

    - ``installationUpdate`` with action ``remove`` (not ``remove-upgrade``: that is
      half of an app upgrade, and Huddle's package always contains the bot);
    - ``conversationUpdate`` whose ``membersRemoved`` holds the bot itself (with
      ``eventType`` ``channelMemberRemoved``, a shared channel: only that channel);
    - ``conversationUpdate`` with ``channelData.eventType`` ``teamDeleted`` or
      ``teamHardDeleted`` (the team) or ``channelDeleted`` (``channelData.channel``).

    In a team, the first two cover every channel of the team, whichever channel the
    activity names; in a group or personal chat, that chat.
    """
    place = where(activity)
    if place is None:
        return None
    team = team_id(activity)
    if activity.type == ActivityTypes.installation_update:
        removed = (activity.action or "").casefold() == "remove"
    elif activity.type == ActivityTypes.conversation_update:
        data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
        event = str(data.get("eventType") or "")
        channel = _channel_data(activity, "channel").get("id")
        if event == "channelDeleted":
            return Removal(place.workspace_id, None, str(channel)) if channel else None
        bot_id = activity.recipient.id if activity.recipient else None
        bot_left = bool(bot_id) and any(
            member.id == bot_id for member in activity.members_removed or []
        )
        if bot_left and event == "channelMemberRemoved":
            # Taken out of one shared channel, not out of its team. (Huddle's package does
            # not declare shared channels yet; this keeps a future one from stopping a team.)
            return Removal(place.workspace_id, None, str(channel or place.channel_id))
        removed = bot_left or (event in TEAM_GONE and team is not None)
    else:
        return None
    if not removed:
        return None
    if team is not None:
        named = place.channel_id if place.scope == "channel" else None
        return Removal(place.workspace_id, team, named)
    return Removal(place.workspace_id, None, place.channel_id)


def _bot_mentions(activity: Activity) -> list[dict]:
    """The mention entities that mention the bot itself."""
    bot_id = activity.recipient.id if activity.recipient else None
    found = []
    for entity in activity.entities or []:
        props = entity.additional_properties or {}
        mentioned = props.get("mentioned") if isinstance(props.get("mentioned"), dict) else {}
        if (entity.type or "").casefold() == "mention" and bot_id and mentioned.get("id") == bot_id:
            found.append(props)
    return found


def mentions_bot(activity: Activity) -> bool:
    return bool(_bot_mentions(activity))


def command_text(activity: Activity) -> str:
    """The message text with the bot's @mention (and any leftover markup) removed."""
    text = activity.text or ""
    for mention in _bot_mentions(activity):
        text = text.replace(mention.get("text") or "", " ")
    text = _AT_TAG.sub(r"\1", text)  # other people's mentions keep their names
    text = html.unescape(_TAG.sub("", text)).replace("\xa0", " ")
    return " ".join(text.split()) if "\n" not in text else text.strip()


def parse_command(text: str) -> tuple[str, str] | None:
    """``/defect list`` or ``defect list`` -> (``defect``, ``list``); None when it is no command."""
    text = text.strip().lstrip("/").lstrip()
    word, _, rest = text.partition(" ")
    if "\n" in word:
        word, _, extra = word.partition("\n")
        rest = (extra + " " + rest).strip()
    if word.casefold() not in COMMANDS:
        return None
    return word.casefold(), rest.strip()


def submitted(value: object) -> Submitted | None:
    """Parse an Action.Submit payload Huddle put on one of its cards."""
    if not isinstance(value, dict) or value.get(ACTION) not in {"button", "form"}:
        return None
    command = str(value.get(COMMAND) or "").strip()
    if not command:
        return None
    channel = value.get(CHANNEL)
    channel_id = str(channel) if channel else None
    if value[ACTION] == "button":
        answer = value.get(ANSWER)
        return Submitted("button", command, channel_id, str(answer).strip() if answer else None)
    inputs = {
        str(k): "" if v is None else str(v)
        for k, v in value.items()
        if not str(k).startswith("huddle_")
    }
    return Submitted("form", command, channel_id, form=inputs)


# -- replies --------------------------------------------------------------------------


def needs_card(reply: Reply) -> bool:
    return bool(reply.title or reply.fields or reply.buttons or reply.form)


def to_activity(reply: Reply, *, channel_id: str | None = None) -> Activity:
    """A reply as a message activity: an Adaptive Card where structure helps, else text.

    ``channel_id`` is written into the card's buttons so that a card sent in a
    1:1 chat on behalf of a channel still acts on that channel.
    """
    if not needs_card(reply):
        return Activity(type=ActivityTypes.message, text=reply.text, text_format="markdown")
    card = adaptive_card(reply, channel_id=channel_id)
    return Activity(
        type=ActivityTypes.message,
        summary=reply.title or _first_line(reply.text),
        attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=card)],
    )


def adaptive_card(reply: Reply, *, channel_id: str | None = None) -> dict:
    body: list[dict] = []
    if reply.title:
        body.append(_text(reply.title, weight="Bolder", size="Medium"))
    if reply.text:
        body.append(_text(reply.text))
    for field in reply.fields:
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [_text(field.label, weight="Bolder"), _text(field.value)],
            }
        )
    if reply.form is not None:
        body.extend(_form_inputs(reply.form))
    buttons = [_button(b, channel_id) for b in reply.buttons]
    if reply.form is not None:
        buttons.insert(0, _form_submit(reply.form, channel_id))
    for start in range(0, len(buttons), BUTTONS_PER_ROW):
        body.append({"type": "ActionSet", "actions": buttons[start : start + BUTTONS_PER_ROW]})
    if reply.footer:
        body.append(_text(reply.footer, isSubtle=True, size="Small"))
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "msteams": {"width": "Full"},
        "body": body,
    }


def _text(text: str, **style) -> dict:
    # Adaptive Cards have no inline code: show `defect list` in bold instead.
    return {"type": "TextBlock", "text": _CODE.sub(r"**\1**", text), "wrap": True, **style}


def _data(action: str, command: str, channel_id: str | None) -> dict:
    data = {ACTION: action, COMMAND: command}
    if channel_id:
        data[CHANNEL] = channel_id
    return data


def _style(button: Button) -> dict:
    styles = {"primary": "positive", "danger": "destructive"}
    return {"style": styles[button.style]} if button.style in styles else {}


def _button(button: Button, channel_id: str | None) -> dict:
    submit = {
        "type": "Action.Submit",
        "title": button.label,
        "data": _data("button", button.command, channel_id),
        **_style(button),
    }
    if not button.prompt:
        return submit
    # Ask for the text first: the button opens a small card with one input.
    return {
        "type": "Action.ShowCard",
        "title": button.label,
        "card": {
            "type": "AdaptiveCard",
            "body": [
                {
                    "type": "Input.Text",
                    "id": ANSWER,
                    "label": button.prompt,
                    "isMultiline": True,
                    "isRequired": True,
                    "errorMessage": "Please type an answer first.",
                    "maxLength": 1000,
                }
            ],
            "actions": [{**submit, "title": "Send"}],
        },
    }


def _form_inputs(form: Form) -> list[dict]:
    return [_input(field) for field in form.fields]


def _input(field: FormField) -> dict:
    common = {"id": field.name, "label": field.label, "isRequired": not field.optional}
    if not field.optional:
        common["errorMessage"] = f"Please fill in: {field.label}"
    if field.kind == "select":
        return {
            "type": "Input.ChoiceSet",
            "style": "compact",
            "choices": [{"title": label, "value": value} for value, label in field.options],
            **common,
        }
    element = {"type": "Input.Text", "isMultiline": field.kind == "multiline", **common}
    if field.placeholder:
        element["placeholder"] = field.placeholder
    if field.max_length:
        element["maxLength"] = field.max_length
    return element


def _form_submit(form: Form, channel_id: str | None) -> dict:
    return {
        "type": "Action.Submit",
        "title": form.submit_label,
        "style": "positive",
        "data": _data("form", form.command, channel_id),
    }


def _first_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0][:120]
