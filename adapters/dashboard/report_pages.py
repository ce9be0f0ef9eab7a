"""Reports: the service report of a period as a page, and its chart as a PNG of this origin.

Both ask the core's one door for ``/huddle report <period>``, exactly as a person does
in chat, so the figures, the periods and their wording are the chat's; the page shows
the private version (owners named), since only the signed-in person sees it. The
chart is the same reply's attachment, served here so the page's CSP (same origin)
allows it, scoped by the session's workspace like every page.

An admin's export (defects, stories or fail-to-attends of the picked period, CSV or
XLSX, patient references only when ticked) is ``/huddle export …`` through the same
door: the same file (CSV with a BOM, formulas escaped), the same admin check, the same
audit entry (``export.<kind>[.refs]``, its row count), answered here as a download.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from aiohttp import web

from adapters.dashboard import actions
from adapters.dashboard.keys import HUDDLE
from adapters.dashboard.rendering import render, viewer
from bot.model import Attachment, Reply
from bot.scheduling import local_day

PERIOD_MAX = 20
EXPORTS = {"defects": "Defects", "stories": "Stories", "fta": "Fail-to-attends"}
FORMATS = ("csv", "xlsx")
PAST_MONTHS = 24  # offered in the picker; any YYYY-MM can still be asked for


@dataclass(frozen=True)
class Section:
    label: str
    lines: tuple[str, ...]  # "• " items become a list, the rest paragraphs


def _period(request: web.Request) -> str:
    return (request.query.get("period") or "month").strip()[:PERIOD_MAX] or "month"


async def _report(request: web.Request, shown, period: str) -> tuple[Reply | None, str]:
    """The core's report for ``period``, or None and the core's words on why not."""
    outcome = await actions.run_command(
        request.app[HUDDLE], shown, f"report {period}", once=None, command="huddle"
    )
    for reply in outcome.replies:
        if reply.fields:  # a report always has its parts; a refusal is words only
            return reply, ""
    return None, outcome.text


def choices(today: date) -> list[tuple[str, str]]:
    """The picker: the periods so far, then each past month, newest first."""
    shown = [("week", "This week so far"), ("month", "This month so far")]
    shown += [("quarter", "This quarter so far"), ("year", "This year so far")]
    year, month = today.year, today.month
    for _ in range(PAST_MONTHS):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        shown.append((f"{year:04d}-{month:02d}", f"{date(year, month, 1):%B %Y}"))
    return shown


def sections(reply: Reply) -> list[Section]:
    return [Section(f.label, tuple(f.value.splitlines())) for f in reply.fields]


def chart(reply: Reply | None) -> Attachment | None:
    return next((f for f in reply.files if f.is_image), None) if reply else None


async def reports_page(
    request: web.Request, *, period: str | None = None, export_problem: str = ""
) -> web.StreamResponse:
    shown = await viewer(request)
    huddle = request.app[HUDDLE]
    period = period or _period(request)
    reply, problem = await _report(request, shown, period)
    today = local_day(huddle.clock(), shown.timezone)
    return await render(
        request,
        "reports.html",
        {
            "title": "Reports",
            "report": reply,
            "sections": sections(reply) if reply else [],
            "chart": chart(reply),
            "problem": problem,
            "period": period,
            "choices": choices(today),
            "exports": EXPORTS,
            "export_problem": export_problem,
        },
        status=200 if reply and not export_problem else 422,
    )


async def report_chart(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request)
    reply, _ = await _report(request, shown, _period(request))
    found = chart(reply)
    if found is None:  # nothing to draw, or a period that cannot be read
        raise web.HTTPNotFound()
    return web.Response(
        body=found.data,
        content_type=found.mime,
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )


def export_text(form) -> tuple[str, str]:
    """The form as the chat's words: ``export defects 2026-10 xlsx with refs``; and the period."""
    kind = str(form.get("kind") or "")
    period = str(form.get("period") or "month").strip()[:PERIOD_MAX] or "month"
    file_format = str(form.get("format") or "csv")
    words = ["export", kind if kind in EXPORTS else "", period]
    words.append(file_format if file_format in FORMATS else "csv")
    if form.get("refs") == "on":  # the deliberate extra tick
        words.append("with refs")
    return " ".join(w for w in words if w), period


async def report_export(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request, admin=True)
    text, period = export_text(await request.post())
    outcome = await actions.run_command(
        request.app[HUDDLE], shown, text, once=None, command="huddle"
    )
    found = next((f for reply in outcome.replies for f in reply.files), None)
    if found is None:  # the core refused (a period it cannot read): say why on the page
        return await reports_page(request, period=period, export_problem=outcome.text)
    mime = f"{found.mime}; charset=utf-8" if found.mime.startswith("text/") else found.mime
    return web.Response(
        body=found.data,
        headers={
            "Content-Type": mime,
            "Content-Disposition": f'attachment; filename="{found.name}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/reports", reports_page, name="reports")
    app.router.add_post("/reports/export", report_export, name="report-export")
    app.router.add_get("/reports/chart.png", report_chart, name="report-chart")
