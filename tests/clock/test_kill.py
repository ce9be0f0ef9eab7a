"""kill -9 mid fan-out: the real clock process, killed at random posts, then run again.

Every channel ends with exactly one post: the posts never started go out on the next
run, and the one in flight at the kill (taken by Slack or not) is found or sent once.
"""

from __future__ import annotations

import random
from collections import Counter

from tests.clock.crash import StandIn, crash_round

CHANNELS = 300
ROUNDS = 5


def test_a_clock_killed_mid_fan_out_loses_nothing_and_posts_nothing_twice(tmp_path):
    chance = random.Random(11)  # issue 11; seeded, so a failure can be replayed
    rounds = []
    with StandIn(latency=0.01) as slack:
        for n in range(ROUNDS):
            folder = tmp_path / f"round{n}"
            folder.mkdir()
            nth = chance.randint(1, CHANNELS - 20)
            after_storing = chance.random() < 0.5
            rounds.append(
                crash_round(slack, folder, channels=CHANNELS, nth=nth, after_storing=after_storing)
            )
    for r in rounds:
        where = f"killed at post {r.nth} ({'after' if r.after_storing else 'before'} Slack took it)"
        assert r.killed, where
        assert (r.missed, r.doubled) == (0, 0), where
        assert r.statuses == Counter(posted=CHANNELS), where
