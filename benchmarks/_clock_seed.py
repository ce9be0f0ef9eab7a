"""The clock benchmark's data and floors: 1,000 workspaces x 10 channels, a year of meetings.

``seed`` fills a migrated PostgreSQL database by COPY; the ``FLOOR_*`` statements are
the hand-written one-query answers the jobs are measured against, and ``ready_*`` put
the database in the state a job needs (this week's meetings posted, notices sent).
"""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

WORKSPACES, CHANNELS = 1000, 10
MONDAY = datetime(2026, 12, 14, 8, 0, tzinfo=UTC)  # every channel meets Mondays 08:00 UTC
WEEK = "2026-W51"
WEDNESDAY = MONDAY + timedelta(days=2)  # the story nudge
THURSDAY = MONDAY + timedelta(days=3, hours=4)  # nothing due anywhere
LAST_WEEK = MONDAY - timedelta(days=7, hours=8)


def copy(connection, table: str, columns: tuple[str, ...], rows) -> int:
    buffer = io.StringIO()
    n = 0
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
        n += 1
    buffer.seek(0)
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as sink:
        while chunk := buffer.read(1 << 20):
            sink.write(chunk)
    return n


def channels():
    for w in range(1, WORKSPACES + 1):
        for c in range(1, CHANNELS + 1):
            yield w, f"C{c}"


def seed(url: str, order: list[str]) -> dict[str, int]:
    """Workspaces, subscriptions, 52 weeks of posted meetings, last week's stories,
    nominations and defects, stale defects, and this week's stories in half the channels."""
    rng = random.Random(12)
    ts = lambda moment: moment.isoformat()  # noqa: E731
    long_ago = ts(MONDAY - timedelta(days=400))
    engine = sa.create_engine(url)
    raw = engine.raw_connection()
    sizes = {}
    try:
        copy(
            raw,
            "workspace",
            ("id", "platform", "external_id", "timezone", "created_at"),
            ((w, "slack", f"T{w}", "UTC", long_ago) for w in range(1, WORKSPACES + 1)),
        )
        sizes["subscriptions"] = copy(
            raw,
            "subscription",
            (
                "workspace_id",
                "channel_id",
                "weekday",
                "hour",
                "minute",
                "timezone",
                "active",
                "created_by",
                "created_at",
                "updated_at",
            ),
            ((w, c, 0, 8, 0, "UTC", "t", "U1", long_ago, long_ago) for w, c in channels()),
        )

        def meetings():
            for w, c in channels():
                start = rng.randrange(len(order))
                for week in range(52, 0, -1):
                    moment = MONDAY - timedelta(weeks=week)
                    year, number, _ = moment.isocalendar()
                    rule = order[(start + 52 - week) % len(order)]
                    if rng.random() < 0.05:  # a practice's detour: the rotation is uneven
                        rule = rng.choice(order)
                    posted = rng.random() > 0.02
                    yield (
                        w,
                        c,
                        f"{year:04d}-W{number:02d}",
                        rule,
                        "posted" if posted else "failed",
                        f"m{w}-{c}-{week}" if posted else None,
                        1,
                        ts(moment),
                        ts(moment) if posted else None,
                    )

        sizes["meetings"] = copy(
            raw,
            "meeting_post",
            (
                "workspace_id",
                "channel_id",
                "period",
                "rule_id",
                "status",
                "message_id",
                "attempts",
                "claimed_at",
                "posted_at",
            ),
            meetings(),
        )
        stories, votes = [], []
        for w, c in channels():
            for k in range(3):
                sid = len(stories) + 1
                moment = LAST_WEEK + timedelta(hours=rng.randrange(24 * 7))
                stories.append(
                    (sid, w, c, f"U{k}", f"Person {k}", f"story {sid}", "command", ts(moment))
                )
                for v in range(rng.randrange(6)):
                    votes.append((w, sid, f"V{v}", ts(moment), "f" if v == 4 else "t", ts(moment)))
            if c in ("C1", "C3", "C5", "C7", "C9"):  # this week's story: no nudge there
                sid = len(stories) + 1
                moment = MONDAY + timedelta(hours=3)
                stories.append((sid, w, c, "U9", "Person 9", f"story {sid}", "command", ts(moment)))
        columns = ("id", "workspace_id", "channel_id", "author_id", "author_name", "text", "source")
        sizes["stories"] = copy(raw, "story", (*columns, "created_at"), stories)
        sizes["nominations"] = copy(
            raw,
            "nomination",
            ("workspace_id", "story_id", "voter_id", "created_at", "active", "decided_at"),
            votes,
        )
        defects = []
        for w, c in channels():
            for k in range(rng.randrange(4)):
                moment = LAST_WEEK + timedelta(hours=rng.randrange(24 * 7))
                defects.append((w, c, "arrival", f"d{k}", "U1", "Alex", ts(moment), None))
            if rng.random() < 0.3:  # open for 20 days, nobody on it
                moment = MONDAY - timedelta(days=20)
                defects.append((w, c, None, "stale", "U2", "Sam", ts(moment), None))
        sizes["defects"] = copy(
            raw,
            "defect",
            (
                "workspace_id",
                "channel_id",
                "stage",
                "description",
                "reporter_id",
                "reporter_name",
                "created_at",
                "closed_at",
            ),
            defects,
        )
        with raw.cursor() as cursor:
            for table in ("workspace", "story"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        raw.commit()
        # What autovacuum does soon after so many inserts (PostgreSQL 13+ vacuums on
        # inserts too): the planner's statistics, and the visibility map an index-only
        # scan needs. VACUUM cannot run inside a transaction.
        raw.driver_connection.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    finally:
        raw.close()
        engine.dispose()
    return sizes


def ready_meetings(connection) -> None:
    """This week's meeting posted in every channel (for the jobs that follow it)."""
    connection.execute(
        sa.text(
            "INSERT INTO meeting_post (workspace_id, channel_id, period, rule_id, status, "
            "message_id, attempts, claimed_at, posted_at) SELECT workspace_id, channel_id, "
            ":week, 'patient-is-the-reason', 'posted', 'm-' || id, 1, :at, :at FROM subscription"
        ),
        {"week": WEEK, "at": MONDAY},
    )


def ready_notices(connection) -> None:
    """This week's WOW, digest and nudge, this month's report and Thursday's owner notice
    all sent: nothing is due until the next day's owner notice."""
    periods = {"wow": WEEK, "digest": WEEK, "nudge": WEEK, "report": MONDAY.strftime("%Y-%m")}
    periods["owner"] = THURSDAY.date().isoformat()
    for kind, period in periods.items():
        connection.execute(
            sa.text(
                "INSERT INTO clock_notice (workspace_id, channel_id, period, kind, status, "
                "attempts, claimed_at, sent_at) SELECT workspace_id, channel_id, :week, :kind, "
                "'sent', 1, :at, :at FROM subscription"
            ),
            {"week": period, "kind": kind, "at": MONDAY},
        )


def reset(connection, table: str, kind: str | None = None) -> None:
    """This week's claims (of one kind); all of the clock's own notices of this run too."""
    where = "" if kind is None else " AND kind = :kind"
    periods = [WEEK] if kind is not None or table != "clock_notice" else None
    if periods is None:  # the whole table's run: the month's report, the days' notices
        connection.execute(
            sa.text("DELETE FROM clock_notice WHERE claimed_at >= :at"), {"at": MONDAY}
        )
    connection.execute(
        sa.text(f"DELETE FROM {table} WHERE period = :week{where}"), {"week": WEEK, "kind": kind}
    )


# -- the floors: one query each for the same answer ---------------------------------

FLOOR_MONDAY = """
WITH curriculum(rule_id, pos) AS (SELECT * FROM unnest(CAST(:order AS text[]))
                                  WITH ORDINALITY),
seen AS (SELECT workspace_id, channel_id, rule_id, count(*) AS n FROM meeting_post
         WHERE status = 'posted' GROUP BY 1, 2, 3)
SELECT DISTINCT ON (s.workspace_id, s.channel_id) s.workspace_id, s.channel_id, c.rule_id
FROM subscription s CROSS JOIN curriculum c
LEFT JOIN seen ON seen.workspace_id = s.workspace_id AND seen.channel_id = s.channel_id
              AND seen.rule_id = c.rule_id
WHERE s.active
ORDER BY s.workspace_id, s.channel_id, coalesce(seen.n, 0), c.pos
"""
FLOOR_WOW = """
SELECT DISTINCT ON (st.workspace_id, st.channel_id) st.workspace_id, st.channel_id, st.id
FROM story st JOIN nomination n ON n.workspace_id = st.workspace_id AND n.story_id = st.id
                                AND n.active
WHERE st.created_at >= :since AND st.created_at < :until
GROUP BY st.id
ORDER BY st.workspace_id, st.channel_id, count(*) DESC, st.created_at, st.id
"""
FLOOR_DIGEST = """
SELECT workspace_id, channel_id,
       count(*) FILTER (WHERE created_at >= :since AND created_at < :until) AS logged,
       count(*) FILTER (WHERE closed_at IS NULL AND created_at < :stale AND NOT EXISTS (
           SELECT 1 FROM recovery_action r WHERE r.workspace_id = d.workspace_id
           AND r.defect_id = d.id)) AS stale
FROM defect d WHERE (created_at >= :since AND created_at < :until) OR closed_at IS NULL
GROUP BY workspace_id, channel_id
"""
FLOOR_NUDGE = """
SELECT m.workspace_id, m.channel_id FROM meeting_post m
WHERE m.period = :week AND m.status = 'posted' AND NOT EXISTS (
    SELECT 1 FROM story st WHERE st.workspace_id = m.workspace_id
    AND st.channel_id = m.channel_id AND st.created_at >= m.posted_at)
"""


def claiming(floor: str, kind: str | None, where: str = "true") -> str:
    """The floor's answer written as this week's claims, in the one statement: what a job
    must also do (a claim per channel it posts to), at the database's own cost. ``kind``
    None: meetings (the rule the floor chose is the claim's); else a notice of that kind."""
    if kind is None:
        into = "meeting_post (workspace_id, channel_id, period, rule_id, status, attempts, "
        into += "claimed_at) SELECT workspace_id, channel_id, :week, rule_id, 'claimed', 0, :now"
        conflict = "uq_meeting_period"
    else:
        into = "clock_notice (workspace_id, channel_id, period, kind, status, attempts, "
        into += f"claimed_at) SELECT workspace_id, channel_id, :week, '{kind}', 'claimed', 0, :now"
        conflict = "uq_clock_notice_period"
    return (
        f"WITH answer AS ({floor}) INSERT INTO {into} FROM answer WHERE {where} "
        f"ON CONFLICT ON CONSTRAINT {conflict} DO NOTHING RETURNING workspace_id, channel_id"
    )


# "Anything due?" as one would first write it: a channel without this week's meeting.
FLOOR_IDLE = """
SELECT EXISTS (SELECT 1 FROM subscription s WHERE s.active AND NOT EXISTS (
    SELECT 1 FROM meeting_post m WHERE m.workspace_id = s.workspace_id
    AND m.channel_id = s.channel_id AND m.period = :week))
"""
# The cheapest question that notices a change: counts and the last schedule change.
FLOOR_CHANGED = """
SELECT (SELECT count(*) FROM subscription), (SELECT max(updated_at) FROM subscription),
       (SELECT count(*) FROM skip), (SELECT count(*) FROM meeting_post WHERE period = :week),
       (SELECT count(*) FROM clock_notice WHERE period = :week)
"""
