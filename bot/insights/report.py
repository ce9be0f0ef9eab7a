"""The monthly service report: its figures in words, and the chart beside them.

``service_report(session=s, workspace=w, content=c, period=p, now=n, private=False)`` is
the channel's version: counts, stages, causes and the heroes' names, never a
description, a patient reference, a tidbit or an owner. ``private=True`` (the person
who asks with ``/huddle report``) also names the owner of each defect still open.
The text always carries every figure the chart shows, for screen readers and for
clients that hide images.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import cache

from sqlmodel import Session

from bot.content import Content
from bot.insights.chart import StageBars, stage_chart
from bot.model import Attachment, Field, Reply, Visibility
from bot.periods import Period
from bot.storage.models import Workspace
from bot.storage.reports import ReportFigures, report_figures
from bot.wording import local_date

OPEN_LISTED = 10  # defects still open, listed by id in the private version


def service_report(
    *,
    session: Session,
    workspace: Workspace,
    content: Content,
    period: Period,
    now: datetime,
    private: bool,
) -> Reply:
    """The report of ``period`` for ``workspace``, with its chart when there is anything to draw."""
    figures = _figures(session, workspace, period, now)
    return compose_report(content, figures, period=period, tz=workspace.timezone, private=private)


def monthly_post(
    *, session: Session, workspace: Workspace, content: Content, period: Period, now: datetime
) -> Reply | None:
    """The channel's version of ``period``, or None when both it and the one before were
    empty (a practice that has just started): nothing to say."""
    later = monthly_post_later(
        session=session, workspace=workspace, content=content, period=period, now=now
    )
    return None if later is None else later[1]()


def monthly_post_later(
    *, session: Session, workspace: Workspace, content: Content, period: Period, now: datetime
) -> tuple[Reply, Callable[[], Reply]] | None:
    """``monthly_post`` in two steps: its words, read now (in the caller's transaction), and
    a function that draws the chart once and returns the whole post. The clock calls it
    after its planning transaction has committed: drawing needs no database. None:
    nothing to say."""
    assert workspace.id is not None
    figures = _figures(session, workspace, period, now)
    if not (
        figures.defects or figures.defects_before or figures.fail_to_attends or figures.stories
    ):
        return None
    words = compose_report(
        content, figures, period=period, tz=workspace.timezone, private=False, chart=False
    )

    @cache
    def drawn() -> Reply:
        return replace(words, files=_chart(content, figures, period))

    return words, drawn


def _figures(session: Session, workspace: Workspace, period: Period, now: datetime):
    assert workspace.id is not None
    period = replace(period, tz=workspace.timezone)  # local midnights of the practice
    since, until = period.window()
    return report_figures(
        session=session,
        workspace_id=workspace.id,
        since=since,
        until=min(until, now) if period.so_far else until,
        before=period.previous().window(),
        now=now,
    )


def compose_report(
    content: Content,
    figures: ReportFigures,
    *,
    period: Period,
    tz: str,
    private: bool,
    chart: bool = True,
) -> Reply:
    """The figures as a reply: a summary line, one field per part, and the chart (``chart``)."""
    this, last = _labels(period)
    fields = [
        Field("Defects by journey stage", _stage_lines(content, figures, this, last)),
        Field("Recovery", _recovery_lines(content, figures, tz, private)),
    ]
    if figures.fail_to_attends:
        fields.append(Field("Fail-to-attends by root cause", _cause_lines(content, figures)))
    fields.append(Field("WOW", _wow_lines(figures)))
    return Reply(
        title=f"Service report · {this}",
        text=_summary(figures, this, last),
        fields=tuple(fields),
        footer="Only you can see the owners named here." if private else None,
        visibility=Visibility.PRIVATE if private else Visibility.CHANNEL,
        files=_chart(content, figures, period) if chart else (),
    )


def _labels(period: Period) -> tuple[str, str]:
    """("November 2026", "October 2026"); "December 2026 so far" while it runs."""
    this = f"{period.label} so far" if period.so_far else period.label
    return this, period.previous().label


def _chart(content: Content, figures: ReportFigures, period: Period) -> tuple[Attachment, ...]:
    """The stage chart of this period beside the last (none when both had no defects)."""
    if not (figures.defects or figures.defects_before):
        return ()
    this, last = _labels(period)
    bars = stage_bars(content, figures)
    return (
        Attachment(
            name=f"service-report-{period.key}.png",
            data=stage_chart(bars, this_label=this, last_label=last),
            mime="image/png",
            title=f"Defects by journey stage, {this} and {last}",
            alt=_alt_text(bars, this, last),
        ),
    )


def stage_bars(content: Content, figures: ReportFigures) -> list[StageBars]:
    """Each stage with defects in either period, in journey order, unassigned last."""
    seen = set(figures.by_stage) | set(figures.before_by_stage)
    order = [s.id for s in content.stages if s.id in seen]
    order += sorted(s for s in seen if s is not None and s not in order)
    if None in seen:
        order.append(None)
    return [
        StageBars(
            content.stage_name(stage),
            figures.by_stage.get(stage, 0),
            figures.before_by_stage.get(stage, 0),
        )
        for stage in order
    ]


def _summary(figures: ReportFigures, this: str, last: str) -> str:
    now, before = figures.defects, figures.defects_before
    defects = f"{now} service defect{'s' if now != 1 else ''} logged in {this} ({before} in {last})"
    stories = f"{figures.stories} WOW {'story' if figures.stories == 1 else 'stories'} shared"
    return f"{defects}; {stories}."


def _stage_lines(content: Content, figures: ReportFigures, this: str, last: str) -> str:
    bars = stage_bars(content, figures)
    if not bars:
        return f"None logged in {this} or {last}."
    return "\n".join(f"• {b.stage}: {b.this} ({b.last} in {last})" for b in bars)


def _recovery_lines(content: Content, figures: ReportFigures, tz: str, private: bool) -> str:
    total = figures.defects
    if not total:
        return "No defects to recover this period."
    lines = [f"{figures.recovered} of {total} got a recovery action."]
    if figures.first_action is not None:
        lines.append(f"Median time to the first action: {duration(figures.first_action)}.")
    still = figures.still_open
    lines.append(
        f"{len(still)} still open after 7 days." if still else "None still open after 7 days."
    )
    if private:
        for d in still[:OPEN_LISTED]:
            owner = f"owner {d.owner_name}" if d.owner_name else "no owner yet"
            lines.append(
                f"• #{d.defect_id} {content.stage_name(d.stage)}, logged "
                f"{local_date(d.created_at, tz)}, {owner}"
            )
        if len(still) > OPEN_LISTED:
            lines.append(f"…and {len(still) - OPEN_LISTED} more: `/defect list`")
    return "\n".join(lines)


def _cause_lines(content: Content, figures: ReportFigures) -> str:
    def name(cause: str | None) -> str:
        found = content.fta_cause(cause)
        return found.name if found else ("No cause given" if cause is None else cause)

    known = [c.id for c in content.fta_causes]
    ordered = sorted(
        figures.fta_by_cause.items(),
        key=lambda item: (-item[1], known.index(item[0]) if item[0] in known else len(known)),
    )
    return "\n".join(f"• {name(cause)}: {count}" for cause, count in ordered)


def _wow_lines(figures: ReportFigures) -> str:
    n = figures.nominations
    lines = [
        f"{figures.stories} {'story' if figures.stories == 1 else 'stories'} shared, "
        f"{n} nomination{'s' if n != 1 else ''}."
    ]
    if figures.heroes:
        lines.append(
            "Heroes: " + ", ".join(f"{h.name} ({h.nominations} ★)" for h in figures.heroes)
        )
    return "\n".join(lines)


def _alt_text(bars: list[StageBars], this: str, last: str) -> str:
    parts = "; ".join(f"{b.stage} {b.this} against {b.last}" for b in bars)
    return f"Bar chart of service defects by journey stage, {this} against {last}: {parts}."


def duration(span: timedelta) -> str:
    """'3 days 4 hours', '5 hours', '20 minutes': the two largest units, rounded down."""
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    units = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    shown = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in units if n][:2]
    return " ".join(shown) or "under a minute"
