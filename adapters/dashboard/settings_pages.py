"""Settings, for the practice's admins: the weekly schedule and timezone, the morning
brief's time, the nominate emoji, the admins, whether the practice uses tidbits, and the
front desk with its notices. The schedule source and its day sheet upload are in
``source_pages``.

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
from adapters.dashboard.settings_form import (
    Note,
    answer,
    answer_fields,
    change,
    read_view,
    render_settings,
)
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


async def start_schedule(request: web.Request) -> web.StreamResponse:
    """The weekly meeting started in a channel Huddle has heard from, as an admin typing
    ``/huddle schedule …`` there would; a channel not heard from in this practice is 404."""
    shown = await viewer(request, admin=True)
    form = await request.post()
    channel_id = _field(form, "channel")
    view, _ = await asyncio.to_thread(read_view, request.app[HUDDLE], shown)
    if view.unscheduled(channel_id) is None:
        raise web.HTTPNotFound()
    weekday = _field(form, "weekday").casefold()
    at, zone = _field(form, "time"), _field(form, "timezone")
    text = f"schedule {weekday if weekday in WEEKDAYS else ''} {at} {zone}".split()
    note, _ = await change(request, shown, " ".join(text), channel_id=channel_id, once=_once(form))
    return await answer(request, shown, "schedule-new", note)


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


async def save_tidbits(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request, admin=True)
    form = await request.post()
    on = _field(form, "tidbits") == "on"
    view, _ = await asyncio.to_thread(read_view, request.app[HUDDLE], shown)
    if view.tidbits == on:
        note = Note(f"Nothing changed: tidbits are already {'on' if on else 'off'}.", False)
    else:
        note, _ = await change(request, shown, f"tidbits {'on' if on else 'off'}", once=_once(form))
    return await answer(request, shown, "tidbits", note)


async def save_front_desk(request: web.Request) -> web.StreamResponse:
    """Add or remove a front-desk person: one the workspace has seen (to add) or one on
    the desk (to remove); anyone else is 404 and nothing changes."""
    shown = await viewer(request, admin=True)
    form = await request.post()
    action = "remove" if _field(form, "action") == "remove" else "add"
    user_id = str(form.get("person") or "")[:128]
    huddle = request.app[HUDDLE]

    def find():
        view, _ = read_view(huddle, shown)
        with transaction(huddle.engine) as session:
            seen = views.person(session=session, workspace_id=shown.workspace_id, user_id=user_id)
        return view.front_desk.member(user_id) or seen

    person = await asyncio.to_thread(find)
    if person is None:
        raise web.HTTPNotFound()
    note, _ = await change(
        request, shown, f"frontdesk {action} {person.at}", mentions=(person,), once=_once(form)
    )
    return await answer(request, shown, "frontdesk", note)


# (form field, its label, the chat's word); the notice time last, as its answer says all three.
NOTICE_FIELDS = (
    ("popups", "Open Dental popups", "popups"),
    ("deadline", "Confirm by", "deadline"),
    ("notice_at", "Notice time", "at"),
)


async def save_front_desk_notices(request: web.Request) -> web.StreamResponse:
    """The notice time, the deadline and popups: each field that differs from what is
    stored is its own chat command, and its answer (named by the field) goes beside it."""
    shown = await viewer(request, admin=True)
    form = await request.post()
    view, _ = await asyncio.to_thread(read_view, request.app[HUDDLE], shown)
    stored = view.front_desk
    wanted = {
        "notice_at": _field(form, "notice_at"),
        "deadline": _field(form, "deadline"),
        "popups": "on" if _field(form, "popups") == "on" else "off",
    }
    current = {
        "notice_at": stored.notice_at,
        "deadline": stored.deadline,
        "popups": "on" if stored.popups else "off",
    }
    notes: dict[str, Note] = {}
    once = _once(form)
    for name, label, word in NOTICE_FIELDS:
        if wanted[name] == current[name]:
            continue
        value = wanted[name] or ("end of day" if name == "deadline" else "")
        field_once = f"{once}-{name}" if once else None
        note, _ = await change(request, shown, f"frontdesk {word} {value}", once=field_once)
        notes[f"frontdesk-{name}"] = Note(f"{label}: {note.text}", note.problem)
    if not notes:
        notes["frontdesk-notices"] = Note("Nothing changed: these are the settings now.", False)
    return await answer_fields(
        request, shown, notes, kept={f"frontdesk-{k}": v for k, v in wanted.items()}
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/settings", settings_page, name="settings")
    app.router.add_post("/settings/schedule", save_schedule, name="settings-schedule")
    app.router.add_post("/settings/schedule/new", start_schedule, name="settings-schedule-new")
    app.router.add_post("/settings/brief", save_brief, name="settings-brief")
    app.router.add_post("/settings/timezone", save_timezone, name="settings-timezone")
    app.router.add_post("/settings/emoji", save_emoji, name="settings-emoji")
    app.router.add_post("/settings/admins", save_admins, name="settings-admins")
    app.router.add_post("/settings/tidbits", save_tidbits, name="settings-tidbits")
    app.router.add_post("/settings/frontdesk", save_front_desk, name="settings-frontdesk")
    app.router.add_post(
        "/settings/frontdesk/notices", save_front_desk_notices, name="settings-frontdesk-notices"
    )
