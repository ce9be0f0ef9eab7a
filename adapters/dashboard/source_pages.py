"""The schedule source on the Settings page: Open Dental, a calendar feed, or a CSV day
sheet with its column mapping and an upload.

Each form is the core's own form for ``/huddle source <kind>`` (the one Slack shows
as a modal), submitted through the core's door exactly as the modal is, so checking,
encrypting and auditing are the chat's. A key or a feed address is never shown back:
its field is always empty, and the page says only "set, never shown". An uploaded
day sheet is imported after its mapping is saved (``day_sheet_import``).
"""

from __future__ import annotations

from aiohttp import web

from adapters.dashboard.day_sheet_import import UploadError, import_day_sheet
from adapters.dashboard.keys import HUDDLE
from adapters.dashboard.rendering import viewer
from adapters.dashboard.settings_form import SOURCE_KINDS, Note, answer, change, source_forms

VALUE_MAX = 1000


async def save_source(request: web.Request) -> web.StreamResponse:
    kind = request.match_info["kind"]
    if kind not in SOURCE_KINDS:
        raise web.HTTPNotFound()
    shown = await viewer(request, admin=True)
    form = await request.post()
    _, forms = await source_forms(request, shown)
    [core_form] = [f.form for f in forms if f.kind == kind]
    if core_form is None:
        raise web.HTTPNotFound()
    values = {f.name: str(form.get(f.name) or "")[:VALUE_MAX] for f in core_form.fields}
    once = str(form.get("once") or "")[:80] or None
    note, _ = await change(request, shown, f"source {kind}", form=values, once=once)
    upload = form.get("day_sheet")
    chosen = getattr(upload, "filename", "")  # no file chosen: only the mapping is saved
    if kind != "csv" or note.problem or not chosen:
        return await answer(request, shown, f"source-{kind}", note)
    note = await _imported(request, shown, upload.file.read(), note)
    return await answer(request, shown, f"source-{kind}", note)


async def _imported(request: web.Request, shown, data: bytes, saved: Note) -> Note:
    huddle = request.app[HUDDLE]
    try:
        results = await import_day_sheet(
            huddle, workspace_id=shown.workspace_id, data=data, now=huddle.clock()
        )
    except UploadError as error:
        return Note(f"The mapping is saved, but the day sheet was not imported: {error}", True)
    lines = "\n".join(f"• {r.summary()}" for r in results)
    ok = all(r.ok for r in results)
    head = "Day sheet imported." if ok else "The mapping is saved; the day sheet was not imported."
    return Note(f"{head}\n{lines}", not ok)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/settings/source/{kind}", save_source, name="settings-source")
