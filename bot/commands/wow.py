"""Share a WOW story: a teammate going above and beyond for a patient.

`/wow @Priya <what she did>` posts it to the channel with a Nominate button
`/wow nominate <id> …` nominates one story or several (`/wow nominate 3 4`) (or react to it with the nominate emoji)
`/wow edit <id> <new text>` and `/wow delete <id>` change or delete your story (admins: anyone's)

A story is about the people it mentions. Mention nobody and I'll ask you who it
was (it may be you) before posting it. One nomination per person per story, and
never for a story you told or one about you.
"""

from __future__ import annotations

import dataclasses

from bot.commands.changes import audit_change, may, undo_button
from bot.commands.context import Context, UsageError
from bot.commands.gate import gate, without_marker
from bot.commands.parsing import looks_like_id, parse_id, parse_ids
from bot.commands.suggest import did_you_mean
from bot.model import Reply
from bot.storage import heroes, stories
from bot.storage.models import STORY_MAX, StoryDraft
from bot.stories import REFUSED, Vote, ask_for_hero, heroes_named, story_post, tell, vote, who_is


def handle(ctx: Context) -> list[Reply]:
    text = without_marker(ctx.incoming.text, ctx.incoming.mentions)
    if not text:
        raise UsageError(
            "Tell us what happened and who did it, for example `/wow @Priya stayed late to "
            "drive Mrs K home after her taxi didn't come`."
        )
    first, _, rest = text.partition(" ")
    if first.casefold() in {"help", "?"} and not rest:
        return [Reply(title="/wow", text=__doc__.strip())]
    words = rest.split()
    if first.casefold() == "nominate" and (len(words) <= 1 or all(map(looks_like_id, words))):
        # "nominate 3 4" nominates; "nominate Priya for staying late" is a story.
        if not rest.strip():
            raise UsageError("Which story? Give its number, like `/wow nominate 3`.")
        return [nominate_each(ctx, parse_ids(rest, what="story", example="/wow nominate 3"))]
    typo = _typo_of_subcommand(first, rest)
    if typo is not None:
        raise UsageError(typo)
    draft_id, _, answer = rest.strip().partition(" ")
    if first.casefold() in {"edit", "delete", "undo"} and draft_id.lstrip("#")[:1] in "0123456789":
        return [change(ctx, first.casefold(), draft_id, answer)]
    if first.casefold() == "hero" and draft_id.lstrip("#").isdigit():
        return name_the_hero(
            ctx, parse_id(draft_id, what="draft", example="/wow hero 4 me"), answer
        )
    if len(text) > STORY_MAX:
        raise UsageError(
            f"That story is {len(text)} characters; the limit is {STORY_MAX}. "
            "Please trim it and share it again."
        )
    if (warning := gate(ctx, text, kind="story", command=f"wow {text}")) is not None:
        return [warning]
    incoming = ctx.incoming
    told_by = {
        "workspace_id": ctx.workspace_id,
        "channel_id": incoming.channel_id,
        "author_id": incoming.user_id,
        "author_name": incoming.user_name,
        "text": text,
    }
    found = heroes_named(incoming.mentions)
    if not found:
        return [ask_for_hero(heroes.save_draft(session=ctx.session, **told_by, now=ctx.now))]
    draft = StoryDraft(**told_by, created_at=ctx.now)
    told = tell(session=ctx.session, draft=draft, found=found)
    assert told is not None  # only a message id can collide, and this one has none
    return [with_undo(story_post(*told))]


SUBCOMMANDS = ("nominate", "edit", "delete", "undo", "hero", "help")


def _typo_of_subcommand(first: str, rest: str) -> str | None:
    """`/wow nominat 3`: a near miss followed by a number (or nothing) is no story."""
    words = rest.split()
    if words and not looks_like_id(words[0]):
        return None  # "/wow Edith stayed late" is a story about Edith
    return did_you_mean("wow", first, SUBCOMMANDS)


def nominate_each(ctx: Context, story_ids: list[int]) -> Reply:
    """`/wow nominate 3 4`: each story nominated, or why not, one line per id."""
    if len(story_ids) == 1:
        return nominate(ctx, story_ids[0])
    lines = []
    for story_id in story_ids:
        try:
            lines.append(nominate(ctx, story_id).text)
        except UsageError as missing:
            lines.append(str(missing))
    return Reply(text="\n".join(f"• {line}" for line in lines))


def with_undo(post: Reply) -> Reply:
    """A story just told, with its teller's Undo (refused to anyone else)."""
    assert post.story_id is not None
    return dataclasses.replace(
        post, buttons=(*post.buttons, undo_button(f"wow undo {post.story_id}"))
    )


def change(ctx: Context, sub: str, id_text: str, text: str) -> Reply:
    """`/wow edit|delete|undo <id> …`: its teller's (or an admin's) change to a story.

    A deleted story takes its nominations and its heroes with it.
    """
    story_id = parse_id(id_text, what="story", example=f"/wow {sub} 3")
    story = stories.get_story(session=ctx.session, workspace_id=ctx.workspace_id, story_id=story_id)
    if story is None:
        raise UsageError(
            f"I can't find story #{story_id} here. `/huddle leaderboard` shows the top stories."
        )
    note = may(
        ctx,
        sub,
        author_id=story.author_id,
        author_name=story.author_name,
        created_at=story.created_at,
        what="story",
        delete_with=f"wow delete {story.id}",
    )
    if sub == "edit":
        text = text.strip()
        if not text:
            raise UsageError(f"What should it say? For example `/wow edit {story.id} <the story>`.")
        if len(text) > STORY_MAX:
            raise UsageError(f"A story is at most {STORY_MAX} characters; please trim it.")
        command = f"wow edit {story.id} {text}"
        if (warning := gate(ctx, text, kind="story", command=command)) is not None:
            return warning
        stories.edit_story(session=ctx.session, story=story, text=text)
        return Reply(text=f"Story #{story.id} now reads: {text}", footer=note)
    audit_change(ctx, action=f"story.{sub}", record_id=story.id)
    votes = stories.delete_story(session=ctx.session, story=story)
    gone = f", with its {votes} nomination{'s' if votes != 1 else ''}" if votes else ""
    done = "undone" if sub == "undo" else "deleted"
    return Reply(
        text=f"Story #{story_id} is {done}{gone}: it is off the boards. The message already "
        "posted stays in the channel until someone deletes it there.",
        footer=note,
    )


def name_the_hero(ctx: Context, draft_id: int, answer: str) -> list[Reply]:
    """The teller's answer to "who was it about?": the story is posted with its heroes."""
    draft = heroes.get_draft(session=ctx.session, workspace_id=ctx.workspace_id, draft_id=draft_id)
    if draft is None or draft.author_id != ctx.incoming.user_id:
        raise UsageError(
            f"I have no story draft #{draft_id} of yours waiting for its hero. "
            "Share the story again with `/wow @name what they did`."
        )
    found = who_is(ctx.session, draft, answer, ctx.incoming.mentions)
    if not found:
        raise UsageError(
            f"Who was it about? Mention them, like `/wow hero {draft.id} @Priya`, or say "
            f"`/wow hero {draft.id} me` if it was you."
        )
    thread_id = draft.thread_id
    told = tell(session=ctx.session, draft=draft, found=found)
    if told is None:  # this message's story was stored already
        return [Reply(text="That story has already been posted.")]
    story, named = told
    card = dataclasses.replace(with_undo(story_post(story, named)), thread_id=thread_id)
    return [card, Reply(text=f"Thanks! Story #{story.id} is posted for the team to see.")]


def nominate(ctx: Context, story_id: int) -> Reply:
    story = stories.get_story(session=ctx.session, workspace_id=ctx.workspace_id, story_id=story_id)
    if story is None:
        raise UsageError(
            f"I can't find story #{story_id} here. `/huddle leaderboard` shows the top stories."
        )
    outcome = vote(session=ctx.session, story=story, voter_id=ctx.incoming.user_id, now=ctx.now)
    if outcome in REFUSED:
        return Reply(text=REFUSED[outcome])
    count = stories.nomination_count(session=ctx.session, story=story)
    plural = "nomination" if count == 1 else "nominations"
    if outcome is Vote.ALREADY:
        return Reply(text=f"You've already nominated story #{story.id} ({count} {plural}).")
    return Reply(text=f"You nominated story #{story.id}. It has {count} {plural}.")
