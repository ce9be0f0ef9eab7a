"""Rendering a page: the template, the signed-in person, the CSRF token and the nav."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

import aiohttp_jinja2
from aiohttp import web
from markupsafe import Markup, escape

from adapters.dashboard.keys import HUDDLE, SETTINGS
from adapters.dashboard.session import SignedIn, csrf_token, require_person, sign_out
from adapters.dashboard.settings import PREFIX
from bot.storage import admins
from bot.storage.db import transaction
from bot.storage.models import Workspace
from bot.wording import local_full_date


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str
    admin: bool = False
    ready: bool = True  # later pages are listed, not yet linked


NAV = (
    NavItem("/", "Overview"),
    NavItem("/defects", "Defects"),
    NavItem("/stories", "Stories and heroes"),
    NavItem("/reports", "Reports"),
    NavItem("/blueprint", "Blueprint"),
    NavItem("/admins", "Admins", admin=True),
    NavItem("/settings", "Settings", admin=True),
    NavItem("/audit", "Audit log", admin=True),
)


@dataclass(frozen=True)
class Viewer:
    """The signed-in person as this request sees them: their workspace and role now."""

    person: SignedIn
    workspace_name: str
    timezone: str
    admin: bool

    @property
    def workspace_id(self) -> int:
        return self.person.workspace_id


def _load(engine, person: SignedIn) -> Viewer | None:
    with transaction(engine) as session:
        workspace = session.get(Workspace, person.workspace_id)
        if workspace is None or (workspace.platform, workspace.external_id) != (
            person.platform,
            person.team,
        ):
            return None
        admin = admins.get_admin(
            session=session, workspace_id=person.workspace_id, user_id=person.user_id
        )
        return Viewer(
            person,
            workspace.name or workspace.external_id,
            workspace.timezone,
            admin is not None and person.known,
        )


VIEWER = web.RequestKey("dashboard_viewer", Viewer)


async def viewer(request: web.Request, *, admin: bool = False) -> Viewer:
    """The signed-in person (else off to sign in); 403 for a non-admin on an admin page."""
    person = await require_person(request)
    found = await asyncio.to_thread(_load, request.app[HUDDLE].engine, person)
    if found is None:  # the workspace is gone: sign in again
        await sign_out(request)
        raise web.HTTPFound(f"{PREFIX}/signin")
    request[VIEWER] = found
    if admin and not found.admin:
        raise web.HTTPForbidden(reason="admin")
    return found


async def render(request: web.Request, template: str, context: dict, *, status: int = 200):
    shown = request.get(VIEWER)
    context = {
        "prefix": PREFIX,
        "viewer": shown,
        "nav": [item for item in NAV if shown and (shown.admin or not item.admin)],
        "here": request.path.removeprefix(PREFIX) or "/",
        "csrf": await csrf_token(request),
        "settings": request.app[SETTINGS],
        "day": lambda moment: local_full_date(moment, shown.timezone if shown else "UTC"),
        **context,
    }
    response = aiohttp_jinja2.render_template(template, request, context, status=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'"
    )
    return response


_CODE = re.compile(r"`([^`]+)`")
_EMPHASIS = re.compile(r"(?<!\w)_([^_]+)_(?!\w)")


def markup(text: str | None) -> Markup:
    """The core's light markdown (`code`, _emphasis_, line breaks) as safe HTML."""
    html = str(escape(text or ""))
    html = _CODE.sub(r"<code>\1</code>", html)
    html = _EMPHASIS.sub(r"<em>\1</em>", html)
    return Markup(html.replace("\n", "<br>\n"))
