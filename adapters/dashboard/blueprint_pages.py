"""The Blueprint page: the journey's stages, each stage's six lists, the practice's rules
and skips, the team's suggestions, and export and import as the YAML folder.

Everyone signed in reads it and may suggest an item; only admins edit. Edits call the
core's blueprint functions (``blueprint_views``); suggesting, accepting and declining
are the chat's own ``/huddle blueprint`` commands through the core's door, so the
privacy check and the replies are the chat's. A stage or suggestion that is not this
practice's is 404 before anything runs.
"""

from __future__ import annotations

import asyncio
import secrets

from aiohttp import web

from adapters.dashboard import actions
from adapters.dashboard import blueprint_views as bv
from adapters.dashboard.keys import HUDDLE
from adapters.dashboard.rendering import render, viewer
from bot.blueprint import LISTS, BlueprintError, NotAllowed
from bot.blueprint.checks import SINGLE
from bot.commands.blueprint import SHORT_NAMES
from bot.content import ContentError

SHORT = dict(zip(LISTS, SHORT_NAMES, strict=True))  # operational_standards -> operational
# The six lists in words a practice uses (as chat shows them).
LABELS = {
    "operational_standards": "What every practice does (operational standards)",
    "common_defects": "What can go wrong (likely service defects)",
    "experiential_standards": "What a great practice does (experiential standards)",
    "above_and_beyond": "Above and beyond",
    "recovery_moves": "Making it right (service recovery moves)",
    "offer_the_offer": "Offer the offer",
}


def _engine_library(request: web.Request):
    huddle = request.app[HUDDLE]
    return huddle, huddle.engine, huddle.contents


async def _journey_page(request, shown, *, notice=None, errors=None, kept=None, status=200):
    _, engine, library = _engine_library(request)
    found = await asyncio.to_thread(bv.journey, engine, library, shown.workspace_id)
    return await render(
        request,
        "blueprint.html",
        {
            "title": "Blueprint",
            "journey": found,
            "stage_name": found.content.stage_name,
            "lists": LISTS,
            "notice": notice,
            "errors": errors or {},
            "kept": kept or {},
            "once": secrets.token_urlsafe(16),
        },
        status=status,
    )


async def journey(request: web.Request) -> web.StreamResponse:
    return await _journey_page(request, await viewer(request))


async def _stage(request: web.Request, shown):
    _, engine, library = _engine_library(request)
    stage_id = request.match_info["stage_id"]
    if len(stage_id) > 64:
        raise web.HTTPNotFound()
    found = await asyncio.to_thread(bv.stage_of, engine, library, shown.workspace_id, stage_id)
    if found is None:
        raise web.HTTPNotFound()
    return found


def _values(stage) -> dict:
    bp = stage.blueprint
    values = {"name": stage.name, "aliases": ", ".join(stage.aliases), "retired": stage.retired}
    for list_name in LISTS:
        items = getattr(bp, list_name)
        values[list_name] = (items or "") if list_name == SINGLE else "\n".join(items)
    return values


async def _stage_page(
    request, shown, stage, *, notice=None, errors=None, values=None, confirm=False, status=200
):
    return await render(
        request,
        "blueprint_stage.html",
        {
            "title": f"Blueprint · {stage.name}",
            "stage": stage,
            "lists": LISTS,
            "labels": LABELS,
            "single": SINGLE,
            "values": values or _values(stage),
            "errors": errors or {},
            "notice": notice,
            "confirm": confirm,
            "once": secrets.token_urlsafe(16),
        },
        status=status,
    )


async def stage_page(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request)
    return await _stage_page(request, shown, await _stage(request, shown))


async def save_stage(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request, admin=True)
    stage = await _stage(request, shown)
    huddle, engine, library = _engine_library(request)
    form = await request.post()
    changes = bv.stage_changes(form)
    kept = {key: value for key, value in form.items() if isinstance(value, str)}
    kept["retired"] = changes["retired"]
    detail = bv.patient_detail(changes, stage, shown.timezone)
    if detail and form.get("as_written") != "yes":  # nothing saved: say why, keep the text
        return await _stage_page(
            request, shown, stage, errors=detail, values=kept, confirm=True, status=422
        )
    try:
        saved = await asyncio.to_thread(
            bv.update_stage,
            engine,
            library,
            shown.workspace_id,
            bv.editor_of(shown),
            huddle.clock(),
            stage.id,
            changes,
        )
    except NotAllowed:
        raise web.HTTPForbidden(reason="admin") from None
    except BlueprintError as error:
        return await _stage_page(
            request, shown, stage, errors=bv.by_field(error), values=kept, status=422
        )
    notice = f"Saved. `/huddle blueprint {saved.id}` in chat shows it now."
    return await _stage_page(request, shown, saved, notice=notice)


async def suggest(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request)
    stage = await _stage(request, shown)
    form = await request.post()
    list_name = str(form.get("list", ""))
    text = " ".join(str(form.get("text", "")).split())
    if list_name not in LISTS or not text:
        notice = "Pick one of the six lists and write your idea, then press Suggest."
        return await _stage_page(request, shown, stage, notice=notice, status=422)
    command = f"blueprint suggest {stage.id} {SHORT[list_name]}: {text}"
    outcome = await _through_the_door(request, shown, command, form)
    if outcome.needs_confirmation:
        kept = {**_values(stage), "suggest_list": list_name, "suggest_text": text}
        return await _stage_page(request, shown, stage, notice=outcome, values=kept, status=422)
    return await _stage_page(request, shown, stage, notice=outcome)


async def _through_the_door(request, shown, command: str, form) -> actions.Outcome:
    """The chat's command; when the privacy check stops it and the person ticked "save as
    written", the chat's own save-as-written command (its button) runs instead."""
    huddle = request.app[HUDDLE]
    once = str(form.get("once") or "") or None
    outcome = await actions.run_command(huddle, shown, command, once=once, command="huddle")
    if outcome.needs_confirmation and form.get("as_written") == "yes":
        saves = [
            button.command.removeprefix("huddle ")
            for reply in outcome.replies
            for button in reply.buttons
            if actions.MARKER in button.command and button.command.startswith("huddle ")
        ]
        if saves:
            written = f"{once}-written" if once else None
            outcome = await actions.run_command(
                huddle, shown, saves[0], once=written, command="huddle"
            )
    return outcome


async def add_stage(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request, admin=True)
    huddle, engine, library = _engine_library(request)
    form = await request.post()
    stage_id, name = str(form.get("id", "")).strip(), str(form.get("name", ""))
    try:
        saved = await asyncio.to_thread(
            bv.add_stage,
            engine,
            library,
            shown.workspace_id,
            bv.editor_of(shown),
            huddle.clock(),
            stage_id,
            name,
        )
    except BlueprintError as error:
        kept = {"id": stage_id, "name": name}
        return await _journey_page(
            request, shown, errors=bv.by_field(error, {"id", "name"}), kept=kept, status=422
        )
    return await _stage_page(
        request, shown, saved, notice=f"Added the stage {saved.name}. Fill in its lists below."
    )


async def set_order(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request, admin=True)
    huddle, engine, library = _engine_library(request)
    form = await request.post()
    current = await asyncio.to_thread(bv.journey, engine, library, shown.workspace_id)
    order = bv.order_from(form, [s.id for s in current.content.stages])
    try:
        await asyncio.to_thread(
            bv.set_order,
            engine,
            library,
            shown.workspace_id,
            bv.editor_of(shown),
            huddle.clock(),
            order,
        )
    except BlueprintError as error:
        errors = bv.by_field(error, {"order"})
        return await _journey_page(request, shown, errors=errors, status=422)
    return await _journey_page(request, shown, notice="The stages are in their new order.")


async def set_skipped(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request, admin=True)
    huddle, engine, library = _engine_library(request)
    form = await request.post()
    skipped = [str(rule_id) for rule_id in form.getall("skip", [])]
    try:
        await asyncio.to_thread(
            bv.set_skipped,
            engine,
            library,
            shown.workspace_id,
            bv.editor_of(shown),
            huddle.clock(),
            skipped,
        )
    except BlueprintError as error:
        errors = bv.by_field(error, {"skip"})
        return await _journey_page(request, shown, errors=errors, status=422)
    count = len(skipped)
    notice = f"The meeting skips {count} rule{'' if count == 1 else 's'} from now on."
    return await _journey_page(request, shown, notice=notice)


async def _suggestion(request: web.Request, shown):
    text = request.match_info["suggestion_id"]
    if not text.isdigit() or len(text) > 9:
        raise web.HTTPNotFound()
    engine = request.app[HUDDLE].engine
    found = await asyncio.to_thread(bv.suggestion_of, engine, shown.workspace_id, int(text))
    if found is None:
        raise web.HTTPNotFound()
    return found


async def accept(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request, admin=True)
    found = await _suggestion(request, shown)
    form = await request.post()
    edited = " ".join(str(form.get("text", "")).split())
    tail = f" {edited}" if edited and edited != found.text else ""
    outcome = await _through_the_door(request, shown, f"blueprint accept {found.id}{tail}", form)
    status = 422 if outcome.needs_confirmation else 200
    kept = {f"text-{found.id}": edited} if outcome.needs_confirmation else {}
    return await _journey_page(request, shown, notice=outcome, kept=kept, status=status)


async def decline(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request, admin=True)
    found = await _suggestion(request, shown)
    form = await request.post()
    outcome = await _through_the_door(request, shown, f"blueprint decline {found.id}", form)
    return await _journey_page(request, shown, notice=outcome)


async def export(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request)
    _, engine, library = _engine_library(request)
    data = await asyncio.to_thread(bv.export_zip, engine, library, shown.workspace_id)
    return web.Response(
        body=data,
        content_type="application/zip",
        headers={
            "Content-Disposition": 'attachment; filename="huddle-blueprint.zip"',
            "Cache-Control": "no-store",
        },
    )


async def import_upload(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request, admin=True)
    huddle, engine, library = _engine_library(request)
    form = await request.post()
    upload = form.get("folder")
    if not isinstance(upload, web.FileField):
        notice = "Choose the zip to import (the one Export gives), then press Import."
        return await _journey_page(request, shown, notice=notice, status=422)
    data = upload.file.read(bv.UPLOAD_MAX + 1)
    if len(data) > bv.UPLOAD_MAX:
        notice = "That file is too big for a practice's blueprint (at most 512 KB)."
        return await _journey_page(request, shown, notice=notice, status=422)
    try:
        done = await asyncio.to_thread(
            bv.import_zip,
            engine,
            library,
            shown.workspace_id,
            bv.editor_of(shown),
            huddle.clock(),
            data,
        )
    except (bv.UploadError, ContentError) as error:
        notice = f"Nothing was imported: {error}"
        return await _journey_page(request, shown, notice=notice, status=422)
    return await _journey_page(request, shown, notice=done.summary())


def add_routes(app: web.Application) -> None:
    app.router.add_get("/blueprint", journey, name="blueprint")
    app.router.add_get("/blueprint/export", export, name="blueprint-export")
    app.router.add_post("/blueprint/import", import_upload, name="blueprint-upload")
    app.router.add_post("/blueprint/order", set_order, name="blueprint-order")
    app.router.add_post("/blueprint/skip", set_skipped, name="blueprint-skip")
    app.router.add_post("/blueprint/stages", add_stage, name="blueprint-stage-add")
    app.router.add_get("/blueprint/stages/{stage_id}", stage_page, name="blueprint-stage")
    app.router.add_post("/blueprint/stages/{stage_id}", save_stage, name="blueprint-stage-save")
    app.router.add_post("/blueprint/stages/{stage_id}/suggest", suggest, name="blueprint-suggest")
    app.router.add_post(
        "/blueprint/suggestions/{suggestion_id}/accept", accept, name="blueprint-accept"
    )
    app.router.add_post(
        "/blueprint/suggestions/{suggestion_id}/decline", decline, name="blueprint-decline"
    )
