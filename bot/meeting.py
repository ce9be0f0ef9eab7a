"""The Monday Morning Meeting: which rule a channel gets next, and the post itself."""

from __future__ import annotations

from collections import Counter

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


def compose_meeting(rule: Rule, *, week_label: str, visibility: Visibility) -> Reply:
    """The weekly post: the rule, why it matters, a question, a challenge, and the story prompt."""
    return Reply(
        title=f"Monday Morning Meeting · {rule.title}",
        text=f"This week's rule: {rule.rule}",
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


def weekly_meeting(rule: Rule, iso_year: int, iso_week: int) -> Reply:
    """The channel's post for ISO week (year, week), as the clock and the console show it."""
    label = f"Week {iso_week}, {iso_year}"
    return compose_meeting(rule, week_label=label, visibility=Visibility.CHANNEL)
