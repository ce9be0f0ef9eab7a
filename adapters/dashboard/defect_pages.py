"""Defects: the list with its filters, one defect, and recording, assigning and closing.

A defect id in the URL, or a person in a form, that is not of the signed-in person's
workspace is 404 and nothing is changed: it is looked up in their workspace before the
command is run, and the command itself only ever sees their workspace.
"""

from __future__ import annotations

import asyncio
import secrets

from aiohttp import web

from adapters.dashboard import actions, views
from adapters.dashboard.keys import HUDDLE, MESSENGERS
from adapters.dashboard.rendering import render, viewer
from bot.clock.messengers import load_messengers
from bot.storage.db import transaction
from bot.storage.models import RECOVERY_MAX

STATES = {"open": "Open", "closed": "Closed", "all": "All"}


def _filters(request: web.Request, content) -> dict:
    query = request.query
    state = query.get("status", "open")
    stage = query.get("stage") or None
    if stage not in {s.id for s in content.stages} | {None}:
        stage = None
    try:
        page = max(1, min(int(query.get("page", "1")), 10_000))
    except ValueError:
        page = 1
    return {
        "status": state if state in STATES else "open",
        "stage": stage,
        "owner": (query.get("owner") or "").strip()[:128] or None,
        "page": page,
    }


async def defect_list(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request)
    huddle = request.app[HUDDLE]
    chosen = _filters(request, huddle.content)

    def read():
        with transaction(huddle.engine) as session:
            found = views.defect_list(
                session=session,
                workspace_id=shown.workspace_id,
                state=chosen["status"],
                stage=chosen["stage"],
                owner_id=chosen["owner"],
                page=chosen["page"],
            )
            return found, views.people(session=session, workspace_id=shown.workspace_id)

    found, people = await asyncio.to_thread(read)
    context = {
        "title": "Defects",
        "found": found,
        "chosen": chosen,
        "states": STATES,
        "stages": views.stage_choices(huddle.content),
        "stage_name": huddle.content.stage_name,
        "people": people,
        "page_size": views.PAGE_SIZE,
    }
    if request.headers.get("HX-Request"):
        return await render(request, "_defect_rows.html", context)
    return await render(request, "defects.html", context)


def _defect_id(request: web.Request) -> int:
    text = request.match_info["defect_id"]
    if not text.isdigit() or len(text) > 12:
        raise web.HTTPNotFound()
    return int(text)


async def _page(request: web.Request, shown, *, outcome=None, kept: str = "", status: int = 200):
    huddle = request.app[HUDDLE]
    defect_id = _defect_id(request)

    def read():
        with transaction(huddle.engine) as session:
            view = views.defect_view(
                session=session, workspace_id=shown.workspace_id, defect_id=defect_id
            )
            return view, views.people(session=session, workspace_id=shown.workspace_id)

    view, people = await asyncio.to_thread(read)
    if view is None:
        raise web.HTTPNotFound()
    return await render(
        request,
        "defect.html",
        {
            "title": f"Defect #{view.defect.id}",
            "view": view,
            "people": people,
            "stage_name": huddle.content.stage_name,
            "outcome": outcome,
            "kept": kept,
            "once": secrets.token_urlsafe(16),
            "recovery_max": RECOVERY_MAX,
        },
        status=status,
    )


async def defect_detail(request: web.Request) -> web.StreamResponse:
    return await _page(request, await viewer(request))


async def _owned_defect(request: web.Request, shown):
    """The URL's defect when it is of this workspace; else 404, before anything runs."""
    huddle = request.app[HUDDLE]
    defect_id = _defect_id(request)

    def read():
        with transaction(huddle.engine) as session:
            return views.defect_view(
                session=session, workspace_id=shown.workspace_id, defect_id=defect_id
            )

    view = await asyncio.to_thread(read)
    if view is None:
        raise web.HTTPNotFound()
    return view.defect


async def recover(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request)
    defect_id = (await _owned_defect(request, shown)).id
    form = await request.post()
    action = str(form.get("action", ""))
    text = actions.recover_text(defect_id, action, as_written=form.get("as_written") == "yes")
    outcome = await actions.run_command(
        request.app[HUDDLE], shown, text, once=str(form.get("once") or "") or None
    )
    if outcome.needs_confirmation:  # nothing saved: show why, keep the text to confirm
        return await _page(request, shown, outcome=outcome, kept=action, status=422)
    return await _done(request, shown, outcome)


async def assign(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request)
    defect = await _owned_defect(request, shown)
    form = await request.post()
    owner_id = str(form.get("owner", ""))
    huddle = request.app[HUDDLE]

    def find():
        with transaction(huddle.engine) as session:
            return views.person(session=session, workspace_id=shown.workspace_id, user_id=owner_id)

    owner = await asyncio.to_thread(find)
    if owner is None:  # nobody of this workspace: 404, nothing changed
        raise web.HTTPNotFound()
    outcome = await actions.run_command(
        huddle,
        shown,
        actions.assign_text(defect.id, owner),
        once=str(form.get("once") or "") or None,
        mentions=(owner,),
    )
    await actions.tell_privately(_messengers(request), shown, outcome, defect.channel_id)
    return await _done(request, shown, outcome)


async def close(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request)
    defect_id = (await _owned_defect(request, shown)).id
    form = await request.post()
    outcome = await actions.run_command(
        request.app[HUDDLE],
        shown,
        actions.close_text(defect_id),
        once=str(form.get("once") or "") or None,
    )
    return await _done(request, shown, outcome)


def _messengers(request: web.Request) -> dict:
    app = request.app
    if MESSENGERS not in app:
        huddle = app[HUDDLE]
        app[MESSENGERS] = load_messengers(huddle.settings, huddle)
    return app[MESSENGERS]


async def _done(request: web.Request, shown, outcome) -> web.StreamResponse:
    # Post/redirect/get would lose the core's words; the page shows them at once instead.
    return await _page(request, shown, outcome=outcome)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/defects", defect_list, name="defects")
    app.router.add_get("/defects/{defect_id}", defect_detail, name="defect")
    app.router.add_post("/defects/{defect_id}/recover", recover, name="defect-recover")
    app.router.add_post("/defects/{defect_id}/assign", assign, name="defect-assign")
    app.router.add_post("/defects/{defect_id}/close", close, name="defect-close")
