"""WOW stories: who they are about, how they appear in a channel, and the nomination rule.

A story is about its heroes, the colleagues who went above and beyond; the teller
only brings the news. A story is posted once it has a hero (the teller may say it
was themselves); until then it waits, privately, as a draft.

One vote per person per story, never for a story you told or one about you: used
by ``/wow nominate``, the Nominate button and the nominate reaction alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from bot.model import Button, Field, Person, Reply, Visibility
from bot.storage import heroes, stories
from bot.storage.heroes import Hero
from bot.storage.models import Story, StoryDraft, Workspace
from bot.wording import shorten

SELF_VOTE = (
    "That's your own story, so it can't take your nomination. Nominate a teammate's story instead."
)
HERO_VOTE = (
    "That story is about you, so it can't take your nomination (well done!). "
    "Nominate a teammate's story instead."
)
# Answers to "who was it about?" that mean the teller.
MYSELF = frozenset({"me", "myself", "i", "i did", "it was me", "mine"})

# The reaction that nominates, per platform, until a practice picks its own.
DEFAULT_NOMINATE_EMOJI = {"slack": "star-struck", "teams": "heart", "console": "star-struck"}


class Vote(StrEnum):
    ADDED = "added"
    ALREADY = "already"  # this person had already nominated it
    REMOVED = "removed"
    NOT_THERE = "not-there"  # taking back a nomination that was never made
    OWN_STORY = "own-story"  # the voter told it
    ABOUT_YOU = "about-you"  # the voter is one of its heroes


REFUSED = {Vote.OWN_STORY: SELF_VOTE, Vote.ABOUT_YOU: HERO_VOTE}


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
    if added and heroes.is_hero(session=session, story=story, user_id=voter_id):
        return Vote.ABOUT_YOU
    if added:
        won = stories.add_nomination(
            session=session, story=story, voter_id=voter_id, now=now, at=at
        )
        return Vote.ADDED if won else Vote.ALREADY
    gone = stories.remove_nomination(
        session=session, story=story, voter_id=voter_id, now=now, at=at
    )
    return Vote.REMOVED if gone else Vote.NOT_THERE


def heroes_named(mentions: tuple[Person, ...]) -> list[Hero]:
    """The heroes a message names by mention, each once."""
    named: dict[str, Hero] = {}
    for person in mentions:
        key = person.user_id or heroes.name_key(person.name)
        named.setdefault(key, Hero(key, person.name))
    return list(named.values())


def as_people(found: list[Hero]) -> tuple[Person, ...]:
    """Heroes to mention: only those the platform knows by id."""
    return tuple(Person(h.user_id, h.name) for h in found if not h.user_id.startswith("name:"))


def names(found: list[Hero], *, at: bool = False) -> str:
    shown = [f"@{h.name}" if at else h.name for h in found]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def tell(
    *,
    session: Session,
    draft: StoryDraft,
    found: list[Hero],
) -> tuple[Story, list[Hero]] | None:
    """A draft (stored or not) with its heroes, as a story; a stored draft is done with.

    None if a story from the draft's message was stored already.
    """
    story = stories.record_story(
        session=session,
        workspace_id=draft.workspace_id,
        channel_id=draft.channel_id,
        author_id=draft.author_id,
        author_name=draft.author_name,
        text=draft.text,
        now=draft.created_at,
        source=draft.source,
        message_id=draft.message_id,
    )
    if draft.id is not None:
        heroes.drop_draft(session=session, draft=draft)
    if story is None:
        return None
    return story, heroes.set_heroes(session=session, story=story, heroes=found)


def who_is(
    session: Session, draft: StoryDraft, answer: str, people: tuple[Person, ...]
) -> list[Hero]:
    """The heroes an answer to "who was it about?" names: mentions, "me", or typed names.

    A typed name is matched to someone this workspace has seen by that name; a name
    nobody here has used yet is kept as typed (shown, but it can mention nobody).
    """
    if people:
        return heroes_named(people)
    said = " ".join(answer.split()).strip(" .!@")
    if not said:
        return []
    if said.casefold() in MYSELF:
        return [Hero(draft.author_id, draft.author_name)]
    found: list[Hero] = []
    for name in split_names(said):
        known = heroes.known_people(session=session, workspace_id=draft.workspace_id, name=name)
        found.append(known[0] if len(known) == 1 else Hero(heroes.name_key(name), name))
    return found


def split_names(said: str) -> list[str]:
    """'Priya and @Sam, Lee' -> ['Priya', 'Sam', 'Lee']."""
    parts = [p.strip(" .!@") for chunk in said.split(",") for p in chunk.split(" and ")]
    return [p for p in parts if p][:5]


def story_post(story: Story, found: list[Hero]) -> Reply:
    """How a story appears in the channel: who it is about, mentioned, and who told it."""
    told = f"Told by {story.author_name}."
    if found:
        title = f"WOW story #{story.id}: {names(found)}"
        fields: tuple[Field, ...] = (Field("Above and beyond", names(found, at=True)),)
    else:  # told before heroes were recorded
        title, fields = f"WOW story #{story.id} from {story.author_name}", ()
    return Reply(
        title=title,
        text=story.text,
        fields=fields,
        buttons=(Button("Nominate", f"wow nominate {story.id}", style="primary"),),
        footer=f"{told} Nominate it with the button or by reacting with the nominate emoji.",
        visibility=Visibility.CHANNEL,
        story_id=story.id,
        mentions=as_people(found),
    )


def ask_for_hero(draft: StoryDraft) -> Reply:
    """Privately, to the teller of a story that names nobody: who was it about?"""
    command = f"wow hero {draft.id}"
    return Reply(
        title="Who went above and beyond?",
        text=(
            f"Thanks for sharing! Before I post story draft #{draft.id}, who is it about? "
            f"Pick them below, type `/{command} @name`, or say it was you "
            f"(`/{command} me`). Nothing is posted until then."
        ),
        buttons=(
            Button("Pick who", command, prompt="Who went above and beyond?", picks="person"),
            Button("It was me", f"{command} me"),
        ),
    )


@dataclass(frozen=True)
class Leaders:
    """A period's WOW board: the top stories with their heroes, and the top heroes."""

    stories: list[tuple[stories.StoryScore, list[Hero]]]
    people: list[heroes.HeroScore]


def leaders(
    *,
    session: Session,
    workspace_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
    period: str | None = None,
    limit: int = 5,
) -> Leaders:
    """The top stories and heroes of stories shared in [since, until) (None: open), or in
    ``period`` (a key of ``bot.periods``: "2026-W48", "2026-11", "2026-Q4", "2026"), read
    from the period's stored tallies."""
    window = {"since": since, "until": until, "period": period}
    top = stories.top_stories(session=session, workspace_id=workspace_id, **window, limit=limit)
    found = heroes.heroes_of(
        session=session, workspace_id=workspace_id, story_ids=[s.story.id for s in top]
    )
    people = heroes.top_heroes(session=session, workspace_id=workspace_id, **window, limit=limit)
    return Leaders([(s, found.get(s.story.id, [])) for s in top], people)


def story_line(score: stories.StoryScore, found: list[Hero]) -> str:
    """'#12 Priya (told by Jordan): “…” (3 ★)'; a story without heroes shows its teller."""
    story = score.story
    who = (
        f"{names(found)} (told by {story.author_name})" if found else f"told by {story.author_name}"
    )
    return f"#{story.id} {who}: “{shorten(story.text, 80)}” ({score.nominations} ★)"
