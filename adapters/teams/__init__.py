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

    botbuilder is imported only here, when the web process starts, so other
    ``huddle`` commands don't pay for loading it.
    """
    from adapters.teams.app import mount as mount_teams

    mount_teams(app, huddle, settings)
