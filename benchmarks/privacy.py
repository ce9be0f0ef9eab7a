"""Precision and recall of the privacy check on the labelled set of staff messages.

    .venv/bin/python benchmarks/privacy.py            # the table
    .venv/bin/python benchmarks/privacy.py --mistakes # and every message it got wrong

The set is ``tests/privacy/messages.yaml`` (invented messages, labelled by hand); the floor the
suite holds is in ``tests/privacy/test_labelled_set.py``. Also prints how long one pass takes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.privacy import FINDING_KINDS  # noqa: E402
from tests.privacy.labelled_set import load_messages, score  # noqa: E402


def _table(title: str, messages: list, mistakes: bool) -> None:
    labels = Counter(label for m in messages for label in m.labels)
    scores = score(messages)
    print()
    print(
        f"{title}: {len(messages)} messages, {sum(1 for m in messages if not m.labels)} with nothing"
    )
    print()
    print("| Kind | Labelled | Found right | Found wrongly | Missed | Precision | Recall |")
    print("|---|---|---|---|---|---|---|")
    for kind in FINDING_KINDS:
        s = scores.per_kind[kind]
        print(
            f"| {kind} | {labels[kind]} | {s.true_positives} | {s.false_positives} "
            f"| {s.false_negatives} | {s.precision:.2f} | {s.recall:.2f} |"
        )
    o = scores.overall
    print(
        f"| **overall** | {sum(labels.values())} | {o.true_positives} | {o.false_positives} "
        f"| {o.false_negatives} | {o.precision:.2f} | {o.recall:.2f} |"
    )
    if mistakes:
        print()
        for message, found in scores.mistakes:
            wrong = sorted(found - message.labels)
            missed = sorted(message.labels - found)
            print(
                f"- [{message.set}, {message.kind}] {message.text!r}: wrongly {wrong}, missed {missed}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mistakes", action="store_true", help="list the messages it got wrong")
    parser.add_argument("--rounds", type=int, default=5, help="timed passes over the set")
    args = parser.parse_args()

    messages = load_messages()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    print(f"commit {commit}, load average {os.getloadavg()[0]:.2f}")
    for title, chosen in (
        ("tuned (the check was adjusted while reading its mistakes)", "tuned"),
        (
            "held out (written after the check was frozen; read before the names rules changed)",
            "holdout",
        ),
        (
            "second held out (written after the names rules changed; read before they changed again)",
            "holdout2",
        ),
        ("third held out (written after the last change to the rules, never tuned on)", "holdout3"),
        ("all", None),
    ):
        part = [m for m in messages if chosen is None or m.set == chosen]
        _table(title, part, args.mistakes and chosen is None)

    walls, cpus = [], []
    for _ in range(args.rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        score(messages)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    walls.sort()
    cpus.sort()
    per = len(messages)
    print()
    print(
        f"one pass: wall min / median / max {walls[0] * 1e3:.0f} / "
        f"{walls[len(walls) // 2] * 1e3:.0f} / {walls[-1] * 1e3:.0f} ms, CPU median "
        f"{cpus[len(cpus) // 2] * 1e3:.0f} ms ({cpus[len(cpus) // 2] / per * 1e6:.0f} µs a message)"
    )


if __name__ == "__main__":
    main()
