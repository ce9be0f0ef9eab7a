"""A reply in a thread: under a weekly meeting post it becomes a WOW story.

The answer is the same on every platform: the story is posted as a story card in
the meeting's thread (so it has a Nominate button, and reactions to it reach
Huddle on platforms that only report reactions to the bot's own messages), and
the teller is thanked privately, with the workspace's own nominate emoji.
"""

from __future__ import annotations

import dataclasses

from bot.door import Route, Turn, private
from bot.model import Reply, ThreadReply
from bot.storage import meetings, stories
from bot.storage.events import claim_event
from bot.storage.models import STORY_MAX
from bot.stories import nominate_emoji, story_post


def handle(turn: Turn) -> list[Reply]:
    reply = turn.event
    assert isinstance(reply, ThreadReply)
    text = reply.text.strip()
    if not text or len(text) > STORY_MAX:
        return []
    meeting = meetings.meeting_for_message(
        session=turn.session,
        workspace_id=turn.workspace_id,
        channel_id=reply.channel_id,
        message_id=reply.thread_id,
    )
    # Claimed by the reply's own message id, whatever the delivery's id: the story's
    # message moves to its card once that is posted, so it can't tell a redelivery.
    if meeting is None or not claim_event(
        session=turn.session,
        workspace_id=turn.workspace_id,
        event_id=f"thread-reply:{reply.message_id}",
        now=turn.now,
    ):
        return []
    story = stories.record_story(
        session=turn.session,
        workspace_id=turn.workspace_id,
        channel_id=reply.channel_id,
        author_id=reply.user_id,
        author_name=reply.user_name,
        text=text,
        now=turn.now,
        source="thread",
        message_id=reply.message_id,
    )
    if story is None:  # this very message was captured already
        return []
    emoji = nominate_emoji(turn.workspace)
    card = dataclasses.replace(
        story_post(story.id, reply.user_name, text), thread_id=reply.thread_id
    )
    thanks = private(
        f"Thank you! Your reply is saved as WOW story #{story.id}. Teammates nominate it "
        f"with its Nominate button or by reacting to the story with :{emoji}:."
    )
    return [card, thanks]


# Only replies under a meeting post are claimed, so other threads are never stored.
ROUTE = Route(handle, "thread reply", creates_workspace=False, claims_first=False)
