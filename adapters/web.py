"""``huddle serve``: one aiohttp process for every platform's webhooks, plus /healthz.

Each platform adds its routes with a ``mount(app, huddle, settings)`` function,
registered in the ``huddle.mounts`` entry-point group (``pyproject.toml``), so a new
platform is its own folder plus one entry point; a platform that is not configured
mounts nothing and says so. Each platform's module is imported only here, when the
web process starts.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys
from collections.abc import Callable
from importlib.metadata import entry_points

from aiohttp import web
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.core_processes import CORE_DOOR, CoreDoor, InThreads, door_for, lifetime
from bot.config import Settings
from bot.huddle import Huddle
from bot.storage import db
from bot.wiring import build_huddle, server_vault

log = logging.getLogger("huddle.web")

HUDDLE = web.AppKey("huddle", Huddle)

Mount = Callable[[web.Application, Huddle, Settings], None]


def platform_mounts() -> list[Mount]:
    """Every platform's ``mount``, from the ``huddle.mounts`` entry points, by name."""
    return [
        entry.load() for entry in sorted(entry_points(group="huddle.mounts"), key=lambda e: e.name)
    ]


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    port: int = Field(default=3000, ge=1, le=65535, validation_alias="PORT")
    # How long a core thread may hold the GIL while the event loop (the acks) waits for it.
    # Python's 5 ms default put every ack behind up to 5 ms of someone else's work after
    # theirs; 0.5 ms took about a third off the acks' p50 under load, and was level when
    # quiet (benchmarks/README.md).
    switch_interval_ms: float = Field(
        default=0.5, gt=0, le=100, validation_alias="HUDDLE_SWITCH_INTERVAL_MS"
    )
    # How many worker processes run the core's door for the chat webhooks, so that this
    # process only acknowledges, converts and posts (adapters/core_processes.py). 0: in
    # this process's threads, as with an in-memory database.
    core_processes: int = Field(default=1, ge=0, le=32, validation_alias="HUDDLE_CORE_PROCESSES")
    # How much lower the operating system schedules those workers than this process
    # (``nice``), so a busy CPU runs the acks first and the work in the time left over.
    core_niceness: int = Field(default=10, ge=0, le=19, validation_alias="HUDDLE_CORE_NICENESS")


async def healthz(request: web.Request) -> web.Response:
    """200 when the database answers, 503 when it does not."""
    huddle = request.app[HUDDLE]
    reachable = await asyncio.to_thread(db.is_reachable, huddle.engine)
    if reachable:
        return web.json_response({"status": "ok", "database": "reachable"})
    return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)


def build_web_app(
    huddle: Huddle,
    settings: Settings,
    mounts: list[Mount] | None = None,
    *,
    door: CoreDoor | None = None,
) -> web.Application:
    """The web process's app; ``door``: where the chat platforms' events reach the core
    (default: this process's threads)."""
    app = web.Application()
    app[HUDDLE] = huddle
    chosen = app[CORE_DOOR] = door or InThreads(huddle)
    app.cleanup_ctx.append(lambda app: lifetime(chosen))  # before the mounts: closes last
    app.router.add_get("/healthz", healthz)
    for mount in platform_mounts() if mounts is None else mounts:
        mount(app, huddle, settings)
    return app


def run_serve(settings: Settings, args: argparse.Namespace) -> int:
    huddle = build_huddle(settings, server_vault(settings))
    web_settings = WebSettings()
    port = args.port or web_settings.port
    sys.setswitchinterval(web_settings.switch_interval_ms / 1000)
    door = door_for(huddle, web_settings.core_processes, niceness=web_settings.core_niceness)
    door.begin()  # the workers build their cores while this process imports the platforms
    app = build_web_app(huddle, settings, door=door)
    settle_after_start(app)
    log.info("huddle serve listening on port %s", port)
    web.run_app(app, port=port, print=None)
    return 0


def settle_after_start(app: web.Application) -> None:
    """Once ``app`` has started, what start-up built (modules, the bolt app, the
    database's metadata: some 167,000 objects) is kept for the process's life:
    ``gc.freeze`` takes it out of the garbage collector's sight, so no full collection
    walks it again while acks wait (under load, full collections took 165 to 218 ms
    with it and 53 to 131 ms without, benchmarks/README.md)."""
    app.on_startup.append(_settled)  # after every cleanup context has started


async def _settled(app: web.Application) -> None:
    gc.freeze()


def register(commands: argparse._SubParsersAction) -> None:
    """Adds ``huddle serve`` (entry point ``huddle.commands: serve``)."""
    parser = commands.add_parser("serve", help="run the web process (Slack and Teams webhooks)")
    parser.add_argument("--port", type=int, default=None, help="port (default: $PORT, else 3000)")
    parser.set_defaults(run=run_serve)
