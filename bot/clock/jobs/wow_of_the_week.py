"""wow-of-the-week: with the meeting, last week's most-nominated story, thanking its heroes.

The heroes (the colleagues the story is about) are thanked by mention, and the
teller for sharing it. Ties go to the story shared first. Nothing when there
were no nominations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from bot.clock.config import ClockSettings
from bot.clock.coverage import covering
from bot.clock.engine import ClockJob, Key, Message, Planning, Slot
from bot.clock.jobs.monday_meeting import MONDAY_MEETING
from bot.model import Field, Reply, Visibility
from bot.scheduling import Period, last_week
from bot.storage.clock import notices
from bot.storage.heroes import Hero
from bot.storage.stories import NominatedStory, best_story_per_channel
from bot.stories import as_people, names
from bot.wording import shorten

WOW_TEXT_LIMIT = 400


def due(slot: Slot, now: datetime, options: ClockSettings) -> bool:
    return True  # the week's meeting is posted (``after``), so it was not skipped


def wakes(slot: Slot, now: datetime, options: ClockSettings) -> datetime | None:
    return None  # due as soon as the meeting is posted: no moment of its own


def compose(plan: Planning, slots: Sequence[Slot]) -> dict[Key, Message | None]:
    owner = covering(plan.targets)  # which subscribed channel each story counts for
    # One query per distinct week (channels in different timezones have different weeks).
    weeks = {tz: last_week(plan.now, tz) for tz in {s.target.timezone for s in slots}}
    windows: dict[tuple[datetime, datetime], list[Slot]] = defaultdict(list)
    for slot in slots:
        windows[weeks[slot.target.timezone]].append(slot)
    winners: dict[Key, NominatedStory] = {}
    for (start, end), group in windows.items():
        best = best_story_per_channel(
            session=plan.session,
            workspace_ids={s.target.workspace_id for s in group},
            since=start,
            until=end,
        )
        # Each covered channel's best story; the best of those is the week's.
        covered: dict[Key, list[NominatedStory]] = defaultdict(list)
        for story in best.values():
            if (key := owner(story.workspace_id, story.channel_id)) is not None:
                covered[key].append(story)
        for slot in group:
            candidates = covered.get(slot.target.key)
            if candidates:
                # Most nominations; ties go to the story shared first.
                winners[slot.target.key] = min(
                    candidates, key=lambda s: (-s.nominations, s.created_at, s.story_id)
                )
    return {
        slot.target.key: Message(compose_wow_of_the_week(best, list(best.heroes)))
        if (best := winners.get(slot.target.key))
        else None
        for slot in slots
    }


def compose_wow_of_the_week(winner: NominatedStory, found: list[Hero]) -> Reply:
    """Last week's most-nominated story: its heroes thanked by mention, its teller for telling."""
    votes = f"{winner.nominations} nomination{'s' if winner.nominations != 1 else ''}"
    teller = winner.author_name
    heroes = names(found, at=True) if found else ""
    about = f" about {heroes}" if found else ""
    if not found:  # a story from before heroes: nobody is credited with the deed
        thanks = f"Thank you, {teller}, for sharing it with the team."
    else:
        thanks = f"Thank you, {heroes}, for showing the team what going above and beyond looks like"
        alone = [h.user_id for h in found] == [winner.author_id]
        thanks += (
            ", and for sharing it." if alone else f". And thank you, {teller}, for sharing it."
        )
    return Reply(
        title="WOW of the week",
        text=f"Last week's most-nominated story ({votes}){about}, told by {teller}:\n"
        f"“{shorten(winner.text, WOW_TEXT_LIMIT)}”",
        fields=(Field("Thank you", thanks),),
        footer=f"Story #{winner.story_id} · nominate this week's stories by reacting to them",
        visibility=Visibility.CHANNEL,
        mentions=as_people(found),
    )


WOW_OF_THE_WEEK = ClockJob(
    name="wow-of-the-week",
    every=Period.WEEK,
    claims=notices("wow"),
    after=MONDAY_MEETING,
    due=due,
    compose=compose,
    wakes=wakes,
    doc="With the meeting: last week's most-nominated story (ties: earliest), thanking its author.",
)
