"""WOW stories: how a story appears in a channel, and the nomination rule, once.

One vote per person per story, never your own story: used by ``/wow nominate``,
the Nominate button and the nominate reaction alike.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from bot.model import Button, Reply, Visibility
from bot.storage import stories
from bot.storage.models import Story, Workspace

SELF_VOTE = (
    "That's your own story, so it can't take your nomination. Nominate a teammate's story instead."
)

# The reaction that nominates, per platform, until a practice picks its own.
DEFAULT_NOMINATE_EMOJI = {"slack": "star-struck", "teams": "heart", "console": "star-struck"}


class Vote(StrEnum):
    ADDED = "added"
    ALREADY = "already"  # this person had already nominated it
    REMOVED = "removed"
    NOT_THERE = "not-there"  # taking back a nomination that was never made
    OWN_STORY = "own-story"


def nominate_emoji(workspace: Workspace) -> str:
    """The emoji that nominates a story in this workspace (its own, else the platform's)."""
    return workspace.nominate_emoji or DEFAULT_NOMINATE_EMOJI.get(workspace.platform, "star-struck")


def is_nominate_emoji(workspace: Workspace, emoji: str) -> bool:
    return emoji.strip(":").casefold() == nominate_emoji(workspace).casefold()


def vote(
    *,
    session: Session,
    story: Story,
    voter_id: str,
    now: datetime,
    added: bool = True,
    at: datetime | None = None,
) -> Vote:
    """Add (or take back) ``voter_id``'s nomination of ``story``, by the one rule.

    ``at`` is when the person decided, where the platform says (a reaction's event
    time): of an add and a remove handled out of order, the later decision wins.
    """
    if story.author_id == voter_id:
        return Vote.OWN_STORY
    if added:
        won = stories.add_nomination(
            session=session, story=story, voter_id=voter_id, now=now, at=at
        )
        return Vote.ADDED if won else Vote.ALREADY
    gone = stories.remove_nomination(
        session=session, story=story, voter_id=voter_id, now=now, at=at
    )
    return Vote.REMOVED if gone else Vote.NOT_THERE


def story_post(story_id: int, author_name: str, text: str) -> Reply:
    """How a story appears in the channel."""
    return Reply(
        title=f"WOW story #{story_id} from {author_name}",
        text=text,
        buttons=(Button("Nominate", f"wow nominate {story_id}", style="primary"),),
        footer="Nominate it with the button or by reacting with the nominate emoji.",
        visibility=Visibility.CHANNEL,
        story_id=story_id,
    )
