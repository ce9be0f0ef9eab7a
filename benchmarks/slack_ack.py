"""How fast does `huddle serve` acknowledge Slack, compared with a bare slack-bolt app?

Starts, as separate processes:
  * `huddle serve` on the embedded database (SQLite) and on PostgreSQL, in single-workspace
    mode, with SLACK_API_URL pointing at a local Slack Web API stand-in run by this script;
  * a bare slack-bolt AsyncApp on aiohttp whose only listener acks /defect, with bolt's
    defaults (the floor the ratios are against), and, for reference, the same bare app with
    process_before_response=True (what Huddle runs under).

Then fires many signed, form-encoded `/defect` slash commands at each, CONCURRENCY at a
time, and reports p50/p99 time to acknowledgement (HTTP response) and the ratio to the bare
app measured in the same run. Slack's limit is 3 s. It also reports each server's CPU time
per request (from /proc, on Linux): for Huddle that is the ack and the work after it. On
a machine shared with other work the latencies move with the load; the CPU time barely does,
so it is what tells a slower change from a busier machine.

    .venv/bin/python benchmarks/slack_ack.py [--requests 1000] [--concurrency 50]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test] [--no-postgres]

Multi-workspace mode (``--workspaces 1000``): Huddle runs with SLACK_CLIENT_ID and
SLACK_CLIENT_SECRET, with that many workspaces installed through slack-sdk's
installation store; ``--busy-share`` of the requests come from one busy workspace and
the rest are spread evenly over the others. The warm-up first sends one request from
every workspace (each workspace seen once, as in steady traffic), then a wave of
CONCURRENCY. ``--rounds N`` alternates the bare app and Huddle N times and reports each
round's ratios and their min/median/max. ``--baseline-root PATH`` also runs the Huddle
found at PATH (a checkout of another commit) in every round, for a before/after.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.standins.slack_api import SlackAPIStandIn  # noqa: E402

SECRET = "benchmark-signing-secret"
TOKEN = "xoxb-benchmark"


def signed(body: str) -> dict:
    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
    }


CLIENT_ID = "111.222"


def team_of(n: int, workspaces: int, busy_share: float) -> str:
    """Request ``n``'s workspace: the busy one (T0) for ``busy_share`` of them, else the rest
    in turn. Single-workspace mode: always T1."""
    if not workspaces:
        return "T1"
    if workspaces == 1 or n % 100 < busy_share * 100:
        return "T0"
    return f"T{1 + n % (workspaces - 1)}"


def defect_body(n: int, api: SlackAPIStandIn, team: str = "T1") -> str:
    return urlencode(
        {
            "team_id": team,
            "team_domain": "bench",
            "channel_id": f"C{n % 7}",
            "user_id": f"U{n % 13}",
            "user_name": f"user{n % 13}",
            "command": "/defect",
            "text": f"arrival: waited {n % 40} minutes with no word from us",
            "response_url": api.response_url(f"b{n}"),
            "trigger_id": f"{n}.bench",
        }
    )


async def fire(
    url: str,
    api: SlackAPIStandIn,
    requests: int,
    concurrency: int,
    workspaces: int = 0,
    busy_share: float = 0.5,
) -> list[float]:
    """Seconds to acknowledgement for each request."""
    latencies: list[float] = []
    gate = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(n: int, team: str | None = None) -> None:
            body = defect_body(n, api, team or team_of(n, workspaces, busy_share))
            async with gate:
                started = time.perf_counter()
                async with session.post(url, data=body, headers=signed(body)) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"request {n}: HTTP {response.status}")
                latencies.append(time.perf_counter() - started)

        # Warm-up: connections, bolt's first auth.test, the database pool; in multi-workspace
        # mode one request from every workspace first.
        for first in range(0, workspaces, concurrency):
            teams = range(first, min(workspaces, first + concurrency))
            await asyncio.gather(*(one(-1 - t, f"T{t}") for t in teams))
        # (numbered after the measured ones: a repeated trigger_id counts once, as a replay)
        await asyncio.gather(*(one(n) for n in range(requests, requests + concurrency)))
        latencies.clear()
        await asyncio.gather(*(one(n) for n in range(requests)))
    return latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def wait_until_up(url: str, process: subprocess.Popen) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}")
            try:
                async with session.get(url) as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"server at {url} did not come up")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def install_workspaces(database_url: str, workspaces: int) -> None:
    """Every workspace installed through slack-sdk's store, as the OAuth flow leaves it."""
    from slack_sdk.oauth.installation_store import Installation
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

    from bot.storage import db

    engine = db.make_engine(database_url)
    store = SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=engine)
    for n in range(workspaces):
        store.save(
            Installation(
                app_id="A0BENCH",
                team_id=f"T{n}",
                team_name=f"Practice {n}",
                bot_token=f"xoxb-bench-{n}",
                bot_id=f"B{n}",
                bot_user_id=f"UB{n}",
                bot_scopes="commands,chat:write",
                user_id="U0",
            )
        )
    engine.dispose()


def start_huddle(
    database_url: str,
    api: SlackAPIStandIn,
    port: int,
    *,
    multi: bool = False,
    root: Path | None = None,
) -> subprocess.Popen:
    """``huddle serve`` on a migrated database: this checkout's code, or ``root``'s."""
    from bot.crypto import generate_key

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HUDDLE_ENCRYPTION_KEY": generate_key(),
        "HUDDLE_LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api.url,
    }
    env.pop("SLACK_APP_TOKEN", None)
    env.pop("SLACK_CLIENT_ID", None)
    if multi:
        env.pop("SLACK_BOT_TOKEN")
        env.update(SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET="bench-client-secret")
    if root is not None:
        env["PYTHONPATH"] = str(root)  # ahead of this checkout's editable install
    huddle = Path(sys.executable).parent / "huddle"
    return subprocess.Popen([str(huddle), "serve", "--port", str(port)], env=env, cwd=root or ROOT)


def prepared_database(url: str, workspaces: int) -> str:
    from bot.storage import db

    db.upgrade(db.make_engine(url))
    if workspaces:
        install_workspaces(url, workspaces)
    return url


def start_bare(api: SlackAPIStandIn, port: int, *, before_response=False) -> subprocess.Popen:
    env = {**os.environ, "SLACK_API_URL": api.url}
    extra = ["--bare-before-response"] if before_response else []
    return subprocess.Popen(
        [sys.executable, __file__, "--bare-server", str(port), *extra], env=env, cwd=ROOT
    )


def run_bare_server(port: int, before_response: bool) -> None:
    """A slack-bolt app that only acknowledges /defect: the floor to compare against.

    With bolt's defaults unless ``before_response``."""
    import logging

    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    logging.basicConfig(level=logging.WARNING)
    client = AsyncWebClient(token=TOKEN, base_url=os.environ["SLACK_API_URL"])
    options = {"process_before_response": True} if before_response else {}
    bolt = AsyncApp(client=client, signing_secret=SECRET, **options)

    @bolt.command("/defect")
    async def only_ack(ack):
        await ack()

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/slack/events", events)
    app.router.add_get("/healthz", healthz)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a process has used so far (Linux /proc), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    # After the command name: state is field 3, utime 14 and stime 15 (proc(5)).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    latencies: list[float]  # seconds to acknowledgement, per request
    drained: float  # seconds from the first request until every confirmation arrived
    cpu_per_request: float | None  # the server's CPU seconds per request (warm-up included)


async def measure(name: str, start, api, args, *, confirms: bool) -> Result:
    port = free_port()
    process = start(port)
    try:
        await wait_until_up(f"http://127.0.0.1:{port}/healthz", process)
        before = len(api.calls_to("response_url"))
        cpu_before = cpu_seconds(process.pid)
        started = time.perf_counter()
        latencies = await fire(
            f"http://127.0.0.1:{port}/slack/events",
            api,
            args.requests,
            args.concurrency,
            args.workspaces,
            args.busy_share,
        )
        drained = 0.0
        if confirms:
            expected = before + args.requests + args.concurrency + args.workspaces
            await api.wait_for("response_url", count=expected, timeout=600)
            drained = time.perf_counter() - started
        cpu_after = cpu_seconds(process.pid)
        cpu = None
        if cpu_before is not None and cpu_after is not None:
            cpu = (cpu_after - cpu_before) / (args.requests + args.concurrency + args.workspaces)
        return Result(latencies, drained, cpu)
    finally:
        process.terminate()
        # Never block the loop: the stand-in answering the server runs on it.
        await asyncio.to_thread(process.wait, 60)


async def one_round(api, args, folder: str, round_no: int) -> dict[str, Result]:
    """The bare app, then each Huddle (this checkout, and the baseline if any), each on
    fresh databases."""
    from tests import database

    multi = bool(args.workspaces)
    results: dict[str, Result] = {}
    results["bare slack-bolt (ack only)"] = await measure(
        "bare", lambda port: start_bare(api, port), api, args, confirms=False
    )
    if not multi:
        results["bare slack-bolt, process_before_response=True"] = await measure(
            "bare-pbr",
            lambda port: start_bare(api, port, before_response=True),
            api,
            args,
            confirms=False,
        )
    codes = [("", None)]
    if args.baseline_root is not None:
        codes.insert(0, ("before · ", args.baseline_root))
    for label, root in codes:
        if not args.no_sqlite:
            url = prepared_database(
                f"sqlite:///{folder}/bench-{round_no}-{len(results)}.db", args.workspaces
            )
            results[f"{label}huddle serve · SQLite"] = await measure(
                "sqlite",
                lambda port, url=url, root=root: start_huddle(
                    url, api, port, multi=multi, root=root
                ),
                api,
                args,
                confirms=True,
            )
        if not args.no_postgres:
            problem = database.postgres_available()
            if problem is not None:
                print(f"PostgreSQL skipped: {problem}", file=sys.stderr)
                continue
            url, drop = database.create_postgres_database()
            try:
                prepared_database(url, args.workspaces)
                results[f"{label}huddle serve · PostgreSQL"] = await measure(
                    "postgres",
                    lambda port, url=url, root=root: start_huddle(
                        url, api, port, multi=multi, root=root
                    ),
                    api,
                    args,
                    confirms=True,
                )
            finally:
                drop()
    return results


def print_round(round_no: int, results: dict[str, Result]) -> dict[str, tuple[float, float]]:
    bare = results["bare slack-bolt (ack only)"].latencies
    bare50, bare99 = percentile(bare, 50), percentile(bare, 99)
    ratios = {}
    for name, result in results.items():
        values, drained, cpu = result.latencies, result.drained, result.cpu_per_request
        p50, p99 = percentile(values, 50), percentile(values, 99)
        ratios[name] = (p50 / bare50, p99 / bare99)
        print(
            f"| {round_no} | {name} | {p50 * 1000:.1f} ms | {p99 * 1000:.1f} ms "
            f"| {max(values) * 1000:.1f} ms | {p50 / bare50:.2f}x | {p99 / bare99:.2f}x "
            f"| {f'{drained:.1f} s' if drained else 'n/a'} "
            f"| {f'{cpu * 1000:.2f} ms' if cpu is not None else 'n/a'} "
            f"| {' '.join(f'{x:.2f}' for x in os.getloadavg())} |",
            flush=True,
        )
    return ratios


async def main(args: argparse.Namespace) -> None:
    mode = (
        f"multi-workspace: {args.workspaces} installed, {args.busy_share:.0%} of requests "
        "from one busy workspace"
        if args.workspaces
        else "single-workspace"
    )
    print(
        f"\n{args.requests} signed /defect requests per server and round, {args.concurrency} "
        f"concurrent, {mode}; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n"
    )
    print(
        "| Round | Server | p50 ack | p99 ack | max ack | p50 vs bare | p99 vs bare "
        "| all confirmations delivered | server CPU per request | load average (1, 5, 15 min) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    every: dict[str, list[tuple[float, float]]] = {}
    async with SlackAPIStandIn() as api:
        api.add_workspace("T1", token=TOKEN)
        for n in range(args.workspaces):
            api.add_workspace(f"T{n}", token=f"xoxb-bench-{n}")
        with tempfile.TemporaryDirectory() as folder:
            for round_no in range(1, args.rounds + 1):
                results = await one_round(api, args, folder, round_no)
                for name, pair in print_round(round_no, results).items():
                    every.setdefault(name, []).append(pair)
        responses = len(api.calls_to("response_url"))
    print("\n| Server | p50 vs bare (min / median / max) | p99 vs bare (min / median / max) |")
    print("|---|---|---|")
    for name, pairs in every.items():
        if name.startswith("bare slack-bolt (ack only)"):
            continue
        p50s, p99s = [p for p, _ in pairs], [p for _, p in pairs]
        print(
            f"| {name} | {min(p50s):.2f}x / {statistics.median(p50s):.2f}x / {max(p50s):.2f}x "
            f"| {min(p99s):.2f}x / {statistics.median(p99s):.2f}x / {max(p99s):.2f}x |"
        )
    print(
        f"\nconfirmations delivered to the stand-in's response_url: {responses}; "
        f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--workspaces", type=int, default=0, help="multi-workspace mode")
    parser.add_argument("--busy-share", type=float, default=0.5)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--baseline-root", type=Path, default=None)
    parser.add_argument("--bare-server", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--bare-before-response", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.bare_server is not None:
        run_bare_server(arguments.bare_server, arguments.bare_before_response)
    else:
        asyncio.run(main(arguments))
