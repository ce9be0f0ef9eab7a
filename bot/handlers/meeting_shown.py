"""Show this week's meeting in a channel now (the console's ``/monday``).

Claims the channel's week as the clock does and marks it posted, so the clock
never posts that week again; shown a second time, it is the same meeting.
"""

from __future__ import annotations

from bot.door import Route, Turn
from bot.model import ConversationRef, MeetingShown, Reply
from bot.storage import meetings
from bot.weekly import this_weeks_meeting, this_weeks_post


def handle(turn: Turn) -> list[Reply]:
    shown = turn.event
    assert isinstance(shown, MeetingShown)
    ref = ConversationRef(shown.platform, shown.workspace_id, shown.channel_id)
    post, rule, _won = this_weeks_post(
        session=turn.session, content=turn.content, workspace=turn.workspace, ref=ref, now=turn.now
    )
    if post.status != meetings.POSTED:
        meetings.mark_posted(
            session=turn.session, post=post, message_id=shown.message_id, now=turn.now
        )
    return [this_weeks_meeting(session=turn.session, content=turn.content, post=post, rule=rule)]


ROUTE = Route(handle, "meeting shown")
