"""`/huddle leaderboard [week|month|quarter|year|all|YYYY-MM]`: the top WOW stories and people.

Without a period: this month and all time; a month like `2026-10` is that month. Periods start in the workspace's own
timezone (a week on Monday, a quarter on 1 January, April, July or October). Top
people are the heroes the stories are about; a board of stories and heroes only,
never a count of anyone's defects.
"""

from __future__ import annotations

from bot.commands.context import Context, UsageError
from bot.model import Field, Reply
from bot.periods import Period, PeriodError, all_time, read_period
from bot.stories import leaders, story_line


def leaderboard(ctx: Context, rest: str) -> Reply:
    """The board for the period asked (default: this month and all time)."""
    tz = ctx.workspace.timezone
    try:
        asked = read_period(rest or "month", now=ctx.now, tz=tz, command="leaderboard")
    except PeriodError as error:
        raise UsageError(str(error)) from None
    boards = [asked] if rest.strip() else [asked, all_time(tz)]
    fields = []
    for period in boards:
        label = board_label(period)
        # A period's board reads its stored tallies; all time, the all-time ones.
        key = None if period.kind == "all" else period.key
        board = leaders(session=ctx.session, workspace_id=ctx.workspace_id, period=key)
        fields.append(Field(f"Top stories · {label}", _story_lines(board.stories)))
        fields.append(Field(f"Top people · {label}", _people_lines(board.people)))
    return Reply(
        title="WOW leaderboard",
        text="Nominations, most first. Top people are the heroes the stories are about.",
        fields=tuple(fields),
    )


def board_label(period: Period) -> str:
    """How a board names its period: "This week", "November", "October to December 2026".

    A past month is named in full ("October 2026").
    """
    if period.kind == "all":
        return "All time"
    if not period.so_far or period.first is None:
        return period.label
    if period.kind == "week":
        return "This week"
    if period.kind == "month":
        return f"{period.first:%B}"
    if period.kind == "quarter":
        last = period.first.replace(month=period.first.month + 2)
        return f"{period.first:%B} to {last:%B %Y}"
    return period.label


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
