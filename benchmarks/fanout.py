"""How fast does one clock process post the Monday Morning Meeting to many channels?

Sets up 10,000 subscribed channels across 1,000 Slack workspaces (10 each), all due at
the same minute, in a fresh migrated database (SQLite file by default; ``--postgres`` also
runs it on a private PostgreSQL database). The workspaces are installed through
slack-sdk's installation store, and the messenger reads each workspace's bot token
from it the way the clock does in multi-workspace mode (once, then cached for a few
minutes; the figures count those reads apart).

The Slack Web API is a local stand-in (``tests/standins/slack_api.py``) in a separate
process that answers every call after 50 ms and answers 429 with ``Retry-After: 1`` to a
workspace that sends more than 10 posts in one second.

Then one ``monday-meeting`` run posts through the Slack adapter's messenger
(``huddle.messengers: slack``), exactly as ``huddle clock`` does, and the script reports
the wall time, posts per second, the 429s, the database round trips per post, and checks
that every channel got exactly one post.

The floor (``_fanout_floor.py``, left out with ``--no-baseline``): the same posts (the
payload Huddle sent) with slack-sdk's AsyncWebClient alone, to a fresh stand-in, under
the clock's default overall and per-workspace concurrency. With ``--rounds N`` the two
alternate (the floor after Huddle in odd rounds, before it in even ones) and the ratios
of their posts per second are given as min / median / max.

    .venv/bin/python benchmarks/fanout.py [--workspaces 1000] [--channels-per-workspace 10]
        [--latency 0.05] [--rate-limit 10] [--postgres] [--concurrency N] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.slack.messenger import messenger_for  # noqa: E402
from adapters.slack.settings import SlackSettings  # noqa: E402
from benchmarks._fanout_floor import post_with_sdk_alone, show_sdk_alone  # noqa: E402
from bot.clock.config import ClockSettings  # noqa: E402
from bot.clock.jobs import run_monday_meeting  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.content import load_content  # noqa: E402
from bot.crypto import Vault, generate_key  # noqa: E402
from bot.huddle import Huddle  # noqa: E402
from bot.storage import db  # noqa: E402
from bot.storage.db import count_round_trips  # noqa: E402
from bot.storage.models import Subscription, Workspace  # noqa: E402

CLIENT_ID = "111.222"
# A Monday, 08:00:30 UTC: every subscription below is due.
NOW = datetime(2026, 11, 30, 8, 0, 30, tzinfo=UTC)


def team(n: int) -> str:
    return f"T{n:05d}"


def token(n: int) -> str:
    return f"xoxb-bench-{n:05d}"


# -- the Slack Web API stand-in, in its own process -------------------------------------


def start_standin(args: argparse.Namespace):
    """The stand-in process, and its pipe and URL."""
    parent, child = multiprocessing.Pipe()
    standin = multiprocessing.get_context("spawn").Process(
        target=_standin, args=(child, args.workspaces, args.latency, args.rate_limit)
    )
    standin.start()
    return standin, parent, parent.recv()


def stop_standin(standin, parent) -> dict:
    """Stop it; what it saw (the posts delivered, the 429s, one post's arguments)."""
    parent.send("stop")
    seen = parent.recv()
    standin.join()
    return seen


def _standin(conn, workspaces: int, latency: float, rate_limit: float) -> None:
    from tests.standins.slack_api import SlackAPIStandIn

    async def main() -> None:
        api = SlackAPIStandIn(latency=latency, rate_limit=rate_limit, retry_after=1)
        for n in range(workspaces):
            api.add_workspace(team(n), token=token(n))
        await api.start()
        conn.send(api.url)
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "stop"
        posts = api.calls_to("chat.postMessage")
        conn.send(
            {
                "sample": dict(posts[0].args) if posts else None,
                "calls": len(posts),
                "delivered": api.delivered,
                "rate_limited": api.rate_limited,
            }
        )
        await api.close()

    asyncio.run(main())


# -- the database ----------------------------------------------------------------------


def seed(engine: sa.Engine, workspaces: int, per_workspace: int) -> None:
    from slack_sdk.oauth.installation_store import Installation
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

    created = NOW - timedelta(days=10)
    with engine.begin() as connection:
        connection.execute(
            sa.insert(Workspace.__table__),
            [
                {
                    "platform": "slack",
                    "external_id": team(n),
                    "name": f"Practice {n}",
                    "timezone": "UTC",
                    "created_at": created,
                }
                for n in range(workspaces)
            ],
        )
        ids = dict(
            connection.execute(
                sa.select(Workspace.__table__.c.external_id, Workspace.__table__.c.id)
            ).all()
        )
        connection.execute(
            sa.insert(Subscription.__table__),
            [
                {
                    "workspace_id": ids[team(n)],
                    "channel_id": f"C{n:05d}{c:02d}",
                    "weekday": 0,
                    "hour": 8,
                    "minute": 0,
                    "timezone": "UTC",
                    "active": True,
                    "created_by": "U0",
                    "created_at": created,
                    "updated_at": created,
                }
                for n in range(workspaces)
                for c in range(per_workspace)
            ],
        )
    store = SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=engine)
    for n in range(workspaces):
        store.save(
            Installation(
                app_id="A0BENCH",
                team_id=team(n),
                team_name=f"Practice {n}",
                bot_token=token(n),
                bot_id=f"B{n}",
                bot_user_id=f"UB{n}",
                bot_scopes="chat:write,chat:write.public",
                user_id="U0",
                installed_at=created.timestamp(),
            )
        )


# -- one run ---------------------------------------------------------------------------


async def post_all(huddle: Huddle, api_url: str, options: ClockSettings):
    slack = SlackSettings.model_validate(
        {
            "SLACK_CLIENT_ID": CLIENT_ID,
            "SLACK_CLIENT_SECRET": "bench-secret",
            "SLACK_SIGNING_SECRET": "bench-signing",
            "SLACK_API_URL": api_url,
        }
    )
    messenger = messenger_for(slack, huddle)
    assert messenger is not None
    token_lookups = 0
    kinds: Counter[str] = Counter()  # the statements by verb and table, for the figures

    def count_lookups(conn, cursor, statement, parameters, context, executemany) -> None:
        nonlocal token_lookups
        if "slack_bots" in statement or "slack_installations" in statement:
            token_lookups += 1
        words = statement.split()
        verb = words[0].upper() if words else "?"
        table = next(
            (
                w
                for w, before in zip(words[1:], words, strict=False)
                if before.upper() in ("FROM", "INTO", "UPDATE")
            ),
            "",
        )
        kinds[f"{verb} {table}{' (executemany)' if executemany else ''}".strip()] += 1

    sa.event.listen(huddle.engine, "before_cursor_execute", count_lookups)
    try:
        with count_round_trips(huddle.engine) as trips:
            started, cpu = time.perf_counter(), time.process_time()
            report = await run_monday_meeting(huddle, {"slack": messenger}, NOW, options=options)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        sa.event.remove(huddle.engine, "before_cursor_execute", count_lookups)
        await messenger.close()
    return report, wall, cpu, trips.count, token_lookups, kinds


def run(label: str, url: str, args: argparse.Namespace) -> dict:
    engine = db.make_engine(url)
    db.upgrade(engine)
    seed(engine, args.workspaces, args.channels_per_workspace)
    expected = args.workspaces * args.channels_per_workspace

    standin, parent, api_url = start_standin(args)
    key = generate_key()
    settings = Settings(HUDDLE_ENCRYPTION_KEY=key, DATABASE_URL=url)
    huddle = Huddle(
        engine=engine,
        settings=settings,
        content=load_content(),
        vault=Vault([key]),
        clock=lambda: NOW,
    )
    overrides = {"concurrency": args.concurrency} if args.concurrency else {}
    options = ClockSettings.defaults(**overrides)
    report, wall, cpu, statements, lookups, kinds = asyncio.run(post_all(huddle, api_url, options))

    # A second run in the same minute (a second clock, or a retry) must post nothing.
    again, *_ = asyncio.run(post_all(huddle, api_url, options))

    seen = stop_standin(standin, parent)
    engine.dispose()

    per_channel = Counter(seen["delivered"])
    return {
        "label": label,
        "channels": expected,
        "posted": report.posted,
        "failed": report.failed + report.undeliverable,
        "wall": wall,
        "cpu": cpu,
        "sample": seen["sample"],
        "rate": report.posted / wall if wall else 0.0,
        "429s": report.rate_limited,
        "429s_sent": seen["rate_limited"],
        "calls": seen["calls"],
        "statements": statements,
        "clock_statements": statements - lookups,
        "lookups": lookups,
        "kinds": dict(kinds.most_common()),
        "exactly_once": len(per_channel) == expected and set(per_channel.values()) == {1},
        "second_run_posted": again.posted,
    }


def show(result: dict) -> None:
    posted = max(result["posted"], 1)
    print(f"\n{result['label']}")
    print(f"  channels subscribed         {result['channels']}")
    print(f"  posted / failed             {result['posted']} / {result['failed']}")
    print(f"  wall time                   {result['wall']:.2f} s")
    print(f"  CPU per post (this process) {result['cpu'] / posted * 1000:.3f} ms")
    print(f"  posts per second            {result['rate']:.0f}")
    print(
        f"  429s received               {result['429s']} "
        f"(stand-in sent {result['429s_sent']}; {result['calls']} chat.postMessage calls)"
    )
    print(
        f"  database round trips        {result['statements']} "
        f"= {result['statements'] / posted:.3f} per post "
        f"(clock {result['clock_statements'] / posted:.3f}, "
        f"bot-token look-ups {result['lookups']} = {result['lookups'] / posted:.4f})"
    )
    kinds = ", ".join(f"{n} {kind}" for kind, n in result["kinds"].items())
    print(f"  the statements              {kinds}")
    print(f"  every channel exactly once  {'yes' if result['exactly_once'] else 'NO'}")
    print(f"  a second run posted         {result['second_run_posted']}")


# -- the floor: slack-sdk alone, the same posts under the same limits -------------------


def run_sdk_alone(args: argparse.Namespace, sample: dict) -> dict:
    standin, parent, api_url = start_standin(args)
    overrides = {"concurrency": args.concurrency} if args.concurrency else {}
    options = ClockSettings.defaults(**overrides)
    posted, wall, cpu, rate_limited = asyncio.run(
        post_with_sdk_alone(api_url, args, sample, options, token)
    )
    seen = stop_standin(standin, parent)
    expected = args.workspaces * args.channels_per_workspace
    per_channel = Counter(seen["delivered"])
    return {
        "label": "slack-sdk alone (AsyncWebClient, same limits, no database)",
        "posted": posted,
        "wall": wall,
        "cpu": cpu,
        "rate": posted / wall if wall else 0.0,
        "429s": rate_limited,
        "exactly_once": len(per_channel) == expected and set(per_channel.values()) == {1},
    }


def ratios(label: str, values: list[float]) -> None:
    values = sorted(values)
    print(f"  {label:<40} {values[0]:.2f}x / {statistics.median(values):.2f}x / {values[-1]:.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workspaces", type=int, default=1000)
    parser.add_argument("--channels-per-workspace", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per API call")
    parser.add_argument("--rate-limit", type=float, default=10, help="posts/s per workspace")
    parser.add_argument("--concurrency", type=int, default=None, help="HUDDLE_CLOCK_CONCURRENCY")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="also run on a private PostgreSQL database (HUDDLE_TEST_POSTGRES_URL)",
    )
    parser.add_argument("--rounds", type=int, default=1, help="rounds, each with the floor")
    parser.add_argument("--no-baseline", action="store_true", help="skip slack-sdk alone")
    args = parser.parse_args()

    def huddle_runs() -> list[dict]:
        results = []
        with tempfile.TemporaryDirectory() as folder:
            results.append(run("SQLite (embedded default)", f"sqlite:///{folder}/fanout.db", args))
        if args.postgres:
            from tests import database

            url, drop = database.create_postgres_database()
            try:
                results.append(run("PostgreSQL", url, args))
            finally:
                drop()
        return results

    rounds: list[tuple[list[dict], dict | None]] = []
    sample = None
    for n in range(args.rounds):
        # Alternating: the floor after Huddle in odd rounds, before it in even ones.
        floor = None
        if not args.no_baseline and sample is not None and n % 2 == 1:
            floor = run_sdk_alone(args, sample)
        results = huddle_runs()
        sample = sample or results[0]["sample"]
        if not args.no_baseline and floor is None:
            floor = run_sdk_alone(args, sample)
        print(f"\n== round {n + 1}, load average {Path('/proc/loadavg').read_text().strip()}")
        for result in results:
            show(result)
        if floor is not None:
            show_sdk_alone(floor)
            for result in results:
                print(
                    f"  {result['label']}: {floor['rate'] / result['rate']:.2f}x slack-sdk's time"
                )
        rounds.append((results, floor))

    if not args.no_baseline:
        print("\nslack-sdk alone's posts/s over Huddle's (min / median / max):")
        for i, result in enumerate(rounds[0][0]):
            ratios(result["label"], [r[i]["rate"] and f["rate"] / r[i]["rate"] for r, f in rounds])
    everything = [r for results, _ in rounds for r in results]
    ok = all(r["exactly_once"] and r["second_run_posted"] == 0 for r in everything)
    ok = ok and all(f["exactly_once"] for _, f in rounds if f is not None)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
