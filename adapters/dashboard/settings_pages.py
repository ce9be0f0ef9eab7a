"""Settings, for the practice's admins: the weekly schedule and timezone, the morning
brief's time, the nominate emoji and the admins. The schedule source and its day sheet
upload are in ``source_pages``.

Each form becomes the chat command an admin would type (``/huddle schedule monday 08:30
Australia/Sydney``, ``/huddle brief at 07:45``, ``/huddle admin add @Priya``), run in
the meeting's own channel where the setting is per channel. A channel or a person that
is not of the signed-in admin's workspace is 404 and nothing changes.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from adapters.dashboard import views
from adapters.dashboard.keys import HUDDLE
from adapters.dashboard.rendering import viewer
from adapters.dashboard.settings_form import answer, change, read_view, render_settings
from bot.scheduling import WEEKDAYS
from bot.storage.db import transaction

FIELD_MAX = 80


def _field(form, name: str) -> str:
    return str(form.get(name) or "").strip()[:FIELD_MAX]


def _once(form) -> str | None:
    return _field(form, "once") or None


async def settings_page(request: web.Request) -> web.StreamResponse:
    return await render_settings(request, await viewer(request, admin=True))


async def _channel(request: web.Request, shown, form) -> str:
    """The form's channel when it has this workspace's weekly meeting; else 404."""
    channel_id = _field(form, "channel")
    view, _ = await asyncio.to_thread(read_view, request.app[HUDDLE], shown)
    if view.channel(channel_id) is None:
        raise web.HTTPNotFound()
    return channel_id


async def save_schedule(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request, admin=True)
    form = await request.post()
    channel_id = await _channel(request, shown, form)
    weekday = _field(form, "weekday").casefold()
    at, zone = _field(form, "time"), _field(form, "timezone")
    # "confirm": the admin sees the current schedule beside the form and chose the new one.
    text = f"schedule {weekday if weekday in WEEKDAYS else ''} {at} {zone}".split()
    note, _ = await change(
        request, shown, " ".join([*text, "confirm"]), channel_id=channel_id, once=_once(form)
    )
    return await answer(request, shown, f"schedule-{channel_id}", note)


async def save_brief(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request, admin=True)
    form = await request.post()
    channel_id = await _channel(request, shown, form)
    on = _field(form, "brief") == "on"
    text = f"brief at {_field(form, 'time')}" if on else "brief off"
    note, _ = await change(request, shown, text, channel_id=channel_id, once=_once(form))
    return await answer(request, shown, f"brief-{channel_id}", note)


async def save_timezone(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request, admin=True)
    form = await request.post()
    zone = _field(form, "timezone")
    note, _ = await change(request, shown, f"timezone {zone}", once=_once(form))
    return await answer(request, shown, "timezone", note, kept={"timezone": zone})


async def save_emoji(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request, admin=True)
    form = await request.post()
    emoji = _field(form, "emoji")
    note, _ = await change(request, shown, f"emoji {emoji}", once=_once(form))
    return await answer(request, shown, "emoji", note, kept={"emoji": emoji})


async def save_admins(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request, admin=True)
    form = await request.post()
    action = "remove" if _field(form, "action") == "remove" else "add"
    user_id = str(form.get("person") or "")[:128]
    huddle = request.app[HUDDLE]

    def find():
        with transaction(huddle.engine) as session:
            return views.person(session=session, workspace_id=shown.workspace_id, user_id=user_id)

    person = await asyncio.to_thread(find)
    if person is None:  # nobody this workspace knows: 404, nothing changed
        raise web.HTTPNotFound()
    note, _ = await change(
        request, shown, f"admin {action} {person.at}", mentions=(person,), once=_once(form)
    )
    return await answer(request, shown, "admins", note)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/settings", settings_page, name="settings")
    app.router.add_post("/settings/schedule", save_schedule, name="settings-schedule")
    app.router.add_post("/settings/brief", save_brief, name="settings-brief")
    app.router.add_post("/settings/timezone", save_timezone, name="settings-timezone")
    app.router.add_post("/settings/emoji", save_emoji, name="settings-emoji")
    app.router.add_post("/settings/admins", save_admins, name="settings-admins")
