"""`/huddle report [week|month|quarter|year|YYYY-MM]`: the service report, just for you.

The month so far by default, or this week, quarter or year so far, or a past month
(`/huddle report 2026-10`), each against the period before, with the chart. Your
version names the owners of defects still open; the one posted with the first
meeting of each month does not.
"""

from __future__ import annotations

from bot.commands.context import Context, UsageError
from bot.insights.report import service_report
from bot.model import Reply
from bot.periods import PeriodError, read_period

KINDS = ("week", "month", "quarter", "year")  # each against the one before; all time has none


def report(ctx: Context, rest: str) -> Reply:
    try:
        period = read_period(
            rest,
            now=ctx.now,
            tz=ctx.workspace.timezone,
            kinds=KINDS,
            past_months_only=True,
            command="report",
        )
    except PeriodError as error:
        raise UsageError(str(error)) from None
    return service_report(
        session=ctx.session,
        workspace=ctx.workspace,
        content=ctx.content,
        period=period,
        now=ctx.now,
        private=True,
    )
