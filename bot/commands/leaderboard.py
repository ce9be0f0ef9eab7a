"""`/huddle leaderboard [week|month|quarter|year|all]`: the top WOW stories and people.

Without a period: this month and all time. Periods start in the workspace's own
timezone (a week on Monday, a quarter on 1 January, April, July or October). Top
people are the heroes the stories are about; a board of stories and heroes only,
never a count of anyone's defects.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.commands.context import Context, UsageError
from bot.commands.suggest import closest
from bot.model import Field, Reply
from bot.stories import leaders, story_line
from bot.wording import shorten

PERIODS = ("week", "month", "quarter", "year", "all")


def leaderboard(ctx: Context, rest: str) -> Reply:
    """The board for the period asked (default: this month and all time)."""
    local_now = ctx.now.astimezone(ZoneInfo(ctx.workspace.timezone))
    word = rest.strip().casefold()
    if not word:
        boards = [period_start("month", local_now), period_start("all", local_now)]
    elif word in PERIODS:
        boards = [period_start(word, local_now)]
    else:
        raise UsageError(_unknown(rest))
    fields = []
    for label, since in boards:
        board = leaders(session=ctx.session, workspace_id=ctx.workspace_id, since=since)
        fields.append(Field(f"Top stories · {label}", _story_lines(board.stories)))
        fields.append(Field(f"Top people · {label}", _people_lines(board.people)))
    return Reply(
        title="WOW leaderboard",
        text="Nominations, most first. Top people are the heroes the stories are about.",
        fields=tuple(fields),
    )


def period_start(period: str, local_now: datetime) -> tuple[str, datetime | None]:
    """The board's label and the UTC moment ``period`` began at, local midnight.

    >>> period_start("quarter", datetime(2026, 11, 23, 9, tzinfo=ZoneInfo("Australia/Sydney")))[0]
    'October to December 2026'
    """
    today = local_now.date()
    if period == "all":
        return "All time", None
    if period == "week":
        start, label = today - timedelta(days=today.weekday()), "This week"
    elif period == "month":
        start, label = today.replace(day=1), f"{today:%B}"
    elif period == "quarter":
        start = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
        label = f"{start:%B} to {start.replace(month=start.month + 2):%B %Y}"
    elif period == "year":
        start, label = today.replace(month=1, day=1), f"{today:%Y}"
    else:
        raise ValueError(period)
    # Midnight as the practice's wall clock reads it, across any daylight-saving change.
    midnight = datetime.combine(start, time(0), tzinfo=local_now.tzinfo)
    return label, midnight.astimezone(UTC)


def _unknown(rest: str) -> str:
    word = rest.strip().split()[0] if rest.strip() else rest
    meant = closest(word.casefold(), PERIODS)
    hint = f"Did you mean `/huddle leaderboard {meant}`? " if meant else ""
    return (
        f"{hint}I don't know the period “{shorten(rest.strip(), 30)}”. Type "
        "`/huddle leaderboard` for this month and all time, or add `week`, `month`, "
        "`quarter`, `year` or `all`."
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
