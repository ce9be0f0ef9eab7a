"""``Huddle``: the core's facade, and its one door for every inbound event.

Adapters convert a platform payload to a neutral event (``bot.model.Event``) and
call ``Huddle.handle``; the door (``bot.door``) and its table (``bot.handlers``)
do the rest. Every method is synchronous and runs one short transaction; adapters
on an event loop call it off the loop (``huddle serve`` runs the door in worker
processes, each with a ``Huddle`` of its own: ``adapters.core_processes``), so it keeps
no state between calls but the database's. It never sends anything:
it returns ``Reply`` objects for the adapter (or the clock's ``Messenger``) to say.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa

from bot.blueprint import ContentLibrary
from bot.config import Settings
from bot.content import Content
from bot.crypto import Vault
from bot.door import enter
from bot.handlers import ROUTES
from bot.model import ConversationRef, Event, MeetingShown, Reply
from bot.scheduling import utc_now
from bot.storage import meetings
from bot.storage.db import transaction
from bot.storage.models import Workspace
from bot.storage.tidbits import purge_expired_tidbits
from bot.storage.workspaces import ensure_workspace
from bot.weekly import this_weeks_meeting, this_weeks_post

log = logging.getLogger("huddle")


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
        self.content = content  # the server's; each workspace's is ``contents.for_workspace``
        self.contents = ContentLibrary(content)
        self.vault = vault
        self.clock = clock

    # -- the one door -------------------------------------------------------------

    def handle(self, event: Event) -> list[Reply]:
        """Handle one inbound event and return what to say. Never raises for bad input.

        Every event of every platform comes in here (``bot.model.Event``): a command,
        a reaction, a thread reply, a story posted, installed, removed, home opened.
        Example::

            huddle.handle(Incoming("console", "local", "team", "alex", "Alex", "defect", "list"))
        """
        return enter(
            event,
            routes=ROUTES,
            engine=self.engine,
            library=self.contents,
            vault=self.vault,
            settings=self.settings,
            now=self.clock(),
        )

    def this_weeks_meeting(self, ref: ConversationRef) -> Reply:
        """This week's meeting of a channel, shown now (through the door: ``MeetingShown``)."""
        [meeting] = self.handle(MeetingShown(ref.platform, ref.workspace_id, ref.channel_id))
        return meeting

    # -- the weekly meeting, for the clock and scripts ------------------------------

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
            workspace = self._workspace_by_ids(session, ref.platform, ref.workspace_id)
            content = self.contents.for_workspace(session=session, workspace_id=workspace.id)
            post, rule, won = this_weeks_post(
                session=session,
                content=content,
                workspace=workspace,
                ref=ref,
                now=self.clock(),
                tz=tz,
            )
            if not won:
                return None
            return post.id, this_weeks_meeting(
                session=session, content=content, post=post, rule=rule
            )

    def meeting_posted(self, post_id: int, message_id: str | None) -> None:
        with transaction(self.engine) as session:
            post = session.get(meetings.MeetingPost, post_id)
            if post is not None:
                meetings.mark_posted(
                    session=session, post=post, message_id=message_id, now=self.clock()
                )

    # -- housekeeping -----------------------------------------------------------

    def purge_expired(self) -> int:
        """Delete tidbits past their retention date. Returns how many went."""
        with transaction(self.engine) as session:
            return purge_expired_tidbits(session=session, now=self.clock())

    # -- internals --------------------------------------------------------------

    def _workspace_by_ids(self, session, platform: str, workspace_id: str) -> Workspace:
        return ensure_workspace(
            session=session,
            platform=platform,
            external_id=workspace_id,
            default_timezone=self.settings.default_timezone,
            now=self.clock(),
        )
