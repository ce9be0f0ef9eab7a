"""One Teams turn: the activity's events through the core's one door, the answers said.

``TeamsBot`` decides nothing about the practice. ``convert`` says what happened, the
core (``Huddle.handle``) says what to answer, and this module says it the Teams way:
answers meant for one person go to a 1:1 chat with them, never into a shared
conversation, and a posted story's message id is reported back to the core.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from botbuilder.core import Bot, InvokeResponse, TurnContext
from botbuilder.schema import Activity, ActivityTypes

from adapters.core_processes import CoreDoor, InThreads
from adapters.teams import convert
from adapters.teams.activities import Where, reply_chain, where
from adapters.teams.connector import TeamsConnector
from adapters.teams.downloads import offer_links
from adapters.teams.references import reference_to
from bot.huddle import Huddle
from bot.model import Event, Reply, StoryPosted, Visibility
from bot.ports import DeliveryError

log = logging.getLogger("huddle.teams")

CARD_CHANNEL = "teams card channel"  # what a card's seal is for

SENT_PRIVATELY = "I've sent you a private message."
PRIVATE_FAILED = (
    "I couldn't send you my answer privately just now. Please try again in a minute, "
    "or chat with me directly (find Huddle under Apps)."
)


class TeamsBot(Bot):
    """Converts each activity to neutral events and says the core's replies."""

    def __init__(self, huddle: Huddle, connector: TeamsConnector, door: CoreDoor | None = None):
        self.huddle = huddle
        self.connector = connector
        # Where the core's door runs: worker processes under ``huddle serve``.
        self.door = door or InThreads(huddle)

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        if not self.connector.service_urls.allows(activity.service_url):
            # Its reference would send the bot's token elsewhere later: neither kept nor used.
            log.warning("teams activity ignored: its serviceUrl is not a Bot Framework endpoint")
            return
        if activity.type == ActivityTypes.invoke:
            # Huddle's cards use Action.Submit (message activities); it answers no invoke.
            await context.send_activity(
                Activity(
                    type=ActivityTypes.invoke_response,
                    value=InvokeResponse(status=HTTPStatus.BAD_REQUEST),
                )
            )
            return
        inbound = convert.inbound(activity, sealed=self._sealed)
        if inbound is None:
            if activity.type == ActivityTypes.message and where(activity) is None:
                log.info("teams message without tenant or conversation ignored")
            return
        # Every event first, then every answer: a failed answer never loses an event.
        replies: list[Reply] = []
        for event in inbound.events:
            replies += await self._enter(event)
        try:
            await self._say(context, inbound, replies)
            if inbound.needs_help:
                await self.connector.send(
                    context, convert.text_activity(convert.help_text()), what="help"
                )
        except DeliveryError as error:
            # The core stored everything before we tried to answer; only the answer is lost.
            log.warning("teams reply not delivered: %s", error)

    def _seal(self, activity, channel_id: str | None) -> str | None:
        """Huddle's seal on the channel a private card acts for, for the person it goes to."""
        if not channel_id or activity.from_property is None:
            return None
        tenant = where(activity).workspace_id
        return self.huddle.vault.seal(
            CARD_CHANNEL, f"{tenant}\x00{activity.from_property.id}\x00{channel_id}"
        )

    def _sealed(self, tenant: str, user_id: str, channel_id: str, seal: str | None) -> bool:
        return self.huddle.vault.is_sealed(
            CARD_CHANNEL, f"{tenant}\x00{user_id}\x00{channel_id}", seal
        )

    async def _enter(self, event: Event) -> list[Reply]:
        """Through the core's one door, off the event loop (the core is synchronous)."""
        return await self.door.handle(event)

    async def _say(self, context: TurnContext, inbound: convert.Inbound, replies: list[Reply]):
        place, origin = inbound.place, inbound.origin
        replies, links = await offer_links(
            self.huddle, context.activity, place.workspace_id, replies
        )
        private: list[Reply] = []
        for reply in replies:
            if reply.to is not None:
                await self._tell_someone(context, place, reply)
            elif not _is_private(reply):
                await self._post(context, place, origin, reply)
            elif place.shared:
                private.append(reply)  # never into the shared conversation
            else:
                # Already a 1:1 chat. A card here on a channel's behalf keeps acting on it.
                acting_for = origin if origin != place.channel_id else None
                await self._post(context, place, place.channel_id, reply, acting_for=acting_for)
        if private:
            await self._tell_privately(context, place, origin, private, typed=inbound.typed)
        if links:  # a file's one-use link, only ever in the person's 1:1 chat
            if place.shared:
                await self.connector.send_direct(context.activity, links, what="download link")
            else:
                for link in links:
                    await self.connector.send(context, link, what="download link")

    async def _post(
        self,
        context: TurnContext,
        place: Where,
        channel_id: str,
        reply: Reply,
        *,
        acting_for: str | None = None,
    ) -> None:
        """Post one reply in a conversation; the one place a posted story is reported.

        The turn's own conversation gets it as a reply. Another conversation (a channel's
        post asked for from a card sent privately, or another reply chain) gets it
        proactively, through a reference made from this activity: nothing is looked up.
        """
        activity = convert.to_activity(
            reply, channel_id=acting_for, seal=self._seal(context.activity, acting_for)
        )
        if channel_id == place.channel_id and reply.thread_id in (None, place.thread_id):
            message_id = await self.connector.send(context, activity, what="reply")
        else:
            target = reply_chain(channel_id, reply.thread_id)
            reference = reference_to(context.activity, target, place.workspace_id)
            message_id = await self.connector.send_proactive(
                reference, activity, what="channel post"
            )
        if reply.story_id is not None and message_id:
            # Reactions to that message nominate the story from now on.
            await self._enter(
                StoryPosted(
                    convert.PLATFORM, place.workspace_id, channel_id, reply.story_id, message_id
                )
            )

    async def _tell_privately(
        self, context: TurnContext, place: Where, origin: str, replies: list[Reply], *, typed: bool
    ) -> None:
        """Answers for one person: a 1:1 chat with them, and a word where they typed."""
        seal = self._seal(context.activity, origin)
        activities = [convert.to_activity(r, channel_id=origin, seal=seal) for r in replies]
        try:
            await self.connector.send_direct(context.activity, activities, what="private reply")
        except DeliveryError as error:
            log.warning(
                "teams private reply not delivered: workspace=%s error=%s",
                place.workspace_id,
                error,
            )
            await self.connector.send(context, convert.text_activity(PRIVATE_FAILED), what="notice")
            return
        if typed:
            await self.connector.send(context, convert.text_activity(SENT_PRIVATELY), what="notice")

    async def _tell_someone(self, context: TurnContext, place: Where, reply: Reply) -> None:
        """A reply for someone else (a defect's new owner): a 1:1 chat with them."""
        assert reply.to is not None
        activity = convert.to_activity(reply)
        try:
            await self.connector.send_direct(
                context.activity, [activity], what="private message", to=reply.to.user_id
            )
        except DeliveryError as error:
            log.warning(
                "teams private message not delivered: workspace=%s error=%s",
                place.workspace_id,
                error,
            )


def _is_private(reply: Reply) -> bool:
    return reply.visibility is Visibility.PRIVATE or reply.sensitive
