"""How long does the monthly service report take to build for one busy practice?

Seeds one workspace with a year of records (by default 20,000 defects with recovery
actions, 50,000 stories with their heroes and 500,000 nominations, as issue 16 asks)
in a fresh migrated database (SQLite file by default; ``--postgres URL`` for a
PostgreSQL database you give, which it fills and leaves), then builds the channel's
report of the last month ``--runs`` times, as the monthly job does: the queries and
the chart. It prints the median and worst build time, the share of it spent drawing
the chart, the statements sent per report and the PNG's size. Goal: under 300 ms.

    .venv/bin/python benchmarks/report.py [--defects 20000] [--stories 50000]
        [--nominations 500000] [--runs 20] [--postgres URL]

Not measured here: the monthly fan-out to 1,000 practices with uploads (see the README's
note on the clock: the chart is drawn inside the job's planning transaction).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.content import load_content  # noqa: E402
from bot.insights import chart  # noqa: E402
from bot.insights.report import monthly_post  # noqa: E402
from bot.periods import previous_month  # noqa: E402
from bot.storage import db  # noqa: E402
from bot.storage.db import count_round_trips  # noqa: E402
from bot.storage.models import (  # noqa: E402
    Defect,
    Nomination,
    RecoveryAction,
    Story,
    StoryHero,
    Workspace,
)

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
YEAR = timedelta(days=365)
STAFF = [f"U{n:03d}" for n in range(25)]


def seed(engine, *, defects: int, stories: int, nominations: int, content) -> int:
    rng = random.Random(16)
    stages = [s.id for s in content.stages] + [None]
    with db.transaction(engine) as session:
        workspace = Workspace(
            platform="slack", external_id="TBUSY", timezone="Australia/Sydney", created_at=NOW
        )
        session.add(workspace)
        session.flush()
        wid = workspace.id

        def moment() -> datetime:
            return NOW - YEAR * rng.random()

        rows = []
        for _ in range(defects):
            created = moment()
            closed = created + timedelta(days=rng.random() * 20) if rng.random() < 0.7 else None
            rows.append(
                dict(
                    workspace_id=wid,
                    channel_id="C1",
                    stage=rng.choice(stages),
                    description="A seeded defect",
                    reporter_id=rng.choice(STAFF),
                    reporter_name="Someone",
                    created_at=created,
                    closed_at=closed if closed and closed < NOW else None,
                    owner_name=rng.choice(["Priya", "Sam", None]),
                )
            )
        session.execute(Defect.__table__.insert(), rows)
        ids = session.execute(
            Defect.__table__.select().with_only_columns(Defect.id, Defect.created_at)
        ).all()
        actions = [
            dict(
                workspace_id=wid,
                defect_id=defect_id,
                action="Called to apologise",
                owner_id="U001",
                owner_name="Priya",
                created_at=created + timedelta(hours=rng.random() * 72),
            )
            for defect_id, created in ids
            if rng.random() < 0.6
        ]
        session.execute(RecoveryAction.__table__.insert(), actions)
        per_story = max(nominations // max(stories, 1), 0)
        story_rows = [
            dict(
                workspace_id=wid,
                channel_id="C1",
                author_id=rng.choice(STAFF),
                author_name="Teller",
                text="A seeded story",
                created_at=moment(),
                votes=per_story,
            )
            for _ in range(stories)
        ]
        session.execute(Story.__table__.insert(), story_rows)
        story_ids = [
            r[0] for r in session.execute(Story.__table__.select().with_only_columns(Story.id))
        ]
        heroes = [
            dict(
                workspace_id=wid,
                story_id=sid,
                user_id=(hero := rng.choice(STAFF)),
                name=f"Hero {hero}",
            )
            for sid in story_ids
        ]
        session.execute(StoryHero.__table__.insert(), heroes)
        votes = [
            dict(
                workspace_id=wid,
                story_id=sid,
                voter_id=f"V{n}",
                created_at=NOW,
                decided_at=NOW,
                active=True,
            )
            for sid in story_ids
            for n in range(per_story)
        ]
        for start in range(0, len(votes), 50_000):
            session.execute(Nomination.__table__.insert(), votes[start : start + 50_000])
        return wid


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--defects", type=int, default=20_000)
    parser.add_argument("--stories", type=int, default=50_000)
    parser.add_argument("--nominations", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL to fill (not dropped)")
    args = parser.parse_args()

    content = load_content()
    with tempfile.TemporaryDirectory() as folder:
        url = args.postgres or f"sqlite:///{folder}/report-bench.db"
        engine = db.make_engine(url)
        db.upgrade(engine)
        started = time.perf_counter()
        wid = seed(
            engine,
            defects=args.defects,
            stories=args.stories,
            nominations=args.nominations,
            content=content,
        )
        print(f"seeded in {time.perf_counter() - started:.1f} s ({engine.dialect.name})")
        period = previous_month(date(2026, 12, 7))
        drawing: list[float] = []
        real_chart = chart.stage_chart

        def timed_chart(*a, **k):
            t = time.perf_counter()
            try:
                return real_chart(*a, **k)
            finally:
                drawing.append(time.perf_counter() - t)

        import bot.insights.report as report_module

        report_module.stage_chart = timed_chart  # to split the time between queries and chart
        builds, statements, size = [], [], 0
        for _ in range(args.runs + 1):  # the first warms fonts and caches: not counted
            with db.transaction(engine) as session, count_round_trips(engine) as trips:
                workspace = session.get(Workspace, wid)
                t = time.perf_counter()
                reply = monthly_post(
                    session=session, workspace=workspace, content=content, period=period, now=NOW
                )
                builds.append(time.perf_counter() - t)
            statements.append(trips.count)
            size = len(reply.files[0].data) if reply and reply.files else 0
        builds, drawing = builds[1:], drawing[1:]
        print(
            f"report of {period.label}: median {statistics.median(builds) * 1000:.0f} ms, "
            f"worst {max(builds) * 1000:.0f} ms; chart median {statistics.median(drawing) * 1000:.0f} ms; "
            f"{statistics.median(statements):.0f} statements; PNG {size / 1024:.1f} KB"
        )
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
