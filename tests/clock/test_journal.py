"""The fan-out's journal: marks ahead and grouped outcomes where a lost answer can be looked
for (Slack), a mark per post where it cannot (Teams), and a hold that always covers a post."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.clock.fanout import Delivery
from bot.clock.journal import AHEAD, Journal
from bot.model import ConversationRef
from bot.storage import db
from bot.storage.clock import MEETINGS, Outcome, claim_periods, take_uncertain
from bot.storage.models import MeetingPost
from tests.clock.test_settling import subscribe

DUE = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
TIMEOUT = 30.0  # the send timeout
CHANNELS = [f"C{n}" for n in range(1, 8)]


def claimed(huddle, clock) -> list[Delivery]:
    """Seven rows claimed by this run at DUE, as the engine hands them to the fan-out."""
    subscribe(huddle, clock, *CHANNELS)
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
                for name in CHANNELS
            ],
        )
    return [
        Delivery(won[(1, name)], ConversationRef("slack", "T1", name), None) for name in CHANNELS
    ]


def rows(huddle) -> dict[str, tuple[str, datetime | None]]:
    with db.transaction(huddle.engine) as session:
        found = session.execute(
            sa.select(MeetingPost.channel_id, MeetingPost.status, MeetingPost.next_attempt_at)
        ).all()
    return {channel: (status, at) for channel, status, at in found}


class Statements:
    """Counts the statements sent to the database while it is on."""

    def __init__(self, engine) -> None:
        self.engine, self.count = engine, 0

    def __enter__(self) -> Statements:
        sa.event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, *_) -> None:
        self.count += 1


def journal_for(huddle, deliveries, moment, *, ahead: bool, batch: int = 4) -> Journal:
    return Journal(
        huddle.engine,
        MEETINGS,
        job="monday-meeting",
        now=DUE,
        send_timeout=TIMEOUT,
        elapsed=lambda: moment["seconds"],
        ahead=deliveries if ahead else (),
        batch=batch,
    )


async def test_where_a_lost_answer_can_be_looked_for_rows_are_marked_a_batch_ahead(huddle, clock):
    deliveries = claimed(huddle, clock)
    moment = {"seconds": 0.0}
    journal = journal_for(huddle, deliveries, moment, ahead=True)

    assert await journal.starting(deliveries[0])
    # One write marked the first row and the next three (a batch of 4), each held for the
    # send timeout and the window a mark may wait for its post; the rest stay claimed.
    held_until = DUE + timedelta(seconds=TIMEOUT * (1 + AHEAD))
    now = rows(huddle)
    assert [now[c] for c in CHANNELS[:4]] == [("sending", held_until)] * 4
    assert {now[c][0] for c in CHANNELS[4:]} == {"claimed"}

    # Their posts start without another write while the marks are young enough...
    moment["seconds"] = TIMEOUT * AHEAD
    with Statements(huddle.engine) as statements:
        assert await journal.starting(deliveries[1])
        assert await journal.starting(deliveries[2])
        await journal.finished(Outcome(deliveries[0].row_id, message_id="1.0"))
    assert statements.count == 0  # and the outcome waits for its group

    # ... and one whose mark grew older is held again first (its post's timeout must fall
    # within the hold), along with the next rows.
    moment["seconds"] = TIMEOUT * AHEAD + 1
    assert await journal.starting(deliveries[3])
    renewed = DUE + timedelta(seconds=TIMEOUT * AHEAD + 1 + TIMEOUT * (1 + AHEAD))
    assert rows(huddle)["C4"] == ("sending", renewed)
    assert rows(huddle)["C1"][0] == "posted"  # the waiting outcome rode along with the write
    await journal.close([])


async def test_a_row_marked_ahead_that_another_clock_took_over_is_not_started(huddle, clock):
    deliveries = claimed(huddle, clock)
    moment = {"seconds": 0.0}
    journal = journal_for(huddle, deliveries, moment, ahead=True)
    assert await journal.starting(deliveries[0])
    # This run stalls past its holds; another clock takes C2 over to settle it.
    later = DUE + timedelta(minutes=2)
    with db.transaction(huddle.engine) as session:
        assert take_uncertain(
            session=session,
            claims=MEETINGS,
            ids=[deliveries[1].row_id],
            now=later,
            until=later + timedelta(minutes=1),
        ) == {deliveries[1].row_id}
    moment["seconds"] = 120.0
    assert not await journal.starting(deliveries[1])  # the other clock's now
    assert await journal.starting(deliveries[2])  # still this run's: held again
    await journal.close([])


async def test_where_it_cannot_be_looked_for_each_row_is_marked_as_its_post_starts(huddle, clock):
    deliveries = claimed(huddle, clock)
    moment = {"seconds": 0.0}
    journal = journal_for(huddle, deliveries, moment, ahead=False)
    assert await journal.starting(deliveries[0])
    now = rows(huddle)
    assert now["C1"][0] == "sending"
    assert {now[c][0] for c in CHANNELS[1:]} == {"claimed"}  # a crash loses none of them
    # Its outcome is written at once: an uncertain post there would be given up.
    await journal.finished(Outcome(deliveries[0].row_id, message_id="1.0"))
    assert rows(huddle)["C1"][0] == "posted"
    await journal.close([])


async def test_outcomes_waiting_for_their_group_are_written_when_the_run_closes(huddle, clock):
    deliveries = claimed(huddle, clock)
    moment = {"seconds": 0.0}
    journal = journal_for(huddle, deliveries, moment, ahead=True, batch=len(deliveries))
    for delivery in deliveries:
        assert await journal.starting(delivery)
    for n, delivery in enumerate(deliveries[:-1]):
        await journal.finished(Outcome(delivery.row_id, message_id=f"{n}.0"))
    assert {status for status, _ in rows(huddle).values()} == {"sending"}
    # The last never started (the clock was stopped): it goes back to be sent next run.
    await journal.close([Outcome(deliveries[-1].row_id, error="not sent", next_attempt_at=DUE)])
    now = rows(huddle)
    assert [now[c][0] for c in CHANNELS[:-1]] == ["posted"] * 6
    assert now[CHANNELS[-1]] == ("failed", DUE)


async def test_a_fan_out_of_many_posts_costs_a_few_writes(huddle, clock, options):
    from bot.clock.jobs import run_monday_meeting
    from tests.clock.test_settling import FindingMessenger

    names = [f"C{n:03d}" for n in range(120)]
    subscribe(huddle, clock, *names)
    messenger = FindingMessenger()
    report = await run_monday_meeting(
        huddle, {"slack": messenger}, DUE, options=options.model_copy(update={"batch_size": 50})
    )
    assert report.posted == 120 and len(messenger.posts) == 120
    # Planning's handful (3 claiming INSERTs among them), then a write of marks and
    # outcomes per batch or so, and the last outcomes: far from a statement per post.
    assert report.db_round_trips <= 20


def test_the_fan_out_takes_uncertain_posts_first_then_each_workspace_in_turn():
    from bot.clock.delivery import in_turn

    def delivery(n: int, workspace: str, since: datetime | None = None) -> Delivery:
        return Delivery(n, ConversationRef("slack", workspace, f"C{n}"), None, since=since)

    order = in_turn(
        [
            delivery(1, "T1"),
            delivery(2, "T1"),
            delivery(3, "T1"),
            delivery(4, "T2"),
            delivery(5, "T2", since=DUE),
            delivery(6, "T3"),
        ]
    )
    # The order its posts start in (each workspace has a few slots), and the journal marks.
    assert [d.row_id for d in order] == [5, 1, 4, 6, 2, 3]
