"""Huddle was added to a conversation, or heard from it: remember how to reach it.

The clock posts there later through the stored reference. A first hello is the
core's to say, the same wherever Huddle is added.
"""

from __future__ import annotations

from bot.door import Route, Turn
from bot.model import Installed, Reply, Visibility
from bot.storage import admins, conversations
from bot.storage.audit import record_audit

WELCOME_SHARED = (
    "Hi, I'm Huddle: the weekly team huddle for your practice. Mention me with a command, "
    "like `defect list` or `wow <what a teammate did>`. `huddle schedule monday 08:00` "
    "posts the Monday Morning Meeting here every week, and `huddle help` shows the rest."
)
WELCOME_PERSONAL = (
    "Hi, I'm Huddle. Here you can type commands directly, like `defect list`, "
    "`tidbit JS-1042` or `huddle leaderboard`. Answers here are only for you."
)


def handle(turn: Turn) -> list[Reply]:
    installed = turn.event
    assert isinstance(installed, Installed)
    if installed.data is not None:
        conversations.remember_conversation(
            session=turn.session,
            workspace_id=turn.workspace_id,
            channel_id=installed.channel_id,
            data=dict(installed.data),
            kind=installed.kind,
            group_id=installed.group_id,
            now=turn.now,
        )
    if installed.installer_id:
        _admit_installer(turn, installed)
    if not installed.welcome:
        return []
    personal = installed.kind == "personal"
    return [
        Reply(
            text=WELCOME_PERSONAL if personal else WELCOME_SHARED,
            visibility=Visibility.PRIVATE if personal else Visibility.CHANNEL,
        )
    ]


def _admit_installer(turn: Turn, installed: Installed) -> None:
    """Whoever added Huddle is an admin from then on; audited like any admin added."""
    assert installed.installer_id is not None
    name = installed.installer_name or installed.installer_id
    added = admins.add_admin(
        session=turn.session,
        workspace_id=turn.workspace_id,
        user_id=installed.installer_id,
        name=name,
        source="installer",
        now=turn.now,
    )
    if added:
        record_audit(
            session=turn.session,
            workspace_id=turn.workspace_id,
            actor_id=installed.installer_id,
            actor_name=name,
            action="admin.add",
            record_count=1,
            channel_id=installed.channel_id,
            now=turn.now,
        )


# Not fatal when it fails: a message refreshes the reference again next time.
ROUTE = Route(handle, "installed")
