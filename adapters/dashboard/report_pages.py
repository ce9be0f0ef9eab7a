"""Reports: the service report of a period as a page, and its chart as a PNG of this origin.

Both ask the core's one door for ``/huddle report <period>``, exactly as a person does
in chat, so the figures, the periods and their wording are the chat's; the page shows
the private version (owners named), since only the signed-in person sees it. The
chart is the same reply's attachment, served here so the page's CSP (same origin)
allows it, scoped by the session's workspace like every page.
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
    shown = [("month", "This month so far"), ("quarter", "This quarter so far")]
    shown.append(("year", "This year so far"))
    year, month = today.year, today.month
    for _ in range(PAST_MONTHS):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        shown.append((f"{year:04d}-{month:02d}", f"{date(year, month, 1):%B %Y}"))
    return shown


def sections(reply: Reply) -> list[Section]:
    return [Section(f.label, tuple(f.value.splitlines())) for f in reply.fields]


def chart(reply: Reply | None) -> Attachment | None:
    return next((f for f in reply.files if f.is_image), None) if reply else None


async def reports_page(request: web.Request) -> web.StreamResponse:
    shown = await viewer(request)
    huddle = request.app[HUDDLE]
    period = _period(request)
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
        },
        status=200 if reply else 422,
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


def add_routes(app: web.Application) -> None:
    app.router.add_get("/reports", reports_page, name="reports")
    app.router.add_get("/reports/chart.png", report_chart, name="report-chart")
