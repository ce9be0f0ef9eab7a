"""Sync a day for many practices from Open Dental, then build every practice's brief.

Issue 15's benchmark: ``--practices`` practices (default 1,000) on Open Dental, each
with ``--appointments`` appointments today and tomorrow (default 60), synced by the
clock's ``schedule-sync`` job through the real adapter (``adapters.schedule_sources``,
``OpenDentalClient`` over aiohttp) from an Open Dental stand-in in its own process
that answers every call after ``--delay`` seconds (default 50 ms) and answers a
``--rate-429`` share of calls (default 2%) with 429 and ``Retry-After: 1``. Then, for
every practice, with ``--tidbits`` tidbits (default 5,000) and ``--defects`` defects
(default 2,000) seeded beside its appointments, it builds the channel's brief (the
day's counts) and the private brief (``/huddle brief``, page 1: ten appointments with
their tidbits, defects and flags, each tidbit read audited) as the core does.

It reports the sync's wall time, appointments per second, database round trips per
practice (statements counted with a SQLAlchemy ``before_cursor_execute`` listener) and
the brief build time and round trips per practice. Each worker is a fresh process on a
fresh migrated database; with ``--baseline-root`` (a ``git archive`` of the code before)
each round runs that code and this tree side by side, alternating which goes first.

    .venv/bin/python benchmarks/brief_sync.py [--practices 1000] [--postgres] \\
        [--briefed 100] [--baseline-root /tmp/brief-base] [--rounds 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEVELOPER_KEY = "bench-developer-key"


# -- the Open Dental stand-in, in its own process ------------------------------------


def serve_standin(port: int, appointments: int, delay: float, rate_429: float) -> None:
    """Open Dental's GET /appointments and /patients/Simple for any number of practices:
    the customer key ``ck-<n>`` is practice n, whose rows are made on the fly from the
    shapes of ``tests/standins/opendental_api.py`` (Open Dental's example payloads)."""
    sys.path.insert(0, str(ROOT))
    from aiohttp import web

    from tests.standins.opendental_api import PAGE, appointment_row, patient_row

    chance = random.Random(15)
    served = {"calls": 0, "429": 0}

    def practice(request: web.Request) -> int | None:
        auth = request.headers.get("Authorization", "")
        prefix = f"ODFHIR {DEVELOPER_KEY}/ck-"
        if not auth.startswith(prefix) or not auth[len(prefix) :].isdigit():
            return None
        return int(auth[len(prefix) :])

    async def guarded(request: web.Request):
        served["calls"] += 1
        await asyncio.sleep(delay)
        n = practice(request)
        if n is None:
            return None, web.Response(status=401, text="Invalid Authorization header.")
        if chance.random() < rate_429:
            served["429"] += 1
            return None, web.json_response(
                {"message": "too many"}, status=429, headers={"Retry-After": "1"}
            )
        return n, None

    def page(rows: list[dict], request: web.Request) -> web.Response:
        offset = int(request.query.get("Offset", "0"))
        stamp = "2026-11-24 06:00:00"
        return web.json_response(
            [dict(r, serverDateTime=stamp) for r in rows[offset : offset + PAGE]]
        )

    async def appointments_view(request: web.Request) -> web.Response:
        n, refused = await guarded(request)
        if refused is not None:
            return refused
        if "DateTStamp" in request.query:
            return page([], request)  # nothing changed since
        day = request.query.get("date", "2026-11-24")
        rows = []
        for i in range(appointments):
            minutes = 8 * 60 + i * 8
            rows.append(
                appointment_row(
                    n * 10_000 + i,
                    n * 10_000 + i,
                    f"{day} {minutes // 60:02d}:{minutes % 60:02d}:00",
                    confirmed=19 if i % 5 else 21,
                    new_patient=i % 12 == 0,
                    prov=f"DOC{i % 3 + 1}",
                    note="Patient's daughter is getting married",
                )
            )
        return page(rows, request)

    async def patients_view(request: web.Request) -> web.Response:
        n, refused = await guarded(request)
        if refused is not None:
            return refused
        if "DateTStamp" in request.query:
            return page([], request)
        rows = [
            patient_row(n * 10_000 + i, birthdate=f"1980-{i % 12 + 1:02d}-{i % 27 + 1:02d}")
            for i in range(appointments)
        ]
        return page(rows, request)

    async def stats_view(request: web.Request) -> web.Response:
        return web.json_response(served)

    app = web.Application()
    app.router.add_get("/api/v1/appointments", appointments_view)
    app.router.add_get("/api/v1/patients/Simple", patients_view)
    app.router.add_get("/stats", stats_view)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_standin(args) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--standin",
            str(port),
            "--appointments",
            str(args.appointments),
            "--delay",
            str(args.delay),
            "--rate-429",
            str(args.rate_429),
        ]
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.1)
    return process, f"http://127.0.0.1:{port}"


# -- one worker: seed, sync, brief, on the code at --root ----------------------------


def worker(args) -> dict:
    root = Path(args.root).resolve()
    sys.path.insert(0, str(root))
    import sqlalchemy as sa
    from sqlmodel import Session

    from bot.brief import Asker, private_brief
    from bot.clock.jobs.schedule_sync import ScheduleSync
    from bot.config import Settings
    from bot.content import load_content
    from bot.crypto import Vault, generate_key
    from bot.huddle import Huddle
    from bot.storage import db
    from bot.storage.appointments import day_counts, set_source
    from bot.storage.models import Defect, Tidbit, Workspace

    assert Path(sys.modules["bot"].__file__).resolve().is_relative_to(root)
    os.environ["HUDDLE_OPENDENTAL_DEVELOPER_KEY"] = DEVELOPER_KEY
    from adapters.schedule_sources import open_source

    today = date(2026, 11, 24)
    now = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # before the practices' day starts
    key = generate_key()
    vault = Vault([key])
    engine = db.make_engine(args.url)
    db.upgrade(engine)
    statements = {"n": 0}

    @sa.event.listens_for(engine, "before_cursor_execute")
    def count(*_):
        statements["n"] += 1

    # Practices and their Open Dental sources (each its own customer key).
    seed_started = time.perf_counter()
    with Session(engine) as session, session.begin():
        session.execute(
            sa.insert(Workspace.__table__),
            [
                {
                    "platform": "slack",
                    "external_id": f"T{n:05d}",
                    "timezone": "UTC",
                    "created_at": now,
                }
                for n in range(args.practices)
            ],
        )
        ids = [
            row.id
            for row in session.execute(
                sa.select(Workspace.__table__.c.id).order_by(Workspace.__table__.c.id)
            )
        ]
        for n, workspace_id in enumerate(ids):
            set_source(
                session=session,
                workspace_id=workspace_id,
                kind="opendental",
                settings={
                    "confirmed_defnums": [19],
                    "reference": "PatNum",
                    "birthdays": True,
                    "base_url": f"{args.standin}/api/v1",
                },
                secret_enc=vault.encrypt(f"ck-{n}"),
                updated_by="benchmark",
                now=now,
            )
    briefed = ids[: args.briefed or len(ids)]
    _seed_notes(args, engine, vault, briefed, now, sa, Session, Tidbit, Defect)
    seeded = time.perf_counter() - seed_started

    settings = Settings(HUDDLE_ENCRYPTION_KEY=key, DATABASE_URL=args.url)
    content = load_content(base_dir=root / "content")
    huddle = Huddle(
        engine=engine, settings=settings, content=content, vault=vault, clock=lambda: now
    )

    # The sync: the clock's schedule-sync job, through the installed adapter.
    statements["n"] = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    report = asyncio.run(ScheduleSync(opener=open_source)(huddle, {}, now))
    sync_wall = time.perf_counter() - started
    sync_cpu = time.process_time() - cpu_started
    sync_statements = statements["n"]
    with Session(engine) as session:
        stored = session.execute(sa.text("SELECT count(*) FROM appointment")).scalar_one()

    # Every practice's brief: the channel's counts and the private page 1.
    counts_ms, private_ms, brief_statements = [], [], []
    for n, workspace_id in enumerate(briefed):
        asker = Asker(workspace_id, f"slack:T{n:05d}", "U1", "Alex", "C1")
        statements["n"] = 0
        with Session(engine) as session, session.begin():
            t0 = time.perf_counter()
            counts = day_counts(session=session, workspace_id=workspace_id, day=today, now=now)
            t1 = time.perf_counter()
            profiler = _profiler(n)
            reply = private_brief(
                session=session,
                vault=vault,
                content=content,
                asker=asker,
                day=today,
                when="today",
                provider=None,
                page=1,
                tz="UTC",
                now=now,
            )
            t2 = time.perf_counter()
            if profiler is not None:
                profiler.disable()
                import pstats

                pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
        assert counts.patients == args.appointments, counts
        assert len(reply.fields) == min(10, args.appointments), reply.title
        counts_ms.append((t1 - t0) * 1000)
        private_ms.append((t2 - t1) * 1000)
        brief_statements.append(statements["n"])
    engine.dispose()
    return {
        "seed_s": seeded,
        "sync_wall_s": sync_wall,
        "sync_cpu_s": sync_cpu,
        "days_synced": report.synced,
        "days_not": report.problems,
        "appointments_stored": stored,
        "sync_statements_per_practice": sync_statements / len(ids),
        "counts_ms": counts_ms,
        "private_ms": private_ms,
        "brief_statements": brief_statements,
    }


def _profiler(n: int):
    """``BRIEF_PROFILE=1``: profile the second practice's private brief (to stderr)."""
    if n != 1 or not os.environ.get("BRIEF_PROFILE"):
        return None
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    return profiler


def _seed_notes(args, engine, vault, ids, now, sa, Session, Tidbit, Defect) -> None:
    """Per practice: ``--tidbits`` tidbits and ``--defects`` defects, some about the day's
    patients (every 3rd has 5 tidbits, every 4th an open defect, every 7th a closed one)
    and the rest about other patients. One note ciphertext is shared (only shown ones
    are decrypted); the references of the day's patients are hashed for real."""
    note = vault.encrypt("asked about the new puppy")
    ref_enc = vault.encrypt("0")
    rng = random.Random(7)
    for n, workspace_id in enumerate(ids):
        salt = f"slack:T{n:05d}"
        day_refs = [vault.ref_hash(salt, str(n * 10_000 + i)) for i in range(args.appointments)]
        tidbits = []
        for i, ref_hash in enumerate(day_refs):
            if i % 3 == 0:
                tidbits.extend([ref_hash] * 5)
        tidbits.extend(f"{rng.getrandbits(256):064x}" for _ in range(args.tidbits - len(tidbits)))
        defects = []
        for i, ref_hash in enumerate(day_refs):
            if i % 4 == 0:
                defects.append((ref_hash, None))
            if i % 7 == 0:
                defects.append((ref_hash, now - timedelta(days=10)))
        for i in range(args.defects - len(defects)):
            other = f"{rng.getrandbits(256):064x}" if i % 2 else None
            defects.append((other, now - timedelta(days=30) if i % 10 else None))
        with Session(engine) as session, session.begin():
            session.execute(
                sa.insert(Tidbit.__table__),
                [
                    {
                        "workspace_id": workspace_id,
                        "patient_ref_hash": h,
                        "patient_ref_enc": ref_enc,
                        "note_enc": note,
                        "author_id": "U1",
                        "author_name": "Alex",
                        "created_at": now - timedelta(days=k % 300),
                        "expires_at": now + timedelta(days=365 - k % 300),
                    }
                    for k, h in enumerate(tidbits)
                ],
            )
            session.execute(
                sa.insert(Defect.__table__),
                [
                    {
                        "workspace_id": workspace_id,
                        "channel_id": "C1",
                        "stage": "waiting",
                        "description": "kept waiting with no word from us",
                        "patient_ref_hash": h,
                        "patient_ref_enc": ref_enc if h else None,
                        "reporter_id": "U1",
                        "reporter_name": "Alex",
                        "created_at": now - timedelta(days=40 + k % 200),
                        "closed_at": closed,
                        "closed_by": "Alex" if closed else None,
                    }
                    for k, (h, closed) in enumerate(defects)
                ],
            )


# -- the driver ----------------------------------------------------------------------


def database_url(kind: str, tmp: Path, label: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / f'{label}.db'}"
    import sqlalchemy as sa

    base = os.environ.get(
        "HUDDLE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    name = f"brief_bench_{label}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return base.rsplit("/", 1)[0] + f"/{name}"


def run_worker(args, root: Path, url: str, standin: str) -> dict:
    command = [
        sys.executable,
        __file__,
        "--worker",
        "--root",
        str(root),
        "--url",
        url,
        "--standin",
        standin,
        "--practices",
        str(args.practices),
        "--appointments",
        str(args.appointments),
        "--tidbits",
        str(args.tidbits),
        "--defects",
        str(args.defects),
        "--briefed",
        str(args.briefed),
    ]
    env = {**os.environ, "PYTHONPATH": str(root), "HUDDLE_LOG_LEVEL": "WARNING"}
    out = subprocess.run(command, capture_output=True, text=True, env=env, cwd=root)
    if os.environ.get("BRIEF_PROFILE"):
        sys.stderr.write(out.stderr)
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-4000:])
        raise SystemExit(f"worker on {root} failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"{statistics.median(ordered):.1f} / {p95:.1f} / {ordered[-1]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", type=int, default=1000)
    parser.add_argument("--appointments", type=int, default=60)
    parser.add_argument("--tidbits", type=int, default=5000)
    parser.add_argument("--defects", type=int, default=2000)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--rate-429", type=float, default=0.02)
    parser.add_argument(
        "--briefed",
        type=int,
        default=0,
        help="seed tidbits and defects for, and brief, only the first N practices (0: all)",
    )
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--baseline-root", help="a checkout of the code before, run beside")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--standin", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        print(json.dumps(worker(args)))
        return
    if args.standin and args.standin.isdigit():
        serve_standin(int(args.standin), args.appointments, args.delay, args.rate_429)
        return

    roots = [("this", ROOT)]
    if args.baseline_root:
        roots.insert(0, ("before", Path(args.baseline_root).resolve()))
    kind = "postgres" if args.postgres else "sqlite"
    print(
        f"{args.practices} practices x {args.appointments} appointments (today and tomorrow), "
        f"{args.tidbits} tidbits and {args.defects} defects each in "
        f"{args.briefed or args.practices} practices, briefed; stand-in after "
        f"{args.delay * 1000:.0f} ms, {args.rate_429:.0%} 429s; {kind}; "
        f"load average {os.getloadavg()[0]:.1f} at the start"
    )
    header = (
        "| Round | Code | Sync wall | Appointments/s | 429s | Days synced (not) | "
        "DB round trips per practice (sync) | Brief: counts ms (median / p95 / max) | "
        "Brief: private page 1 ms (median / p95 / max) | DB round trips per brief | Load |"
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for round_number in range(1, args.rounds + 1):
            order = roots if round_number % 2 else list(reversed(roots))
            for label, root in order:
                standin, url_of_standin = start_standin(args)
                try:
                    url = database_url(kind, Path(tmp), f"{label}_{round_number}")
                    result = run_worker(args, root, url, url_of_standin)
                    import urllib.request

                    with urllib.request.urlopen(f"{url_of_standin}/stats") as answer:
                        served = json.loads(answer.read())
                finally:
                    standin.terminate()
                    standin.wait()
                rate = result["appointments_stored"] / result["sync_wall_s"]
                rows.append(
                    f"| {round_number} | {label} | {result['sync_wall_s']:.1f} s "
                    f"(CPU {result['sync_cpu_s']:.1f} s) | {rate:.0f} | {served['429']} of "
                    f"{served['calls']} calls | {result['days_synced']} "
                    f"({result['days_not']}) | {result['sync_statements_per_practice']:.1f} | "
                    f"{_ms(result['counts_ms'])} | {_ms(result['private_ms'])} | "
                    f"{statistics.median(result['brief_statements']):.0f} | "
                    f"{os.getloadavg()[0]:.1f} |"
                )
                print(f"round {round_number} {label}: seeded in {result['seed_s']:.0f} s")
                print(rows[-1], flush=True)
    print()
    print(header)
    print("|---" * 11 + "|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
