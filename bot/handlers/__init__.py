"""The door's dispatch table: which handler takes which kind of event.

One file per kind of event. Adding a kind of event is a type in ``bot.model``, a
file here and a line in this table; adding a command is a line in
``bot.commands`` and never touches this table.
"""

from __future__ import annotations

from bot.door import Route
from bot.handlers import (
    command,
    home_opened,
    installed,
    meeting_shown,
    reaction,
    removed,
    role_seen,
    story_posted,
    thread_reply,
)
from bot.model import (
    HomeOpened,
    Incoming,
    Installed,
    MeetingShown,
    Reaction,
    Removed,
    RoleSeen,
    StoryPosted,
    ThreadReply,
)

ROUTES: dict[type, Route] = {
    Incoming: command.ROUTE,
    Reaction: reaction.ROUTE,
    ThreadReply: thread_reply.ROUTE,
    StoryPosted: story_posted.ROUTE,
    Installed: installed.ROUTE,
    Removed: removed.ROUTE,
    HomeOpened: home_opened.ROUTE,
    MeetingShown: meeting_shown.ROUTE,
    RoleSeen: role_seen.ROUTE,
}
