"""Does a clock killed at random points of a fan-out lose or double any post?

Each run: a fresh SQLite file with ``--channels`` Slack channels all due, one
``huddle jobs run monday-meeting`` process posting through the Slack messenger to the
Slack Web API stand-in (``tests/standins/slack_api.py``, in its own process, answering
every call after ``--latency`` seconds), and a SIGKILL from the stand-in when the
clock's nth post arrives, nth drawn at random from the whole fan-out, before Slack
stores that post or after it stored it and before it answers (the answer is lost).
Then the job runs again to the end, once the send timeout (1 s here) has passed, and
the stand-in counts each channel's posts. The script reports, over all runs, the
channels that got no post (missed) and more than one (doubled): the goal is 0 and 0.

    .venv/bin/python benchmarks/clock_faults.py [--runs 50] [--channels 1000] [--seed 11]
        [--latency 0.01] [--concurrency 10]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.clock.crash import StandIn, crash_round  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--latency", type=float, default=0.01, help="seconds per API call")
    parser.add_argument("--concurrency", type=int, default=10, help="posts in flight")
    args = parser.parse_args()

    chance = random.Random(args.seed)
    started = time.monotonic()
    rounds = []
    with StandIn(latency=args.latency) as slack, tempfile.TemporaryDirectory() as folder:
        for n in range(args.runs):
            here = Path(folder) / f"run{n}"
            here.mkdir()
            nth = chance.randint(1, args.channels)
            after_storing = chance.random() < 0.5
            r = crash_round(
                slack,
                here,
                channels=args.channels,
                nth=nth,
                after_storing=after_storing,
                concurrency=args.concurrency,
            )
            rounds.append(r)
            left = r.after_kill
            print(
                f"run {n + 1:3d}: killed at post {nth:4d} "
                f"({'after' if after_storing else 'before'} Slack stored it): "
                f"left posted {left.get('posted', 0)}, sending {left.get('sending', 0)}, "
                f"claimed {left.get('claimed', 0)}; "
                f"in the end missed {r.missed}, doubled {r.doubled} ({r.seconds:.1f} s)",
                flush=True,
            )
    wall = time.monotonic() - started
    missed = sum(r.missed for r in rounds)
    doubled = sum(r.doubled for r in rounds)
    sending = [r.after_kill.get("sending", 0) for r in rounds]
    final = sum((r.statuses for r in rounds), Counter())
    print()
    print(f"runs                         {len(rounds)} of {args.channels} channels each")
    print(f"kills that went off          {sum(r.killed for r in rounds)}")
    print(
        f"rows left sending by a kill  {min(sending)} to {max(sending)} (marked ahead or in flight)"
    )
    print(f"final states of all claims   {dict(final)}")
    print(f"missed posts                 {missed}")
    print(f"doubled posts                {doubled}")
    print(f"wall time                    {wall:.0f} s")
    return 0 if missed == doubled == 0 and all(r.killed for r in rounds) else 1


if __name__ == "__main__":
    sys.exit(main())
