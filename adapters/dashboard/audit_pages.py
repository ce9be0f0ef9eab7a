"""The Audit log page, for admins: who read which patient's tidbits, who changed, deleted
or exported what, and when. Never any content: the log holds none.

It reads through the core's ``read_audit_log``, as ``/huddle audit`` does, but never
asks for the patient references: a patient is shown as the CLI shows one by default, a
short tag of the lookup hash (the same patient, the same tag), so nothing is decrypted.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from aiohttp import web

from adapters.dashboard.keys import HUDDLE
from adapters.dashboard.rendering import render, viewer
from bot.audit_log import PAGE_SIZE, read_audit_log
from bot.storage.db import transaction

SINCE_HELP = "Type the date as year-month-day, for example 2026-11-01, or leave it empty."


def _page_number(text: str) -> int:
    try:
        return max(1, min(int(text), 10_000))
    except ValueError:
        return 1


async def audit_page(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request, admin=True)
    huddle = request.app[HUDDLE]
    since_text = request.query.get("since", "").strip()[:10]
    page = _page_number(request.query.get("page", "1"))
    zone = ZoneInfo(shown.timezone)
    since, problem = None, None
    if since_text:
        try:
            since = datetime.combine(date.fromisoformat(since_text), time(0), zone)
        except ValueError:
            problem = SINCE_HELP

    def read():
        with transaction(huddle.engine) as session:
            return read_audit_log(
                session=session,
                workspace_id=shown.workspace_id,
                vault=huddle.vault,
                reader_id=shown.person.user_id,
                reader_name=shown.person.name,
                now=huddle.clock(),
                since=since,
                offset=(page - 1) * PAGE_SIZE,
                with_refs=False,  # tags only: nothing decrypted, so nothing more to audit
            )

    found = await asyncio.to_thread(read)
    return await render(
        request,
        "audit.html",
        {
            "title": "Audit log",
            "found": found,
            "page": page,
            "since": since_text if since else "",
            "typed": since_text,
            "problem": problem,
            "local": lambda moment: moment.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        },
        status=400 if problem else 200,
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/audit", audit_page, name="audit")
