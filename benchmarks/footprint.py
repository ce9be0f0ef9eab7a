"""How much memory and start-up time does `huddle serve` take, against a bare slack-bolt app?

For each server, in every round, as a separate process:
  * its cold start: the wall time from starting the process to the first 200 from
    ``/healthz``, and the CPU time it had used by then (from /proc);
  * its resident memory (VmRSS) once up and idle, and again after it has answered
    ``--requests`` signed ``/defect`` slash commands (50 at a time) and, for Huddle, sent
    every confirmation to the stand-in's ``response_url``; and its peak (VmHWM).

The servers:
  * ``huddle serve`` on a migrated SQLite file, single-workspace Slack, Teams not
    configured (the common case), and the same with Teams configured (emulator mode);
  * a bare slack-bolt AsyncApp on aiohttp that only acks ``/defect`` (``_ack_servers.py``);
  * a process that only imports slack_bolt's async app and aiohttp adapter plus botbuilder's
    core and aiohttp integration, then waits (what the two SDKs cost on their own);
  * with ``--baseline-root PATH``, the ``huddle serve`` of another checkout (before/after).

Huddle runs from the tree this script is in (PYTHONPATH), so a copy of a commit
(``git archive``) can be measured while the checkout changes.

Rounds alternate the servers' order; the table gives min / median / max over rounds.

    .venv/bin/python benchmarks/footprint.py [--rounds 5] [--requests 10000]
        [--baseline-root /tmp/huddle-before]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._ack_servers import (  # noqa: E402
    TOKEN,
    child_pids,
    cpu_seconds,
    free_port,
    prepared_database,
    start_bare,
    start_huddle,
)
from benchmarks.slack_ack import fire  # noqa: E402
from tests.standins.slack_api import SlackAPIStandIn  # noqa: E402

SDK_IMPORTS = (
    "import slack_bolt.async_app, slack_bolt.adapter.aiohttp, botbuilder.core, "
    "botbuilder.integration.aiohttp; print('ready', flush=True); input()"
)
TEAMS_EMULATOR = {"TEAMS_UNAUTHENTICATED_EMULATOR_MODE": "true"}
WARM_UP = 50  # fire() sends this many before the measured ones


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process and its live children (``huddle serve``'s core
    worker processes and multiprocessing's resource tracker), summed, in KiB. The peaks'
    sum is an upper bound: each process's peak may have come at a different moment."""
    found = {"VmRSS": 0, "VmHWM": 0}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in found:
            found[name] += int(value.split()[0])
    for child in child_pids(pid):
        for name, value in memory_kib(child).items():
            found[name] += value
    return found


async def until_healthy(url: str, process: subprocess.Popen) -> None:
    """Poll ``url`` every 5 ms until it answers 200."""
    async with aiohttp.ClientSession() as session:
        deadline = time.perf_counter() + 60
        while time.perf_counter() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}")
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.005)
    raise RuntimeError(f"{url} did not come up")


async def until_confirmed(api: SlackAPIStandIn, count: int, timeout: float = 300) -> None:
    deadline = time.perf_counter() + timeout
    while len(api.calls_to("response_url")) < count:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"only {len(api.calls_to('response_url'))} of {count} confirmed")
        await asyncio.sleep(0.1)


async def measure_server(name: str, start, api: SlackAPIStandIn, args, *, confirms: bool) -> dict:
    port = free_port()
    before = len(api.calls_to("response_url"))
    started = time.perf_counter()
    process = start(port)
    try:
        await until_healthy(f"http://127.0.0.1:{port}/healthz", process)
        cold = time.perf_counter() - started
        cpu = cpu_seconds(process.pid)
        await asyncio.sleep(1.0)  # idle: let start-up work (threads, first GC) settle
        idle = memory_kib(process.pid)["VmRSS"]
        await fire(f"http://127.0.0.1:{port}/slack/events", api, args.requests, 50)
        if confirms:
            await until_confirmed(api, before + args.requests + WARM_UP)
        await asyncio.sleep(1.0)
        after = memory_kib(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return {
        "name": name,
        "cold": cold,
        "cpu": cpu,
        "idle": idle / 1024,
        "after": after["VmRSS"] / 1024,
        "peak": after["VmHWM"] / 1024,
    }


async def measure_imports() -> dict:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", SDK_IMPORTS],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        line = await asyncio.to_thread(process.stdout.readline)
        if line.strip() != "ready":
            raise RuntimeError("the import-only process did not start")
        cold = time.perf_counter() - started
        cpu = cpu_seconds(process.pid)
        await asyncio.sleep(1.0)
        rss = memory_kib(process.pid)["VmRSS"] / 1024
    finally:
        process.kill()
        process.wait()
    name = "only `import slack_bolt` + `botbuilder` (no server)"
    return {"name": name, "cold": cold, "cpu": cpu, "idle": rss, "after": None, "peak": None}


async def one_round(api: SlackAPIStandIn, args, folder: str, round_no: int) -> list[dict]:
    def database(tag: str) -> str:
        return prepared_database(f"sqlite:///{folder}/{tag}-{round_no}.db", 0)

    def huddle(tag: str, root=ROOT, extra=None):
        url = database(tag)  # migrated before the clock starts
        return lambda port: start_huddle(url, api, port, root=root, extra_env=extra)

    servers = [
        ("bare slack-bolt (ack only)", lambda port: start_bare(api, port), False),
        ("huddle serve · Slack only", huddle("slack"), True),
        ("huddle serve · Slack + Teams (emulator)", huddle("teams", extra=TEAMS_EMULATOR), True),
    ]
    if args.baseline_root:
        name = "before · huddle serve · Slack only"
        servers.append((name, huddle("before", root=args.baseline_root), True))
    if round_no % 2 == 0:
        servers.reverse()
    results = [await measure_imports()]
    for name, start, confirms in servers:
        results.append(await measure_server(name, start, api, args, confirms=confirms))
        print(f"  round {round_no}: {name} done", file=sys.stderr, flush=True)
    return results


def spread(values: list[float], unit: str, digits: int = 0) -> str:
    values = sorted(v for v in values if v is not None)
    if not values:
        return "n/a"
    low, middle, high = values[0], statistics.median(values), values[-1]
    return f"{low:.{digits}f} / {middle:.{digits}f} / {high:.{digits}f} {unit}"


async def main(args: argparse.Namespace) -> None:
    loads = [Path("/proc/loadavg").read_text().split()[:3]]
    every: dict[str, list[dict]] = {}
    async with SlackAPIStandIn() as api:
        api.add_workspace("T1", token=TOKEN)
        with tempfile.TemporaryDirectory() as folder:
            for round_no in range(1, args.rounds + 1):
                for result in await one_round(api, args, folder, round_no):
                    every.setdefault(result["name"], []).append(result)
                loads.append(Path("/proc/loadavg").read_text().split()[:3])
    print(
        f"\n{args.rounds} rounds, {args.requests} signed /defect requests per server and round; "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; load average (1, 5, 15 min) "
        f"before and after each round: {'; '.join(' '.join(load) for load in loads)}\n"
    )
    print(
        "| Process | cold start to /healthz | CPU by then | RSS idle | "
        f"RSS after {args.requests} requests | peak RSS |"
    )
    print("|---|---|---|---|---|---|")
    for name, results in every.items():
        print(
            f"| {name} | {spread([r['cold'] * 1000 for r in results], 'ms')} "
            f"| {spread([r['cpu'] and r['cpu'] * 1000 for r in results], 'ms')} "
            f"| {spread([r['idle'] for r in results], 'MiB', 1)} "
            f"| {spread([r['after'] for r in results], 'MiB', 1)} "
            f"| {spread([r['peak'] for r in results], 'MiB', 1)} |"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--baseline-root", type=Path, default=None)
    asyncio.run(main(parser.parse_args()))
