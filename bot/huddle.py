"""``Huddle``: the one object adapters and the clock talk to.

Every method is synchronous and runs one short transaction; adapters on an
event loop call it through ``asyncio.to_thread``. It never sends anything: it
returns ``Reply`` objects for the adapter (or the clock's ``Messenger``) to say.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa

from bot.commands import COMMANDS, command_help
from bot.commands.context import Context, UsageError
from bot.commands.wow import SELF_VOTE
from bot.config import Settings
from bot.content import Content
from bot.crypto import Vault
from bot.meeting import compose_meeting, next_rule, weekly_meeting
from bot.model import ConversationRef, Incoming, Reaction, Reply, Visibility
from bot.scheduling import iso_week_of, utc_now
from bot.storage import conversations, meetings, stories, subscriptions
from bot.storage.db import transaction
from bot.storage.events import claim_event
from bot.storage.models import STORY_MAX, Workspace
from bot.storage.tidbits import purge_expired_tidbits
from bot.storage.workspaces import ensure_workspace, get_workspace
from bot.weekly import this_weeks_post

log = logging.getLogger("huddle")

# Longest command text accepted at all; each command has tighter limits of its own.
MAX_INPUT = 4000

DEFAULT_NOMINATE_EMOJI = {"slack": "star-struck", "teams": "heart", "console": "star-struck"}

SORRY = (
    "Sorry, something went wrong on our side and nothing was saved. "
    "Please try again in a minute; if it keeps happening, tell your practice manager."
)


class Huddle:
    """The core, wired: database, content, encryption and a clock."""

    def __init__(
        self,
        *,
        engine: sa.Engine,
        settings: Settings,
        content: Content,
        vault: Vault,
        clock: Callable[[], datetime] = utc_now,
    ):
        self.engine = engine
        self.settings = settings
        self.content = content
        self.vault = vault
        self.clock = clock

    # -- commands ---------------------------------------------------------------

    def handle(self, incoming: Incoming) -> list[Reply]:
        """Run one command and return what to say. Never raises for bad input."""
        name = incoming.command.strip().lstrip("/").casefold()
        handler = COMMANDS.get(name)
        if handler is None:
            return [_private(f"I don't know the command “{name[:30]}”. {command_help()}")]
        if len(incoming.text) > MAX_INPUT:
            return [
                _private(
                    f"That's {len(incoming.text)} characters, more than I can take in one go "
                    f"({MAX_INPUT}). Please shorten it and send it again."
                )
            ]
        try:
            with transaction(self.engine) as session:
                workspace = self._workspace(session, incoming)
                if incoming.event_id and not claim_event(
                    session=session,
                    workspace_id=workspace.id,
                    event_id=incoming.event_id,
                    now=self.clock(),
                ):
                    return []
                context = Context(
                    session=session,
                    workspace=workspace,
                    incoming=incoming,
                    content=self.content,
                    vault=self.vault,
                    settings=self.settings,
                    now=self.clock(),
                )
                return handler(context)
        except UsageError as error:
            return [_private(str(error))]
        except Exception:
            # Never log the text: it may hold patient data.
            log.exception(
                "command failed: platform=%s workspace=%s command=%s",
                incoming.platform,
                incoming.workspace_id,
                name,
            )
            return [_private(SORRY)]

    # -- stories ----------------------------------------------------------------

    def story_posted(
        self, *, platform: str, workspace_id: str, channel_id: str, story_id: int, message_id: str
    ) -> None:
        """Remember which platform message shows a story, so reactions to it count."""
        with transaction(self.engine) as session:
            workspace = get_workspace(session=session, platform=platform, external_id=workspace_id)
            if workspace is None:
                return
            story = stories.get_story(session=session, workspace_id=workspace.id, story_id=story_id)
            if story is not None and story.channel_id == channel_id:
                stories.set_story_message(session=session, story=story, message_id=message_id)

    def react(self, reaction: Reaction) -> list[Reply]:
        """A reaction on a message: nominates (or un-nominates) the story it shows.

        Reactions with another emoji, on messages that are not stories, or
        delivered twice are ignored. Replies, if any, are private to the reactor.
        """
        try:
            with transaction(self.engine) as session:
                workspace = get_workspace(
                    session=session, platform=reaction.platform, external_id=reaction.workspace_id
                )
                if workspace is None or not self._is_nominate_emoji(workspace, reaction.emoji):
                    return []
                story = stories.story_for_message(
                    session=session,
                    workspace_id=workspace.id,
                    channel_id=reaction.channel_id,
                    message_id=reaction.message_id,
                )
                if story is None:
                    return []
                if reaction.event_id and not claim_event(
                    session=session,
                    workspace_id=workspace.id,
                    event_id=reaction.event_id,
                    now=self.clock(),
                ):
                    return []
                if story.author_id == reaction.user_id:
                    if reaction.added:
                        return [_private(SELF_VOTE)]
                    return []
                if reaction.added:
                    stories.add_nomination(
                        session=session, story=story, voter_id=reaction.user_id, now=self.clock()
                    )
                else:
                    stories.remove_nomination(
                        session=session, story=story, voter_id=reaction.user_id
                    )
                return []
        except Exception:
            log.exception(
                "reaction failed: platform=%s workspace=%s",
                reaction.platform,
                reaction.workspace_id,
            )
            return []

    def capture_thread_story(
        self,
        *,
        platform: str,
        workspace_id: str,
        channel_id: str,
        thread_id: str,
        message_id: str,
        user_id: str,
        user_name: str,
        text: str,
        event_id: str | None = None,
    ) -> int | None:
        """A reply in the thread of a weekly meeting post becomes a WOW story.

        Returns the new story's id, or None when the thread is not a meeting
        post, the text is empty or too long, or the reply was already captured.
        ``event_id`` (optional) makes a redelivery count once even after the story's
        message has been moved to the bot's own post of it (``story_posted``), as
        Teams does so that reactions reach it.
        """
        text = text.strip()
        if not text or len(text) > STORY_MAX:
            return None
        with transaction(self.engine) as session:
            workspace = get_workspace(session=session, platform=platform, external_id=workspace_id)
            if workspace is None:
                return None
            meeting = meetings.meeting_for_message(
                session=session,
                workspace_id=workspace.id,
                channel_id=channel_id,
                message_id=thread_id,
            )
            if meeting is None:
                return None
            if event_id and not claim_event(
                session=session, workspace_id=workspace.id, event_id=event_id, now=self.clock()
            ):
                return None
            story = stories.record_story(
                session=session,
                workspace_id=workspace.id,
                channel_id=channel_id,
                author_id=user_id,
                author_name=user_name,
                text=text,
                now=self.clock(),
                source="thread",
                message_id=message_id,
            )
            return story.id if story is not None else None

    # -- the weekly meeting -----------------------------------------------------

    def preview_meeting(self, *, platform: str, workspace_id: str, channel_id: str) -> Reply:
        """The next meeting this channel would get (nothing is recorded)."""
        with transaction(self.engine) as session:
            workspace = self._workspace_by_ids(session, platform, workspace_id)
            posted = meetings.posted_rule_ids(
                session=session, workspace_id=workspace.id, channel_id=channel_id
            )
            rule = next_rule(self.content, posted)
            return compose_meeting(rule, week_label="Preview", visibility=Visibility.PRIVATE)

    def claim_meeting(
        self, ref: ConversationRef, *, tz: str | None = None
    ) -> tuple[int, Reply] | None:
        """Claim this week's meeting for a channel and compose it.

        Returns (meeting post id, the post), or None when this week's post was
        already claimed by anyone (the clock included): the unique constraint makes
        this exactly-once. The week and the rule are the clock's: the channel's
        local ISO week and the next rule of the curriculum it has not had.
        """
        with transaction(self.engine) as session:
            post, rule, won = this_weeks_post(
                session=session,
                content=self.content,
                workspace=self._workspace_by_ids(session, ref.platform, ref.workspace_id),
                ref=ref,
                now=self.clock(),
                tz=tz,
            )
            if not won:
                return None
            return post.id, weekly_meeting(rule, *iso_week_of(post.period))

    def meeting_posted(self, post_id: int, message_id: str | None) -> None:
        with transaction(self.engine) as session:
            post = session.get(meetings.MeetingPost, post_id)
            if post is not None:
                meetings.mark_posted(
                    session=session, post=post, message_id=message_id, now=self.clock()
                )

    def this_weeks_meeting(self, ref: ConversationRef, *, tz: str | None = None) -> Reply:
        """This week's post for a channel: claims it if nobody has, else shows it again.

        For adapters that show the post themselves (the console's ``/monday``), so
        it is marked posted at once and the clock will not post that week again.
        """
        with transaction(self.engine) as session:
            post, rule, _won = this_weeks_post(
                session=session,
                content=self.content,
                workspace=self._workspace_by_ids(session, ref.platform, ref.workspace_id),
                ref=ref,
                now=self.clock(),
                tz=tz,
            )
            if post.status != meetings.POSTED:
                meetings.mark_posted(session=session, post=post, message_id=None, now=self.clock())
            return weekly_meeting(rule, *iso_week_of(post.period))

    # -- conversation references (platforms that post proactively) -------------

    def remember_conversation(
        self,
        *,
        platform: str,
        workspace_id: str,
        channel_id: str,
        data: dict,
        kind: str = "channel",
        workspace_name: str | None = None,
    ) -> None:
        """Store how to reach a conversation later (a Teams conversation reference)."""
        with transaction(self.engine) as session:
            workspace = ensure_workspace(
                session=session,
                platform=platform,
                external_id=workspace_id,
                default_timezone=self.settings.default_timezone,
                now=self.clock(),
                name=workspace_name,
            )
            conversations.remember_conversation(
                session=session,
                workspace_id=workspace.id,
                channel_id=channel_id,
                data=data,
                kind=kind,
                now=self.clock(),
            )

    def conversation(self, *, platform: str, workspace_id: str, channel_id: str) -> dict | None:
        with transaction(self.engine) as session:
            workspace = get_workspace(session=session, platform=platform, external_id=workspace_id)
            if workspace is None:
                return None
            return conversations.conversation_data(
                session=session, workspace_id=workspace.id, channel_id=channel_id
            )

    def conversations(self, *, platform: str, workspace_id: str) -> dict[str, dict]:
        """Every stored conversation reference of a workspace: channel id -> its data.

        For an adapter that must work out which of them a removal covers (a Teams
        team's channels share a tenant with other teams and chats).
        """
        with transaction(self.engine) as session:
            workspace = get_workspace(session=session, platform=platform, external_id=workspace_id)
            if workspace is None:
                return {}
            return conversations.workspace_conversations(session=session, workspace_id=workspace.id)

    def app_removed(
        self, *, platform: str, workspace_id: str, channel_id: str | None = None
    ) -> int:
        """Huddle was removed from a workspace (or one conversation of it).

        Stops the weekly meeting there, so the clock stops trying to post where it
        can't, and forgets how to reach it. Defects, stories and tidbits stay (under
        their retention) in case the practice adds Huddle back. Returns how many
        weekly meetings were stopped.
        """
        with transaction(self.engine) as session:
            workspace = get_workspace(session=session, platform=platform, external_id=workspace_id)
            if workspace is None:
                return 0
            conversations.forget_conversations(
                session=session, workspace_id=workspace.id, channel_id=channel_id
            )
            stopped = subscriptions.stop_subscriptions(
                session=session, workspace_id=workspace.id, channel_id=channel_id, now=self.clock()
            )
        log.info(
            "huddle removed: platform=%s workspace=%s channel=%s; %d weekly meeting(s) stopped",
            platform,
            workspace_id,
            channel_id or "all",
            stopped,
        )
        return stopped

    # -- housekeeping -----------------------------------------------------------

    def purge_expired(self) -> int:
        """Delete tidbits past their retention date. Returns how many went."""
        with transaction(self.engine) as session:
            return purge_expired_tidbits(session=session, now=self.clock())

    # -- internals --------------------------------------------------------------

    def _workspace(self, session, incoming: Incoming) -> Workspace:
        return ensure_workspace(
            session=session,
            platform=incoming.platform,
            external_id=incoming.workspace_id,
            default_timezone=self.settings.default_timezone,
            now=self.clock(),
            name=incoming.workspace_name,
        )

    def _workspace_by_ids(self, session, platform: str, workspace_id: str) -> Workspace:
        return ensure_workspace(
            session=session,
            platform=platform,
            external_id=workspace_id,
            default_timezone=self.settings.default_timezone,
            now=self.clock(),
        )

    @staticmethod
    def _is_nominate_emoji(workspace: Workspace, emoji: str) -> bool:
        wanted = workspace.nominate_emoji or DEFAULT_NOMINATE_EMOJI.get(
            workspace.platform, "star-struck"
        )
        return emoji.strip(":").casefold() == wanted.casefold()


def _private(text: str) -> Reply:
    return Reply(text=text, visibility=Visibility.PRIVATE)
