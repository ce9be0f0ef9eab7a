"""The overview, stories and heroes, admins, and the sign-in and sign-out pages."""

from __future__ import annotations

import asyncio

from aiohttp import web

from adapters.dashboard import views
from adapters.dashboard.keys import HUDDLE
from adapters.dashboard.rendering import render, viewer
from adapters.dashboard.session import sign_out, signed_in
from adapters.dashboard.settings import PREFIX
from bot.model import HomeOpened
from bot.periods import read_period
from bot.storage.db import transaction


async def overview(request: web.Request) -> web.StreamResponse:
    """This week's rule, the month's board and open defects (the core's home screen,
    as Slack's App Home shows it), with the next meetings and the month so far."""
    shown = await viewer(request)
    huddle = request.app[HUDDLE]
    person = shown.person
    [home] = await asyncio.to_thread(
        huddle.handle, HomeOpened(person.platform, person.team, person.user_id)
    )

    def read():
        with transaction(huddle.engine) as session:
            now = huddle.clock()
            return (
                views.meetings(session=session, workspace_id=shown.workspace_id, now=now),
                views.month_so_far(
                    session=session, workspace_id=shown.workspace_id, now=now, tz=shown.timezone
                ),
                views.open_count(session=session, workspace_id=shown.workspace_id),
            )

    meetings, month, open_defects = await asyncio.to_thread(read)
    return await render(
        request,
        "overview.html",
        {
            "title": "Overview",
            "home": home,
            "meetings": meetings,
            "month": month,
            "open_defects": open_defects,
        },
    )


async def stories_page(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request)
    huddle = request.app[HUDDLE]
    period = request.query.get("period", "month")
    if period not in views.PERIODS:
        period = "month"

    def read():
        asked = read_period(period, now=huddle.clock(), tz=shown.timezone)
        key = None if asked.kind == "all" else asked.key
        with transaction(huddle.engine) as session:
            return views.boards(session=session, workspace_id=shown.workspace_id, period=key)

    board = await asyncio.to_thread(read)
    context = {
        "title": "Stories and heroes",
        "board": board,
        "period": period,
        "periods": views.PERIODS,
    }
    if request.headers.get("HX-Request"):
        return await render(request, "_boards.html", context)
    return await render(request, "stories.html", context)


async def admins_page(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request, admin=True)
    huddle = request.app[HUDDLE]

    def read():
        with transaction(huddle.engine) as session:
            return views.admin_list(session=session, workspace_id=shown.workspace_id)

    found = await asyncio.to_thread(read)
    return await render(request, "admins.html", {"title": "Admins", "admins": found})


async def signin_page(request: web.Request) -> web.StreamResponse:
    if await signed_in(request) is not None:
        raise web.HTTPFound(f"{PREFIX}/")
    problem = request.query.get("problem")
    return await render(
        request,
        "signin.html",
        {"title": "Sign in", "problem": SIGN_IN_PROBLEMS.get(problem or "")},
        status=400 if problem in SIGN_IN_PROBLEMS else 200,
    )


SIGN_IN_PROBLEMS = {
    "unknown-workspace": "Huddle isn't in that workspace yet. Add Huddle to it in Slack or "
    "Teams first, then sign in again.",
    "failed": "That sign-in didn't go through. Please try again.",
    "link": "That sign-in link has been used or has expired. Ask for a new one with "
    "`huddle dashboard link`.",
}


async def signout(request: web.Request) -> web.StreamResponse:
    await sign_out(request)
    raise web.HTTPFound(f"{PREFIX}/signin")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", overview, name="overview")
    app.router.add_get("/stories", stories_page, name="stories")
    app.router.add_get("/admins", admins_page, name="admins")
    app.router.add_get("/signin", signin_page, name="signin")
    app.router.add_post("/signout", signout, name="signout")
