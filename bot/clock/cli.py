"""``huddle clock``, ``huddle jobs list`` and ``huddle jobs run <job>``: for operators and tests."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime, timedelta
from typing import TextIO

from bot.clock.config import ClockSettings
from bot.clock.jobs import JOBS
from bot.clock.messengers import close_messengers, load_messengers
from bot.config import Settings
from bot.huddle import Huddle
from bot.scheduling import WEEKDAYS, Period, local_day, next_runs
from bot.storage.clock import MEETINGS, POSTED, Target, load_targets
from bot.storage.clock_snapshot import load_claims, load_skips
from bot.storage.db import transaction
from bot.wiring import build_huddle, clock_vault
from bot.wording import describe_next_meeting, local_datetime_label


def register(commands: argparse._SubParsersAction) -> None:
    clock = commands.add_parser(
        "clock", help="run the scheduler: weekly meetings, nudges, WOW of the week, digests"
    )
    clock.set_defaults(run=_run_clock)

    jobs = commands.add_parser("jobs", help="the clock's jobs, for operators")
    job_commands = jobs.add_subparsers(dest="jobs_command", required=True)
    job_commands.add_parser(
        "list", help="every subscribed channel and when it next gets its meeting"
    ).set_defaults(run=_jobs_list)
    run = job_commands.add_parser(
        "run",
        help="run one job's body once, now",
        description="Runs one job once, now. The jobs, in the clock's order:\n"
        + "\n".join(f"  {name}: {job.doc}" for name, job in JOBS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("job", choices=list(JOBS), help="which job")
    run.set_defaults(run=_jobs_run)


def _build(settings: Settings):
    huddle = build_huddle(settings, clock_vault(settings))
    return huddle, load_messengers(settings, huddle)


def _run_clock(settings: Settings, args: argparse.Namespace) -> int:
    # Imported here, not at the top: only `huddle clock` needs APScheduler, so every
    # other `huddle` command starts without loading it.
    from bot.clock.scheduler import run_clock

    options = ClockSettings()
    huddle, messengers = _build(settings)
    asyncio.run(run_clock(huddle, messengers, options))
    return 0


def _jobs_run(settings: Settings, args: argparse.Namespace) -> int:
    options = ClockSettings()
    huddle, messengers = _build(settings)

    async def once():
        job = JOBS[args.job]
        try:
            return await job(huddle, messengers, huddle.clock(), options=options)
        finally:
            aclose = getattr(job, "aclose", None)  # late-patients' practice sources
            if aclose is not None:
                await aclose()
            await close_messengers(messengers)

    report = asyncio.run(once())
    print(report.summary())
    return 1 if report.problems else 0


def _jobs_list(settings: Settings, args: argparse.Namespace) -> int:
    huddle = build_huddle(settings, clock_vault(settings))
    list_jobs(huddle, ClockSettings())
    return 0


def list_jobs(huddle: Huddle, options: ClockSettings, out: TextIO | None = None) -> int:
    """Print each subscription and its next run, local and UTC. Returns how many."""
    out = out or sys.stdout
    now = huddle.clock()
    with transaction(huddle.engine) as session:
        targets = load_targets(session=session)
        if not targets:
            print(
                "No channel is subscribed yet (`/huddle schedule monday 08:00` in one).", file=out
            )
            return 0
        skips = load_skips(
            session=session,
            start=now.date() - timedelta(days=8),
            end=now.date() + timedelta(days=400),
        )
        weeks = {Period.WEEK.of(now, t.timezone) for t in targets}
        rows = load_claims(session=session, claims=MEETINGS, periods=weeks)
    for target in targets:
        print(
            _describe(target, now, skips.get(target.subscription_id, set()), rows, options),
            file=out,
        )
    print(f"{len(targets)} subscribed channel(s); it is now {now:%Y-%m-%d %H:%M} UTC.", file=out)
    return len(targets)


def _describe(target: Target, now: datetime, skipped, rows, options: ClockSettings) -> str:
    tz = target.timezone
    row = rows.get((*target.key, Period.WEEK.of(now, tz)))
    runs = next_runs(target, now, skipped, row and row.status, options.nudge_weekday_index)
    parts = [
        f"{target.platform}:{target.external_workspace_id} #{target.channel_id}",
        f"{WEEKDAYS[target.weekday].title()} {target.hour:02d}:{target.minute:02d} {tz}",
        f"next meeting {describe_next_meeting(runs.meeting, runs.due_now, tz)}",
    ]
    if row is not None:
        state = f"this week: {row.status}"
        if row.status != POSTED and row.next_attempt_at is not None:
            state += f", retry after {row.next_attempt_at:%Y-%m-%d %H:%M} UTC"
        parts.append(state)
    if runs.nudge is not None:
        parts.append(f"nudge {local_datetime_label(runs.nudge, tz)}")
    today = local_day(now, tz)
    if target.paused_until and target.paused_until > today:
        parts.append(f"paused until {target.paused_until.isoformat()}")
    upcoming = sorted(d for d in skipped if d >= today)
    if upcoming:
        parts.append("skipping " + ", ".join(d.isoformat() for d in upcoming))
    return " · ".join(parts)
