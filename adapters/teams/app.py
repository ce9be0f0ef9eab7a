"""Teams wiring: ``POST /api/messages`` on the ``huddle serve`` aiohttp app.

The route is always mounted, and closed unless Teams is configured. With
``MICROSOFT_APP_ID`` every request must carry a valid Bot Connector token (else 401,
nothing stored). With ``TEAMS_UNAUTHENTICATED_EMULATOR_MODE=true`` (and no app id)
it takes unauthenticated requests, for the Bot Framework Emulator, and warns loudly.
With neither, every request gets 401: a server meant for Slack alone stays shut.
"""

from __future__ import annotations

import logging

import jwt
from aiohttp import web

from adapters.core_processes import CORE_DOOR
from adapters.teams.closed import mount_closed
from adapters.teams.connector import RetryPolicy, ServiceUrlRefused, TeamsConnector
from adapters.teams.request_checks import NotAnActivity, read_activity
from adapters.teams.settings import (
    TeamsConfigurationError,
    TeamsSettings,
    load_teams_settings,
)
from adapters.teams.turns import TeamsBot
from bot.config import Settings
from bot.huddle import Huddle
from bot.wiring import StartupError

log = logging.getLogger("huddle.teams")

TEAMS = web.AppKey("teams", TeamsConnector)

EMULATOR_WARNING = (
    "TEAMS_UNAUTHENTICATED_EMULATOR_MODE is on: /api/messages accepts UNAUTHENTICATED "
    "requests (Bot Framework Emulator mode). Anyone who can reach this server can talk to "
    "the bot as any user. Turn it off, and set MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and "
    "MICROSOFT_APP_TENANT_ID, before exposing it to the internet."
)


def mount(
    app: web.Application,
    huddle: Huddle,
    settings: Settings,
    *,
    teams_settings: TeamsSettings | None = None,
    retry: RetryPolicy | None = None,
) -> None:
    """Add ``POST /api/messages`` (entry point ``huddle.mounts: teams``)."""
    if teams_settings is None:
        try:
            teams_settings = load_teams_settings()
        except TeamsConfigurationError as error:
            raise StartupError(str(error)) from None
    if not teams_settings.configured:
        mount_closed(app)
        return
    if teams_settings.authenticated:
        log.info(
            "teams: /api/messages for app %s (%s)", teams_settings.app_id, teams_settings.app_type
        )
    else:
        log.warning(EMULATOR_WARNING)
    connector = TeamsConnector(teams_settings, retry=retry)
    app[TEAMS] = connector
    app.router.add_post(
        "/api/messages", _messages(connector, TeamsBot(huddle, connector, door=app.get(CORE_DOOR)))
    )

    async def close(app: web.Application) -> None:
        connector.close()

    app.on_cleanup.append(close)


def _messages(connector: TeamsConnector, bot: TeamsBot):
    authenticated = connector.settings.authenticated

    async def messages(request: web.Request) -> web.StreamResponse:
        if authenticated and not request.headers.get("Authorization"):
            raise web.HTTPUnauthorized()  # before looking at anything else
        if "application/json" not in request.headers.get("Content-Type", ""):
            raise web.HTTPUnsupportedMediaType(text="Activities are JSON.")
        try:
            # aiohttp keeps the body for the adapter to read again.
            body, _ = read_activity(await request.read())
        except NotAnActivity as problem:
            raise web.HTTPBadRequest(text=str(problem)) from None
        if not connector.service_urls.allows(body.get("serviceUrl")):
            # Answering would send the bot's token there: only Microsoft's Bot Connector.
            log.warning("teams: request refused, its serviceUrl is not a Bot Framework endpoint")
            raise web.HTTPBadRequest(text="The serviceUrl is not a Bot Framework endpoint.")
        try:
            response = await connector.adapter.process(request, bot)
        except web.HTTPException:
            raise
        except ServiceUrlRefused:
            raise web.HTTPBadRequest(
                text="The serviceUrl is not a Bot Framework endpoint."
            ) from None
        except (jwt.PyJWTError, PermissionError):
            raise web.HTTPUnauthorized() from None
        except Exception as error:
            # Turn errors are handled inside the turn; what gets here failed authentication
            # (a token we could not verify, signing keys we could not fetch): refuse it.
            if not authenticated:
                raise
            log.warning("teams: request refused, token not verified (%s)", type(error).__name__)
            raise web.HTTPUnauthorized() from None
        return response or web.Response(status=201)

    return messages
