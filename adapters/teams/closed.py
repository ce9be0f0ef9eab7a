"""``POST /api/messages`` when Teams is not configured: shut, and nothing of botbuilder loaded."""

from __future__ import annotations

import logging

from aiohttp import web

log = logging.getLogger("huddle.teams")

NOT_CONFIGURED = (
    "teams: not configured, so /api/messages answers 401 to every request. To answer "
    "Microsoft Teams, set MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and "
    "MICROSOFT_APP_TENANT_ID; for the Bot Framework Emulator on your own machine, set "
    "TEAMS_UNAUTHENTICATED_EMULATOR_MODE=true instead."
)


def mount_closed(app: web.Application) -> None:
    """Every request gets 401: a server meant for Slack alone stays shut."""
    log.info(NOT_CONFIGURED)
    app.router.add_post("/api/messages", closed)


async def closed(request: web.Request) -> web.StreamResponse:
    """Teams is not configured: nothing is read, nothing is stored."""
    raise web.HTTPUnauthorized()
