"""Teams wiring: ``POST /api/messages`` on the ``huddle serve`` aiohttp app.

The route is always mounted. With ``MICROSOFT_APP_ID`` set every request must
carry a valid Bot Connector token (else 401, nothing stored); without it the
adapter runs unauthenticated for the Bot Framework Emulator and warns loudly.
"""

from __future__ import annotations

import asyncio
import logging

import jwt
from aiohttp import web
from botbuilder.core import Bot, TurnContext
from botbuilder.schema import Activity, ActivityTypes

from adapters.teams import convert
from adapters.teams.connector import RetryPolicy, TeamsConnector
from adapters.teams.messenger import TeamsMessenger
from adapters.teams.settings import (
    TeamsConfigurationError,
    TeamsSettings,
    load_teams_settings,
)
from bot.commands.wow import story_post
from bot.config import Settings
from bot.huddle import Huddle
from bot.model import ConversationRef, Incoming, Reaction, Reply, Visibility
from bot.ports import DeliveryError
from bot.threads import is_meeting_thread
from bot.wiring import StartupError

log = logging.getLogger("huddle.teams")

TEAMS = web.AppKey("teams", TeamsConnector)

EMULATOR_WARNING = (
    "MICROSOFT_APP_ID is not set: /api/messages accepts UNAUTHENTICATED requests "
    "(Bot Framework Emulator mode). Anyone who can reach this server can talk to the bot "
    "as any user. Set MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID "
    "before exposing it to the internet."
)
WELCOME_PERSONAL = (
    "Hi, I'm Huddle. Here you can type commands directly, like `defect list`, "
    "`tidbit JS-1042` or `huddle leaderboard`. Answers here are only for you."
)
SENT_PRIVATELY = "I've sent you a private message."
PRIVATE_FAILED = (
    "I couldn't send you my answer privately just now. Please try again in a minute, "
    "or chat with me directly (find Huddle under Apps)."
)
WELCOME = (
    "Hi, I'm Huddle: the weekly team huddle for your practice. "
    "@mention me with a command, like `@Huddle defect list` or `@Huddle wow ...`.\n\n"
    "`@Huddle huddle schedule monday 08:00` posts the Monday Morning Meeting here every week."
)


class TeamsBot(Bot):
    """Translates activities to the core and the core's replies back to activities."""

    def __init__(self, huddle: Huddle, connector: TeamsConnector):
        self.huddle = huddle
        self.connector = connector
        self.messenger = TeamsMessenger(huddle, connector)  # posts to stored references

    async def on_turn(self, context: TurnContext) -> None:
        kind = context.activity.type
        try:
            if kind == ActivityTypes.message:
                await self._on_message(context)
            elif kind == ActivityTypes.message_reaction:
                await self._on_reaction(context)
            elif kind in (ActivityTypes.conversation_update, ActivityTypes.installation_update):
                await self._on_install(context)
        except DeliveryError as error:
            # The core stored everything before we tried to answer; only the answer is lost.
            log.warning("teams reply not delivered: %s", error)

    # -- messages -----------------------------------------------------------------

    async def _on_message(self, context: TurnContext) -> None:
        activity = context.activity
        place = convert.where(activity)
        if place is None or activity.from_property is None:
            log.info("teams message without tenant or conversation ignored")
            return
        submitted = convert.submitted(activity.value)
        if submitted is None and place.shared and not convert.mentions_bot(activity):
            # Not addressed to Huddle: Teams sends these only under the manifest's
            # ChannelMessage.Read.Group permission. A reply under a weekly meeting post is
            # a story, as in Slack; anything else is dropped, neither stored nor logged.
            await self._thread_story(context, place, convert.command_text(activity))
            return
        await self._remember(activity, place)
        if submitted is not None:
            request = _card_request(submitted, place)
            if request is None:
                return
            origin, command, text, form = request
        else:
            typed_text = convert.command_text(activity)
            parsed = convert.parse_command(typed_text)
            if parsed is None:
                if not await self._thread_story(context, place, typed_text):
                    await self.connector.send(context, _text(convert.HELP), what="help")
                return
            origin, (command, text), form = place.channel_id, parsed, None
        incoming = Incoming(
            platform=convert.PLATFORM,
            workspace_id=place.workspace_id,
            channel_id=origin,
            user_id=activity.from_property.id,
            user_name=activity.from_property.name or "Someone",
            command=command,
            text=text,
            form=form,
            event_id=activity.id,
            workspace_name=convert.team_name(activity),
        )
        replies = await asyncio.to_thread(self.huddle.handle, incoming)
        await self._deliver(context, place, origin, replies, typed=submitted is None)

    async def _thread_story(self, context: TurnContext, place: convert.Where, text: str) -> bool:
        """A reply in the weekly meeting's reply chain is a WOW story.

        It is posted back as a story card, because Teams tells a bot only about
        reactions to its own messages. True when the message was such a reply
        (a redelivered one included: it is answered once).
        """
        activity = context.activity
        if not place.thread_id or not activity.id or not text.strip():
            return False
        is_reply_to_meeting = await asyncio.to_thread(
            is_meeting_thread,
            self.huddle,
            platform=convert.PLATFORM,
            workspace_id=place.workspace_id,
            channel_id=place.channel_id,
            thread_id=place.thread_id,
        )
        if not is_reply_to_meeting:
            return False
        name = activity.from_property.name or "Someone"
        story_id = await asyncio.to_thread(
            self.huddle.capture_thread_story,
            platform=convert.PLATFORM,
            workspace_id=place.workspace_id,
            channel_id=place.channel_id,
            thread_id=place.thread_id,
            message_id=activity.id,
            user_id=activity.from_property.id,
            user_name=name,
            text=text,
            event_id=f"thread-reply:{activity.id}",
        )
        if story_id is not None:
            reply = story_post(story_id, name, text)
            await self._deliver(context, place, place.channel_id, [reply], typed=True)
        return True

    async def _deliver(
        self,
        context: TurnContext,
        place: convert.Where,
        origin: str,
        replies: list[Reply],
        *,
        typed: bool,
    ) -> None:
        private = [r for r in replies if place.shared and _is_private(r)]
        for reply in replies:
            if place.shared and _is_private(reply):
                continue
            if reply.visibility is Visibility.CHANNEL and origin != place.channel_id:
                # Asked from a card sent privately: the channel's post goes to the channel.
                ref = ConversationRef(convert.PLATFORM, place.workspace_id, origin)
                await self.messenger.send(ref, reply)
                continue
            message_id = await self.connector.send(
                context, convert.to_activity(reply), what="reply"
            )
            await self.messenger.story_posted(
                place.workspace_id, place.channel_id, reply, message_id
            )
        if not private:
            return
        # Private answers never enter the shared conversation: a 1:1 chat with the asker.
        activities = [convert.to_activity(r, channel_id=origin) for r in private]
        try:
            await self.connector.send_direct(context.activity, activities, what="private reply")
        except DeliveryError as error:
            log.warning(
                "teams private reply not delivered: workspace=%s error=%s",
                place.workspace_id,
                error,
            )
            await self.connector.send(context, _text(PRIVATE_FAILED), what="notice")
            return
        if typed:
            await self.connector.send(context, _text(SENT_PRIVATELY), what="notice")

    # -- reactions ----------------------------------------------------------------

    async def _on_reaction(self, context: TurnContext) -> None:
        activity = context.activity
        place = convert.where(activity)
        if place is None or not activity.reply_to_id or activity.from_property is None:
            return
        changes = [(True, r) for r in activity.reactions_added or []]
        changes += [(False, r) for r in activity.reactions_removed or []]
        replies: list[Reply] = []
        for added, message_reaction in changes:
            emoji = message_reaction.type or ""
            reaction = Reaction(
                platform=convert.PLATFORM,
                workspace_id=place.workspace_id,
                channel_id=place.channel_id,
                message_id=activity.reply_to_id,
                user_id=activity.from_property.id,
                user_name=activity.from_property.name or "Someone",
                emoji=emoji,
                added=added,
                event_id=f"{activity.id}:{'+' if added else '-'}{emoji}" if activity.id else None,
            )
            replies += await asyncio.to_thread(self.huddle.react, reaction)
        if replies:
            await self._deliver(context, place, place.channel_id, replies, typed=False)

    # -- installation -------------------------------------------------------------

    async def _on_install(self, context: TurnContext) -> None:
        activity = context.activity
        place = convert.where(activity)
        if place is None:
            return
        removal = convert.removal(activity)
        if removal is not None:
            # Nothing is said in reply: Huddle can no longer post there.
            await asyncio.to_thread(self._removed, removal)
            return
        if (
            activity.type == ActivityTypes.installation_update
            and (activity.action or "").casefold() == "remove-upgrade"
        ):
            # "remove-upgrade" is half of an app upgrade, not a removal: keep everything.
            log.info(
                "teams installationUpdate %r: nothing changes: workspace=%s",
                activity.action,
                place.workspace_id,
            )
            return
        await self._remember(activity, place)
        bot_added = activity.type == ActivityTypes.conversation_update and any(
            member.id == activity.recipient.id for member in activity.members_added or []
        )
        if bot_added:
            welcome = WELCOME if place.shared else WELCOME_PERSONAL
            await self.connector.send(context, _text(welcome), what="welcome")

    def _removed(self, removal: convert.Removal) -> None:
        """Stop the weekly meetings and forget the references a removal covers.

        A whole team: every channel of it Huddle has a reference for (each remembers its
        team), the team's General channel (whose id is the team's) and the channel the
        activity names. Other teams and chats in the tenant keep theirs. Repeated
        removals change nothing more.
        """
        covered = {removal.channel_id, removal.team_id}
        if removal.team_id is not None:
            stored = self.huddle.conversations(
                platform=convert.PLATFORM, workspace_id=removal.workspace_id
            )
            covered |= {
                channel for channel, data in stored.items() if removal.covers(channel, data)
            }
        stopped = sum(
            self.huddle.app_removed(
                platform=convert.PLATFORM, workspace_id=removal.workspace_id, channel_id=channel
            )
            for channel in sorted(c for c in covered if c)
        )
        log.info(
            "teams: huddle removed from %s: workspace=%s conversations=%d meetings stopped=%d",
            "a team" if removal.team_id else "a conversation",
            removal.workspace_id,
            len(covered),
            stopped,
        )

    async def _remember(self, activity: Activity, place: convert.Where) -> None:
        """Store how to reach this conversation later (the clock's weekly posts)."""
        data = TurnContext.get_conversation_reference(activity).serialize()
        data.setdefault("conversation", {})["id"] = place.channel_id  # new posts, not replies
        data.pop("activityId", None)
        # Teams spells it tenantId; botbuilder's ConversationAccount reads tenantID.
        data["conversation"]["tenantId"] = data["conversation"]["tenantID"] = place.workspace_id
        team = convert.team_id(activity)
        if team is not None:
            data[convert.TEAM_KEY] = team  # so removing Huddle from the team finds this channel
        try:
            await asyncio.to_thread(
                self.huddle.remember_conversation,
                platform=convert.PLATFORM,
                workspace_id=place.workspace_id,
                channel_id=place.channel_id,
                data=data,
                kind=place.scope,
                workspace_name=convert.team_name(activity),
            )
        except Exception:
            # Not fatal for this turn: the command still runs (and says sorry if the
            # database is down); the reference is refreshed by the next message.
            log.exception(
                "teams: could not store a conversation reference: workspace=%s", place.workspace_id
            )


def _card_request(
    submitted: convert.Submitted, place: convert.Where
) -> tuple[str, str, str, dict[str, str] | None] | None:
    """(origin channel, command, text, form) for a card's submit; None if it names no command."""
    origin = place.channel_id
    if not place.shared and submitted.channel_id:
        origin = submitted.channel_id  # a card sent privately on a channel's behalf
    if submitted.action == "form":
        return origin, submitted.command, "", submitted.form
    parsed = convert.parse_command(submitted.command)
    if parsed is None:
        return None
    command, text = parsed
    if submitted.answer:
        text = f"{text} {submitted.answer}".strip()
    return origin, command, text, None


def _is_private(reply: Reply) -> bool:
    return reply.visibility is Visibility.PRIVATE or reply.sensitive


def _text(text: str) -> Activity:
    return Activity(type=ActivityTypes.message, text=text, text_format="markdown")


def mount(
    app: web.Application,
    huddle: Huddle,
    settings: Settings,
    *,
    teams_settings: TeamsSettings | None = None,
    retry: RetryPolicy | None = None,
) -> None:
    """Add ``POST /api/messages`` (``adapters.web.MOUNTS``)."""
    if teams_settings is None:
        try:
            teams_settings = load_teams_settings()
        except TeamsConfigurationError as error:
            raise StartupError(str(error)) from None
    if teams_settings.authenticated:
        log.info(
            "teams: /api/messages for app %s (%s)", teams_settings.app_id, teams_settings.app_type
        )
    else:
        log.warning(EMULATOR_WARNING)
    connector = TeamsConnector(teams_settings, retry=retry)
    bot = TeamsBot(huddle, connector)
    app[TEAMS] = connector

    async def messages(request: web.Request) -> web.StreamResponse:
        if teams_settings.authenticated and not request.headers.get("Authorization"):
            raise web.HTTPUnauthorized()  # before looking at anything else
        if "application/json" not in request.headers.get("Content-Type", ""):
            raise web.HTTPUnsupportedMediaType(text="Activities are JSON.")
        try:
            body = await request.json()  # aiohttp keeps the body for the adapter to read again
        except ValueError:
            raise web.HTTPBadRequest(text="The body is not JSON.") from None
        if not isinstance(body, dict) or not body.get("type"):
            raise web.HTTPBadRequest(text="The body is not an activity.")
        try:
            response = await connector.adapter.process(request, bot)
        except web.HTTPException:
            raise
        except (jwt.PyJWTError, PermissionError):
            raise web.HTTPUnauthorized() from None
        except Exception as error:
            # Turn errors are handled inside the turn; what gets here failed authentication
            # (a token we could not verify, signing keys we could not fetch): refuse it.
            if not teams_settings.authenticated:
                raise
            log.warning("teams: request refused, token not verified (%s)", type(error).__name__)
            raise web.HTTPUnauthorized() from None
        return response or web.Response(status=201)

    async def close(app: web.Application) -> None:
        connector.close()

    app.router.add_post("/api/messages", messages)
    app.on_cleanup.append(close)
