"""monday-meeting: exactly one post per channel and local week, on time, through DST and downtime."""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.clock.config import ClockSettings
from bot.clock.jobs import run_monday_meeting
from bot.huddle import Huddle
from bot.model import ConversationRef
from bot.ports import DeliveryError
from bot.storage import db
from bot.storage.models import MeetingPost
from tests.clock.conftest import RecordingMessenger, channel, local


def meeting_rows(engine) -> list[MeetingPost]:
    with db.transaction(engine) as session:
        return list(session.exec(sa.select(MeetingPost).order_by(MeetingPost.id)).scalars())


FRIDAY_BEFORE = datetime(2026, 11, 20, tzinfo=UTC)  # before most tests' moments
SYDNEY = "monday 08:00 Australia/Sydney"
SYDNEY_FRIDAY = local("Australia/Sydney", 2026, 11, 20, 9)


def schedule(
    huddle,
    clock,
    line: str = "monday 08:00 UTC",
    *,
    name: str = "C1",
    workspace: str = "T1",
    at: datetime = FRIDAY_BEFORE,
):
    """Subscribe a channel ``at`` a given moment (by default before the test's moments)."""
    clock.set(at)
    text = channel(huddle, name, workspace)(f"/huddle schedule {line}")
    assert "Weekly meeting scheduled" in text, text


# (zone, schedule, the post's wall time, the same moment in UTC worked out by hand)
DST_WEEKS = [
    # Sydney: DST starts Sun 4 Oct 2026 (02:00 -> 03:00, +10 -> +11), ends Sun 4 Apr 2027.
    ("Australia/Sydney", "monday 08:00", (2026, 10, 5, 8, 0), datetime(2026, 10, 4, 21, 0)),
    ("Australia/Sydney", "sunday 08:00", (2026, 10, 4, 8, 0), datetime(2026, 10, 3, 21, 0)),
    ("Australia/Sydney", "monday 08:00", (2027, 4, 5, 8, 0), datetime(2027, 4, 4, 22, 0)),
    ("Australia/Sydney", "sunday 08:00", (2027, 4, 4, 8, 0), datetime(2027, 4, 3, 22, 0)),
    # New York: DST starts Sun 14 Mar 2027 (-5 -> -4), ends Sun 1 Nov 2026 (-4 -> -5).
    ("America/New_York", "monday 08:00", (2027, 3, 15, 8, 0), datetime(2027, 3, 15, 12, 0)),
    ("America/New_York", "sunday 08:00", (2027, 3, 14, 8, 0), datetime(2027, 3, 14, 12, 0)),
    ("America/New_York", "monday 08:00", (2026, 11, 2, 8, 0), datetime(2026, 11, 2, 13, 0)),
    ("America/New_York", "sunday 08:00", (2026, 11, 1, 8, 0), datetime(2026, 11, 1, 13, 0)),
    # No daylight saving at all: the same UTC time every week of the year.
    ("Asia/Kolkata", "monday 08:00", (2026, 10, 5, 8, 0), datetime(2026, 10, 5, 2, 30)),
    ("Asia/Kolkata", "monday 08:00", (2027, 3, 15, 8, 0), datetime(2027, 3, 15, 2, 30)),
    ("Australia/Brisbane", "monday 08:00", (2026, 10, 5, 8, 0), datetime(2026, 10, 4, 22, 0)),
]


@pytest.mark.parametrize(("tz", "when", "wall", "utc"), DST_WEEKS)
async def test_the_meeting_fires_within_a_minute_of_local_time_in_dst_weeks(
    huddle, clock, messenger, messengers, tz, when, wall, utc
):
    expected = utc.replace(tzinfo=UTC)
    assert local(tz, *wall) == expected  # the table above is right
    schedule(huddle, clock, f"{when} {tz}", at=expected - timedelta(days=6))

    await run_monday_meeting(huddle, messengers, expected - timedelta(minutes=1))
    assert messenger.posts == []
    await run_monday_meeting(huddle, messengers, expected)
    await run_monday_meeting(huddle, messengers, expected + timedelta(minutes=1))
    assert len(messenger.posts) == 1
    [row] = meeting_rows(huddle.engine)
    assert row.status == "posted" and row.posted_at == expected


@pytest.mark.parametrize(
    ("tz", "when", "wall", "utc"),
    [
        # 02:30 does not exist on the day Sydney springs forward: it posts at 03:30 AEDT.
        ("Australia/Sydney", "sunday 02:30", (2026, 10, 4, 3, 30), datetime(2026, 10, 3, 16, 30)),
        # 01:30 happens twice on the day New York falls back: it posts on the first.
        ("America/New_York", "sunday 01:30", (2026, 11, 1, 1, 30), datetime(2026, 11, 1, 5, 30)),
    ],
)
async def test_a_time_inside_the_dst_change_posts_once_at_the_nearest_real_time(
    huddle, clock, messenger, messengers, tz, when, wall, utc
):
    expected = utc.replace(tzinfo=UTC)
    schedule(huddle, clock, f"{when} {tz}", at=expected - timedelta(days=6))
    for minutes in (-1, 0, 1, 60, 61):
        await run_monday_meeting(huddle, messengers, expected + timedelta(minutes=minutes))
        assert len(messenger.posts) == (0 if minutes < 0 else 1)


async def test_the_clock_catches_up_once_after_downtime_later_the_same_week(
    huddle, clock, messenger, messengers
):
    schedule(huddle, clock, SYDNEY, at=SYDNEY_FRIDAY)
    # Down all Monday; back on Wednesday afternoon.
    await run_monday_meeting(huddle, messengers, local("Australia/Sydney", 2026, 11, 25, 15, 0))
    await run_monday_meeting(huddle, messengers, local("Australia/Sydney", 2026, 11, 25, 15, 1))
    await run_monday_meeting(huddle, messengers, local("Australia/Sydney", 2026, 11, 29, 23, 59))
    assert len(messenger.posts) == 1
    assert "Week 48, 2026" in messenger.posts[0].reply.footer


async def test_a_week_that_has_ended_is_never_posted(huddle, clock, messenger, messengers):
    schedule(huddle, clock, SYDNEY, at=SYDNEY_FRIDAY)
    # Down from before Monday 23 Nov until the next Monday morning, before 08:00.
    await run_monday_meeting(huddle, messengers, local("Australia/Sydney", 2026, 11, 30, 7, 0))
    assert messenger.posts == []
    await run_monday_meeting(huddle, messengers, local("Australia/Sydney", 2026, 11, 30, 8, 0))
    [post] = messenger.posts
    assert "Week 49, 2026" in post.reply.footer
    assert [r.period for r in meeting_rows(huddle.engine)] == ["2026-W49"]


async def test_a_schedule_set_after_this_weeks_time_starts_next_week(
    huddle, clock, messenger, messengers
):
    tuesday = local("Australia/Sydney", 2026, 11, 24, 10, 0)
    schedule(huddle, clock, SYDNEY, at=tuesday)
    await run_monday_meeting(huddle, messengers, tuesday + timedelta(minutes=1))
    assert messenger.posts == []
    await run_monday_meeting(huddle, messengers, local("Australia/Sydney", 2026, 11, 30, 8, 0))
    assert len(messenger.posts) == 1


async def test_a_changed_schedule_is_read_from_the_database_on_the_next_run(
    huddle, clock, messenger, messengers
):
    schedule(huddle, clock, SYDNEY, at=SYDNEY_FRIDAY)
    schedule(
        huddle,
        clock,
        "tuesday 09:30 Australia/Sydney confirm",  # replacing a schedule is confirmed
        at=local("Australia/Sydney", 2026, 11, 21, 9),
    )
    await run_monday_meeting(huddle, messengers, local("Australia/Sydney", 2026, 11, 23, 8, 0))
    assert messenger.posts == []
    await run_monday_meeting(huddle, messengers, local("Australia/Sydney", 2026, 11, 24, 9, 30))
    assert len(messenger.posts) == 1


async def test_concurrent_runs_post_each_channel_once(huddle, clock, messenger, messengers):
    for n in range(6):
        schedule(huddle, clock, name=f"C{n}", workspace=f"T{n % 3}")
    due = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    reports = await asyncio.gather(*(run_monday_meeting(huddle, messengers, due) for _ in range(5)))
    assert len(messenger.posts) == 6
    assert sorted(p.ref.channel_id for p in messenger.posts) == [f"C{n}" for n in range(6)]
    assert sum(r.posted for r in reports) == 6
    assert {r.status for r in meeting_rows(huddle.engine)} == {"posted"}


def test_two_clocks_on_one_database_post_each_channel_once(
    engine, huddle, clock, settings, content, vault
):
    for n in range(8):
        schedule(huddle, clock, name=f"C{n}")
    due = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    # A second process by mistake: its own engine and connection pool on the same database.
    other_engine = db.make_engine(engine.url.render_as_string(hide_password=False))
    other = Huddle(
        engine=other_engine, settings=settings, content=content, vault=vault, clock=clock
    )
    recorders = [RecordingMessenger(), RecordingMessenger()]
    start = threading.Barrier(2)

    def run_clock(core, recorder):
        start.wait()
        for _ in range(3):
            asyncio.run(run_monday_meeting(core, {"slack": recorder}, due))

    threads = [
        threading.Thread(target=run_clock, args=(core, recorder))
        for core, recorder in zip((huddle, other), recorders, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other_engine.dispose()
    posted = sorted(p.ref.channel_id for r in recorders for p in r.posts)
    assert posted == sorted(f"C{n}" for n in range(8))
    assert len(meeting_rows(engine)) == 8


async def test_a_failing_channel_is_recorded_and_retried_while_the_others_post(
    huddle, clock, messenger, messengers
):
    for name in ("C1", "C2", "C3"):
        schedule(huddle, clock, name=name)
    messenger.fail("T1", "C2", DeliveryError("not_in_channel"))
    due = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    report = await run_monday_meeting(huddle, messengers, due)
    assert (report.posted, report.failed) == (2, 1)
    assert sorted(p.ref.channel_id for p in messenger.posts) == ["C1", "C3"]
    failed = next(r for r in meeting_rows(huddle.engine) if r.channel_id == "C2")
    assert failed.status == "failed" and failed.last_error == "not_in_channel"
    assert failed.posted_at is None and failed.next_attempt_at > due

    # Back-off: not retried on the very next run, retried once it has passed.
    await run_monday_meeting(huddle, messengers, due + timedelta(seconds=30))
    assert len(messenger.attempts) == 3
    await run_monday_meeting(huddle, messengers, failed.next_attempt_at)
    assert len(messenger.attempts) == 4
    second = next(r for r in meeting_rows(huddle.engine) if r.channel_id == "C2")
    assert second.status == "failed" and second.attempts == 2
    assert second.next_attempt_at - failed.next_attempt_at > failed.next_attempt_at - due

    messenger.heal()
    await run_monday_meeting(huddle, messengers, second.next_attempt_at)
    assert [p.ref.channel_id for p in messenger.posts] == ["C1", "C3", "C2"]
    healed = next(r for r in meeting_rows(huddle.engine) if r.channel_id == "C2")
    assert healed.status == "posted" and healed.attempts == 3 and healed.last_error is None
    # The healthy channels were never posted twice.
    assert len(messenger.posts_to("C1")) == len(messenger.posts_to("C3")) == 1


async def test_a_failure_is_not_retried_once_the_week_is_over(huddle, clock, messenger, messengers):
    schedule(huddle, clock)
    messenger.fail("T1", "C1")
    await run_monday_meeting(huddle, messengers, datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    messenger.heal()
    await run_monday_meeting(huddle, messengers, datetime(2026, 11, 30, 7, 59, tzinfo=UTC))
    assert messenger.posts == []
    assert [r.status for r in meeting_rows(huddle.engine)] == ["failed"]


async def test_a_run_stopped_part_way_sends_the_rest_next_time_and_nothing_twice(
    huddle, clock, messenger, messengers
):
    for name in ("C1", "C2", "C3"):
        schedule(huddle, clock, name=name)
    messenger.gates["C1"] = asyncio.Event()  # C1's platform call never answers
    due = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    run = asyncio.create_task(
        run_monday_meeting(huddle, messengers, due, options=ClockSettings.defaults(concurrency=1))
    )
    await messenger.entered.wait()
    run.cancel()  # e.g. SIGTERM after the drain time ran out
    with pytest.raises(asyncio.CancelledError):
        await run
    states = {r.channel_id: r.status for r in meeting_rows(huddle.engine)}
    # C1 may have been posted: it stays sending, to be settled. C2 and C3 never started.
    assert states == {"C1": "sending", "C2": "failed", "C3": "failed"}

    messenger.gates.clear()
    report = await run_monday_meeting(huddle, messengers, due + timedelta(minutes=1))
    assert report.posted == 2
    assert sorted(p.ref.channel_id for p in messenger.posts) == ["C2", "C3"]


async def test_a_permanent_failure_is_recorded_and_not_retried(
    huddle, clock, messenger, messengers
):
    schedule(huddle, clock)
    messenger.fail("T1", "C1", DeliveryError("channel_not_found", permanent=True))
    due = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    report = await run_monday_meeting(huddle, messengers, due)
    assert report.undeliverable == 1
    for hours in (1, 5, 48):
        await run_monday_meeting(huddle, messengers, due + timedelta(hours=hours))
    assert len(messenger.attempts) == 1
    [row] = meeting_rows(huddle.engine)
    assert row.status == "undeliverable" and row.last_error == "channel_not_found"


async def test_a_rate_limited_workspace_does_not_stop_the_others(
    huddle, clock, messenger, messengers, fake_time
):
    options = ClockSettings.defaults(workspace_concurrency=4, concurrency=2)
    for n in range(4):
        schedule(huddle, clock, name=f"S{n}", workspace="SLOW")
        schedule(huddle, clock, name=f"F{n}", workspace="FAST")
    # SLOW answers 429 (Retry-After: 30) to its first three calls, then accepts.
    messenger.fail(
        "SLOW", None, lambda n: DeliveryError("ratelimited", retry_after=30) if n <= 3 else None
    )
    sent_at = []
    messenger.on_send = lambda ref: sent_at.append((ref.workspace_id, fake_time.now))
    due = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    report = await run_monday_meeting(
        huddle, messengers, due, options=options, sleep=fake_time.sleep, monotonic=fake_time
    )
    assert report.posted == 8 and report.rate_limited == 3 and report.failed == 0
    # FAST posted at once, each on its first attempt; only SLOW waited out its Retry-After.
    assert sorted(t for ws, t in sent_at if ws == "FAST") == [0.0] * 4
    # The three posts that got a 429 went again only after the 30 seconds.
    assert sum(1 for ws, t in sent_at if ws == "SLOW" and t >= 30) == 3
    assert sum(1 for ref in messenger.attempts if ref.workspace_id == "FAST") == 4


async def test_a_workspace_that_stays_rate_limited_is_retried_after_its_retry_after(
    huddle, clock, messenger, messengers, fake_time
):
    schedule(huddle, clock, name="C1", workspace="SLOW")
    schedule(huddle, clock, name="C2", workspace="FAST")
    messenger.fail("SLOW", None, DeliveryError("ratelimited", retry_after=600))
    due = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    report = await run_monday_meeting(
        huddle, messengers, due, sleep=fake_time.sleep, monotonic=fake_time
    )
    assert (report.posted, report.failed) == (1, 1)
    slow = next(r for r in meeting_rows(huddle.engine) if r.channel_id == "C1")
    assert slow.status == "failed" and slow.next_attempt_at >= due + timedelta(seconds=600)


async def test_skipped_dates_and_pauses_are_honoured(huddle, clock, messenger, messengers):
    schedule(huddle, clock)
    room = channel(huddle, "C1")
    assert "Skipping" in room("/huddle skip 2026-11-23")
    assert "Paused until" in room("/huddle pause until 2026-12-01")
    for day in (23, 30):  # skipped; then paused (30 Nov is before 1 Dec)
        await run_monday_meeting(huddle, messengers, datetime(2026, 11, day, 8, 0, tzinfo=UTC))
    assert messenger.posts == []
    await run_monday_meeting(huddle, messengers, datetime(2026, 12, 7, 8, 0, tzinfo=UTC))
    assert len(messenger.posts) == 1


async def test_each_post_asks_for_stories_that_show_that_weeks_rule(
    huddle, clock, messenger, messengers, content
):
    schedule(huddle, clock)
    for week in range(3):
        await run_monday_meeting(
            huddle, messengers, datetime(2026, 11, 23, 8, 0, tzinfo=UTC) + timedelta(weeks=week)
        )
    rules = content.rules_in_order()[:3]
    assert len(messenger.posts) == 3
    for post, rule in zip(messenger.posts, rules, strict=True):
        assert rule.title in post.reply.title
        stories = next(f.value for f in post.reply.fields if f.label == "Your WOW stories")
        assert rule.story_prompt in stories


async def test_channels_on_a_platform_without_a_messenger_are_skipped_until_it_is_configured(
    huddle, clock, messenger, messengers, caplog
):
    at = datetime(2026, 11, 20, tzinfo=UTC)
    schedule(huddle, clock, name="C1", at=at)
    clock.set(at)
    assert "scheduled" in channel(huddle, "19:abc", "tenant", "teams")(
        "/huddle schedule monday 08:00 UTC"
    )
    due = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    caplog.set_level(logging.DEBUG, logger="huddle.clock")  # warned at most every 15 minutes
    report = await run_monday_meeting(huddle, messengers, due)
    assert (report.posted, report.skipped) == (1, 1)
    assert "no messenger is configured for it" in caplog.text and "'teams'" in caplog.text
    teams = RecordingMessenger("teams")
    await run_monday_meeting(huddle, {**messengers, "teams": teams}, due + timedelta(minutes=1))
    assert [p.ref.channel_id for p in teams.posts] == ["19:abc"]


async def test_database_round_trips_do_not_grow_with_the_number_of_channels(
    huddle, clock, messenger, messengers
):
    async def trips(count: int, week: int) -> int:
        for n in range(count):
            schedule(
                huddle,
                clock,
                name=f"W{week}C{n}",
                workspace=f"T{n % 7}",
                at=datetime(2026, 11, 20, tzinfo=UTC) + timedelta(weeks=week),
            )
        due = datetime(2026, 11, 23, 8, 0, tzinfo=UTC) + timedelta(weeks=week)
        report = await run_monday_meeting(huddle, messengers, due)
        assert report.posted == count + (sum(range(0, 0))) or report.posted >= count
        return report.db_round_trips

    # Planning is a fixed handful of statements; posts are marked and recorded in small
    # group commits, so a post costs well under one round trip.
    small = await trips(3, 0)
    large = await trips(40, 1)
    assert small <= 10
    assert large <= 20


# -- the console's /monday and the clock claim weeks the same way ------------------------


async def test_the_console_and_the_clock_reckon_the_week_in_the_channels_timezone(
    huddle, clock, messenger, messengers
):
    # The practice is in New York, still on Sunday; the channel meets in Auckland, on Monday.
    schedule(huddle, clock, "monday 08:00 Pacific/Auckland", at=datetime(2026, 11, 12, tzinfo=UTC))
    channel(huddle, "C1")("/huddle timezone America/New_York")
    monday_in_auckland = local("Pacific/Auckland", 2026, 11, 23, 9, 0)  # Sunday in New York
    clock.set(monday_in_auckland)
    shown = huddle.this_weeks_meeting(ConversationRef("slack", "T1", "C1"))
    assert "Week 48, 2026" in shown.footer
    report = await run_monday_meeting(huddle, messengers, monday_in_auckland)
    assert report.posted == 0 and messenger.posts == []
    assert [(r.period, r.status) for r in meeting_rows(huddle.engine)] == [("2026-W48", "posted")]


async def test_the_console_and_the_clock_walk_one_curriculum_in_turn(
    huddle, clock, messenger, messengers, content
):
    schedule(huddle, clock, at=datetime(2026, 11, 12, tzinfo=UTC))
    ref = ConversationRef("slack", "T1", "C1")
    titles = []
    for week, by_clock in enumerate((True, False, True)):
        monday = datetime(2026, 11, 16, 8, 0, tzinfo=UTC) + timedelta(weeks=week)
        clock.set(monday)
        if by_clock:
            await run_monday_meeting(huddle, messengers, monday)
            titles.append(messenger.posts[-1].reply.title)
        else:
            titles.append(huddle.this_weeks_meeting(ref).title)
        assert huddle.claim_meeting(ref) is None  # the week is taken, whoever took it
    expected = [f"Monday Morning Meeting · {r.title}" for r in content.rules_in_order()[:3]]
    assert titles == expected
    assert len(meeting_rows(huddle.engine)) == 3
