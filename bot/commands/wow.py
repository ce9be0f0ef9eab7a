"""Share a WOW story: someone on the team going above and beyond for a patient.

`/wow <story>` posts it to the channel with a Nominate button
`/wow nominate <id>` nominates a story (or react to it with the nominate emoji)

One nomination per person per story; you can't nominate your own.
"""

from __future__ import annotations

from bot.commands.context import Context, UsageError
from bot.commands.parsing import parse_id
from bot.model import Reply
from bot.storage import stories
from bot.storage.models import STORY_MAX
from bot.stories import SELF_VOTE, Vote, story_post, vote


def handle(ctx: Context) -> list[Reply]:
    text = ctx.incoming.text.strip()
    if not text:
        raise UsageError(
            "Tell us what happened, for example `/wow Priya stayed late to drive Mrs K home "
            "after her taxi didn't come`."
        )
    first, _, rest = text.partition(" ")
    if first.casefold() in {"help", "?"} and not rest:
        return [Reply(title="/wow", text=__doc__.strip())]
    if first.casefold() == "nominate" and len(rest.split()) <= 1:
        # "nominate 3" nominates; "nominate Priya for staying late" is a story.
        if not rest.strip():
            raise UsageError("Which story? Give its number, like `/wow nominate 3`.")
        return [nominate(ctx, parse_id(rest, what="story", example="/wow nominate 3"))]
    if len(text) > STORY_MAX:
        raise UsageError(
            f"That story is {len(text)} characters; the limit is {STORY_MAX}. "
            "Please trim it and share it again."
        )
    incoming = ctx.incoming
    story = stories.record_story(
        session=ctx.session,
        workspace_id=ctx.workspace_id,
        channel_id=incoming.channel_id,
        author_id=incoming.user_id,
        author_name=incoming.user_name,
        text=text,
        now=ctx.now,
    )
    assert story is not None  # only a message id can collide, and this one has none
    return [story_post(story.id, incoming.user_name, text)]


def nominate(ctx: Context, story_id: int) -> Reply:
    story = stories.get_story(session=ctx.session, workspace_id=ctx.workspace_id, story_id=story_id)
    if story is None:
        raise UsageError(
            f"I can't find story #{story_id} here. `/huddle leaderboard` shows the top stories."
        )
    outcome = vote(session=ctx.session, story=story, voter_id=ctx.incoming.user_id, now=ctx.now)
    if outcome is Vote.OWN_STORY:
        return Reply(text=SELF_VOTE)
    count = stories.nomination_count(session=ctx.session, story=story)
    plural = "nomination" if count == 1 else "nominations"
    if outcome is Vote.ALREADY:
        return Reply(text=f"You've already nominated story #{story.id} ({count} {plural}).")
    return Reply(
        text=f"You nominated {story.author_name}'s story #{story.id}. It has {count} {plural}."
    )
