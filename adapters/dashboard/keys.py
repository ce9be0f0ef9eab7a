"""What the dashboard keeps on its aiohttp application."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from adapters.dashboard.settings import DashboardSettings
from bot.huddle import Huddle

HUDDLE = web.AppKey("dashboard_huddle", Huddle)
SETTINGS = web.AppKey("dashboard_settings", DashboardSettings)
HTTP_CLIENT = web.AppKey("dashboard_http_client", Any)
MESSENGERS = web.AppKey("dashboard_messengers", dict)  # platform -> Messenger, built once
