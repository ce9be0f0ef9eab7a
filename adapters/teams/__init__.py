"""The Microsoft Teams adapter, on the Bot Framework SDK (botbuilder).

Every botbuilder import in Huddle lives in this folder, so moving to the
Microsoft 365 Agents SDK later touches nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web

    from bot.config import Settings
    from bot.huddle import Huddle


def mount(app: web.Application, huddle: Huddle, settings: Settings) -> None:
    """``POST /api/messages`` for ``huddle serve``.

    botbuilder is imported only here, when the web process starts and Teams is
    configured, so other ``huddle`` commands and a server for Slack alone don't pay for
    loading it (about 550 modules and 20 MiB).
    """
    from adapters.teams.closed import mount_closed
    from adapters.teams.settings import TeamsConfigurationError, load_teams_settings
    from bot.wiring import StartupError

    try:
        teams_settings = load_teams_settings()
    except TeamsConfigurationError as error:
        raise StartupError(str(error)) from None
    if not teams_settings.configured:
        mount_closed(app)
        return
    from adapters.teams.app import mount as mount_teams

    mount_teams(app, huddle, settings, teams_settings=teams_settings)
