"""``huddle serve``: one aiohttp process for every platform's webhooks, plus /healthz.

Each platform adds its routes with a ``mount(app, huddle, settings)`` function
listed in ``MOUNTS``; a platform that is not configured mounts nothing and says so.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Callable

from aiohttp import web
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.slack.app import mount as mount_slack
from adapters.teams import mount as mount_teams
from bot.config import Settings
from bot.huddle import Huddle
from bot.storage import db
from bot.wiring import build_huddle, server_vault

log = logging.getLogger("huddle.web")

HUDDLE = web.AppKey("huddle", Huddle)

Mount = Callable[[web.Application, Huddle, Settings], None]

# The platforms served by `huddle serve`, in the order they are mounted.
MOUNTS: list[Mount] = [
    mount_slack,
    mount_teams,  # POST /api/messages, always (unauthenticated Emulator mode without an app id)
]


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    port: int = Field(default=3000, ge=1, le=65535, validation_alias="PORT")


async def healthz(request: web.Request) -> web.Response:
    """200 when the database answers, 503 when it does not."""
    huddle = request.app[HUDDLE]
    reachable = await asyncio.to_thread(db.is_reachable, huddle.engine)
    if reachable:
        return web.json_response({"status": "ok", "database": "reachable"})
    return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)


def build_web_app(
    huddle: Huddle, settings: Settings, mounts: list[Mount] | None = None
) -> web.Application:
    app = web.Application()
    app[HUDDLE] = huddle
    app.router.add_get("/healthz", healthz)
    for mount in MOUNTS if mounts is None else mounts:
        mount(app, huddle, settings)
    return app


def run_serve(settings: Settings, args: argparse.Namespace) -> int:
    huddle = build_huddle(settings, server_vault(settings))
    port = args.port or WebSettings().port
    app = build_web_app(huddle, settings)
    log.info("huddle serve listening on port %s", port)
    web.run_app(app, port=port, print=None)
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Adds ``huddle serve`` (entry point ``huddle.commands: serve``)."""
    parser = commands.add_parser("serve", help="run the web process (Slack and Teams webhooks)")
    parser.add_argument("--port", type=int, default=None, help="port (default: $PORT, else 3000)")
    parser.set_defaults(run=run_serve)
