"""Reading Bot Framework activities: where one happened, who it is for, what was typed.

Pure functions over the activity: no network, no database.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from botbuilder.schema import Activity

from bot.model import Person

_MESSAGE_ID = re.compile(r";messageid=(?P<id>[^;]+)", re.IGNORECASE)
_AT_TAG = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


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


def reply_chain(channel_id: str, thread_id: str | None) -> str:
    """The conversation id of a channel's reply chain (the channel's own without a thread)."""
    return f"{channel_id};messageid={thread_id}" if thread_id else channel_id


def tenant_of(activity: Activity) -> str | None:
    conversation = activity.conversation
    if conversation is not None and conversation.tenant_id:
        return conversation.tenant_id
    tenant = channel_data(activity, "tenant")
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


def in_reply_chain(activity: Activity, place: Where) -> bool:
    """A reply under another message: a new channel post's reply chain is its own id."""
    return bool(place.thread_id and activity.id and place.thread_id != activity.id)


def channel_data(activity: Activity, key: str | None = None) -> dict:
    """``channelData`` (or one object in it) as a dict; empty when it is anything else."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    if key is None:
        return data
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def team_name(activity: Activity) -> str | None:
    return channel_data(activity, "team").get("name") or None


def channel_label(activity: Activity, place: Where, channel_id: str) -> str | None:
    """ "Smile Dental › Front desk": a team channel's name as Teams shows it, for the
    activity's own channel only (a card may act for another); None outside a team.

    A team's General channel has the team's id and comes without a name of its own;
    Teams often sends no names at all on a message, and then there is none to keep."""
    if place.scope != "channel" or channel_id != place.channel_id:
        return None
    team = team_name(activity)
    name = channel_data(activity, "channel").get("name")
    if not isinstance(name, str) or not name.strip():
        name = "General" if channel_id == team_id(activity) else None
    if name is None:
        return None  # some channel of the team: the team's name alone would mislead
    return f"{team} › {name.strip()}" if team else name.strip()


def team_id(activity: Activity) -> str | None:
    """The team an activity happened in (``channelData.team.id``); None outside teams.

    It is the id of the team's General channel, and no other channel's.
    """
    value = channel_data(activity, "team").get("id")
    return str(value) if value else None


def bot_among(activity: Activity, members) -> bool:
    """Whether the bot itself (the activity's recipient) is one of ``members``."""
    bot_id = activity.recipient.id if activity.recipient else None
    return bool(bot_id) and any(member.id == bot_id for member in members or [])


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


def people_mentioned(activity: Activity) -> tuple[Person, ...]:
    """The people (not the bot) an activity's mention entities name, each once, in order."""
    bot_id = activity.recipient.id if activity.recipient else None
    found: dict[str, Person] = {}
    for entity in activity.entities or []:
        props = entity.additional_properties or {}
        mentioned = props.get("mentioned") if isinstance(props.get("mentioned"), dict) else {}
        user_id, name = mentioned.get("id"), mentioned.get("name")
        if (entity.type or "").casefold() != "mention" or not user_id or user_id == bot_id:
            continue
        found.setdefault(user_id, Person(str(user_id), str(name or user_id)))
    return tuple(found.values())


def command_text(activity: Activity) -> str:
    """The message text with the bot's @mention (and any leftover markup) removed."""
    text = activity.text or ""
    for mention in _bot_mentions(activity):
        text = text.replace(mention.get("text") or "", " ")
    text = _AT_TAG.sub(r"@\1", text)  # other people's mentions: "@Name", as the core writes
    text = html.unescape(_TAG.sub("", text)).replace("\xa0", " ")
    return " ".join(text.split()) if "\n" not in text else text.strip()
