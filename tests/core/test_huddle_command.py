from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.model import ConversationRef, Visibility
from bot.storage.models import MeetingPost, Skip, Subscription


def _subscription(engine) -> Subscription:
    with Session(engine) as session:
        return session.exec(select(Subscription)).one()


def test_schedule_subscribes_the_channel_and_says_when_the_first_post_comes(chat, engine):
    [reply] = chat.replies("/huddle schedule monday 08:00 Australia/Sydney")
    assert reply.visibility is Visibility.CHANNEL
    assert "Every Monday 8:00 am Sydney time (Australia/Sydney)" in reply.text
    # Now is Tue 24 Nov 09:00 in Sydney: the next Monday is 30 Nov, 08:00 AEDT = 29 Nov 21:00 UTC.
    assert "Mon 30 Nov, 08:00 (Australia/Sydney) = 2026-11-29 21:00 UTC" in reply.plain()
    sub = _subscription(engine)
    assert (sub.weekday, sub.hour, sub.minute, sub.timezone) == (0, 8, 0, "Australia/Sydney")


def test_the_timezone_defaults_to_the_workspaces(chat, engine):
    chat("/huddle timezone Europe/London")
    chat("/huddle schedule tue 7:30am")
    sub = _subscription(engine)
    assert (sub.weekday, sub.hour, sub.minute, sub.timezone) == (1, 7, 30, "Europe/London")


def test_scheduling_again_changes_the_time_instead_of_adding_a_second_post(chat, engine):
    chat("/huddle schedule monday 08:00")
    chat("/huddle schedule friday 16:15 america/new_york confirm")
    sub = _subscription(engine)
    assert (sub.weekday, sub.hour, sub.minute, sub.timezone) == (4, 16, 15, "America/New_York")


def test_malformed_days_times_and_timezones_get_a_friendly_reply(chat, engine):
    assert "day of the week" in chat("/huddle schedule funday 08:00")
    assert "Use 24-hour `HH:MM`" in chat("/huddle schedule monday eight")
    assert "isn't a real time" in chat("/huddle schedule monday 25:00")
    assert "IANA name" in chat("/huddle schedule monday 08:00 Mars/Olympus")
    assert "Tell me the day and time" in chat("/huddle schedule")
    with Session(engine) as session:
        assert session.exec(select(Subscription)).all() == []


def test_stop_ends_the_weekly_meeting(chat, engine):
    assert "no weekly meeting yet" in chat("/huddle stop")
    chat("/huddle schedule monday 08:00")
    assert "stopped" in chat("/huddle stop")
    assert _subscription(engine).active is False
    assert "no weekly meeting yet" in chat("/huddle status")


def test_status_shows_next_post_and_skips(chat):
    chat("/huddle schedule monday 08:00 Australia/Sydney")
    chat("/huddle skip 2026-11-30")
    status = chat("/huddle status")
    assert "Monday 8:00 am Sydney time (Australia/Sydney)" in status
    assert "Skipping: Mon 2026-11-30" in status
    assert "Mon 7 Dec, 08:00" in status


def test_skip_and_pause_refuse_past_dates_and_explain_off_days(chat, engine):
    chat("/huddle schedule monday 08:00 Australia/Sydney")
    assert "already passed" in chat("/huddle skip 2026-01-05")
    assert "year-month-day" in chat("/huddle skip 31/31/2026")
    assert "only a nudge" in chat("/huddle skip 2026-12-25")
    assert "already skipped" in chat("/huddle skip 2026-12-25")
    with Session(engine) as session:
        assert len(session.exec(select(Skip)).all()) == 1
    assert "Paused until Tuesday 12 January 2027" in chat("/huddle pause until 2027-01-12")
    assert "Mon 18 Jan" in chat("/huddle status")
    assert "back on" in chat("/huddle resume")
    assert "Pick a date after today" in chat("/huddle pause until 2026-11-01")


def test_preview_is_private_and_shows_the_first_rule(chat, content):
    [reply] = chat.replies("/huddle preview")
    first = content.rules_in_order()[0]
    assert reply.visibility is Visibility.PRIVATE
    assert first.title in reply.title
    labels = [f.label for f in reply.fields]
    assert labels == [
        "Why it matters here",
        "Talk about it",
        "This week's challenge",
        "Your WOW stories",
    ]
    assert first.story_prompt in reply.fields[3].value


def test_each_channel_walks_the_curriculum_in_order_without_repeats(huddle, clock, content):
    ref = ConversationRef("slack", "T1", "C1")
    seen = []
    for _ in range(len(content.curriculum) + 1):
        seen.append(huddle.this_weeks_meeting(ref).title)
        clock.advance(days=7)
    titles = [f"Monday Morning Meeting · {rule.title}" for rule in content.rules_in_order()]
    assert seen[:-1] == titles
    assert seen[-1] == titles[0]  # a new round starts only after every rule was seen


def test_the_same_week_shows_the_same_meeting_again(huddle):
    ref = ConversationRef("slack", "T1", "C1")
    assert huddle.this_weeks_meeting(ref).title == huddle.this_weeks_meeting(ref).title


def test_concurrent_claims_of_one_week_make_one_post(huddle, engine):
    ref = ConversationRef("slack", "T1", "C1")
    huddle.this_weeks_meeting(ConversationRef("slack", "T1", "C0"))  # the workspace exists
    with ThreadPoolExecutor(6) as pool:
        claims = list(pool.map(lambda _: huddle.claim_meeting(ref), range(6)))
    assert len([c for c in claims if c is not None]) == 1
    assert huddle.this_weeks_meeting(ref).title == next(c for c in claims if c)[1].title
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(sa.func.count()).where(MeetingPost.channel_id == "C1")
        ).scalar_one()
    assert rows == 1


def test_rules_shows_where_the_channel_is_in_the_curriculum(chat, huddle, clock, content):
    ref = ConversationRef("slack", chat.workspace, chat.channel)
    for _ in range(3):
        huddle.this_weeks_meeting(ref)
        clock.advance(days=7)
    text = chat("/huddle rules")
    assert f"had 3 of {len(content.curriculum)} rules" in text
    assert content.rules_in_order()[3].title in text


def test_blueprint_lists_stages_and_shows_one_privately(chat, content):
    listing = chat.replies("/huddle blueprint")[0]
    assert [f.label for f in listing.fields] == [s.name for s in content.stages]
    [reply] = chat.replies("/huddle blueprint front desk")
    assert reply.visibility is Visibility.PRIVATE
    assert reply.title == "Service blueprint · Arrival"
    assert "Offer the offer" in [f.label for f in reply.fields]
    assert "I don't know the stage" in chat("/huddle blueprint moon")


def test_help_and_unknown_subcommands(chat):
    assert "/huddle schedule <weekday> <HH:MM>" in chat("/huddle help")
    assert "/huddle schedule" in chat("/huddle")
    assert "I don't know `/huddle dance`" in chat("/huddle dance")
    assert "I don't know the command" in chat("/party now")


def test_next_post_skips_the_current_week_once_posted(chat, huddle, clock):
    clock.set(datetime(2026, 11, 22, 20, 0, tzinfo=UTC))  # Mon 23 Nov 07:00 Sydney
    chat("/huddle schedule monday 08:00 Australia/Sydney")
    assert "Mon 23 Nov, 08:00" in chat("/huddle status")  # before the post
    huddle.this_weeks_meeting(ConversationRef("slack", chat.workspace, chat.channel))
    assert "Mon 30 Nov" in chat("/huddle status")


def test_a_schedule_set_after_this_weeks_time_says_next_week(chat, clock):
    clock.set(datetime(2026, 11, 22, 21, 30, tzinfo=UTC))  # Mon 23 Nov 08:30 Sydney
    chat("/huddle schedule monday 08:00 Australia/Sydney")
    status = chat("/huddle status")
    assert "Next post: Mon 30 Nov, 08:00" in status
    # No meeting this week, so no nudge in its thread either: the first is next week's.
    assert "Story nudge: Wed 2 Dec, 08:00" in status
