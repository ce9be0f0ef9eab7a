"""Nothing from one workspace is ever visible in, or changeable from, another."""

from bot.model import ConversationRef
from tests.conftest import Chat


def test_defects_are_invisible_and_untouchable_from_another_workspace(chat, other_chat):
    chat("/defect arrival: waited 25 minutes")
    assert "No open defects" in other_chat("/defect list")
    assert "can't find defect #1" in other_chat("/defect close 1")
    assert "can't find defect #1" in other_chat("/defect recover 1 meddling")
    assert "can't find defect #1" in other_chat("/defect stage 1 waiting")
    listing = chat("/defect list")
    assert "Open defects (1)" in listing and "meddling" not in listing


def test_a_workspace_of_the_same_id_on_another_platform_is_another_workspace(huddle, chat):
    chat("/defect arrival: waited")
    teams = Chat(huddle, workspace=chat.workspace, channel=chat.channel, platform="teams")
    assert "No open defects" in teams("/defect list")


def test_leaderboards_and_stories_are_per_workspace(chat, other_chat):
    chat("/wow @Priya stayed late")
    chat.as_("Sam")("/wow nominate 1")
    board = other_chat("/huddle leaderboard")
    assert "Priya stayed late" not in board
    assert "No nominations yet" in board


def test_schedules_and_curriculum_progress_are_per_workspace(huddle, chat, other_chat, content):
    chat("/huddle schedule monday 08:00")
    assert "no weekly meeting yet" in other_chat("/huddle status")
    huddle.this_weeks_meeting(ConversationRef("slack", chat.workspace, chat.channel))
    [other] = other_chat.replies("/huddle preview")
    assert content.rules_in_order()[0].title in other.title
