"""`/huddle schedule`, `status`, `skip`, `pause`, `resume`, `stop` and `timezone`: when a
channel's weekly meeting comes. Dates, times and zones are read as people type them
(`monday 8:30 am Sydney`, `skip 25/12`, `pause until next monday`) and every change is
repeated back in words, so a misreading shows before the meeting moves."""

from __future__ import annotations

import re
from datetime import time
from zoneinfo import ZoneInfo

from bot.commands.admins import require_admin
from bot.commands.context import Context, UsageError
from bot.commands.parsing import parse_weekday
from bot.commands.when import TIME_EXAMPLES, DateReading, read_date, take_time
from bot.commands.zones import ZONE_EXAMPLES, ZoneReading, month_first, read_zone
from bot.model import Button, Field, Reply, Visibility
from bot.scheduling import WEEKDAYS, NextRuns, Period, next_runs
from bot.storage import meetings, subscriptions
from bot.storage.workspaces import update_workspace
from bot.wording import (
    clock_time,
    day_in_words,
    describe_next_meeting,
    local_datetime_label,
    next_in_words,
    weekly_in_words,
    zone_in_words,
)

SCHEDULE_EXAMPLE = "`/huddle schedule monday 8:30 am Sydney`"


def _label(subscription) -> str:
    at = time(subscription.hour, subscription.minute)
    return weekly_in_words(subscription.weekday, at, subscription.timezone)


def _read_weekly(ctx: Context, parts: list[str]) -> tuple[int, time, ZoneReading]:
    """`monday 8:30 am Sydney`, `mondays at 0830`, `mon 8am New Zealand`."""
    words = [w for w in parts if w.casefold() not in ("every", "at", "on")]
    if not words:
        raise UsageError(
            f"Tell me the day and time, and optionally the timezone: {SCHEDULE_EXAMPLE}."
        )
    day = words[0].casefold()
    weekday = parse_weekday(day[:-1] if day.endswith("days") else day)
    if len(words) == 1:
        raise UsageError(
            f"I read {WEEKDAYS[weekday].title()}, but what time? Type it like {TIME_EXAMPLES}: "
            f"{SCHEDULE_EXAMPLE}."
        )
    try:
        at, taken = take_time(words[1:])
    except UsageError as error:
        raise UsageError(f"I read {WEEKDAYS[weekday].title()}, but {error}") from None
    zone_text = " ".join(words[1 + taken :])
    if not zone_text:
        return weekday, at, ZoneReading(ctx.workspace.timezone)
    try:
        return weekday, at, read_zone(zone_text)
    except UsageError as error:
        understood = f"{WEEKDAYS[weekday].title()} {clock_time(at)}"
        raise UsageError(f"I read {understood}, but {error}") from None


def schedule(ctx: Context, rest: str) -> Reply:
    parts = rest.split()
    confirmed = bool(parts) and parts[-1].casefold() == "confirm"
    weekday, at, zone = _read_weekly(ctx, parts[:-1] if confirmed else parts)
    tz = zone.zone
    wanted = weekly_in_words(weekday, at, tz)
    current = subscriptions.get_subscription(
        session=ctx.session, workspace_id=ctx.workspace_id, channel_id=ctx.incoming.channel_id
    )
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
            text=f"This channel's meeting is every {_label(current)}. Replace it with "
            f"every {wanted}? Nothing changes until you confirm: `/{again}`.",
            buttons=(Button("Replace it", again, style="primary"),),
            footer=zone.note,
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
    runs = _next_runs(ctx, subscription)
    return Reply(
        title="Weekly meeting scheduled",
        text=f"Every {wanted}, {next_in_words(runs.meeting, tz)}: this channel gets the "
        "Monday Morning Meeting, with one service rule to talk about, a challenge for the "
        "week, and a call for WOW stories.",
        fields=(Field("Next post", describe_next_meeting(runs.meeting, runs.due_now, tz)),),
        visibility=Visibility.CHANNEL,
        footer=zone.note,
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


def stop(ctx: Context, rest: str) -> Reply:
    subscription = _subscription(ctx)
    subscriptions.unsubscribe(session=ctx.session, subscription=subscription, now=ctx.now)
    return Reply(
        text="The weekly meeting is stopped in this channel. Stories and defects stay as they are; "
        "`/huddle schedule monday 08:00` starts it again where you left off.",
        visibility=Visibility.CHANNEL,
    )


def status(ctx: Context, rest: str) -> Reply:
    subscription = _subscription(ctx)
    today = ctx.now.astimezone(ZoneInfo(subscription.timezone)).date()
    skips = subscriptions.skipped_dates(
        session=ctx.session, subscription=subscription, from_date=today
    )
    fields = [Field("Schedule", _label(subscription))]
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


def _read_day(ctx: Context, text: str, today) -> DateReading:
    return read_date(text, today=today, month_first=month_first(ctx.workspace.timezone))


def skip(ctx: Context, rest: str) -> Reply:
    subscription = _subscription(ctx)
    today = ctx.now.astimezone(ZoneInfo(subscription.timezone)).date()
    if not rest:
        raise UsageError(
            f"Which date? For example `/huddle skip 25/12` or `/huddle skip {today.year}-12-28`."
        )
    reading = _read_day(ctx, rest, today)
    day = reading.day
    if day < today:
        raise UsageError(
            f"I read {day_in_words(day)}, which has already passed. Pick today or a later date."
        )
    added = subscriptions.add_skip(
        session=ctx.session,
        subscription=subscription,
        skip_date=day,
        user_id=ctx.incoming.user_id,
        now=ctx.now,
    )
    text = (
        f"Skipping {day_in_words(day)}."
        if added
        else f"{day_in_words(day)} ({day.isoformat()}) was already skipped."
    )
    if day.weekday() != subscription.weekday:
        text += (
            f" Note: the meeting is on {WEEKDAYS[subscription.weekday].title()}s, so only a "
            "nudge due that day is skipped. To skip a week's meeting, skip its meeting day."
        )
    return Reply(
        text=text,
        fields=(Field("Next post", _next_post(ctx, subscription)),),
        visibility=Visibility.CHANNEL,
        footer=reading.note,
    )


def pause(ctx: Context, rest: str) -> Reply:
    subscription = _subscription(ctx)
    today = ctx.now.astimezone(ZoneInfo(subscription.timezone)).date()
    text = re.sub(r"^until\b", "", rest.strip(), flags=re.IGNORECASE).strip()
    if not text:
        raise UsageError(f"Until when? For example `/huddle pause until {today.year + 1}-01-12`.")
    reading = _read_day(ctx, text, today)
    day = reading.day
    if day <= today:
        raise UsageError(
            f"I read {day_in_words(day)}. Pick a date after today, like "
            "`/huddle pause until 2027-01-12`."
        )
    subscriptions.pause_until(
        session=ctx.session, subscription=subscription, until=day, now=ctx.now
    )
    return Reply(
        text=f"Paused until {day_in_words(day)}. `/huddle resume` ends the pause sooner.",
        fields=(Field("Next post", _next_post(ctx, subscription)),),
        visibility=Visibility.CHANNEL,
        footer=reading.note,
    )


def resume(ctx: Context, rest: str) -> Reply:
    subscription = _subscription(ctx)
    subscriptions.pause_until(
        session=ctx.session, subscription=subscription, until=None, now=ctx.now
    )
    return Reply(
        text="The weekly meeting is back on.",
        fields=(Field("Next post", _next_post(ctx, subscription)),),
        visibility=Visibility.CHANNEL,
    )


def timezone(ctx: Context, rest: str) -> Reply:
    if not rest:
        return Reply(
            text=f"The practice's timezone is {zone_in_words(ctx.workspace.timezone)}. Change it "
            f"with `/huddle timezone Sydney`: {ZONE_EXAMPLES}."
        )
    zone = read_zone(rest)
    note = require_admin(ctx, "change the practice's timezone")
    update_workspace(session=ctx.session, workspace=ctx.workspace, timezone=zone.zone)
    return Reply(
        text=f"The practice's timezone is now {zone_in_words(zone.zone)}. Existing schedules "
        "keep their own timezone; run `/huddle schedule` again in a channel to change its.",
        footer="\n".join(n for n in (zone.note, note) if n) or None,
    )
