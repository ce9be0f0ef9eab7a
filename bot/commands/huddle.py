"""Set up and follow the weekly huddle.

`/huddle schedule <weekday> <HH:MM> [<timezone>]` posts the Monday Morning Meeting here every week, e.g. `/huddle schedule monday 8:30 am Sydney` or `/huddle schedule mon 08:00 Australia/Sydney`
`/huddle status` shows when the next meeting is posted here, and any skips
`/huddle skip <date>` skips the post (and nudge) due on that date, e.g. `/huddle skip 25/12` or `/huddle skip next monday`
`/huddle pause until <date>` pauses posts here until that date (`2027-01-12`, `Jan 12`, `12/1`); `/huddle resume` ends a pause
`/huddle stop` stops the weekly meeting in this channel
`/huddle preview` shows the next meeting, just to you
`/huddle rules` shows where this channel is in the year's rules
`/huddle blueprint [<stage>]` shows the service blueprint for a stage of the patient journey; `/huddle blueprint suggest <stage> <list>: <idea>` suggests an item for it (`/huddle blueprint help`)
`/huddle leaderboard [week|month|quarter|year|all]` shows the top WOW stories and people (the heroes), this month and all time unless you name a period
`/huddle report [month|quarter|year|YYYY-MM]` shows you the service report with its chart, e.g. `/huddle report 2026-10`
`/huddle timezone <timezone>` sets the practice's timezone (the default for schedules), by city (`Sydney`), country (`New Zealand`) or IANA name
`/huddle emoji <name>` sets the reaction that nominates a WOW story
`/huddle admins` lists the practice's admins; `/huddle admin add|remove @someone` changes them
Only admins change the schedule, the brief time, pause, skip, resume, stop, the timezone and the emoji.
`/huddle brief [today|tomorrow] [<provider>]` shows you the day's appointments with tidbits and defects; `/huddle brief at 7:45` posts the day's counts here (admins; `/huddle brief off`)
`/huddle source` shows where the appointments come from; `/huddle source opendental|ical|csv` sets it, in a form (admins)
`/huddle tidbits` says whether the practice uses tidbits; `/huddle tidbits on|off` turns them on or off (admins)
`/huddle frontdesk` lists who hears about unconfirmed and late patients; `/huddle frontdesk add|remove @someone`, `at 15:00`, `deadline 17:00`, `popups on|off` (admins)
`/huddle export defects|stories|fta [<period>] [xlsx] [with refs]` sends you the practice's records as a spreadsheet (admins; `week`, `month`, `quarter`, `year`, `all` or `2026-11`)
`/huddle audit [since <date>]` shows you the audit log: who read, changed, deleted or exported what, when (admins)
`/huddle help` shows this help
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from bot.commands.admins import admin, list_admins, require_admin
from bot.commands.audit import audit
from bot.commands.blueprint import blueprint
from bot.commands.brief import brief
from bot.commands.context import Context, UsageError
from bot.commands.export import export
from bot.commands.front_desk import front_desk
from bot.commands.leaderboard import leaderboard
from bot.commands.report import report
from bot.commands.schedule import pause, resume, schedule, skip, status, stop, timezone
from bot.commands.source import source
from bot.commands.suggest import did_you_mean
from bot.commands.tidbits_setting import tidbits
from bot.meeting import compose_meeting, next_rule, position_in_curriculum
from bot.model import Field, Reply, Visibility
from bot.storage import meetings
from bot.storage.workspaces import update_workspace


def handle(ctx: Context) -> list[Reply]:
    word, _, rest = ctx.incoming.text.strip().partition(" ")
    sub = word.casefold() or "help"
    action = SUBCOMMANDS.get(sub)
    if action is None:
        meant = did_you_mean("huddle", word, SUBCOMMANDS)
        names = ", ".join(f"`{name}`" for name in SUBCOMMANDS if name != "?")
        raise UsageError(meant or f"I don't know `/huddle {word[:30]}`. Try one of {names}.")
    return [action(ctx, rest.strip())]


def _admin_only(what: str, action: Callable[[Context, str], Reply]):
    """``action``, for the practice's admins only; everyone else is told who can."""

    def checked(ctx: Context, rest: str) -> Reply:
        note = require_admin(ctx, what)
        reply = action(ctx, rest)
        footer = "\n".join(n for n in (reply.footer, note) if n)
        return dataclasses.replace(reply, footer=footer or None)

    return checked


def _help(ctx: Context, rest: str) -> Reply:
    return Reply(title="/huddle", text=__doc__.strip())


def _emoji(ctx: Context, rest: str) -> Reply:
    name = rest.strip().strip(":")
    if not re.fullmatch(r"[\w+-]{1,64}", name):
        raise UsageError(
            "Give the emoji's name, like `/huddle emoji star-struck` or `/huddle emoji heart`."
        )
    update_workspace(session=ctx.session, workspace=ctx.workspace, nominate_emoji=name.casefold())
    return Reply(text=f"Reacting with :{name}: to a WOW story now nominates it.")


def _preview(ctx: Context, rest: str) -> Reply:
    posted = meetings.posted_rule_ids(
        session=ctx.session, workspace_id=ctx.workspace_id, channel_id=ctx.incoming.channel_id
    )
    rule = next_rule(ctx.content, posted)
    return compose_meeting(
        rule, week_label="Preview: only you can see this", visibility=Visibility.PRIVATE
    )


def _rules(ctx: Context, rest: str) -> Reply:
    posted = meetings.posted_rule_ids(
        session=ctx.session, workspace_id=ctx.workspace_id, channel_id=ctx.incoming.channel_id
    )
    done, total = position_in_curriculum(ctx.content, posted)
    upcoming = next_rule(ctx.content, posted)
    recent = [ctx.content.rules[r] for r in posted[-3:] if r in ctx.content.rules]
    fields = [Field("Next up", f"{upcoming.title} ({upcoming.theme})")]
    if recent:
        fields.append(Field("Recently", "\n".join(f"• {r.title}" for r in reversed(recent))))
    themes = list(dict.fromkeys(r.theme for r in ctx.content.rules_in_order()))
    fields.append(Field("Themes this year", "\n".join(f"• {t}" for t in themes)))
    return Reply(
        title="The year's rules",
        text=f"This channel has had {done} of {total} rules in this round.",
        fields=tuple(fields),
    )


SUBCOMMANDS: dict[str, Callable[[Context, str], Reply]] = {
    "help": _help,
    "?": _help,
    "schedule": _admin_only("change the schedule", schedule),
    "status": status,
    "skip": _admin_only("skip a meeting", skip),
    "pause": _admin_only("pause the meeting", pause),
    "resume": _admin_only("resume the meeting", resume),
    "stop": _admin_only("stop the meeting", stop),
    "preview": _preview,
    "rules": _rules,
    "blueprint": blueprint,
    "leaderboard": leaderboard,
    "report": report,
    "timezone": timezone,
    "emoji": _admin_only("change the reaction emoji", _emoji),
    "admins": list_admins,
    "admin": admin,
    "brief": brief,
    "source": _admin_only("see or set the schedule source", source),
    "frontdesk": front_desk,
    "tidbits": tidbits,
    "export": export,
    "audit": audit,
}
