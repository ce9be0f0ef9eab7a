"""``slack_ack.py --form-burst``: does a bare /defect open its form within 3 s of a burst?

A modal opens (views.open) only with the command's trigger_id, which Slack lets expire 3
seconds after the command. The burst is ``--requests`` signed slash commands fired
``--concurrency`` at a time at ``huddle serve`` (single-workspace, SLACK_API_URL at the
stand-in in this process): every ``--form-every``-th is a bare ``/defect`` (it opens the
defect form), the others ``/defect arrival: waited N minutes…`` (stored, then confirmed
through the response_url: the backlog). For each form it records the time from sending
the command to the views.open call reaching the stand-in (stamped as the stand-in records
it), and reports p50 / p99 / max, how many took over 3 s (a real trigger_id would have
expired), when the whole backlog was confirmed, and the server's CPU time per command.
The stand-in itself never refuses a late trigger_id, so every form is timed.

With ``--baseline-root PATH`` each round runs the Huddle at PATH (another commit) and this
checkout, alternating which goes first, each on a fresh database.
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
from urllib.parse import urlencode

import aiohttp

from benchmarks._ack_servers import (
    TOKEN,
    cpu_seconds,
    free_port,
    prepared_database,
    signed,
    start_huddle,
    wait_until_up,
)
from tests.standins.slack_api import Call, SlackAPIStandIn

EXPIRES = 3.0  # seconds Slack keeps a trigger_id


class StampedStandIn(SlackAPIStandIn):
    """The Slack stand-in, noting when each views.open arrived, by trigger_id."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.opened: dict[str, float] = {}

    async def _record(self, call: Call) -> None:
        if call.method == "views.open":
            self.opened.setdefault(str(call.args.get("trigger_id")), time.perf_counter())
        await super()._record(call)


def command_body(n: int, api: SlackAPIStandIn, *, form: bool, tag: str) -> str:
    return urlencode(
        {
            "team_id": "T1",
            "team_domain": "bench",
            "channel_id": f"C{n % 7}",
            "user_id": f"U{n % 13}",
            "user_name": f"user{n % 13}",
            "command": "/defect",
            "text": "" if form else f"arrival: waited {n % 40} minutes with no word from us",
            "response_url": api.response_url(f"{tag}{n}"),
            "trigger_id": f"{tag}{n}.burst",
        }
    )


@dataclass
class Burst:
    to_form: list[float]  # seconds from command to views.open, per form
    drained: float  # seconds from the first command until the whole backlog was confirmed
    cpu_per_command: float | None


async def fire_burst(url: str, api: StampedStandIn, args, tag: str) -> tuple[list[float], float]:
    sent: dict[str, float] = {}
    gate = asyncio.Semaphore(args.concurrency)
    forms = [n for n in range(args.requests) if n % args.form_every == 0]
    texts = args.requests - len(forms)
    confirmed_before = len(api.calls_to("response_url"))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def one(n: int) -> None:
            form = n % args.form_every == 0
            body = command_body(n, api, form=form, tag=tag)
            async with gate:
                sent[f"{tag}{n}.burst"] = time.perf_counter()
                async with session.post(url, data=body, headers=signed(body)) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"command {n}: HTTP {response.status}")

        started = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(args.requests)))
        await api.wait_for("response_url", count=confirmed_before + texts, timeout=900)
        drained = time.perf_counter() - started
    triggers = [f"{tag}{n}.burst" for n in forms]
    missing = [t for t in triggers if t not in api.opened]
    if missing:
        raise RuntimeError(f"{len(missing)} forms never opened")
    return [api.opened[t] - sent[t] for t in triggers], drained


async def measure(api: StampedStandIn, args, url: str, root, tag: str) -> Burst:
    port = free_port()
    process = start_huddle(url, api, port, root=root)
    try:
        await wait_until_up(f"http://127.0.0.1:{port}/healthz", process)
        events = f"http://127.0.0.1:{port}/slack/events"
        # Warm-up (not counted): connections, auth.test, the pool, every user's users.info.
        warm = argparse.Namespace(**{**vars(args), "requests": args.concurrency})
        await fire_burst(events, api, warm, f"w{tag}")
        cpu_before = cpu_seconds(process.pid)
        to_form, drained = await fire_burst(events, api, args, tag)
        cpu_after = cpu_seconds(process.pid)
        cpu = None
        if cpu_before is not None and cpu_after is not None:
            cpu = (cpu_after - cpu_before) / args.requests
        return Burst(to_form, drained, cpu)
    finally:
        process.terminate()
        await asyncio.to_thread(process.wait, 60)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def database_urls(args, folder: str, label: str) -> list[tuple[str, str, object]]:
    """(database name, url, drop) for each database this run uses, fresh."""
    from tests import database

    urls: list[tuple[str, str, object]] = []
    if not args.no_sqlite:
        path = f"sqlite:///{folder}/burst-{label}-{time.monotonic_ns()}.db"
        urls.append(("SQLite", prepared_database(path, 0), lambda: None))
    if not args.no_postgres and database.postgres_available() is None:
        url, drop = database.create_postgres_database()
        urls.append(("PostgreSQL", prepared_database(url, 0), drop))
    return urls


def row(round_no: int, name: str, burst: Burst) -> str:
    values = burst.to_form
    late = sum(v > EXPIRES for v in values)
    cpu = f"{burst.cpu_per_command * 1000:.2f} ms" if burst.cpu_per_command is not None else "n/a"
    return (
        f"| {round_no} | {name} | {percentile(values, 50) * 1000:.0f} ms "
        f"| {percentile(values, 99) * 1000:.0f} ms | {max(values) * 1000:.0f} ms "
        f"| {late} of {len(values)} | {burst.drained:.1f} s | {cpu} "
        f"| {' '.join(f'{x:.2f}' for x in os.getloadavg())} |"
    )


async def main(args: argparse.Namespace) -> None:
    forms = len(range(0, args.requests, args.form_every))
    print(
        f"\nA burst of {args.requests} signed /defect commands ({forms} bare, opening the form; "
        f"the rest logging a defect), {args.concurrency} in flight; Python "
        f"{sys.version.split()[0]}, {os.cpu_count()} CPUs, load average before: "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}\n"
    )
    print(
        "| Round | Server | p50 command to views.open | p99 | max | over 3 s "
        "| backlog confirmed after | server CPU per command | load average (1, 5, 15 min) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    codes = [("this checkout", None)]
    if args.baseline_root is not None:
        codes.append(("before", args.baseline_root))
    every: dict[str, list[Burst]] = {}
    async with StampedStandIn() as api:
        api.add_workspace("T1", token=TOKEN)
        with tempfile.TemporaryDirectory() as folder:
            for round_no in range(1, args.rounds + 1):
                order = codes if round_no % 2 else codes[::-1]
                for label, root in order:
                    for db_name, url, drop in database_urls(args, folder, label):
                        try:
                            tag = f"r{round_no}{label[0]}{db_name[0]}-"
                            burst = await measure(api, args, url, root, tag)
                        finally:
                            drop()
                        name = f"{label} · {db_name}"
                        every.setdefault(name, []).append(burst)
                        print(row(round_no, name, burst), flush=True)
    print("\n| Server | p50 (min / median / max of rounds) | p99 (min / median / max) |")
    print("|---|---|---|")
    for name, bursts in every.items():
        p50s = [percentile(b.to_form, 50) * 1000 for b in bursts]
        p99s = [percentile(b.to_form, 99) * 1000 for b in bursts]
        print(
            f"| {name} | {min(p50s):.0f} / {statistics.median(p50s):.0f} / {max(p50s):.0f} ms "
            f"| {min(p99s):.0f} / {statistics.median(p99s):.0f} / {max(p99s):.0f} ms |"
        )
    if args.baseline_root is not None:
        print("\n| Database | p50 after / before (min / median / max) | p99 after / before |")
        print("|---|---|---|")
        for db_name in ("SQLite", "PostgreSQL"):
            after, before = (
                every.get(f"this checkout · {db_name}"),
                every.get(f"before · {db_name}"),
            )
            if not after or not before:
                continue
            ratios = [
                [
                    percentile(a.to_form, p) / percentile(b.to_form, p)
                    for a, b in zip(after, before, strict=True)
                ]
                for p in (50, 99)
            ]
            print(
                f"| {db_name} | "
                + " | ".join(
                    f"{min(r):.2f} / {statistics.median(r):.2f} / {max(r):.2f}" for r in ratios
                )
                + " |"
            )
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
