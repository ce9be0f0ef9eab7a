"""Set up and follow the weekly huddle.

`/huddle schedule <weekday> <HH:MM> [<timezone>]` posts the Monday Morning Meeting here every week, e.g. `/huddle schedule monday 08:00 Australia/Sydney`
`/huddle status` shows when the next meeting is posted here, and any skips
`/huddle skip <YYYY-MM-DD>` skips the post (and nudge) due on that date, e.g. a public holiday
`/huddle pause until <YYYY-MM-DD>` pauses posts here until that date; `/huddle resume` ends a pause
`/huddle stop` stops the weekly meeting in this channel
`/huddle preview` shows the next meeting, just to you
`/huddle rules` shows where this channel is in the year's rules
`/huddle blueprint [<stage>]` shows the service blueprint for a stage of the patient journey
`/huddle leaderboard` shows the top WOW stories and people, this month and all time
`/huddle timezone <timezone>` sets the practice's timezone (the default for schedules)
`/huddle emoji <name>` sets the reaction that nominates a WOW story
`/huddle admins` lists the practice's admins; `/huddle admin add|remove @someone` changes them
Only admins change the schedule, pause, skip, resume, stop, the timezone and the emoji.
`/huddle help` shows this help
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import UTC
from zoneinfo import ZoneInfo

from bot.commands.admins import admin, list_admins, require_admin
from bot.commands.context import Context, UsageError
from bot.commands.parsing import parse_date, parse_time, parse_timezone, parse_weekday
from bot.meeting import compose_meeting, next_rule, position_in_curriculum
from bot.model import Button, Field, Reply, Visibility
from bot.scheduling import WEEKDAYS, NextRuns, Period, next_runs
from bot.storage import meetings, subscriptions
from bot.storage.workspaces import update_workspace
from bot.stories import leaders, story_line
from bot.wording import describe_next_meeting, local_datetime_label, shorten


def handle(ctx: Context) -> list[Reply]:
    word, _, rest = ctx.incoming.text.strip().partition(" ")
    sub = word.casefold() or "help"
    action = SUBCOMMANDS.get(sub)
    if action is None:
        names = ", ".join(f"`{name}`" for name in SUBCOMMANDS if name != "?")
        raise UsageError(f"I don't know `/huddle {word[:30]}`. Try one of {names}.")
    return [action(ctx, rest.strip())]


def _admin_only(what: str, action: Callable[[Context, str], Reply]):
    """``action``, for the practice's admins only; everyone else is told who can."""

    def checked(ctx: Context, rest: str) -> Reply:
        note = require_admin(ctx, what)
        reply = action(ctx, rest)
        return dataclasses.replace(reply, footer=note) if note else reply

    return checked


def _help(ctx: Context, rest: str) -> Reply:
    return Reply(title="/huddle", text=__doc__.strip())


def _schedule_label(subscription) -> str:
    return (
        f"{WEEKDAYS[subscription.weekday].title()} at "
        f"{subscription.hour:02d}:{subscription.minute:02d} ({subscription.timezone})"
    )


def _schedule(ctx: Context, rest: str) -> Reply:
    parts = rest.split()
    confirmed = bool(parts) and parts[-1].casefold() == "confirm"
    parts = parts[:-1] if confirmed else parts
    if len(parts) not in (2, 3):
        raise UsageError(
            "Tell me the day and time, and optionally the timezone: "
            "`/huddle schedule monday 08:00 Australia/Sydney`."
        )
    weekday = parse_weekday(parts[0])
    at = parse_time(parts[1])
    tz = parse_timezone(parts[2]) if len(parts) == 3 else ctx.workspace.timezone
    current = subscriptions.get_subscription(
        session=ctx.session, workspace_id=ctx.workspace_id, channel_id=ctx.incoming.channel_id
    )
    wanted = f"{WEEKDAYS[weekday].title()} at {at:%H:%M} ({tz})"
    if current is not None and current.active and not confirmed:
        if (current.weekday, current.hour, current.minute, current.timezone) == (
            weekday,
            at.hour,
            at.minute,
            tz,
        ):
            return Reply(text=f"This channel's meeting is already every {wanted}.")
        again = f"huddle schedule {WEEKDAYS[weekday]} {at:%H:%M} {tz} confirm"
        return Reply(
            title="Replace this channel's schedule?",
            text=f"This channel's meeting is every {_schedule_label(current)}. Replace it with "
            f"every {wanted}? Nothing changes until you confirm: `/{again}`.",
            buttons=(Button("Replace it", again, style="primary"),),
        )
    subscription = subscriptions.subscribe(
        session=ctx.session,
        workspace_id=ctx.workspace_id,
        channel_id=ctx.incoming.channel_id,
        weekday=weekday,
        hour=at.hour,
        minute=at.minute,
        timezone=tz,
        user_id=ctx.incoming.user_id,
        now=ctx.now,
    )
    upcoming = _next_post(ctx, subscription)
    return Reply(
        title="Weekly meeting scheduled",
        text=f"Every {WEEKDAYS[weekday].title()} at {at:%H:%M} ({tz}), this channel gets the "
        "Monday Morning Meeting: one service rule to talk about, a challenge for the week, "
        "and a call for WOW stories.",
        fields=(Field("Next post", upcoming),),
        visibility=Visibility.CHANNEL,
    )


def _subscription(ctx: Context):
    subscription = subscriptions.get_subscription(
        session=ctx.session, workspace_id=ctx.workspace_id, channel_id=ctx.incoming.channel_id
    )
    if subscription is None or not subscription.active:
        raise UsageError(
            "This channel has no weekly meeting yet. Start one with "
            "`/huddle schedule monday 08:00`."
        )
    return subscription


def _next_runs(ctx: Context, subscription) -> NextRuns:
    """When the clock next posts here and nudges: the same reckoning as `huddle jobs list`."""
    this_week = meetings.get_meeting_post(
        session=ctx.session,
        workspace_id=ctx.workspace_id,
        channel_id=subscription.channel_id,
        period=Period.WEEK.of(ctx.now, subscription.timezone),
    )
    skipped = set(subscriptions.skipped_dates(session=ctx.session, subscription=subscription))
    return next_runs(
        subscription,
        ctx.now,
        skipped,
        this_week.status if this_week is not None else None,
        WEEKDAYS.index(ctx.settings.nudge_weekday),
    )


def _next_post(ctx: Context, subscription) -> str:
    runs = _next_runs(ctx, subscription)
    return describe_next_meeting(runs.meeting, runs.due_now, subscription.timezone)


def _stop(ctx: Context, rest: str) -> Reply:
    subscription = _subscription(ctx)
    subscriptions.unsubscribe(session=ctx.session, subscription=subscription, now=ctx.now)
    return Reply(
        text="The weekly meeting is stopped in this channel. Stories and defects stay as they are; "
        "`/huddle schedule monday 08:00` starts it again where you left off.",
        visibility=Visibility.CHANNEL,
    )


def _status(ctx: Context, rest: str) -> Reply:
    subscription = _subscription(ctx)
    today = ctx.now.astimezone(ZoneInfo(subscription.timezone)).date()
    skips = subscriptions.skipped_dates(
        session=ctx.session, subscription=subscription, from_date=today
    )
    fields = [Field("Schedule", _schedule_label(subscription))]
    runs = _next_runs(ctx, subscription)
    fields.append(
        Field("Next post", describe_next_meeting(runs.meeting, runs.due_now, subscription.timezone))
    )
    if runs.nudge is not None:
        fields.append(
            Field(
                "Story nudge",
                f"{local_datetime_label(runs.nudge, subscription.timezone)}, "
                "in the meeting's thread if no WOW story has been shared by then",
            )
        )
    if subscription.paused_until and subscription.paused_until > today:
        fields.append(Field("Paused until", subscription.paused_until.isoformat()))
    if skips:
        fields.append(Field("Skipping", ", ".join(d.strftime("%a %Y-%m-%d") for d in skips)))
    return Reply(title="Weekly meeting", text="", fields=tuple(fields))


def _skip(ctx: Context, rest: str) -> Reply:
    subscription = _subscription(ctx)
    today = ctx.now.astimezone(ZoneInfo(subscription.timezone)).date()
    if not rest:
        raise UsageError(f"Which date? For example `/huddle skip {today.year}-12-28`.")
    day = parse_date(rest.split()[0], today=today)
    if day < today:
        raise UsageError(f"{day.isoformat()} has already passed. Pick today or a later date.")
    added = subscriptions.add_skip(
        session=ctx.session,
        subscription=subscription,
        skip_date=day,
        user_id=ctx.incoming.user_id,
        now=ctx.now,
    )
    text = f"Skipping {day:%A %d %B %Y}." if added else f"{day.isoformat()} was already skipped."
    if day.weekday() != subscription.weekday:
        text += (
            f" Note: the meeting is on {WEEKDAYS[subscription.weekday].title()}s, so only a "
            "nudge due that day is skipped. To skip a week's meeting, skip its meeting day."
        )
    return Reply(
        text=text,
        fields=(Field("Next post", _next_post(ctx, subscription)),),
        visibility=Visibility.CHANNEL,
    )


def _pause(ctx: Context, rest: str) -> Reply:
    subscription = _subscription(ctx)
    today = ctx.now.astimezone(ZoneInfo(subscription.timezone)).date()
    match = re.fullmatch(r"(?:until\s+)?(\S+)", rest, re.IGNORECASE)
    if not match:
        raise UsageError(f"Until when? For example `/huddle pause until {today.year + 1}-01-12`.")
    day = parse_date(match.group(1), today=today)
    if day <= today:
        raise UsageError("Pick a date after today, like `/huddle pause until 2027-01-12`.")
    subscriptions.pause_until(
        session=ctx.session, subscription=subscription, until=day, now=ctx.now
    )
    return Reply(
        text=f"Paused until {day:%A %d %B %Y}. `/huddle resume` ends the pause sooner.",
        fields=(Field("Next post", _next_post(ctx, subscription)),),
        visibility=Visibility.CHANNEL,
    )


def _resume(ctx: Context, rest: str) -> Reply:
    subscription = _subscription(ctx)
    subscriptions.pause_until(
        session=ctx.session, subscription=subscription, until=None, now=ctx.now
    )
    return Reply(
        text="The weekly meeting is back on.",
        fields=(Field("Next post", _next_post(ctx, subscription)),),
        visibility=Visibility.CHANNEL,
    )


def _timezone(ctx: Context, rest: str) -> Reply:
    if not rest:
        return Reply(
            text=f"The practice's timezone is {ctx.workspace.timezone}. Change it with "
            "`/huddle timezone Australia/Sydney`."
        )
    tz = parse_timezone(rest)
    note = require_admin(ctx, "change the practice's timezone")
    update_workspace(session=ctx.session, workspace=ctx.workspace, timezone=tz)
    return Reply(
        text=f"The practice's timezone is now {tz}. Existing schedules keep their own timezone; "
        "run `/huddle schedule` again in a channel to change its.",
        footer=note,
    )


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


def _blueprint(ctx: Context, rest: str) -> Reply:
    if not rest:
        return Reply(
            title="The patient journey",
            text="Pick a stage to see its service blueprint.",
            fields=tuple(
                Field(stage.name, f"`/huddle blueprint {stage.id}`") for stage in ctx.content.stages
            ),
            buttons=tuple(
                Button(stage.name, f"huddle blueprint {stage.id}") for stage in ctx.content.stages
            ),
        )
    stage = ctx.content.find_stage(rest)
    if stage is None:
        names = ", ".join(f"`{s.id}`" for s in ctx.content.stages)
        raise UsageError(f"I don't know the stage “{shorten(rest, 30)}”. Try one of {names}.")
    bp = stage.blueprint

    def bullets(items) -> str:
        return "\n".join(f"• {item}" for item in items) or "None listed yet."

    fields = [
        Field("What every practice does", bullets(bp.operational_standards)),
        Field("What can go wrong", bullets(bp.common_defects)),
        Field("What a great practice does", bullets(bp.experiential_standards)),
        Field("Above and beyond", bullets(bp.above_and_beyond)),
        Field("Making it right", bullets(bp.recovery_moves)),
    ]
    if bp.offer_the_offer:
        fields.append(Field("Offer the offer", bp.offer_the_offer))
    return Reply(
        title=f"Service blueprint · {stage.name}",
        text=f"Log a defect here with `/defect {stage.id}: what happened`.",
        fields=tuple(fields),
    )


def _leaderboard(ctx: Context, rest: str) -> Reply:
    local_now = ctx.now.astimezone(ZoneInfo(ctx.workspace.timezone))
    month_start = local_now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    month_start_utc = month_start.astimezone(UTC)
    fields = []
    for label, since in ((f"{local_now:%B}", month_start_utc), ("All time", None)):
        board = leaders(session=ctx.session, workspace_id=ctx.workspace_id, since=since)
        fields.append(Field(f"Top stories · {label}", _story_lines(board.stories)))
        fields.append(Field(f"Top people · {label}", _people_lines(board.people)))
    return Reply(
        title="WOW leaderboard",
        text="Nominations, most first. Top people are the heroes the stories are about.",
        fields=tuple(fields),
    )


def _story_lines(scores) -> str:
    if not scores:
        return "No nominations yet."
    return "\n".join(
        f"{i}. {story_line(score, found)}" for i, (score, found) in enumerate(scores, start=1)
    )


def _people_lines(people) -> str:
    if not people:
        return "No nominations yet."
    return "\n".join(
        f"{i}. {p.name}: {p.nominations} ★ from {p.stories} "
        f"{'story' if p.stories == 1 else 'stories'}"
        for i, p in enumerate(people, start=1)
    )


SUBCOMMANDS: dict[str, Callable[[Context, str], Reply]] = {
    "help": _help,
    "?": _help,
    "schedule": _admin_only("change the schedule", _schedule),
    "status": _status,
    "skip": _admin_only("skip a meeting", _skip),
    "pause": _admin_only("pause the meeting", _pause),
    "resume": _admin_only("resume the meeting", _resume),
    "stop": _admin_only("stop the meeting", _stop),
    "preview": _preview,
    "rules": _rules,
    "blueprint": _blueprint,
    "leaderboard": _leaderboard,
    "timezone": _timezone,
    "emoji": _admin_only("change the reaction emoji", _emoji),
    "admins": list_admins,
    "admin": admin,
}
