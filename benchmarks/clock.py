"""What does the clock cost beside what the database costs, at 10,000 channels?

Seeds a private, migrated PostgreSQL database by COPY (``_clock_seed``: 1,000 workspaces
x 10 subscribed channels, 52 weeks of meetings, last week's stories, nominations and
defects), then measures, for each job, Huddle's compose-and-claim transaction
(``bot.clock.engine.plan``: what the clock does before posting; the messenger only
records, so no network is timed) against a hand-written one-query floor for the same
answer, checking the two answers are equal; and an idle tick (``Clock.tick`` with
nothing due) against one "anything due?" query.

Each round is a fresh process; rounds alternate between this tree and ``--base`` (a
checkout of the code before, e.g. ``git worktree add /tmp/clock-base babe618``), both
on the one database. Reports min / median / max over rounds of each round's median
ratio, wall and CPU time (this process's CPU: the database server's is not in it).

    .venv/bin/python benchmarks/clock.py [--rounds 3] [--repeat 3] [--base /tmp/clock-base]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def worker(root: Path, url: str, repeat: int) -> dict:
    """One round in this process, on the code at ``root``: {job: (huddle, floor) samples}."""
    sys.path.insert(0, str(root))
    sys.path.insert(1, str(HERE))
    import _clock_seed as seed
    import sqlalchemy as sa
    from sqlmodel import Session

    from bot.clock.config import ClockSettings
    from bot.clock.delivery import FanoutReport
    from bot.clock.engine import TICK, plan
    from bot.clock.jobs import JOBS
    from bot.clock.scheduler import Clock
    from bot.clock.snapshot import load_snapshot
    from bot.config import Settings
    from bot.content import load_content
    from bot.crypto import Vault, generate_key
    from bot.huddle import Huddle
    from bot.storage import db

    assert Path(sys.modules["bot"].__file__).resolve().is_relative_to(root.resolve())
    content = load_content(base_dir=root / "content")
    engine = db.make_engine(url)
    settings = Settings(
        HUDDLE_ENCRYPTION_KEY=generate_key(), DATABASE_URL=url, HUDDLE_DEFAULT_TIMEZONE="UTC"
    )
    moment = {"now": seed.MONDAY}
    huddle = Huddle(
        engine=engine,
        settings=settings,
        content=content,
        vault=Vault([settings.encryption_key.get_secret_value()]),
        clock=lambda: moment["now"],
    )
    options = ClockSettings.defaults()

    class Recorder:  # the clock's Messenger port; plan() never calls send
        async def send(self, ref, reply):
            return "m"

    messengers = {"slack": Recorder()}

    def sql(statement: str, **params):
        with engine.begin() as connection:
            return connection.execute(sa.text(statement), params).all()

    def setup(step):
        with engine.begin() as connection:
            step(connection)

    def timed(function):
        wall, cpu = time.perf_counter(), time.process_time()
        answer = function()
        return time.perf_counter() - wall, time.process_time() - cpu, answer

    results: dict[str, dict[str, list[float]]] = {}

    tick_jobs = [j for j in JOBS.values() if j.cadence == TICK]
    tick_claims = tuple(dict.fromkeys(c for j in tick_jobs for c in getattr(j, "claimed", list)()))
    tick_everies = {e for j in tick_jobs for e in getattr(j, "everies", list)()}

    def tick_snapshot(now):
        """What ``Clock.tick`` reads once for all its jobs (untimed: it is not this job's)."""
        with engine.begin() as connection, Session(bind=connection) as session:
            return load_snapshot(session=session, now=now, claims=tick_claims, everies=tick_everies)

    def measure(name, job, now, answer_of, floor, floor_answer, undo, claim_floor=None):
        for shared in (False, True):
            label = f"{name} (in a tick: the snapshot shared)" if shared else name
            run_job(label, job, now, answer_of, floor, floor_answer, undo, shared, claim_floor)

    def run_job(name, job, now, answer_of, floor, floor_answer, undo, shared, claim_floor):
        empty = {"wall": [], "cpu": [], "floor": [], "fcpu": [], "cfloor": []}
        samples = results.setdefault(name, empty)
        for _ in range(repeat):
            moment["now"] = now
            report = FanoutReport(job=job.name)
            snapshot = tick_snapshot(now) if shared else None
            wall, cpu, deliveries = timed(
                lambda r=report, s=snapshot: plan(job, huddle, messengers, now, options, r, s)
            )
            mine = answer_of(deliveries)
            setup(undo)
            fwall, fcpu, rows = timed(floor)
            assert mine == floor_answer(rows), (name, len(mine), len(floor_answer(rows)))
            if claim_floor is not None:  # the same answer, written as claims in one statement
                cwall, _, claimed = timed(claim_floor)
                assert {tuple(r) for r in claimed} == {k[:2] for k in mine}, name
                setup(undo)
                samples["cfloor"].append(cwall)
            samples["wall"].append(wall)
            samples["cpu"].append(cpu)
            samples["floor"].append(fwall)
            samples["fcpu"].append(fcpu)

    def key(d):
        return (int(d.ref.workspace_id[1:]), d.ref.channel_id)

    def claim_at(now):
        return {"week": seed.WEEK, "now": now.replace(tzinfo=None)}  # stored naive UTC

    titles = {f"Monday Morning Meeting · {r.title}": r.id for r in content.rules.values()}
    order = [r.id for r in content.rules_in_order()]
    measure(
        "monday-meeting",
        JOBS["monday-meeting"],
        seed.MONDAY,
        lambda ds: {(*key(d), titles[d.reply.title]) for d in ds},
        lambda: sql(seed.FLOOR_MONDAY, order=order),
        lambda rows: {tuple(r) for r in rows},
        lambda c: seed.reset(c, "meeting_post"),
        lambda: sql(seed.claiming(seed.FLOOR_MONDAY, None), order=order, **claim_at(seed.MONDAY)),
    )
    setup(seed.ready_meetings)
    since, until = seed.LAST_WEEK, seed.MONDAY - seed.timedelta(hours=8)

    def story_of(d):
        return int(re.search(r"Story #(\d+)", d.reply.footer).group(1))

    measure(
        "wow-of-the-week",
        JOBS["wow-of-the-week"],
        seed.MONDAY,
        lambda ds: {(*key(d), story_of(d)) for d in ds},
        lambda: sql(seed.FLOOR_WOW, since=since, until=until),
        lambda rows: {tuple(r) for r in rows},
        lambda c: seed.reset(c, "clock_notice", "wow"),
        lambda: sql(
            seed.claiming(seed.FLOOR_WOW, "wow"), since=since, until=until, **claim_at(seed.MONDAY)
        ),
    )

    def digest_of(d):
        logged = re.match(r"(\d+) service defect", d.reply.text)
        stale = [f.value for f in d.reply.fields if f.label.startswith("Open more")]
        shown = stale[0].count("• #") if stale else 0
        more = re.search(r"…and (\d+) more", stale[0]) if stale else None
        return (
            *key(d),
            int(logged.group(1)) if logged else 0,
            shown + int(more.group(1) if more else 0),
        )

    measure(
        "defect-digest",
        JOBS["defect-digest"],
        seed.MONDAY,
        lambda ds: {digest_of(d) for d in ds},
        lambda: sql(
            seed.FLOOR_DIGEST, since=since, until=until, stale=seed.MONDAY - seed.timedelta(days=7)
        ),
        lambda rows: {tuple(r) for r in rows if r[2] or r[3]},
        lambda c: seed.reset(c, "clock_notice", "digest"),
        lambda: sql(
            seed.claiming(seed.FLOOR_DIGEST, "digest", "logged > 0 OR stale > 0"),
            since=since,
            until=until,
            stale=seed.MONDAY - seed.timedelta(days=7),
            **claim_at(seed.MONDAY),
        ),
    )
    measure(
        "story-nudge",
        JOBS["story-nudge"],
        seed.WEDNESDAY,
        lambda ds: {key(d) for d in ds},
        lambda: sql(seed.FLOOR_NUDGE, week=seed.WEEK),
        lambda rows: {tuple(r) for r in rows},
        lambda c: seed.reset(c, "clock_notice", "nudge"),
        lambda: sql(seed.claiming(seed.FLOOR_NUDGE, "nudge"), **claim_at(seed.WEDNESDAY)),
    )

    def busy(reports):  # the jobs that found something due (front-desk ones report sent)
        return {
            n: r.summary()
            for n, r in reports.items()
            if getattr(r, "due", 0) or getattr(r, "sent", 0)
        }

    # The idle tick: everything of this week done, Thursday noon.
    setup(seed.ready_notices)
    moment["now"] = seed.THURSDAY
    clock = Clock(huddle, messengers, options)
    loop = asyncio.new_event_loop()
    wall, cpu, reports = timed(lambda: loop.run_until_complete(clock.tick()))
    assert not busy(reports), busy(reports)
    results["first idle tick"] = {"wall": [wall], "cpu": [cpu], "floor": [], "fcpu": []}
    samples = results.setdefault("idle tick", {"wall": [], "cpu": [], "floor": [], "fcpu": []})
    changed = results.setdefault(
        "idle tick vs a change check", {"wall": [], "cpu": [], "floor": [], "fcpu": []}
    )
    for _ in range(repeat * 3):
        wall, cpu, reports = timed(lambda: loop.run_until_complete(clock.tick()))
        assert not busy(reports), busy(reports)
        fwall, fcpu, rows = timed(lambda: sql(seed.FLOOR_IDLE, week=seed.WEEK))
        assert rows == [(False,)]
        cwall, ccpu, counts = timed(lambda: sql(seed.FLOOR_CHANGED, week=seed.WEEK))
        assert counts[0][3] == 10_000
        for into, floor_wall, floor_cpu in ((samples, fwall, fcpu), (changed, cwall, ccpu)):
            into["wall"].append(wall)
            into["cpu"].append(cpu)
            into["floor"].append(floor_wall)
            into["fcpu"].append(floor_cpu)
    loop.close()
    setup(lambda c: (seed.reset(c, "clock_notice"), seed.reset(c, "meeting_post")))
    results["first idle tick"]["floor"] = [statistics.median(samples["floor"])]
    results["first idle tick"]["fcpu"] = [statistics.median(samples["fcpu"])]
    engine.dispose()
    return results


def summarize(rounds: list[dict]) -> dict[str, dict[str, tuple[float, float, float]]]:
    """Per job: min / median / max over rounds of each round's median wall, CPU and ratio."""
    table = {}
    for name in rounds[0]:
        per = [r[name] for r in rounds]
        wall = [statistics.median(p["wall"]) for p in per]
        cpu = [statistics.median(p["cpu"]) for p in per]
        floor = [statistics.median(p["floor"]) for p in per]
        ratio = [w / f for w, f in zip(wall, floor, strict=True)]
        spread = lambda xs: (min(xs), statistics.median(xs), max(xs))  # noqa: E731
        table[name] = {"wall": spread(wall), "cpu": spread(cpu), "floor": spread(floor)}
        table[name]["ratio"] = spread(ratio)
        if all(p.get("cfloor") for p in per):  # the floor that also writes the claims
            claimed = [statistics.median(p["cfloor"]) for p in per]
            table[name]["cfloor"] = spread(claimed)
            table[name]["cratio"] = spread([w / c for w, c in zip(wall, claimed, strict=True)])
    return table


def print_table(label: str, table) -> None:
    print(f"\n{label}\n")
    print(
        "| Job | Huddle wall (median) | Huddle CPU (median) | floor (median) "
        "| vs floor min / median / max | floor with its claims (median) | vs that min / median / max |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, row in table.items():
        lo, mid, hi = row["ratio"]
        claimed = "| | |"
        if "cratio" in row:
            clo, cmid, chi = row["cratio"]
            claimed = (
                f"| {row['cfloor'][1] * 1000:.1f} ms | {clo:.1f}x / {cmid:.1f}x / {chi:.1f}x |"
            )
        print(
            f"| {name} | {row['wall'][1] * 1000:.1f} ms | {row['cpu'][1] * 1000:.1f} ms "
            f"| {row['floor'][1] * 1000:.1f} ms | {lo:.1f}x / {mid:.1f}x / {hi:.1f}x {claimed}"
        )


def main(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(HERE.parent))
    sys.path.insert(1, str(HERE))
    import _clock_seed as seed

    from bot.content import load_content
    from tests import database

    url, drop = database.create_postgres_database()
    try:
        database.migrated_engine(url).dispose()
        started = time.perf_counter()
        order = [r.id for r in load_content().rules_in_order()]
        sizes = seed.seed(url, order)
        print(f"seeded {sizes} in {time.perf_counter() - started:.1f} s", flush=True)
        trees = {"this tree": HERE.parent}
        if args.base:
            trees["before"] = Path(args.base)
        rounds: dict[str, list[dict]] = {name: [] for name in trees}
        for n in range(args.rounds):
            for name, root in trees.items():
                load = Path("/proc/loadavg").read_text().split()[:3]
                command = [sys.executable, __file__, "--worker", str(root), "--url", url]
                command += ["--repeat", str(args.repeat)]
                out = subprocess.run(command, check=True, capture_output=True, text=True)
                rounds[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
                print(f"round {n + 1} {name}: done (load before {' '.join(load)})", flush=True)
        for name in trees:
            print_table(f"{name} ({args.rounds} rounds x {args.repeat})", summarize(rounds[name]))
        print("\nload average at the end:", Path("/proc/loadavg").read_text().strip())
    finally:
        drop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--base", help="a checkout of the code to compare with")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parsed = parser.parse_args()
    if parsed.worker:
        os.chdir(parsed.worker)
        print(json.dumps(worker(Path(parsed.worker), parsed.url, parsed.repeat)))
    else:
        main(parsed)
