"""A crash or a lost answer leaves only the posts in flight uncertain; they are settled, never
posted twice: found on the platform (Slack), or given up where it cannot be asked (Teams)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.clock.config import ClockSettings
from bot.clock.jobs import run_monday_meeting
from bot.model import ConversationRef, Reply
from bot.ports import Unconfirmed, can_find
from bot.storage import db
from bot.storage.clock import MEETINGS, claim_periods
from bot.storage.models import MeetingPost
from tests.clock.conftest import RecordingMessenger, channel

DUE = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday
LATER = DUE + timedelta(minutes=1)  # past the 30 s send timeout


class FindingMessenger(RecordingMessenger):
    """Like Slack: tags each post with its claim and can say whether a claim's post exists.

    ``lose_answers``: channels whose posts are made but answered with ``Unconfirmed``
    (a timeout after the platform accepted the post).
    """

    def __init__(self) -> None:
        super().__init__("slack")
        self.tagged: dict[str, str] = {}  # claim -> message id
        self.lose_answers: set[str] = set()
        self.looked: list[tuple[str, datetime]] = []

    async def send(self, ref: ConversationRef, reply: Reply, *, claim: str | None = None):
        message_id = await super().send(ref, reply)
        if claim:
            self.tagged[claim] = message_id
        if ref.channel_id in self.lose_answers:
            raise Unconfirmed("no answer within 30s")
        return message_id

    async def find(self, ref: ConversationRef, claim: str, since: datetime) -> str | None:
        self.looked.append((claim, since))
        return self.tagged.get(claim)


def subscribe(huddle, clock, *names: str) -> None:
    clock.set(DUE - timedelta(days=3))
    for name in names:
        assert "scheduled" in channel(huddle, name)("/huddle schedule monday 08:00 UTC")


def states(engine) -> dict[str, tuple[str, str | None]]:
    with db.transaction(engine) as session:
        rows = session.execute(
            sa.select(MeetingPost.channel_id, MeetingPost.status, MeetingPost.message_id)
        )
        return {c: (s, m) for c, s, m in rows}


async def stop_with_c1_in_flight(huddle, messengers, messenger) -> None:
    """A run stopped while C1's platform call is under way (the platform got it)."""
    messenger.gates["C1"] = asyncio.Event()
    run = asyncio.create_task(
        run_monday_meeting(huddle, messengers, DUE, options=ClockSettings.defaults(concurrency=1))
    )
    await messenger.entered.wait()
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    messenger.gates.clear()


def test_only_messengers_with_find_can_settle():
    assert can_find(FindingMessenger()) and not can_find(RecordingMessenger())


async def test_a_post_in_flight_at_a_crash_is_found_and_recorded_not_sent_again(huddle, clock):
    subscribe(huddle, clock, "C1", "C2", "C3")
    messenger = FindingMessenger()
    messengers = {"slack": messenger}
    await stop_with_c1_in_flight(huddle, messengers, messenger)
    # The platform had the post (it answers once released): it exists, tagged.
    messenger.tagged["monday-meeting/2026-W48/1"] = "slack-T1-C1-landed"
    assert states(huddle.engine)["C1"] == ("sending", None)

    report = await run_monday_meeting(huddle, messengers, DUE + timedelta(seconds=10))
    assert report.found == 0 and messenger.looked == []  # not before the send timeout
    report = await run_monday_meeting(huddle, messengers, LATER)
    assert report.found == 1
    assert sorted(p.ref.channel_id for p in messenger.posts) == ["C2", "C3"]
    assert states(huddle.engine)["C1"] == ("posted", "slack-T1-C1-landed")
    [(claim, since)] = messenger.looked
    assert claim == "monday-meeting/2026-W48/1" and since == DUE  # from its claim time


async def test_a_post_in_flight_that_never_landed_is_sent_once(huddle, clock):
    subscribe(huddle, clock, "C1", "C2")
    messenger = FindingMessenger()
    messengers = {"slack": messenger}
    await stop_with_c1_in_flight(huddle, messengers, messenger)

    report = await run_monday_meeting(huddle, messengers, LATER)
    assert report.found == 0 and report.posted == 2
    assert sorted(p.ref.channel_id for p in messenger.posts) == ["C1", "C2"]
    await run_monday_meeting(huddle, messengers, LATER + timedelta(minutes=5))
    assert len(messenger.posts) == 2
    assert {s for s, _ in states(huddle.engine).values()} == {"posted"}


async def test_an_answer_lost_after_the_platform_took_the_post_is_settled_not_resent(huddle, clock):
    names = [f"C{n}" for n in range(20)]
    subscribe(huddle, clock, *names)
    messenger = FindingMessenger()
    messenger.lose_answers = set(names[::2])  # half the channels: posted, but no answer
    messengers = {"slack": messenger}

    report = await run_monday_meeting(huddle, messengers, DUE)
    assert report.posted == 10 and report.unconfirmed == 10 and report.failed == 0
    assert report.problems == 10  # `huddle jobs run` says so
    messenger.lose_answers.clear()
    report = await run_monday_meeting(huddle, messengers, LATER)
    assert report.found == 10 and report.posted == 0
    per_channel = [len(messenger.posts_to(name)) for name in names]
    assert per_channel == [1] * 20
    assert {s for s, _ in states(huddle.engine).values()} == {"posted"}


async def test_where_the_platform_cannot_be_asked_an_uncertain_post_is_given_up(huddle, clock):
    subscribe(huddle, clock, "C1", "C2")
    messenger = RecordingMessenger("slack")  # no find: like Teams
    messengers = {"slack": messenger}
    await stop_with_c1_in_flight(huddle, messengers, messenger)

    report = await run_monday_meeting(huddle, messengers, LATER)
    assert report.uncertain == 1 and report.problems == 1
    assert [p.ref.channel_id for p in messenger.posts] == ["C2"]
    report = await run_monday_meeting(huddle, messengers, LATER + timedelta(hours=1))
    assert report.uncertain == 0 and len(messenger.posts) == 1
    assert states(huddle.engine)["C1"] == ("uncertain", None)


async def test_rows_a_killed_clock_claimed_but_never_started_are_sent_by_the_next_run(
    huddle, clock
):
    subscribe(huddle, clock, "C1", "C2")
    workspace_id = 1
    with db.transaction(huddle.engine) as session:  # what a clock killed after claiming left
        claim_periods(
            session=session,
            claims=MEETINGS,
            rows=[
                dict(
                    workspace_id=workspace_id,
                    channel_id=name,
                    period="2026-W48",
                    rule_id="first-impressions",
                    status="claimed",
                    claimed_at=DUE,
                )
                for name in ("C1", "C2")
            ],
        )
    messenger = FindingMessenger()
    report = await run_monday_meeting(huddle, {"slack": messenger}, DUE + timedelta(seconds=5))
    assert report.posted == 0  # maybe still being sent by a live clock: not yet
    report = await run_monday_meeting(huddle, {"slack": messenger}, LATER)
    assert report.posted == 2 and messenger.looked == []  # never started: nothing to look for
    assert sorted(p.ref.channel_id for p in messenger.posts) == ["C1", "C2"]


async def test_a_run_cannot_start_a_row_another_clock_took_over(huddle, clock):
    subscribe(huddle, clock, "C1")
    messenger = FindingMessenger()
    messengers = {"slack": messenger}
    release = asyncio.Event()
    slow_start = asyncio.Event()

    # The first run claims C1, then stalls before its post starts (a long fan-out)...
    from bot.clock import journal

    original = journal.Journal.starting

    async def stalled(self, delivery):
        slow_start.set()
        await release.wait()
        return await original(self, delivery)

    journal.Journal.starting = stalled
    try:
        first = asyncio.create_task(run_monday_meeting(huddle, messengers, DUE))
        await slow_start.wait()
    finally:
        journal.Journal.starting = original
    # ... so another clock, a minute on, takes the row over and posts it.
    second = await run_monday_meeting(huddle, messengers, LATER)
    release.set()
    first_report = await first
    assert second.posted == 1 and first_report.posted == 0
    assert len(messenger.posts) == 1


async def test_a_row_is_started_again_after_a_429_only_while_this_run_still_holds_it(huddle, clock):
    from bot.storage.clock import mark_sending, take_uncertain

    subscribe(huddle, clock, "C1", "C2")
    with db.transaction(huddle.engine) as session:
        won = claim_periods(
            session=session,
            claims=MEETINGS,
            rows=[
                dict(
                    workspace_id=1,
                    channel_id=name,
                    period="2026-W48",
                    rule_id="first-impressions",
                    status="claimed",
                    claimed_at=DUE,
                )
                for name in ("C1", "C2")
            ],
        )
    c1, c2 = won[(1, "C1")], won[(1, "C2")]
    until = DUE + timedelta(seconds=30)
    with db.transaction(huddle.engine) as session:
        assert mark_sending(
            session=session, claims=MEETINGS, claimed=[c1, c2], held={}, claimed_at=DUE, until=until
        ) == {c1, c2}
    # Both got a 429 with a long Retry-After; meanwhile another clock takes C2 to settle it.
    with db.transaction(huddle.engine) as session:
        assert take_uncertain(
            session=session, claims=MEETINGS, ids=[c2], now=LATER, until=LATER + timedelta(1)
        ) == {c2}
        renewed = mark_sending(
            session=session,
            claims=MEETINGS,
            claimed=[],
            held={c1: until, c2: until},
            claimed_at=DUE,
            until=LATER + timedelta(seconds=30),
        )
    assert renewed == {c1}  # C2 is the other clock's now: not posted by this one
