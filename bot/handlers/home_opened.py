"""Someone opened Huddle's home screen: the workspace at a glance.

This week's rule, the month's WOW leaderboard and the open defects by stage; and,
when the practice has a schedule source, first the person's own brief of today
(what ``/huddle brief`` shows them, each tidbit read audited). Platforms with a home
screen (Slack's App Home) render this ``Reply`` for that one person; the core says
what is on it, never how it looks. With the brief it is ``sensitive``: patient data,
never posted in a channel or logged.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot import stories
from bot.brief import Asker, home_brief
from bot.content import Content
from bot.door import Route, Turn
from bot.meeting import next_rule
from bot.model import Field, Reply
from bot.periods import read_period
from bot.scheduling import Period
from bot.storage import defects, meetings
from bot.storage.appointments import get_source
from bot.wording import shorten

PER_STAGE = 5
LEADERS = 5


def handle(turn: Turn) -> list[Reply]:
    return [compose_home(turn)]


def compose_home(turn: Turn) -> Reply:
    """The home screen for the turn's workspace."""
    now, session, workspace, content = turn.now, turn.session, turn.workspace, turn.content
    tz = workspace.timezone
    brief = _brief_fields(turn)
    fields = [*brief, _rule_field(content, session, workspace.id, tz, now)]

    month = read_period("month", now=now, tz=tz)
    board = stories.leaders(
        session=session, workspace_id=workspace.id, period=month.key, limit=LEADERS
    )
    lines = (
        "\n".join(
            f"{i}. {stories.story_line(score, found)}"
            for i, (score, found) in enumerate(board.stories, start=1)
        )
        or "No nominations yet this month. Share a story with `/wow`."
    )
    if board.people:
        lines += "\n" + " · ".join(f"{p.name} {p.nominations} ★" for p in board.people)
    fields.append(Field(f"WOW leaderboard · {month.first:%B}", lines))

    boards = defects.open_by_stage(session=session, workspace_id=workspace.id, per_stage=PER_STAGE)
    total = sum(board.open_count for board in boards.values())
    order = [stage.id for stage in content.stages] + [None]
    for board in [boards[s] for s in order if s in boards]:
        lines = [
            f"#{d.defect_id} {shorten(d.description, 90)} ({d.reporter_name})" for d in board.newest
        ]
        if board.open_count > len(board.newest):
            lines.append(f"…and {board.open_count - len(board.newest)} more")
        label = content.stage_name(board.stage)
        fields.append(Field(f"Open defects · {label} ({board.open_count})", "\n".join(lines)))
    if not boards:
        fields.append(Field("Open defects", "None open. Log one with `/defect`."))
    return Reply(
        title="Huddle",
        text=f"Your practice this week. {total} open defect{'s' if total != 1 else ''}.",
        fields=tuple(fields),
        footer="`/huddle help` · `/defect list` · `/huddle leaderboard`"
        + (" · `/huddle brief`" if brief else ""),
        sensitive=bool(brief),
    )


def _brief_fields(turn: Turn) -> list[Field]:
    """The person's brief of today, or nothing when the practice has no schedule source."""
    workspace = turn.workspace
    if get_source(session=turn.session, workspace_id=turn.workspace_id) is None:
        return []
    user_id = turn.event.user_id
    # The home screen has no channel; the audit names where the read happened.
    asker = Asker(
        turn.workspace_id, workspace.patient_salt, user_id, user_id, "app-home", workspace.tidbits
    )
    return home_brief(
        session=turn.session,
        vault=turn.vault,
        content=turn.content,
        asker=asker,
        day=turn.now.astimezone(ZoneInfo(workspace.timezone)).date(),
        tz=workspace.timezone,
        now=turn.now,
    )


def _rule_field(content: Content, session, workspace_id: int, tz: str, now) -> Field:
    latest = meetings.latest_meeting(session=session, workspace_id=workspace_id)
    if latest is not None and meetings.is_this_week(latest, Period.WEEK.of(now, tz)):
        rule = content.rules.get(latest.rule_id)
        if rule is not None:
            return Field(f"This week's rule · {rule.title}", f"{rule.rule}\n_{rule.challenge}_")
    posted = (
        meetings.posted_rule_ids(
            session=session, workspace_id=workspace_id, channel_id=latest.channel_id
        )
        if latest is not None
        else []
    )
    rule = next_rule(content, posted)
    return Field(f"Next week's rule · {rule.title}", rule.rule)


ROUTE = Route(handle, "home")
