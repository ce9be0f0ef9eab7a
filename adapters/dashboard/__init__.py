"""The practice manager's dashboard: server-rendered pages under ``/dashboard``.

``huddle serve`` mounts it through the ``huddle.mounts`` entry point when
``HUDDLE_DASHBOARD_URL`` is set. It reads the core's storage to show a workspace and
changes records only through the core's one door (``Huddle.handle``), exactly as a
chat command does, so every rule is the chat's.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web

    from bot.config import Settings
    from bot.huddle import Huddle

log = logging.getLogger("huddle.dashboard")


def mount(app: web.Application, huddle: Huddle, settings: Settings) -> None:
    """Adds the dashboard under ``/dashboard``, or nothing (and says why) when it is off."""
    from adapters.dashboard.app import build_dashboard
    from adapters.dashboard.settings import (
        PREFIX,
        DashboardConfigError,
        load_dashboard_settings,
    )
    from bot.wiring import StartupError

    try:
        dashboard = load_dashboard_settings()
    except DashboardConfigError as error:
        raise StartupError(str(error)) from None
    if not dashboard.enabled:
        log.info("dashboard not served: HUDDLE_DASHBOARD_URL is not set")
        return
    app.add_subapp(PREFIX, build_dashboard(huddle, dashboard))
