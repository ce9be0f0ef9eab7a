"""What the clock says besides the meeting: the nudge, the WOW of the week, the defect digest.

Plain functions returning ``Reply``; the adapters render them natively. None of
them carries patient data: the digest names stages, ids, ages and reporters only,
never a description, a patient reference or a tidbit.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from bot.content import Content, Rule
from bot.model import Button, Field, Reply, Visibility
from bot.wording import local_date, shorten

DIGEST_LIST_LIMIT = 10
WOW_TEXT_LIMIT = 400


@dataclass(frozen=True)
class WowWinner:
    story_id: int
    author_id: str
    author_name: str
    text: str
    nominations: int
    created_at: datetime


@dataclass(frozen=True)
class DigestDefect:
    """The parts of a defect the digest may show in a channel (no description, no patient)."""

    defect_id: int
    stage: str | None
    reporter_name: str
    created_at: datetime


def compose_story_nudge(rule: Rule | None) -> Reply:
    """The mid-week reminder, in the thread of the week's meeting post."""
    prompt = rule.story_prompt if rule is not None else "Who went above and beyond this week?"
    about = f" showing “{rule.title}” in action" if rule is not None else ""
    return Reply(
        title="Midweek WOW check-in",
        text=f"No WOW story yet this week. Seen a teammate{about}? {prompt} "
        "Reply in this thread, or share it with /wow.",
        buttons=(
            Button("Share a WOW story", "wow", prompt="What happened? Who went the extra mile?"),
        ),
        visibility=Visibility.CHANNEL,
    )


def compose_wow_of_the_week(winner: WowWinner) -> Reply:
    """Last week's most-nominated story, and a thank-you to its author."""
    votes = f"{winner.nominations} nomination{'s' if winner.nominations != 1 else ''}"
    return Reply(
        title="WOW of the week",
        text=f"Last week's most-nominated story ({votes}), shared by {winner.author_name}:\n"
        f"“{shorten(winner.text, WOW_TEXT_LIMIT)}”",
        fields=(
            Field(
                "Thank you",
                f"Thank you, {winner.author_name}, for showing the team what going above "
                "and beyond looks like.",
            ),
        ),
        footer=f"Story #{winner.story_id} · nominate this week's stories by reacting to them",
        visibility=Visibility.CHANNEL,
    )


def compose_defect_digest(
    content: Content,
    *,
    last_week: list[DigestDefect],
    stale: list[DigestDefect],
    tz: str,
    week_start: datetime,
) -> Reply | None:
    """Last week's defects by journey stage, and the ones open > 7 days with no recovery action.

    None when there is nothing to report.
    """
    if not last_week and not stale:
        return None
    fields = []
    if last_week:
        counts = Counter(d.stage for d in last_week)
        order = [s.id for s in content.stages] + sorted(
            {s for s in counts if s is not None and content.stage(s) is None}
        )
        lines = [f"• {content.stage_name(s)}: {counts[s]}" for s in order if counts.get(s)]
        if counts.get(None):
            lines.append(f"• {content.stage_name(None)}: {counts[None]}")
        fields.append(Field("Last week, by journey stage", "\n".join(lines)))
    if stale:
        shown = stale[:DIGEST_LIST_LIMIT]
        lines = [
            f"• #{d.defect_id} {content.stage_name(d.stage)}, logged {local_date(d.created_at, tz)} "
            f"by {d.reporter_name}: `/defect recover {d.defect_id} <what we'll do>`"
            for d in shown
        ]
        if len(stale) > len(shown):
            lines.append(f"…and {len(stale) - len(shown)} more: `/defect list`")
        fields.append(Field("Open more than 7 days with no recovery action", "\n".join(lines)))
    total = len(last_week)
    summary = (
        f"{total} service defect{'s' if total != 1 else ''} logged in the week of "
        f"{local_date(week_start, tz)}."
        if total
        else f"No service defects logged in the week of {local_date(week_start, tz)}."
    )
    if stale:
        summary += " Some still need someone to own making them right."
    return Reply(
        title="Defect digest",
        text=summary,
        fields=tuple(fields),
        footer="Details: `/defect list`. Every defect is a chance to recover and to improve.",
        visibility=Visibility.CHANNEL,
    )
