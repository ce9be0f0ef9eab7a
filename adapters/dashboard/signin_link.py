"""One-time sign-in links (``huddle dashboard link``), for a self-hosted practice and the console.

Opening the link shows a Sign in button; only pressing it uses the link, so a chat app
or mail scanner that fetches the link to preview it never spends it.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from aiohttp import web

from adapters.dashboard.keys import HUDDLE
from adapters.dashboard.rendering import render
from adapters.dashboard.session import SignedIn, sign_in
from adapters.dashboard.settings import PREFIX
from bot.storage import sign_in_links
from bot.storage.db import transaction
from bot.storage.models import Workspace


def new_link(
    engine: sa.Engine,
    *,
    workspace: Workspace,
    user_id: str,
    user_name: str,
    now: datetime,
    minutes: int,
) -> str:
    """Store a new link's hash and return its token (shown once, never stored)."""
    token = secrets.token_urlsafe(32)
    assert workspace.id is not None
    with transaction(engine) as session:
        sign_in_links.purge_links(session=session, now=now)
        sign_in_links.add_link(
            session=session,
            workspace_id=workspace.id,
            user_id=user_id,
            user_name=user_name,
            token=token,
            now=now,
            expires_at=now + timedelta(minutes=minutes),
        )
    return token


async def link_page(request: web.Request) -> web.StreamResponse:
    return await render(
        request, "signin_link.html", {"title": "Sign in", "token": request.match_info["token"]}
    )


async def use_link(request: web.Request) -> web.StreamResponse:
    huddle = request.app[HUDDLE]
    token = request.match_info["token"]

    def claim():
        with transaction(huddle.engine) as session:
            link = sign_in_links.use_link(session=session, token=token, now=huddle.clock())
            if link is None:
                return None
            workspace = session.get(Workspace, link.workspace_id)
            assert workspace is not None and workspace.id is not None
            return SignedIn(
                workspace.id,
                workspace.platform,
                workspace.external_id,
                link.user_id,
                link.user_name,
                "link",
            )

    person = await asyncio.to_thread(claim)
    if person is None:
        raise web.HTTPFound(f"{PREFIX}/signin?problem=link")
    await sign_in(request, person)
    raise web.HTTPFound(f"{PREFIX}/")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/signin/link/{token}", link_page, name="signin-link")
    app.router.add_post("/signin/link/{token}", use_link, name="signin-link-use")
