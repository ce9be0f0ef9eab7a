"""The WOW of the week and the digest choose in SQL what the old Python rules chose.

An uneven history (two workspaces in different timezones, subscribed and unsubscribed
channels, ties, votes taken back, stories on the week's edges, many stale defects
spread over channels) is read both ways: every channel's message must be the same.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.clock.config import ClockSettings
from bot.clock.coverage import coverage
from bot.clock.engine import Planning, Slot
from bot.clock.jobs import defect_digest, wow_of_the_week
from bot.scheduling import Period, last_week
from bot.storage import db
from bot.storage.clock import load_targets
from bot.storage.defect_digest import STALE_AFTER, DigestDefect
from bot.storage.defects import (
    add_recovery_action,
    assign_owner,
    close_defect,
    record_defect,
)
from bot.storage.heroes import Hero, heroes_of, set_heroes
from bot.storage.models import Defect, Nomination, RecoveryAction, Story, Workspace
from bot.storage.stories import NominatedStory, add_nomination, record_story, remove_nomination
from tests.clock.conftest import channel

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # Monday: 20:00 in Sydney
SUBSCRIBED = {"T1": ["C0", "C1", "C2"], "T2": ["S0", "S1"]}
ELSEWHERE = ["D1", "X9"]  # channels with no meeting of their own: the home channel's


def subscribe(huddle) -> None:
    for name in SUBSCRIBED["T1"]:
        assert "Weekly meeting scheduled" in channel(huddle, name, "T1")(
            "/huddle schedule monday 08:00 UTC"
        )
    for name in SUBSCRIBED["T2"]:
        assert "Weekly meeting scheduled" in channel(huddle, name, "T2")(
            "/huddle schedule monday 08:00 Australia/Sydney"
        )


def moments(rng: random.Random, count: int) -> list[datetime]:
    """Times over three weeks before NOW, with repeats (ties) and the weeks' exact edges."""
    edges = [last_week(NOW, tz) for tz in ("UTC", "Australia/Sydney")]
    picked = [NOW - timedelta(minutes=rng.randrange(0, 3 * 7 * 24 * 60)) for _ in range(count)]
    picked += [moment for edge in edges for moment in edge]
    picked += [edge[0] - timedelta(microseconds=1) for edge in edges]
    return picked + picked[: count // 5]  # the same moment twice


def planning(session, content) -> tuple[Planning, list[Slot]]:
    targets = load_targets(session=session)
    plan = Planning(session, content, NOW, ClockSettings.defaults(), targets)
    slots = [Slot(t, Period.WEEK.of(NOW, t.timezone), frozenset()) for t in targets]
    return plan, slots


def workspaces(session) -> dict[str, int]:
    return {w.external_id: w.id for w in session.exec(sa.select(Workspace)).scalars()}


async def test_the_wow_of_the_week_in_sql_is_the_story_the_python_rule_chose(
    huddle, clock, content
):
    clock.set(NOW - timedelta(days=30))  # subscribed before any of the history
    subscribe(huddle)
    rng = random.Random(16)
    with db.transaction(huddle.engine) as session:
        ids = workspaces(session)
        times = moments(rng, 120)
        for n, created in enumerate(times):
            workspace = rng.choice(list(SUBSCRIBED))
            where = rng.choice(SUBSCRIBED[workspace] + ELSEWHERE)
            story = record_story(
                session=session,
                workspace_id=ids[workspace],
                channel_id=where,
                author_id=f"U{n % 7}",
                author_name=f"Teller {n % 7}",
                text=f"Story {n}",
                now=created,
            )
            session.flush()
            heroes = [Hero(f"U{n % 5}", f"Hero {n}"), Hero(f"U{n % 5 + 5}", f"Second {n}")]
            # None, one or two heroes: the winners' come joined to them, in their order.
            set_heroes(session=session, story=story, heroes=heroes[: rng.choice([0, 1, 1, 2])])
            for voter in range(rng.choice([0, 0, 1, 1, 2, 3, 5])):  # few: many ties
                add_nomination(session=session, story=story, voter_id=f"V{voter}", now=created)
            if rng.random() < 0.3:  # a vote taken back
                remove_nomination(session=session, story=story, voter_id="V0", now=created)
        session.flush()
        expected = old_wow_rule(session, content)
        plan, slots = planning(session, content)
        messages = wow_of_the_week.compose(plan, slots)
    got = {key: message.reply for key, message in messages.items() if message is not None}
    assert got == expected
    assert len(got) >= 4  # both workspaces, both timezones


def old_wow_rule(session, content):
    """Every nominated story read into Python; per channel the most-nominated one."""
    s, n = Story.__table__.c, Nomination.__table__.c
    columns = (s.id, s.workspace_id, s.channel_id, s.author_id, s.author_name, s.text, s.created_at)
    rows = session.execute(
        sa.select(*columns, sa.func.count(n.id))
        .join(
            Nomination.__table__,
            sa.and_(n.workspace_id == s.workspace_id, n.story_id == s.id, n.active),
        )
        .group_by(*columns)
    ).all()
    stories = [NominatedStory(*row[:-1], nominations=int(row[-1])) for row in rows]
    plan, slots = planning(session, content)
    covers = coverage(plan.targets)
    replies = {}
    for slot in slots:
        start, end = last_week(NOW, slot.target.timezone)
        candidates = [
            story
            for story in stories
            if story.workspace_id == slot.target.workspace_id
            and covers(slot.target, story.channel_id)
            and start <= _aware(story.created_at) < end
        ]
        if candidates:
            best = min(candidates, key=lambda s: (-s.nominations, _aware(s.created_at), s.story_id))
            found = heroes_of(
                session=session, workspace_id=best.workspace_id, story_ids=[best.story_id]
            )
            replies[slot.target.key] = wow_of_the_week.compose_wow_of_the_week(
                best, found.get(best.story_id, [])
            )
    return replies


async def test_the_digest_counted_in_sql_is_the_digest_of_every_defect_read(huddle, clock, content):
    clock.set(NOW - timedelta(days=30))  # subscribed before any of the history
    subscribe(huddle)
    rng = random.Random(21)
    stages = [s.id for s in content.stages] + [None, "retired-stage"]
    with db.transaction(huddle.engine) as session:
        ids = workspaces(session)
        times = moments(rng, 150)
        times += [NOW - timedelta(days=rng.randrange(8, 60)) for _ in range(60)]  # stale
        for n, created in enumerate(times):
            workspace = rng.choice(list(SUBSCRIBED))
            where = rng.choice(SUBSCRIBED[workspace][:1] * 3 + SUBSCRIBED[workspace] + ELSEWHERE)
            defect = record_defect(
                session=session,
                workspace_id=ids[workspace],
                channel_id=where,
                stage=rng.choice(stages),
                description=f"Defect {n}",
                reporter_id="U1",
                reporter_name="Reporter",
                now=created,
            )
            roll = rng.random()
            if roll < 0.15:
                close_defect(session=session, defect=defect, closed_by="U2", now=created)
            elif roll < 0.3:
                add_recovery_action(
                    session=session,
                    defect=defect,
                    action="Called back",
                    owner_id="U3",
                    owner_name="Owner",
                    now=created,
                )
            elif roll < 0.5:
                assign_owner(session=session, defect=defect, owner_id="U4", owner_name="Sam")
        session.flush()
        expected = old_digest_rule(session, content)
        plan, slots = planning(session, content)
        messages = defect_digest.compose(plan, slots)
    got = {key: message.reply for key, message in messages.items() if message is not None}
    assert got == expected
    assert any("…and" in str(reply.fields) for reply in got.values())  # more than the limit


def old_digest_rule(session, content):
    """Every logged and every stale defect read into Python, filtered per channel."""
    d, r = Defect.__table__.c, RecoveryAction.__table__.c
    acted = sa.exists().where(r.workspace_id == d.workspace_id, r.defect_id == d.id)
    rows = session.execute(
        sa.select(
            d.workspace_id, d.channel_id, d.id, d.stage, d.owner_name, d.created_at, d.closed_at
        )
        .add_columns(acted)
        .order_by(d.created_at, d.id)
    ).all()
    plan, slots = planning(session, content)
    covers = coverage(plan.targets)
    replies = {}
    for slot in slots:
        target = slot.target
        start, end = last_week(NOW, target.timezone)
        mine = [
            (DigestDefect(*row[:6]), row[6], row[7])
            for row in rows
            if row[0] == target.workspace_id and covers(target, row[1])
        ]
        logged = [d for d, _, _ in mine if start <= _aware(d.created_at) < end]
        stale = [
            d
            for d, closed_at, acted in mine
            if closed_at is None and not acted and _aware(d.created_at) < NOW - STALE_AFTER
        ]
        reply = defect_digest.compose_defect_digest(
            content,
            logged=Counter(d.stage for d in logged),
            stale=stale[: defect_digest.DIGEST_LIST_LIMIT],
            stale_total=len(stale),
            tz=target.timezone,
            week_start=start,
        )
        if reply is not None:
            replies[target.key] = reply
    return replies


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
