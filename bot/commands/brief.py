"""`/huddle brief`: the day's appointments, privately, and when the channel's counts come.

`/huddle brief [today|tomorrow] [<provider>]` shows you, and only you, each appointment
with that patient's tidbits, defects and flags (a long day: `... page 2`).
`/huddle brief at 7:45` posts the day's counts here each open day (admins only);
`/huddle brief off` stops them.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.brief import Asker, private_brief
from bot.commands.admins import require_admin
from bot.commands.context import Context, UsageError
from bot.commands.when import take_time
from bot.model import Reply
from bot.storage.appointments import set_brief_minutes
from bot.storage.subscriptions import get_subscription
from bot.wording import clock_time, zone_in_words

EXAMPLE = "`/huddle brief at 7:45`"


def brief(ctx: Context, rest: str) -> Reply:
    words = rest.split()
    first = words[0].casefold() if words else ""
    if first in ("at", "off"):
        note = require_admin(ctx, "set the morning brief")
        reply = _set(ctx, words[1:]) if first == "at" else _off(ctx)
        return reply if note is None else Reply(text=reply.text, footer=note)
    return _show(ctx, words)


def _set(ctx: Context, words: list[str]) -> Reply:
    try:
        at, taken = take_time(words)
    except UsageError as error:
        raise UsageError(f"{error} For example {EXAMPLE}.") from None
    if words[taken:]:
        raise UsageError(
            f"The brief follows this channel's timezone; give only the time, like {EXAMPLE}."
        )
    tz = _subscribed(ctx, at.hour * 60 + at.minute)
    return Reply(
        text=f"Each open day at {clock_time(at)}, {zone_in_words(tz)}, this channel "
        "gets the day's counts: patients, tidbits to remember, recoveries to finish, new "
        "patients not confirmed and birthdays. Never a name, a reference or a time. "
        "Skips and pauses apply. The detail is private: `/huddle brief`."
    )


def _off(ctx: Context) -> Reply:
    _subscribed(ctx, None)
    return Reply(text=f"No more morning brief here. Start it again with {EXAMPLE}.")


def _subscribed(ctx: Context, minutes: int | None) -> str:
    found = set_brief_minutes(
        session=ctx.session,
        workspace_id=ctx.workspace_id,
        channel_id=ctx.incoming.channel_id,
        minutes=minutes,
    )
    if not found:
        raise UsageError(
            "The brief comes beside the weekly meeting: schedule that here first with "
            "`/huddle schedule monday 8:30 am`."
        )
    return get_subscription(
        session=ctx.session, workspace_id=ctx.workspace_id, channel_id=ctx.incoming.channel_id
    ).timezone


def _show(ctx: Context, words: list[str]) -> Reply:
    page = 1
    if len(words) >= 2 and words[-2].casefold() == "page" and words[-1].isdigit():
        page, words = int(words[-1]), words[:-2]
    when = "today"
    if words and words[0].casefold() in ("today", "tomorrow"):
        when, words = words[0].casefold(), words[1:]
    tz = ctx.workspace.timezone
    day = ctx.now.astimezone(ZoneInfo(tz)).date()
    if when == "tomorrow":
        day += timedelta(days=1)
    asker = Asker(
        ctx.workspace_id,
        ctx.workspace_key,
        ctx.incoming.user_id,
        ctx.incoming.user_name,
        ctx.incoming.channel_id,
        tidbits=ctx.workspace.tidbits,
    )
    return private_brief(
        session=ctx.session,
        vault=ctx.vault,
        content=ctx.content,
        asker=asker,
        day=day,
        when=when,
        provider=" ".join(words) or None,
        page=page,
        tz=tz,
        now=ctx.now,
    )
