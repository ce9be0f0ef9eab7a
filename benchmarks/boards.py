"""How fast are the boards (leaderboard, App Home, defect list) on a big PostgreSQL database?

Seeds a private, migrated PostgreSQL database by COPY: at ``--scale 1`` the size of
issue 12 (1,000 workspaces, 100,000 stories, 1,000,000 nominations, 100,000 defects,
half of them with a recovery action), with one busy workspace holding a tenth of it all;
``--scale 10`` is ten times that. Then, in the busy workspace, times through the core's
one door (``Huddle.handle``, a transaction each, as a platform would call it):

  * ``/huddle leaderboard`` (this month's and the all-time board),
  * the App Home (``HomeOpened``),
  * ``/defect list``,

each against a floor: one hand-written query for the same answer, whose result is checked
equal to what Huddle shows. Reports the median and p95 of ``--repeat`` runs and the ratio.

    .venv/bin/python benchmarks/boards.py [--scale 1] [--repeat 30]
"""

from __future__ import annotations

import argparse
import io
import random
import re
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.commands.defect import LIST_LIMIT  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.content import load_content  # noqa: E402
from bot.crypto import Vault, generate_key  # noqa: E402
from bot.huddle import Huddle  # noqa: E402
from bot.model import HomeOpened, Incoming  # noqa: E402
from tests import database  # noqa: E402

NOW = datetime(2026, 12, 15, 3, 0, tzinfo=UTC)
BUSY = 1  # the busy workspace's id (external id T1)


def copy(connection, table: str, columns: tuple[str, ...], rows) -> int:
    """COPY rows (tuples) into ``table``; returns how many."""
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


def owner(i: int, total: int, workspaces: int) -> int:
    """Row ``i``'s workspace: the busy one for a tenth of the rows, the rest spread."""
    return BUSY if i % 10 == 0 else 2 + i % (workspaces - 1)


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


def defect_row(i: int, workspace_id: int, stage: str | None, rng: random.Random) -> tuple:
    """One defect in ten (at random) is open; the closed ones were closed halfway to now."""
    days = rng.uniform(0, 365)
    opened, closed = NOW - timedelta(days=days), NOW - timedelta(days=days / 2)
    closing = (None, None) if rng.random() < 0.1 else (closed.isoformat(), "Alex")
    return (
        i + 1,
        workspace_id,
        "C1",
        stage,
        f"defect {i}",
        "U1",
        "Alex",
        opened.isoformat(),
        *closing,
    )


def seed(url: str, scale: float, content) -> dict[str, int]:
    rng = random.Random(12)
    workspaces = 1000
    n_stories, n_defects = int(100_000 * scale), int(100_000 * scale)
    n_votes = int(1_000_000 * scale)
    stages = [s.id for s in content.stages] + [None]
    engine = sa.create_engine(url)
    raw = engine.raw_connection()
    try:
        ts = lambda days: (NOW - timedelta(days=days)).isoformat()  # noqa: E731
        copy(
            raw,
            "workspace",
            ("id", "platform", "external_id", "timezone", "created_at"),
            ((w, "slack", f"T{w}", "UTC", ts(400)) for w in range(1, workspaces + 1)),
        )
        story_ws = [owner(i, n_stories, workspaces) for i in range(n_stories)]
        copy(
            raw,
            "story",
            STORY_COLUMNS,
            (
                (
                    i + 1,
                    story_ws[i],
                    "C1",
                    f"U{(a := rng.randrange(40))}",
                    f"Person {a}",
                    f"story {i}",
                    "command",
                    ts(rng.uniform(0, 365)),
                )
                for i in range(n_stories)
            ),
        )
        votes = set()
        while len(votes) < n_votes:
            votes.add((rng.randrange(n_stories), rng.randrange(200)))
        copy(
            raw,
            "nomination",
            ("workspace_id", "story_id", "voter_id", "created_at", "active", "decided_at"),
            (
                (story_ws[s], s + 1, f"V{v}", ts(1), "f" if (s + v) % 9 == 0 else "t", ts(1))
                for s, v in votes
            ),
        )
        defect_ws = [owner(i, n_defects, workspaces) for i in range(n_defects)]
        copy(
            raw,
            "defect",
            DEFECT_COLUMNS,
            (defect_row(i, defect_ws[i], rng.choice(stages), rng) for i in range(n_defects)),
        )
        copy(
            raw,
            "recovery_action",
            ("workspace_id", "defect_id", "action", "owner_id", "owner_name", "created_at"),
            (
                (defect_ws[i], i + 1, f"called back {i}", "U2", "Sam", ts(0))
                for i in range(0, n_defects, 2)
            ),
        )
        with raw.cursor() as cursor:
            for table in ("workspace", "story", "defect"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
        engine.dispose()
    return {"stories": n_stories, "nominations": n_votes, "defects": n_defects}


# -- the floors: one query each, the same answer ---------------------------------------

FLOOR_LEADERS = sa.text(
    "SELECT n.story_id, count(*) AS votes FROM nomination n JOIN story s "
    "ON s.id = n.story_id AND s.workspace_id = :w "
    "WHERE n.workspace_id = :w AND n.active GROUP BY n.story_id, s.created_at "
    "ORDER BY votes DESC, s.created_at, n.story_id LIMIT 5"
)
FLOOR_STAGES = sa.text(
    "SELECT stage, count(*) FROM defect WHERE workspace_id = :w AND closed_at IS NULL "
    "GROUP BY stage"
)
FLOOR_LIST = sa.text(
    "SELECT id FROM defect WHERE workspace_id = :w AND closed_at IS NULL "
    f"ORDER BY created_at DESC, id DESC LIMIT {LIST_LIMIT}"
)


def timed(function, repeat: int) -> tuple[list[float], object]:
    times, answer = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        answer = function()
        times.append(time.perf_counter() - started)
    return times, answer


def main(args: argparse.Namespace) -> None:
    content = load_content()
    url, drop = database.create_postgres_database()
    try:
        engine = database.migrated_engine(url)
        started = time.perf_counter()
        sizes = seed(url, args.scale, content)
        seeded = time.perf_counter() - started
        settings = Settings(
            HUDDLE_ENCRYPTION_KEY=generate_key(),
            DATABASE_URL=url,
            HUDDLE_DEFAULT_TIMEZONE="UTC",
        )
        huddle = Huddle(
            engine=engine,
            settings=settings,
            content=content,
            vault=Vault([settings.encryption_key.get_secret_value()]),
            clock=lambda: NOW,
        )

        def command(line: str):
            name, _, text = line.partition(" ")
            event = Incoming("slack", f"T{BUSY}", "C1", "U1", "Alex", name, text)
            return huddle.handle(event)[0]

        def home():
            return huddle.handle(HomeOpened("slack", f"T{BUSY}", "U1"))[0]

        def floor(statement):
            with engine.connect() as connection:
                return connection.execute(statement, {"w": BUSY}).all()

        rows = []
        # Leaderboard: the all-time top five (ids and stars) must match.
        huddle_t, board = timed(lambda: command("huddle leaderboard"), args.repeat)
        floor_t, top = timed(lambda: floor(FLOOR_LEADERS), args.repeat)
        shown = {f.label: f.value for f in board.fields}["Top stories · All time"]
        found = [(int(i), int(v)) for i, v in re.findall(r"#(\d+) .*?\((\d+) ★\)", shown)]
        assert found == [(int(i), int(v)) for i, v in top], (found, top)
        rows.append(("/huddle leaderboard", huddle_t, floor_t))
        # App Home: every stage's open count must match.
        huddle_t, view = timed(home, args.repeat)
        floor_t, counts = timed(lambda: floor(FLOOR_STAGES), args.repeat)
        labels = {f.label for f in view.fields if f.label.startswith("Open defects · ")}
        assert labels == {
            f"Open defects · {content.stage_name(stage)} ({n})" for stage, n in counts
        }, (labels, counts)
        rows.append(("App Home", huddle_t, floor_t))
        # Defect list: the newest open defects it lists, in order.
        huddle_t, listing = timed(lambda: command("defect list"), args.repeat)
        floor_t, newest = timed(lambda: floor(FLOOR_LIST), args.repeat)
        listed = [int(re.match(r"#(\d+)", f.label).group(1)) for f in listing.fields]
        assert listed == [i for (i,) in newest], (listed, newest)
        rows.append(("/defect list", huddle_t, floor_t))
        engine.dispose()
    finally:
        drop()

    print(
        f"\nscale {args.scale}: {sizes['stories']:,} stories, {sizes['nominations']:,} "
        f"nominations, {sizes['defects']:,} defects over 1,000 workspaces (a tenth in the "
        f"busy one), seeded in {seeded:.1f} s; {args.repeat} runs each\n"
    )
    print("| Board | Huddle median | Huddle p95 | floor median | floor p95 | median vs floor |")
    print("|---|---|---|---|---|---|")
    for name, huddle_t, floor_t in rows:
        h50, f50 = statistics.median(huddle_t), statistics.median(floor_t)
        h95 = sorted(huddle_t)[int(0.95 * (len(huddle_t) - 1))]
        f95 = sorted(floor_t)[int(0.95 * (len(floor_t) - 1))]
        print(
            f"| {name} | {h50 * 1000:.1f} ms | {h95 * 1000:.1f} ms | {f50 * 1000:.1f} ms "
            f"| {f95 * 1000:.1f} ms | {h50 / f50:.1f}x |"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=30)
    main(parser.parse_args())
