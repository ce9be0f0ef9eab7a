"""Bot Framework activities -> Huddle's neutral events, and replies -> activities.

Pure functions over plain data: no network, no database. An activity becomes an
``Inbound``: the events for the core's one door (``Huddle.handle``), in order, and
what the adapter needs to say the answers. What an event means (a reply under the
meeting becomes a story, the nominate reaction nominates, a removal covers a team's
channels) is the core's to decide; this module only says what happened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from botbuilder.schema import Activity, ActivityTypes, Attachment, ChannelAccount, Mention

from adapters.teams.activities import (
    Where,
    bot_among,
    channel_data,
    channel_label,
    command_text,
    in_reply_chain,
    mentions_bot,
    people_mentioned,
    team_id,
    team_name,
    where,
)
from adapters.teams.cards import (
    CONTENT_TYPE,
    Submitted,
    adaptive_card,
    needs_card,
    shown_text,
    submitted,
)
from adapters.teams.cards import summary as card_summary
from adapters.teams.mentions import mention_entities
from adapters.teams.references import stored_reference
from bot.commands import COMMANDS, command_menu
from bot.model import (
    Event,
    Incoming,
    Installed,
    Reaction,
    Removed,
    Reply,
    ThreadReply,
)

log = logging.getLogger("huddle.teams")

PLATFORM = "teams"
# Teams' channelData.eventType values that take Huddle out of a whole team.
TEAM_GONE = frozenset({"teamDeleted", "teamHardDeleted"})


def help_text() -> str:
    """What Huddle says to a message that names no command: every command of the table."""
    example = next(iter(COMMANDS), "huddle")
    return (
        "Hi! I'm Huddle. Type one of these (in a channel, @mention me first):\n\n"
        f"{command_menu(prefix='')}\n\n"
        f"Add `help` to any of them for more, like `{example} help`."
    )


def parse_command(text: str) -> tuple[str, str] | None:
    """``/defect list`` or ``defect list`` -> (``defect``, ``list``); None when it is no command.

    A command is a name in the core's command table (``bot.commands.COMMANDS``).
    """
    text = text.strip().lstrip("/").lstrip()
    word, _, rest = text.partition(" ")
    if "\n" in word:
        word, _, extra = word.partition("\n")
        rest = (extra + " " + rest).strip()
    name = word.casefold()
    if name not in COMMANDS:
        return None
    return name, rest.strip()


@dataclass(frozen=True)
class Inbound:
    """What one activity asks of the core, and how to say the answers.

    ``origin`` is the channel the answers belong to (the activity's own, unless a card
    sent privately acts on a channel); ``typed`` says a command was typed, so a private
    answer to it is announced where it was typed; ``needs_help``: addressed to Huddle
    but naming no command.
    """

    place: Where
    events: tuple[Event, ...]
    origin: str
    typed: bool = False
    needs_help: bool = False


# (tenant, person, channel, seal) -> whether Huddle sealed that channel for that person.
ChannelCheck = Callable[[str, str, str, str | None], bool]


def inbound(activity: Activity, *, sealed: ChannelCheck = lambda *_: False) -> Inbound | None:
    """The events an activity brings, or None when it brings none (or none for Huddle).

    ``sealed`` says whether a card's channel was written by Huddle for the person
    submitting it; a card whose channel is not (a forged or copied card) acts on the
    conversation it came from, never on the channel it names.
    """
    place = where(activity)
    if place is None:
        return None
    if activity.type == ActivityTypes.message:
        return _message(activity, place, sealed)
    if activity.type == ActivityTypes.message_reaction:
        return _reactions(activity, place)
    if activity.type in (ActivityTypes.conversation_update, ActivityTypes.installation_update):
        return _membership(activity, place)
    return None


def _message(activity: Activity, place: Where, sealed: ChannelCheck) -> Inbound | None:
    if activity.from_property is None:
        return None
    card = submitted(activity.value)
    text = command_text(activity)
    if card is None and place.shared and not mentions_bot(activity):
        # Not addressed to Huddle: Teams sends these only under the manifest's
        # ChannelMessage.Read.Group permission. A reply in a reply chain goes to the core
        # (under a weekly meeting post it is a story); anything else is dropped here,
        # neither stored nor logged.
        reply = _thread_reply(activity, place, text)
        return None if reply is None else Inbound(place, (reply,), place.channel_id)
    # Addressed to Huddle: refresh how to reach this conversation first.
    installed = _installed(activity, place)
    if card is not None:
        return _card(activity, place, card, installed, sealed)
    parsed = parse_command(text)
    if parsed is not None:
        incoming = _incoming(activity, place, place.channel_id, *parsed)
        return Inbound(place, (installed, incoming), place.channel_id, typed=True)
    reply = _thread_reply(activity, place, text)
    if reply is not None:
        return Inbound(place, (installed, reply), place.channel_id)
    return Inbound(place, (installed,), place.channel_id, needs_help=True)


def _card(
    activity: Activity, place: Where, card: Submitted, installed: Installed, sealed: ChannelCheck
) -> Inbound:
    """A card's button or form: its command, on the channel the card acts for.

    Only a card Huddle sent privately on a channel's behalf, to this very person,
    acts on that channel; any other channel in a card's data is not trusted.
    """
    origin = place.channel_id
    if not place.shared and card.channel_id and card.channel_id != place.channel_id:
        if sealed(place.workspace_id, activity.from_property.id, card.channel_id, card.seal):
            origin = card.channel_id
        else:
            log.warning(
                "teams card names a channel it was not sent for; acting on its own chat: "
                "workspace=%s",
                place.workspace_id,
            )
    if card.action == "form":  # a form's command may carry words: "huddle source ical"
        name, text = parse_command(card.command) or (card.command, "")
        incoming = _incoming(activity, place, origin, name, text, form=card.form)
        return Inbound(place, (installed, incoming), origin)
    parsed = parse_command(card.command)
    if parsed is None:
        return Inbound(place, (installed,), origin)
    command, text = parsed
    if card.answer:
        text = f"{text} {card.answer}".strip()
    return Inbound(place, (installed, _incoming(activity, place, origin, command, text)), origin)


def _incoming(
    activity: Activity,
    place: Where,
    channel_id: str,
    command: str,
    text: str,
    *,
    form: dict[str, str] | None = None,
) -> Incoming:
    sender = activity.from_property
    return Incoming(
        platform=PLATFORM,
        workspace_id=place.workspace_id,
        channel_id=channel_id,
        user_id=sender.id,
        user_name=sender.name or "Someone",
        command=command,
        text=text,
        form=form,
        event_id=activity.id,
        workspace_name=team_name(activity),
        mentions=people_mentioned(activity),
        directory_id=directory_id(sender),
        channel_name=channel_label(activity, place, channel_id),
    )


def directory_id(sender) -> str | None:
    """The sender's Entra object id (``from.aadObjectId``): who Sign in with Microsoft says."""
    return getattr(sender, "aad_object_id", None) or None


def _thread_reply(activity: Activity, place: Where, text: str) -> ThreadReply | None:
    if not in_reply_chain(activity, place) or not text.strip():
        return None
    sender = activity.from_property
    return ThreadReply(
        platform=PLATFORM,
        workspace_id=place.workspace_id,
        channel_id=place.channel_id,
        thread_id=place.thread_id,
        message_id=activity.id,
        user_id=sender.id,
        user_name=sender.name or "Someone",
        text=text,
        event_id=activity.id,
        mentions=people_mentioned(activity),
        directory_id=directory_id(sender),
    )


def _installed(
    activity: Activity, place: Where, *, welcome: bool = False, added: bool = False
) -> Installed:
    """``added``: the activity says Huddle was just added, so its sender added it."""
    sender = activity.from_property if added else None
    return Installed(
        installer_id=sender.id if sender is not None and sender.id else None,
        installer_name=sender.name if sender is not None and sender.id else None,
        installer_directory_id=directory_id(sender) if sender is not None else None,
        platform=PLATFORM,
        workspace_id=place.workspace_id,
        channel_id=place.channel_id,
        data=stored_reference(activity, place),
        kind=place.scope,
        group_id=team_id(activity),
        workspace_name=team_name(activity),
        welcome=welcome,
    )


def _reactions(activity: Activity, place: Where) -> Inbound | None:
    """One ``Reaction`` per reaction type added or removed, each with its own event id."""
    sender = activity.from_property
    if not activity.reply_to_id or sender is None:
        return None
    changes = [(True, r) for r in activity.reactions_added or []]
    changes += [(False, r) for r in activity.reactions_removed or []]
    events = []
    for added, change in changes:
        emoji = change.type or ""
        events.append(
            Reaction(
                platform=PLATFORM,
                workspace_id=place.workspace_id,
                channel_id=place.channel_id,
                message_id=activity.reply_to_id,
                user_id=sender.id,
                user_name=sender.name or "Someone",
                emoji=emoji,
                added=added,
                event_id=f"{activity.id}:{'+' if added else '-'}{emoji}" if activity.id else None,
                at=_aware(activity.timestamp),
                directory_id=directory_id(sender),
            )
        )
    return Inbound(place, tuple(events), place.channel_id) if events else None


def _membership(activity: Activity, place: Where) -> Inbound | None:
    """Huddle added to (or heard from) a conversation, or taken out of one."""
    removed = removal(activity)
    if removed is not None:
        return Inbound(place, (removed,), place.channel_id)
    action = (activity.action or "").casefold()
    if activity.type == ActivityTypes.installation_update and action == "remove-upgrade":
        return None  # half of an app upgrade, not a removal: nothing changes
    welcome = activity.type == ActivityTypes.conversation_update and bot_among(
        activity, activity.members_added
    )
    added = welcome or (activity.type == ActivityTypes.installation_update and action == "add")
    installed = _installed(activity, place, welcome=welcome, added=added)
    return Inbound(place, (installed,), place.channel_id)


def removal(activity: Activity) -> Removed | None:
    """What an activity says Huddle was removed from, or None when it says no such thing.

    - ``installationUpdate`` with action ``remove`` (not ``remove-upgrade``: that is
      half of an app upgrade, and Huddle's package always contains the bot);
    - ``conversationUpdate`` whose ``membersRemoved`` holds the bot itself (with
      ``eventType`` ``channelMemberRemoved``, a shared channel: only that channel);
    - ``conversationUpdate`` with ``channelData.eventType`` ``teamDeleted`` or
      ``teamHardDeleted`` (the team) or ``channelDeleted`` (``channelData.channel``).

    In a team, the first two name the team (``group_id``; the core works out its
    channels) and the channel the activity names; in a group or personal chat, that
    chat. Never neither: that would mean the whole tenant.
    """
    place = where(activity)
    if place is None:
        return None
    team = team_id(activity)
    if activity.type == ActivityTypes.installation_update:
        removed = (activity.action or "").casefold() == "remove"
    elif activity.type == ActivityTypes.conversation_update:
        event = str(channel_data(activity).get("eventType") or "")
        channel = channel_data(activity, "channel").get("id")
        if event == "channelDeleted":
            return _removed(place, channel_id=str(channel)) if channel else None
        bot_left = bot_among(activity, activity.members_removed)
        if bot_left and event == "channelMemberRemoved":
            # Taken out of one shared channel, not out of its team. (Huddle's package does
            # not declare shared channels yet; this keeps a future one from stopping a team.)
            return _removed(place, channel_id=str(channel or place.channel_id))
        removed = bot_left or (event in TEAM_GONE and team is not None)
    else:
        return None
    if not removed:
        return None
    if team is not None:
        named = place.channel_id if place.scope == "channel" else None
        return _removed(place, channel_id=named, group_id=team)
    return _removed(place, channel_id=place.channel_id)


def _removed(place: Where, *, channel_id: str | None, group_id: str | None = None) -> Removed:
    return Removed(PLATFORM, place.workspace_id, channel_id=channel_id, group_id=group_id)


# -- replies --------------------------------------------------------------------------


def to_activity(
    reply: Reply, *, channel_id: str | None = None, seal: str | None = None
) -> Activity:
    """A reply as a message activity: an Adaptive Card where structure helps, else text.

    ``channel_id`` is written into the card's buttons so that a card sent in a
    1:1 chat on behalf of a channel still acts on that channel.
    """
    if not needs_card(reply):
        activity = text_activity(shown_text(reply.text, reply.mentions))
        activity.entities = [
            Mention(
                mentioned=ChannelAccount(**entity["mentioned"]), text=entity["text"], type="mention"
            )
            for entity in mention_entities(reply.mentions)
        ] or None
        return activity
    return Activity(
        type=ActivityTypes.message,
        summary=card_summary(reply),
        attachments=[
            Attachment(
                content_type=CONTENT_TYPE,
                content=adaptive_card(reply, channel_id=channel_id, seal=seal),
            )
        ],
    )


def text_activity(text: str) -> Activity:
    return Activity(type=ActivityTypes.message, text=text, text_format="markdown")


def _aware(moment) -> datetime | None:
    """The activity's UTC timestamp (orders a reaction added and removed), if it has one."""
    if not isinstance(moment, datetime):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
