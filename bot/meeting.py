"""The Monday Morning Meeting: which rule a channel gets next, and the post itself."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from bot.content import Content, Rule
from bot.model import Button, Field, Reply, Visibility


def next_rule(content: Content, posted_rule_ids: list[str]) -> Rule:
    """The next rule for a channel that has had ``posted_rule_ids`` (oldest first).

    A channel walks the curriculum in order and sees every rule once before any
    repeats; rules a practice adds later are picked up in their place in the order.
    """
    seen = Counter(posted_rule_ids)
    order = content.rules_in_order()
    fewest = min(seen.get(rule.id, 0) for rule in order)
    return next(rule for rule in order if seen.get(rule.id, 0) == fewest)


def position_in_curriculum(content: Content, posted_rule_ids: list[str]) -> tuple[int, int]:
    """(rules seen in the current pass, rules in the curriculum)."""
    total = len(content.curriculum)
    seen = Counter(r for r in posted_rule_ids if r in content.rules)
    fewest = min((seen.get(rule_id, 0) for rule_id in content.curriculum), default=0)
    done = sum(1 for rule_id in content.curriculum if seen.get(rule_id, 0) > fewest)
    return done, total


def follow_up(previous: Rule, *, last_week: bool) -> str:
    """How a meeting opens: the last meeting's challenge, and how did it go?"""
    when = "Last week's" if last_week else "Last meeting's"
    return (
        f"{when} challenge: {previous.challenge}\n"
        "How did it go? Take a minute on it together, and reply here with what happened.\n\n"
    )


def compose_meeting(
    rule: Rule, *, week_label: str, visibility: Visibility, opening: str = ""
) -> Reply:
    """The weekly post: the last challenge followed up (``opening``), then the rule, why it
    matters, a question, a challenge, and the story prompt."""
    return Reply(
        title=f"Monday Morning Meeting · {rule.title}",
        text=f"{opening}This week's rule: {rule.rule}",
        fields=(
            Field("Why it matters here", rule.why),
            Field("Talk about it", rule.question),
            Field("This week's challenge", rule.challenge),
            Field("Your WOW stories", f"{rule.story_prompt} Share one with /wow, or reply here."),
        ),
        buttons=(
            Button("Share a WOW story", "wow", prompt="What happened? Who went the extra mile?"),
        ),
        footer=f"{week_label} · theme: {rule.theme}",
        visibility=visibility,
    )


def weekly_meeting(
    rule: Rule,
    iso_year: int,
    iso_week: int,
    previous: tuple[Rule, int, int] | None = None,
) -> Reply:
    """The channel's post for ISO week (year, week), as the clock and the console show it.

    ``previous``: the rule of the channel's last meeting and its ISO (year, week), so
    the meeting opens by asking how that challenge went.
    """
    label = f"Week {iso_week}, {iso_year}"
    opening = ""
    if previous is not None:
        before, year, week = previous
        monday = date.fromisocalendar(iso_year, iso_week, 1)
        last_week = date.fromisocalendar(year, week, 1) == monday - timedelta(days=7)
        opening = follow_up(before, last_week=last_week)
    return compose_meeting(rule, week_label=label, visibility=Visibility.CHANNEL, opening=opening)
