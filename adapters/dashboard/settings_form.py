"""The Settings page as a whole: its read model, the core's source forms, and each change.

Every change is a chat command through the core's one door (``actions.run_command``),
so the admin rules, the validation and the audit are the chat's. Whether it took is
read from the practice's settings before and after: the core's words are shown beside
the form that was sent, as a confirmation when something changed and as the problem
(what to type instead) when nothing did.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass

from aiohttp import web

from adapters.dashboard import actions, views
from adapters.dashboard.keys import HUDDLE
from adapters.dashboard.rendering import render
from adapters.dashboard.settings_views import SettingsView, settings_view
from bot.commands.source import SECRET_FIELDS
from bot.model import Form, Person, Reply
from bot.scheduling import WEEKDAYS
from bot.storage.db import transaction

SOURCE_KINDS = {"opendental": "Open Dental", "ical": "Calendar feed (iCal)", "csv": "CSV day sheet"}


@dataclass(frozen=True)
class Note:
    """The core's answer to one form, shown beside it."""

    text: str
    problem: bool  # nothing changed: the text says what to do instead


@dataclass(frozen=True)
class SourceForm:
    kind: str  # opendental | ical | csv (the chat's word)
    label: str
    form: Form | None


def read_view(huddle, shown) -> tuple[SettingsView, list[Person]]:
    with transaction(huddle.engine) as session:
        view = settings_view(session=session, workspace_id=shown.workspace_id)
        people = views.people(session=session, workspace_id=shown.workspace_id)
        return view, people


async def change(
    request: web.Request, shown, text: str, *, channel_id: str = actions.CHANNEL, **kwargs
) -> tuple[Note, SettingsView]:
    """Run ``/huddle <text>`` as the signed-in admin; the core's words and whether it took."""
    huddle = request.app[HUDDLE]
    before, _ = await asyncio.to_thread(read_view, huddle, shown)
    outcome = await actions.run_command(
        huddle, shown, text, command="huddle", channel_id=channel_id, **kwargs
    )
    after, _ = await asyncio.to_thread(read_view, huddle, shown)
    if not outcome.replies:  # the same form sent twice: the first one counted
        return Note("That form was already sent: it counted once.", problem=False), after
    return Note(outcome.text, problem=after == before), after


async def _core_reply(request: web.Request, shown, text: str) -> Reply | None:
    outcome = await actions.run_command(
        request.app[HUDDLE], shown, text, once=None, command="huddle"
    )
    return next((r for r in outcome.replies if r.to is None), None)


async def source_forms(request: web.Request, shown) -> tuple[Reply | None, list[SourceForm]]:
    """The core's own word on the source (``/huddle source``) and its form for each kind,
    with the stored values filled in and never a secret."""
    status = await _core_reply(request, shown, "source")
    forms = []
    for kind, label in SOURCE_KINDS.items():
        reply = await _core_reply(request, shown, f"source {kind}")
        forms.append(SourceForm(kind, label, reply.form if reply else None))
    return status, forms


async def render_settings(
    request: web.Request,
    shown,
    *,
    notes: dict[str, Note] | None = None,
    kept: dict[str, str] | None = None,
    status: int = 200,
) -> web.StreamResponse:
    huddle = request.app[HUDDLE]
    view, people = await asyncio.to_thread(read_view, huddle, shown)
    source_status, forms = await source_forms(request, shown)
    admin_ids = {a.person.user_id for a in view.admins}
    desk_ids = {p.user_id for p in view.front_desk.people}
    return await render(
        request,
        "settings.html",
        {
            "title": "Settings",
            "view": view,
            "candidates": [p for p in people if p.user_id not in admin_ids],
            "desk_candidates": [p for p in people if p.user_id not in desk_ids],
            "source_status": source_status,
            "source_forms": forms,
            "secret_fields": set(SECRET_FIELDS.values()),
            "notes": notes or {},
            "kept": kept or {},
            "once": secrets.token_urlsafe(16),
            "weekdays": WEEKDAYS,
        },
        status=status,
    )


async def answer(
    request: web.Request, shown, section: str, note: Note, *, kept: dict[str, str] | None = None
):
    """The page again, with the core's words beside the form ``section``; what was typed
    is kept only when it needs correcting (else the page shows what is stored now)."""
    return await answer_fields(request, shown, {section: note}, kept=kept)


async def answer_fields(
    request: web.Request, shown, notes: dict[str, Note], *, kept: dict[str, str] | None = None
):
    """The page again with a note beside each field of a form that sets several; 422 when
    any was refused, keeping what was typed in the fields refused only."""
    refused = {key for key, n in notes.items() if n.problem}
    kept = {k: v for k, v in (kept or {}).items() if k in refused}
    status = 422 if refused else 200
    return await render_settings(request, shown, notes=notes, kept=kept or None, status=status)
