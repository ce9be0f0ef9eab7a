"""A story card was posted: reactions to that platform message nominate the story."""

from __future__ import annotations

from bot.door import Route, Turn
from bot.model import Reply, StoryPosted
from bot.storage import stories


def handle(turn: Turn) -> list[Reply]:
    posted = turn.event
    assert isinstance(posted, StoryPosted)
    story = stories.get_story(
        session=turn.session, workspace_id=turn.workspace_id, story_id=posted.story_id
    )
    if story is not None and story.channel_id == posted.channel_id:
        stories.set_story_message(session=turn.session, story=story, message_id=posted.message_id)
    return []


ROUTE = Route(handle, "story posted", creates_workspace=False)
