"""A reaction added or removed: the nominate emoji on a story's message nominates it."""

from __future__ import annotations

from bot.door import Route, Turn, private
from bot.model import Reaction, Reply
from bot.storage import stories
from bot.stories import REFUSED, is_nominate_emoji, vote

NOT_RECORDED = (
    "I couldn't record your nomination just now, so it doesn't count yet. "
    "Please take the reaction off and add it again in a minute, or use the Nominate button."
)


def handle(turn: Turn) -> list[Reply]:
    """Reactions with another emoji, on messages that are not stories, or redelivered, do nothing.

    Replies, if any, are private to the person who reacted.
    """
    reaction = turn.event
    assert isinstance(reaction, Reaction)
    if not is_nominate_emoji(turn.workspace, reaction.emoji):
        return []
    story = stories.story_for_message(
        session=turn.session,
        workspace_id=turn.workspace_id,
        channel_id=reaction.channel_id,
        message_id=reaction.message_id,
    )
    if story is None or not turn.first_delivery():
        return []
    outcome = vote(
        session=turn.session,
        story=story,
        voter_id=reaction.user_id,
        now=turn.now,
        added=reaction.added,
        at=reaction.at,
    )
    if outcome in REFUSED and reaction.added:
        return [private(REFUSED[outcome])]
    return []


def _failed(event) -> list[Reply]:
    # A reaction that could not be stored is not lost without a word.
    return [private(NOT_RECORDED)] if getattr(event, "added", False) else []


# Only reactions on a story's message are claimed, so unrelated ones are never stored.
ROUTE = Route(handle, "reaction", creates_workspace=False, claims_first=False, on_failure=_failed)
