"""How fast does `huddle serve` acknowledge Slack, compared with a bare slack-bolt app?

Starts, as separate processes:
  * `huddle serve` on the embedded database (SQLite) and on PostgreSQL, in single-workspace
    mode, with SLACK_API_URL pointing at a local Slack Web API stand-in (in a process of
    its own, so answering Huddle's confirmations never delays this script's timing of
    acks; ``--standin-here`` runs it on this script's loop instead: ``_standin_process.py``);
  * a bare slack-bolt AsyncApp on aiohttp whose only listener acks /defect, with bolt's
    defaults (the floor the ratios are against), and, for reference, the same bare app with
    process_before_response=True (what Huddle runs under).

Then fires many signed, form-encoded `/defect` slash commands at each, CONCURRENCY at a
time, and reports p50/p99 time to acknowledgement (HTTP response) and the ratio to the bare
app measured in the same run. Slack's limit is 3 s. It also reports each server's CPU time
per request (from /proc, on Linux, the server's process and its children: Huddle's core
worker processes): for Huddle that is the ack and the work after it. On
a machine shared with other work the latencies move with the load; the CPU time barely does,
so it is what tells a slower change from a busier machine.

    .venv/bin/python benchmarks/slack_ack.py [--requests 1000] [--concurrency 50]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test] [--no-postgres]

Multi-workspace mode (``--workspaces 1000``): Huddle runs with SLACK_CLIENT_ID and
SLACK_CLIENT_SECRET, with that many workspaces installed through slack-sdk's
installation store; ``--busy-share`` of the requests come from one busy workspace and
the rest are spread evenly over the others. The warm-up first sends one request from
every workspace (each workspace seen once, as in steady traffic), then a wave of
CONCURRENCY. ``--form-burst`` measures something else: how soon a bare ``/defect`` opens
its form (views.open at the stand-in) in a burst of commands (``_form_burst.py``).
``--rounds N`` alternates the bare app and Huddle N times and reports each
round's ratios and their min/median/max. ``--baseline-root PATH`` also runs the Huddle
found at PATH (a checkout of another commit) in every round, for a before/after.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import _form_burst  # noqa: E402
from benchmarks._ack_servers import (  # noqa: E402
    TOKEN,
    cpu_seconds,
    free_port,
    prepared_database,
    signed,
    start_bare,
    start_huddle,
    wait_until_up,
)
from benchmarks._standin_process import StandInHere, StandInProcess  # noqa: E402
from tests.standins.slack_api import SlackAPIStandIn  # noqa: E402


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


@dataclass
class Result:
    latencies: list[float]  # seconds to acknowledgement, per request
    drained: float  # seconds from the first request until every confirmation arrived
    cpu_per_request: float | None  # the server's CPU seconds per request (warm-up included)
    own_per_request: float | None = None  # of which in the process that acks


async def measure(name: str, start, api, args, *, confirms: bool) -> Result:
    port = free_port()
    process = start(port)
    try:
        await wait_until_up(f"http://127.0.0.1:{port}/healthz", process)
        before = await api.count("response_url")
        cpu_before = cpu_seconds(process.pid)
        own_before = cpu_seconds(process.pid, children=False)
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
            await api.wait_for_count("response_url", expected, timeout=600)
            drained = time.perf_counter() - started
        cpu_after = cpu_seconds(process.pid)
        own_after = cpu_seconds(process.pid, children=False)
        cpu = own = None
        sent = args.requests + args.concurrency + args.workspaces
        if cpu_before is not None and cpu_after is not None:
            cpu = (cpu_after - cpu_before) / sent
        if own_before is not None and own_after is not None:
            own = (own_after - own_before) / sent
        return Result(latencies, drained, cpu, own)
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
            f"| {f'{result.own_per_request * 1000:.2f} ms' if result.own_per_request else 'n/a'} "
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
        "| all confirmations delivered | server CPU per request | of which the acking process "
        "| load average (1, 5, 15 min) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    every: dict[str, list[tuple[float, float]]] = {}
    standin = StandInHere if args.standin_here else StandInProcess
    async with standin(args.workspaces, TOKEN) as api:
        with tempfile.TemporaryDirectory() as folder:
            for round_no in range(1, args.rounds + 1):
                results = await one_round(api, args, folder, round_no)
                for name, pair in print_round(round_no, results).items():
                    every.setdefault(name, []).append(pair)
        responses = await api.count("response_url")
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
    parser.add_argument(
        "--standin-here",
        action="store_true",
        help="run the Slack stand-in on the load generator's own event loop, as before "
        "(see benchmarks/_standin_process.py)",
    )
    parser.add_argument(
        "--form-burst",
        action="store_true",
        help="time from command to views.open for bare /defect commands in a burst of "
        "--requests commands (see benchmarks/_form_burst.py)",
    )
    parser.add_argument("--form-every", type=int, default=10, help="every Nth is a bare /defect")
    arguments = parser.parse_args()
    asyncio.run(_form_burst.main(arguments) if arguments.form_burst else main(arguments))
