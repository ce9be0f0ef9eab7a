from sqlmodel import Session, select

from bot.model import ConversationRef, Person, Reaction, StoryPosted, ThreadReply, Visibility
from bot.storage import stories
from bot.storage.db import transaction
from bot.storage.models import Nomination, Story


def _post_story(chat, huddle, text="@Priya drove Mrs K home when her taxi never came", ts="111.1"):
    [post] = chat.replies(f"/wow {text}")
    huddle.handle(StoryPosted("slack", chat.workspace, chat.channel, post.story_id, ts))
    return post


def _react(huddle, chat, user, *, added=True, emoji="star-struck", event_id=None, ts="111.1"):
    return huddle.handle(
        Reaction(
            platform="slack",
            workspace_id=chat.workspace,
            channel_id=chat.channel,
            message_id=ts,
            user_id=f"U-{user.lower()}",
            user_name=user,
            emoji=emoji,
            added=added,
            event_id=event_id,
        )
    )


def _votes(engine) -> int:
    """Votes that count (a vote taken back stays as an inactive row)."""
    with Session(engine) as session:
        return len(session.exec(select(Nomination).where(Nomination.active)).all())


def test_a_story_is_posted_to_the_channel_with_attribution_and_a_nominate_button(chat):
    [post] = chat.replies("/wow @Priya drove Mrs K home when her taxi never came")
    assert post.visibility is Visibility.CHANNEL
    assert post.title == "WOW story #1: Priya"
    assert post.footer.startswith("Told by Alex.")
    assert post.mentions == (Person("U-priya", "Priya"),)
    assert post.story_id == 1
    assert [b.command for b in post.buttons] == ["wow nominate 1", "wow undo 1"]


def test_one_nomination_per_person_per_story(chat, engine):
    chat("/wow @Priya drove Mrs K home")
    assert "It has 1 nomination" in chat.as_("Sam")("/wow nominate 1")
    assert "already nominated" in chat("/wow nominate 1")
    assert "It has 2 nominations" in chat.as_("Jo")("/wow nominate 1")
    assert _votes(engine) == 2


def test_authors_cannot_nominate_their_own_story(chat, engine):
    chat("/wow @Alex stayed late for Mr T")
    assert "your own story" in chat("/wow nominate 1")
    assert _votes(engine) == 0


def test_a_reaction_with_the_nominate_emoji_nominates_and_removing_it_unnominates(
    chat, huddle, engine
):
    _post_story(chat, huddle)
    _react(huddle, chat, "Sam")
    _react(huddle, chat, "Jo")
    assert _votes(engine) == 2
    _react(huddle, chat, "Sam", added=False)
    assert _votes(engine) == 1


def test_the_same_event_delivered_twice_counts_once(chat, huddle, engine):
    _post_story(chat, huddle)
    _react(huddle, chat, "Sam", event_id="Ev1")
    _react(huddle, chat, "Sam", added=False, event_id="Ev2")
    _react(huddle, chat, "Sam", event_id="Ev1")  # a late redelivery of the first add
    assert _votes(engine) == 0


def test_a_self_reaction_is_refused_privately(chat, huddle, engine):
    _post_story(chat, huddle)
    [reply] = _react(huddle, chat, "Alex")
    assert reply.visibility is Visibility.PRIVATE
    assert "your own story" in reply.text
    assert _votes(engine) == 0


def test_other_emoji_and_other_messages_are_ignored(chat, huddle, engine):
    _post_story(chat, huddle)
    assert _react(huddle, chat, "Sam", emoji="thumbsup") == []
    assert _react(huddle, chat, "Sam", ts="999.9") == []
    assert _votes(engine) == 0


def test_the_workspace_can_choose_its_nominate_emoji(chat, huddle, engine):
    _post_story(chat, huddle)
    assert ":tada:" in chat("/huddle emoji :tada:")
    _react(huddle, chat, "Sam", emoji="star-struck")
    assert _votes(engine) == 0
    _react(huddle, chat, "Sam", emoji="tada")
    assert _votes(engine) == 1


def test_a_reaction_in_another_workspace_never_reaches_this_story(chat, other_chat, huddle, engine):
    _post_story(chat, huddle)
    _react(huddle, other_chat, "Sam")
    assert _votes(engine) == 0
    assert "can't find story #1" in other_chat("/wow nominate 1")


def test_the_leaderboard_ranks_stories_and_people_this_month_and_all_time(chat, clock):
    chat("/wow @Jo came in early for a story from last month")
    chat.as_("Sam")("/wow nominate 1")
    clock.advance(days=40)
    chat.as_("Priya")("/wow @Priya's new story")
    chat.as_("Sam")("/wow nominate 2")
    chat.as_("Jo")("/wow nominate 2")
    board = chat.replies("/huddle leaderboard")[0]
    fields = {f.label: f.value for f in board.fields}
    this_month = next(
        v for k, v in fields.items() if k.startswith("Top stories ·") and "All" not in k
    )
    assert "#2 Priya" in this_month and "#1" not in this_month
    assert fields["Top stories · All time"].splitlines()[0].startswith("1. #2 Priya")
    assert "2. #1 Jo (told by Alex)" in fields["Top stories · All time"]
    assert "1. Priya: 2 ★" in fields["Top people · All time"]
    assert "2. Jo: 1 ★" in fields["Top people · All time"]
    assert "Alex" not in fields["Top people · All time"]


def _thread_reply(chat, *, thread_id="1700.1", message_id="1700.5", text=None, event_id=None):
    return ThreadReply(
        platform="slack",
        workspace_id=chat.workspace,
        channel_id=chat.channel,
        thread_id=thread_id,
        message_id=message_id,
        user_id="U-sam",
        user_name="Sam",
        text=text or "@Jo found a wheelchair for Mr B in two minutes",
        event_id=event_id,
        mentions=() if text else (Person("U-jo", "Jo"),),
    )


def _meeting_posted(chat, huddle, message_id="1700.1"):
    post_id, _ = huddle.claim_meeting(ConversationRef("slack", chat.workspace, chat.channel))
    huddle.meeting_posted(post_id, message_id)


def test_thread_replies_to_the_weekly_post_become_stories(chat, huddle, engine):
    _meeting_posted(chat, huddle)
    card, thanks = huddle.handle(_thread_reply(chat))
    assert card.visibility is Visibility.CHANNEL and card.thread_id == "1700.1"
    assert card.title == f"WOW story #{card.story_id}: Jo"
    assert card.mentions == (Person("U-jo", "Jo"),)
    assert [b.command for b in card.buttons] == [f"wow nominate {card.story_id}"]
    assert thanks.visibility is Visibility.PRIVATE
    assert f"WOW story #{card.story_id}" in thanks.text and ":star-struck:" in thanks.text
    with transaction(engine) as session:
        story = stories.get_story(session=session, workspace_id=1, story_id=card.story_id)
        assert story.source == "thread" and story.author_name == "Sam"


def test_a_redelivered_thread_reply_makes_one_story_even_after_its_card_is_posted(
    chat, huddle, engine
):
    _meeting_posted(chat, huddle)
    card, _ = huddle.handle(_thread_reply(chat, event_id="Ev1"))
    huddle.handle(StoryPosted("slack", chat.workspace, chat.channel, card.story_id, "1700.9"))
    assert huddle.handle(_thread_reply(chat, event_id="Ev1")) == []
    assert huddle.handle(_thread_reply(chat, event_id="Ev2-a-retry-with-a-new-id")) == []
    with Session(engine) as session:
        assert len(session.exec(select(Story)).all()) == 1


def test_replies_in_other_threads_are_not_stories_and_store_nothing(chat, huddle, engine):
    from bot.storage.models import ProcessedEvent

    _meeting_posted(chat, huddle)
    assert huddle.handle(_thread_reply(chat, thread_id="9.9", message_id="9.10")) == []
    with Session(engine) as session:
        assert session.exec(select(Story)).all() == []
        assert session.exec(select(ProcessedEvent)).all() == []


def test_the_thank_you_names_the_practice_s_own_nominate_emoji(chat, huddle):
    chat("/huddle emoji tada")
    _meeting_posted(chat, huddle)
    _, thanks = huddle.handle(_thread_reply(chat))
    assert ":tada:" in thanks.text and "star-struck" not in thanks.text


def test_the_thread_story_card_nominates_by_reaction_once_posted(chat, huddle, engine):
    _meeting_posted(chat, huddle)
    card, _ = huddle.handle(_thread_reply(chat))
    huddle.handle(StoryPosted("slack", chat.workspace, chat.channel, card.story_id, "1700.9"))
    _react(huddle, chat, "Kim", ts="1700.9")
    assert _votes(engine) == 1
    assert _react(huddle, chat, "Jo", ts="1700.9")[0].text.startswith("That story is about you")
    assert _react(huddle, chat, "Sam", ts="1700.9")[0].text.startswith("That's your own story")


def test_an_empty_or_over_long_story_saves_nothing(chat, engine):
    assert "Tell us what happened" in chat("/wow")
    assert "limit is 2000" in chat("/wow " + "y" * 2001)
    with Session(engine) as session:
        assert session.exec(select(Story)).all() == []


def test_nominate_needs_a_story_number_but_longer_text_is_a_story(chat):
    assert "Which story?" in chat("/wow nominate")
    assert "I need a story number" in chat("/wow nominate abc")
    [post] = chat.replies("/wow nominate @Priya for staying late with Mr B")
    assert post.story_id == 1


def test_an_add_and_a_remove_handled_out_of_order_end_as_the_person_left_it(chat, huddle, engine):
    from datetime import UTC, datetime

    _post_story(chat, huddle)
    added_at = datetime(2026, 11, 24, 9, 0, 0, tzinfo=UTC)
    removed_at = datetime(2026, 11, 24, 9, 0, 2, tzinfo=UTC)

    def react(added: bool, at, event_id: str):
        huddle.handle(
            Reaction(
                "slack",
                chat.workspace,
                chat.channel,
                "111.1",
                "U-jo",
                "Jo",
                "star-struck",
                added,
                event_id=event_id,
                at=at,
            )
        )

    react(False, removed_at, "Ev-remove")  # the removal reaches a worker first
    react(True, added_at, "Ev-add")
    assert _votes(engine) == 0

    react(True, datetime(2026, 11, 24, 9, 1, tzinfo=UTC), "Ev-add-again")
    assert _votes(engine) == 1


def test_two_workers_adding_and_removing_at_once_agree_on_the_later_decision(chat, huddle, engine):
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime, timedelta

    _post_story(chat, huddle)
    start = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    for round_ in range(10):
        base = start + timedelta(minutes=round_)
        events = [
            Reaction(
                "slack",
                chat.workspace,
                chat.channel,
                "111.1",
                "U-jo",
                "Jo",
                "star-struck",
                True,
                event_id=f"add-{round_}",
                at=base,
            ),
            Reaction(
                "slack",
                chat.workspace,
                chat.channel,
                "111.1",
                "U-jo",
                "Jo",
                "star-struck",
                False,
                event_id=f"remove-{round_}",
                at=base + timedelta(seconds=1),
            ),
        ]
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(huddle.handle, reversed(events) if round_ % 2 else events))
        assert _votes(engine) == 0, f"round {round_}"
