"""The data ``benchmarks/boards.py`` times the boards on: one big PostgreSQL database.

At ``scale`` 1 the size of issue 12: 1,000 workspaces, 100,000 stories, about
1,000,000 nominations (0 to 20 per story, one in nine taken back), 100,000 defects (one
in ten open) with 50,000 recovery actions, and 100,000 tidbits; one busy workspace (id
``BUSY``) holds a tenth of every table. The busy workspace's patient ``PATIENT`` has
``PATIENT_TIDBITS`` tidbits at every scale (the rest belong to ``1,000 * scale`` other
patients), so a recall reads the same few rows however big the table grows.

Where the schema has heroes (``story_hero``, migration 0014), every story is about
one of forty people (``U0``..``U39``, named ``Person 0``..``Person 39`` like the
tellers) and one story in four about a second one too: 125,000 heroes at scale 1.
They are drawn from their own random stream, so the code before heroes gets the very
same stories, votes, defects and tidbits. Where it has the per-hero tally
(``hero_tally``, migration 0021), it is filled by one statement after the counts.

Rows go in by COPY, with the seeded tables' secondary indexes dropped first and built
again at the end (primary and unique keys stay). Where the schema keeps stored counts
(``story.votes``, migration 0015), the trigger is set aside while the votes are copied
and the counts are then set by one statement: the numbers the trigger would keep; the
same for each stage's open defects (``open_defect_tally``, migration 0031).
"""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from bot.crypto import Vault
from bot.storage.models import Workspace

BUSY = 1  # the busy workspace's id (external id T1)
PATIENT = "JS-1042"
PATIENT_TIDBITS = 8
WORKSPACES = 1000

STORY_COLUMNS = (
    "id",
    "workspace_id",
    "channel_id",
    "author_id",
    "author_name",
    "text",
    "source",
    "created_at",
)
DEFECT_COLUMNS = (
    "id",
    "workspace_id",
    "channel_id",
    "stage",
    "description",
    "reporter_id",
    "reporter_name",
    "created_at",
    "closed_at",
    "closed_by",
)
TIDBIT_COLUMNS = (
    "workspace_id",
    "patient_ref_hash",
    "patient_ref_enc",
    "note_enc",
    "author_id",
    "author_name",
    "created_at",
    "expires_at",
)


def copy(connection, table: str, columns: tuple[str, ...], rows) -> int:
    """COPY rows (tuples) into ``table`` in chunks; returns how many."""
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    n = 0
    with connection.cursor() as cursor, cursor.copy(statement) as sink:
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
            n += 1
            if n % 200_000 == 0:
                sink.write(buffer.getvalue())
                buffer = io.StringIO()
        sink.write(buffer.getvalue())
    return n


def owner(i: int) -> int:
    """Row ``i``'s workspace: the busy one for a tenth of the rows, the rest spread."""
    return BUSY if i % 10 == 0 else 2 + i % (WORKSPACES - 1)


def story_row(i: int, workspace_id: int, rng: random.Random, ts) -> tuple:
    """Forty authors, each always under the same name; shared over the past year."""
    a = rng.randrange(40)
    row = (i + 1, workspace_id, "C1", f"U{a}", f"Person {a}", f"story {i}", "command")
    return (*row, ts(rng.uniform(0, 365)))


def defect_row(i: int, workspace_id: int, stage: str | None, rng: random.Random, now) -> tuple:
    """One defect in ten (at random) is open; the closed ones were closed halfway to now."""
    days = rng.uniform(0, 365)
    opened, closed = now - timedelta(days=days), now - timedelta(days=days / 2)
    closing = (None, None) if rng.random() < 0.1 else (closed.isoformat(), "Alex")
    row = (i + 1, workspace_id, "C1", stage, f"defect {i}", "U1", "Alex", opened.isoformat())
    return (*row, *closing)


VOTERS = range(200)


def vote_rows(story_ws: list[int], mean: float, day_ago: str):
    """Each story's nominations, streamed: 0 to twice ``mean`` different voters of 200
    (``mean`` on average), one in nine of them taken back. From their own random stream,
    a story at a time: the 100 million nominations of ``--scale 100`` never in memory."""
    rng = random.Random(14)
    most = round(2 * mean)
    for i, workspace_id in enumerate(story_ws):
        for v in rng.sample(VOTERS, rng.randint(0, most)):
            active = "f" if (i + v) % 9 == 0 else "t"
            yield (workspace_id, i + 1, f"V{v}", day_ago, active, day_ago)


def hero_rows(story_ws: list[int]):
    """Each story's heroes, in the order named: one of forty people, and for one story
    in four a second, different one."""
    rng = random.Random(13)
    for i, workspace_id in enumerate(story_ws):
        first = rng.randrange(40)
        yield (workspace_id, i + 1, f"U{first}", f"Person {first}")
        if rng.random() < 0.25:
            second = (first + 1 + rng.randrange(39)) % 40
            yield (workspace_id, i + 1, f"U{second}", f"Person {second}")


SEEDED = (
    "story",
    "story_hero",
    "nomination",
    "defect",
    "recovery_action",
    "tidbit",
    "story_period",
    "hero_tally",
    "hero_period_tally",
    "open_defect_tally",
)


def _drop_secondary_indexes(raw) -> list[str]:
    """Drop the seeded tables' indexes that back no constraint; returns how to build
    them again. Kept row by row through the 100x COPY, in random order, they made it
    force a checkpoint every two or three seconds (8 in 20 s at max_wal_size 1 GB), still
    loading stories after six minutes (PostgreSQL's advice for bulk loads: build such
    indexes after). Primary and unique keys stay, and so do their checks."""
    with raw.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' "
            "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conname = i.indexname)",
            (list(SEEDED),),
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


def _has_column(raw, table: str, column: str | None = None) -> bool:
    with raw.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = %s "
            "AND (%s::text IS NULL OR column_name = %s)",
            (table, column, column),
        )
        return cursor.fetchone() is not None


def seed(url: str, scale: float, stages: list, vault: Vault, now: datetime) -> dict[str, int]:
    rng = random.Random(12)
    n_stories, n_defects = int(100_000 * scale), int(100_000 * scale)
    n_votes, n_tidbits = int(1_000_000 * scale), int(100_000 * scale)
    engine = sa.create_engine(url)
    raw = engine.raw_connection()
    ts = lambda days: (now - timedelta(days=days)).isoformat()  # noqa: E731
    try:
        counted = _has_column(raw, "story", "votes")
        has_heroes = _has_column(raw, "story_hero")
        deferred = _drop_secondary_indexes(raw)
        copy(
            raw,
            "workspace",
            ("id", "platform", "external_id", "timezone", "created_at"),
            ((w, "slack", f"T{w}", "UTC", ts(400)) for w in range(1, WORKSPACES + 1)),
        )
        with raw.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")  # no per-row triggers
        story_ws = [owner(i) for i in range(n_stories)]
        stories = (story_row(i, story_ws[i], rng, ts) for i in range(n_stories))
        copy(raw, "story", STORY_COLUMNS, stories)
        n_heroes = 0
        if has_heroes:
            hero_columns = ("workspace_id", "story_id", "user_id", "name")
            n_heroes = copy(raw, "story_hero", hero_columns, hero_rows(story_ws))
        n_votes = copy(
            raw,
            "nomination",
            ("workspace_id", "story_id", "voter_id", "created_at", "active", "decided_at"),
            vote_rows(story_ws, n_votes / n_stories, ts(1)),
        )
        with raw.cursor() as cursor:
            if counted:
                cursor.execute(
                    "UPDATE story s SET votes = c.votes FROM (SELECT story_id, workspace_id, "
                    "count(*) AS votes FROM nomination WHERE active "
                    "GROUP BY story_id, workspace_id) c "
                    "WHERE s.id = c.story_id AND s.workspace_id = c.workspace_id"
                )
            if counted and has_heroes and _has_column(raw, "hero_tally"):
                cursor.execute(HERO_TALLY)  # what the tally's triggers would keep
            if counted and has_heroes and _has_column(raw, "story_period"):
                cursor.execute(STORY_PERIODS)  # what record_story writes (0028)
                cursor.execute(HERO_PERIOD_TALLY)  # and what its triggers keep
            cursor.execute("SET session_replication_role = origin")
        defect_ws = [owner(i) for i in range(n_defects)]
        defects = (
            defect_row(i, defect_ws[i], rng.choice(stages), rng, now) for i in range(n_defects)
        )
        with raw.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")  # the tally's trigger
        copy(raw, "defect", DEFECT_COLUMNS, defects)
        with raw.cursor() as cursor:
            if _has_column(raw, "open_defect_tally"):
                cursor.execute(OPEN_TALLY)  # what the trigger would keep (0031's back-fill)
            cursor.execute("SET session_replication_role = origin")
        copy(
            raw,
            "recovery_action",
            ("workspace_id", "defect_id", "action", "owner_id", "owner_name", "created_at"),
            (
                (defect_ws[i], i + 1, f"called back {i}", "U2", "Sam", ts(0))
                for i in range(0, n_defects, 2)
            ),
        )
        copy(raw, "tidbit", TIDBIT_COLUMNS, _tidbits(n_tidbits, scale, vault, now, ts))
        with raw.cursor() as cursor:
            tables = ["workspace", "story", "defect", "tidbit"] + ["story_hero"] * has_heroes
            for table in tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        with raw.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for statement in deferred:
                cursor.execute(statement)  # built in one sorted pass, not row by row
        raw.commit()
        raw.driver_connection.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum would, before any board is read
    finally:
        raw.close()
        engine.dispose()
    sizes = {"stories": n_stories, "heroes": n_heroes, "nominations": n_votes}
    return sizes | {"defects": n_defects}


# Each stage's open defects (migration 0031), as its back-fill fills it.
OPEN_TALLY = (
    "INSERT INTO open_defect_tally (workspace_id, stage, open) "
    "SELECT workspace_id, COALESCE(stage, ''), count(*) FROM defect WHERE closed_at IS NULL "
    "GROUP BY workspace_id, COALESCE(stage, '')"
)


# The per-hero tally (migration 0021), as its back-fill fills it.
HERO_TALLY = (
    "INSERT INTO hero_tally (workspace_id, user_id, votes, stories) "
    "SELECT h.workspace_id, h.user_id, COALESCE(SUM(s.votes) FILTER (WHERE s.votes > 0), 0), "
    "count(*) FILTER (WHERE s.votes > 0) FROM story_hero h JOIN story s "
    "ON s.id = h.story_id AND s.workspace_id = h.workspace_id GROUP BY h.workspace_id, h.user_id"
)


# A story's four periods (every seeded workspace is in UTC, as ``periods_of`` keys them),
# and the per-period hero tally as the back-fill of migration 0028 fills it.
STORY_PERIODS = (
    "INSERT INTO story_period (story_id, period, workspace_id, created_at, votes) "
    "SELECT s.id, k.period, s.workspace_id, s.created_at, s.votes FROM story s "
    "CROSS JOIN LATERAL (VALUES (to_char(s.created_at, 'IYYY-\"W\"IW')), "
    "(to_char(s.created_at, 'YYYY-MM')), (to_char(s.created_at, 'YYYY-\"Q\"Q')), "
    "(to_char(s.created_at, 'YYYY'))) k(period)"
)
HERO_PERIOD_TALLY = (
    "INSERT INTO hero_period_tally (workspace_id, period, user_id, votes, stories) "
    "SELECT h.workspace_id, p.period, h.user_id, SUM(p.votes), COUNT(*) "
    "FROM story_hero h JOIN story_period p "
    "ON p.story_id = h.story_id AND p.workspace_id = h.workspace_id "
    "WHERE p.votes > 0 GROUP BY h.workspace_id, p.period, h.user_id"
)


def _tidbits(n: int, scale: float, vault: Vault, now: datetime, ts):
    """The busy patient's few tidbits, and everyone else's (sealed once: never read)."""
    salt = Workspace(platform="slack", external_id=f"T{BUSY}").patient_salt
    expires = (now + timedelta(days=300)).isoformat()
    theirs = vault.ref_hash(salt, PATIENT)
    sealed = vault.encrypt("someone else's note")
    patients = int(1000 * scale)
    for i in range(PATIENT_TIDBITS):
        note = vault.encrypt(f"daughter's wedding in June, note {i}")
        yield (BUSY, theirs, vault.encrypt(PATIENT), note, "U1", "Alex", ts(i + 1), expires)
    for i in range(n - PATIENT_TIDBITS):
        ref = f"{owner(i)}-{i % patients}".encode().hex().ljust(64, "0")[:64]
        yield (owner(i), ref, sealed, sealed, "U1", "Alex", ts(i % 300), expires)
