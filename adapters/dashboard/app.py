"""The dashboard's aiohttp application: sessions, CSRF, error pages, templates, routes."""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import session_middleware

from adapters.dashboard import (
    audit_pages,
    blueprint_pages,
    blueprint_rule_pages,
    defect_pages,
    pages,
    report_pages,
    settings_pages,
    signin,
    signin_link,
    source_pages,
)
from adapters.dashboard.keys import HUDDLE, MESSENGERS, MICROSOFT, SETTINGS
from adapters.dashboard.microsoft import MicrosoftSignIn
from adapters.dashboard.rendering import markup, render
from adapters.dashboard.session import check_csrf, storage
from adapters.dashboard.settings import DashboardSettings
from bot.clock.messengers import close_messengers
from bot.huddle import Huddle

log = logging.getLogger("huddle.dashboard")
HERE = Path(__file__).parent

ERRORS = {
    403: ("403.html", "Not for this account"),
    404: ("404.html", "Not found"),
}


@web.middleware
async def csrf_middleware(request: web.Request, handler):
    if request.method not in {"GET", "HEAD", "OPTIONS"}:
        await check_csrf(request)
    return await handler(request)


@web.middleware
async def error_pages(request: web.Request, handler):
    """403 and 404 as pages in the dashboard's look, saying what to do instead."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status not in ERRORS:
            raise
        template, title = ERRORS[error.status]
        context = {"title": title, "csrf_failed": error.reason == "csrf"}
        return await render(request, template, context, status=error.status)


async def _close_messengers(app: web.Application) -> None:
    if MESSENGERS in app:
        await close_messengers(app[MESSENGERS])


def build_dashboard(
    huddle: Huddle, settings: DashboardSettings, *, http_client=None, messengers=None
) -> web.Application:
    """The dashboard, to mount at ``/dashboard``. ``http_client``: MSAL's; ``messengers``:
    what tells a defect's new owner privately (default: the ``huddle.messengers`` entry
    points, as the clock builds them, on first use)."""
    app = web.Application(
        middlewares=[session_middleware(storage(settings)), error_pages, csrf_middleware]
    )
    app[HUDDLE] = huddle
    app[SETTINGS] = settings
    if settings.microsoft_sign_in:  # MSAL reaches Microsoft only at the first sign-in
        app[MICROSOFT] = MicrosoftSignIn(settings, http_client=http_client)
    if messengers is not None:
        app[MESSENGERS] = messengers
    app.on_cleanup.append(_close_messengers)
    environment = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
    )
    environment.filters["markup"] = markup
    pages.add_routes(app)
    defect_pages.add_routes(app)
    blueprint_pages.add_routes(app)
    blueprint_rule_pages.add_routes(app)
    audit_pages.add_routes(app)
    report_pages.add_routes(app)
    settings_pages.add_routes(app)
    source_pages.add_routes(app)
    signin.add_routes(app)
    signin_link.add_routes(app)
    app.router.add_static("/static", HERE / "static", name="static")
    return app
