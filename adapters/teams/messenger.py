"""The clock's way into Teams: post to the conversation reference each post carries.

``build_messenger`` is the ``huddle.messengers`` entry point ``teams``. It is
always available: Teams needs no settings to know where to post, only the
conversation references stored when the app was installed, which the clock loads
with its targets and hands over in ``ConversationRef.data``. Sending never calls
back into the core or the database.

It has no ``find``: the Bot Connector gives a bot no way to read a conversation's
history, so a post whose answer was lost (the clock died mid-call, a timeout) cannot
be checked. The clock marks such a post ``uncertain`` and never sends it again
(posting twice is worse than missing once); ``send`` returns the activity id the
connector gives back, which the clock records. The messenger itself is in
``proactive.py``, imported only when Teams is configured.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.teams.settings import TeamsSettings, load_teams_settings

if TYPE_CHECKING:
    from adapters.teams.proactive import TeamsMessenger
    from adapters.teams.retries import RetryPolicy
    from bot.config import Settings
    from bot.huddle import Huddle


def build_messenger(
    settings: Settings,
    huddle: Huddle,
    *,
    teams_settings: TeamsSettings | None = None,
    retry: RetryPolicy | None = None,
) -> TeamsMessenger | None:
    """Entry point ``huddle.messengers: teams``: None when Teams isn't configured.

    Without an app id (or the Emulator switch) there is no token to post with, so the
    clock must not post to the service URLs it has stored; it skips Teams and says so.
    """
    chosen = teams_settings or load_teams_settings()
    if not chosen.configured:
        return None
    # Only now: a clock that posts to Slack alone never loads botbuilder (about 550 modules).
    from adapters.teams.connector import TeamsConnector
    from adapters.teams.proactive import TeamsMessenger

    return TeamsMessenger(TeamsConnector(chosen, retry=retry))
