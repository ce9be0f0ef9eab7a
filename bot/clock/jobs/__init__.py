"""The clock's jobs: one file each, and this table, the only list of them.

The clock runs them in this order every tick (``TICK`` jobs) or hour (``HOURLY``):
the WOW of the week and the digest follow the meeting, so they go out with it.
``huddle jobs run <name>`` runs one of them once. Each job is defined through
``bot.clock.engine`` (``ClockJob`` or ``Housekeeping``); a new one is a file here
and a line below.

Example (a script or a test)::

    report = await run_monday_meeting(huddle, {"slack": messenger}, now)
    print(report.summary())  # posted, failed, rate_limited, db_round_trips, ...
"""

from __future__ import annotations

from bot.clock.delivery import FanoutReport
from bot.clock.engine import Job, job_table
from bot.clock.jobs.defect_digest import DEFECT_DIGEST
from bot.clock.jobs.front_desk_unconfirmed import FRONT_DESK_UNCONFIRMED
from bot.clock.jobs.late_patients import LATE_PATIENTS
from bot.clock.jobs.monday_meeting import MONDAY_MEETING
from bot.clock.jobs.monthly_report import MONTHLY_REPORT
from bot.clock.jobs.morning_brief import MORNING_BRIEF
from bot.clock.jobs.owner_notice import OWNER_NOTICE
from bot.clock.jobs.purge_appointments import PURGE_APPOINTMENTS
from bot.clock.jobs.purge_downloads import PURGE_DOWNLOADS
from bot.clock.jobs.purge_events import PURGE_EVENTS
from bot.clock.jobs.purge_story_drafts import PURGE_STORY_DRAFTS
from bot.clock.jobs.purge_tidbits import PURGE_TIDBITS
from bot.clock.jobs.recovery_popups import RECOVERY_POPUPS
from bot.clock.jobs.schedule_sync import SCHEDULE_SYNC
from bot.clock.jobs.story_nudge import STORY_NUDGE
from bot.clock.jobs.wow_of_the_week import WOW_OF_THE_WEEK

JOBS: dict[str, Job] = job_table(
    MONDAY_MEETING,
    WOW_OF_THE_WEEK,
    DEFECT_DIGEST,
    STORY_NUDGE,
    OWNER_NOTICE,
    MORNING_BRIEF,
    PURGE_TIDBITS,
    PURGE_EVENTS,
    PURGE_STORY_DRAFTS,
    PURGE_APPOINTMENTS,
    SCHEDULE_SYNC,
    MONTHLY_REPORT,
    FRONT_DESK_UNCONFIRMED,
    LATE_PATIENTS,
    RECOVERY_POPUPS,
    PURGE_DOWNLOADS,
)

# The job bodies by their old names, for scripts and tests: ``await run_...(huddle, messengers, now)``.
run_monday_meeting = MONDAY_MEETING
run_wow_of_the_week = WOW_OF_THE_WEEK
run_defect_digest = DEFECT_DIGEST
run_story_nudge = STORY_NUDGE

__all__ = [
    "JOBS",
    "FanoutReport",
    "Job",
    "run_defect_digest",
    "run_monday_meeting",
    "run_story_nudge",
    "run_wow_of_the_week",
]
