"""A WOW story is about its heroes: they are credited and thanked, the teller only tells it."""

from sqlmodel import Session, select

from bot.model import Person, Visibility
from bot.storage import db
from bot.storage.models import Story, StoryDraft, Workspace
from tests.conftest import counted_votes


def _fields(reply) -> dict[str, str]:
    return {f.label: f.value for f in reply.fields}


def test_jordans_story_about_priya_credits_priya_on_the_leaderboard(chat):
    [post] = chat.as_("Jordan").replies("/wow @Priya stayed late to re-do Mrs K's crown")
    assert post.title == "WOW story #1: Priya"
    assert _fields(post)["Above and beyond"] == "@Priya"
    assert post.footer.startswith("Told by Jordan.")
    chat.as_("Sam")("/wow nominate 1")
    chat.as_("Lee")("/wow nominate 1")

    board = _fields(chat.replies("/huddle leaderboard")[0])

    assert board["Top people · All time"] == "1. Priya: 2 ★ from 1 story"
    assert "1. #1 Priya (told by Jordan)" in board["Top stories · All time"]


def test_neither_the_teller_nor_the_hero_can_nominate_the_story(chat, engine):
    chat.as_("Jordan")("/wow @Priya stayed late to re-do Mrs K's crown")
    chat.as_("Priya")("/wow @Jordan covered the front desk for an hour")
    assert "your own story" in chat.as_("Jordan")("/wow nominate 1")
    assert "That story is about you" in chat.as_("Priya")("/wow nominate 1")
    assert "your own story" in chat.as_("Priya")("/wow nominate 2")
    assert "That story is about you" in chat.as_("Jordan")("/wow nominate 2")
    assert counted_votes(engine) == []
    assert "You nominated story #1" in chat.as_("Sam")("/wow nominate 1")
    assert "You nominated story #2" in chat.as_("Sam")("/wow nominate 2")


def test_a_story_about_two_people_credits_both(chat):
    chat.as_("Jordan")("/wow @Priya and @Sam stayed late for Mr B")
    chat.as_("Lee")("/wow nominate 1")
    people = _fields(chat.replies("/huddle leaderboard")[0])["Top people · All time"]
    assert "Priya: 1 ★" in people and "Sam: 1 ★" in people and "Jordan" not in people


def test_a_story_naming_nobody_is_asked_about_privately_and_not_posted(chat, engine):
    [asked] = chat.as_("Jordan").replies("/wow stayed late to re-do Mrs K's crown")

    assert asked.visibility is Visibility.PRIVATE and asked.story_id is None
    assert "who is it about?" in asked.text
    assert [(b.label, b.command, b.picks) for b in asked.buttons] == [
        ("Pick who", "wow hero 1", "person"),
        ("It was me", "wow hero 1 me", None),
    ]
    with Session(engine) as session:
        assert session.exec(select(Story)).all() == []
    assert "No nominations yet" in chat("/huddle leaderboard")


def test_the_teller_names_the_hero_and_the_story_is_posted_for_them(chat):
    chat.as_("Jordan")("/wow stayed late to re-do Mrs K's crown")
    card, thanks = chat.as_("Jordan").replies("/wow hero 1 @Priya")
    assert card.visibility is Visibility.CHANNEL and card.title == "WOW story #1: Priya"
    assert card.mentions == (Person("U-priya", "Priya"),)
    assert thanks.visibility is Visibility.PRIVATE
    assert "no story draft #1" in chat.as_("Jordan")("/wow hero 1 me")  # posted once only


def test_it_was_me_makes_the_teller_the_hero(chat):
    chat.as_("Priya")("/wow rang Mrs K back on my day off")
    card, _ = chat.as_("Priya").replies("/wow hero 1 me")
    assert card.title == "WOW story #1: Priya"
    chat.as_("Sam")("/wow nominate 1")
    assert "1. Priya: 1 ★" in chat("/huddle leaderboard")


def test_a_typed_name_is_matched_to_someone_this_workspace_knows(chat):
    chat.as_("Priya")("/wow @Sam found Mr B a wheelchair")  # Huddle has seen Priya and Sam
    chat.as_("Jordan")("/wow stayed late to re-do Mrs K's crown")
    card, _ = chat.as_("Jordan").replies("/wow hero 1 priya")  # drafts count apart
    assert card.mentions == (Person("U-priya", "Priya"),)
    chat.as_("Jordan")("/wow covered reception")
    card, _ = chat.as_("Jordan").replies("/wow hero 2 Dr Okafor")  # nobody seen by that name
    assert card.title == "WOW story #3: Dr Okafor" and card.mentions == ()


def test_only_the_teller_can_finish_their_draft(chat, engine):
    chat.as_("Jordan")("/wow stayed late to re-do Mrs K's crown")
    assert "no story draft #1 of yours" in chat.as_("Sam")("/wow hero 1 me")
    assert "Who was it about?" in chat.as_("Jordan")("/wow hero 1  ")
    with Session(engine) as session:
        assert session.exec(select(Story)).all() == []
        assert len(session.exec(select(StoryDraft)).all()) == 1


def test_a_draft_of_another_workspace_cannot_be_finished_here(chat, other_chat):
    chat.as_("Jordan")("/wow stayed late to re-do Mrs K's crown")
    assert "no story draft #1" in other_chat.as_("Jordan")("/wow hero 1 me")


def test_a_meeting_reply_that_names_nobody_waits_for_its_hero_then_goes_in_the_thread(chat, huddle):
    [asked] = chat.reply_under_the_meeting("stayed late for Mr B")
    assert asked.visibility is Visibility.PRIVATE and "who is it about?" in asked.text

    card, _ = chat.as_("Jordan").replies("/wow hero 1 @Sam")

    assert card.thread_id == "1700.1" and card.title == "WOW story #1: Sam"


def test_a_meeting_reply_that_mentions_a_colleague_is_their_story(chat, huddle):
    card, _ = chat.reply_under_the_meeting(
        "@Sam stayed late for Mr B", mentions=(Person("U-sam", "Sam"),)
    )
    assert card.title == "WOW story #1: Sam" and card.thread_id == "1700.1"
    assert "That story is about you" in chat.as_("Sam")("/wow nominate 1")


def test_an_old_story_is_shown_as_told_by_its_teller(chat, engine, clock):
    chat("/huddle timezone UTC")  # the workspace exists
    with db.transaction(engine) as session:
        workspace = session.exec(select(Workspace)).one()
        session.add(
            Story(
                workspace_id=workspace.id,
                channel_id="C1",
                author_id="U-jordan",
                author_name="Jordan",
                text="Priya stayed late",
                created_at=clock(),
            )
        )
    chat.as_("Sam")("/wow nominate 1")
    board = _fields(chat.replies("/huddle leaderboard")[0])
    assert "1. #1 told by Jordan: “Priya stayed late” (1 ★)" in board["Top stories · All time"]
    assert board["Top people · All time"] == "No nominations yet."
