"""A reply in a thread: under a weekly meeting post it becomes a WOW story.

The answer is the same on every platform: a reply that mentions who went above
and beyond is posted as a story card in the meeting's thread (so it has a Nominate
button, and reactions to it reach Huddle on platforms that only report reactions
to the bot's own messages), and the teller is thanked privately, with the
workspace's own nominate emoji. A reply that names nobody waits as a draft, and
the teller is asked privately who it was about, as with ``/wow``. A reply that looks
like it holds patient detail is not stored: the teller is warned privately and can
save it as written or edit it (as a ``/wow`` story, since the reply itself stays
where it was posted).
"""

from __future__ import annotations

import dataclasses

from bot.commands.gate import as_written, edit_button, findings_for, warning
from bot.door import Route, Turn, private
from bot.model import Reply, ThreadReply
from bot.storage import heroes, meetings
from bot.storage.events import claim_event
from bot.storage.models import STORY_MAX, StoryDraft
from bot.stories import ask_for_hero, heroes_named, nominate_emoji, story_post, tell


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
    found = findings_for(
        text, kind="story", timezone=turn.workspace.timezone, people=reply.mentions
    )
    if found:
        edit = edit_button(f"wow {text}", text)
        save = as_written(f"wow {text}", reply.mentions)
        return [warning(found, save_command=save, edit=edit, mentions=reply.mentions)]
    told_by = {
        "workspace_id": turn.workspace_id,
        "channel_id": reply.channel_id,
        "author_id": reply.user_id,
        "author_name": reply.user_name,
        "text": text,
        "source": "thread",
        "message_id": reply.message_id,
        "thread_id": reply.thread_id,
    }
    found = heroes_named(reply.mentions)
    if not found:
        draft = heroes.save_draft(session=turn.session, **told_by, now=turn.now)
        return [ask_for_hero(draft)]
    told = tell(session=turn.session, draft=StoryDraft(**told_by, created_at=turn.now), found=found)
    if told is None:  # this very message was captured already
        return []
    story, named = told
    emoji = nominate_emoji(turn.workspace)
    card = dataclasses.replace(story_post(story, named), thread_id=reply.thread_id)
    thanks = private(
        f"Thank you! Your reply is saved as WOW story #{story.id}. Teammates nominate it "
        f"with its Nominate button or by reacting to the story with :{emoji}:."
    )
    return [card, thanks]


# Only replies under a meeting post are claimed, so other threads are never stored.
ROUTE = Route(handle, "thread reply", creates_workspace=False, claims_first=False)
