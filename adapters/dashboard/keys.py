"""What the dashboard keeps on its aiohttp application."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from adapters.dashboard.settings import DashboardSettings
from bot.huddle import Huddle

HUDDLE = web.AppKey("dashboard_huddle", Huddle)
SETTINGS = web.AppKey("dashboard_settings", DashboardSettings)
MICROSOFT = web.AppKey("dashboard_microsoft", Any)  # a MicrosoftSignIn, when it is set up
MESSENGERS = web.AppKey("dashboard_messengers", dict)  # platform -> Messenger, built once
