"""The labelled privacy set (messages.yaml) and how the check scores on it.

Scored per message and per kind of detail: a message labelled ``phone`` that the check finds a
phone in is a true positive for ``phone``, whatever else it finds. Used by the floor test and by
``benchmarks/privacy.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.privacy import FINDING_KINDS, check

MESSAGES = Path(__file__).resolve().parent / "messages.yaml"


@dataclass(frozen=True)
class Message:
    text: str
    kind: str
    region: str
    labels: frozenset[str]
    # "tuned" (the check was adjusted while reading its mistakes), "holdout" (written after it
    # was frozen, read before the names rules changed), "holdout2" (written after that, read
    # before they changed again) or "holdout3" (written after the last change).
    set: str = "tuned"


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        labelled = self.true_positives + self.false_negatives
        return self.true_positives / labelled if labelled else 1.0


@dataclass
class Scores:
    per_kind: dict[str, Score] = field(default_factory=dict)
    overall: Score = field(default_factory=Score)
    # Messages wrongly flagged or missed, for reading: (message, kinds found).
    mistakes: list[tuple[Message, frozenset[str]]] = field(default_factory=list)


def load_messages(path: Path = MESSAGES) -> list[Message]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]
    return [
        Message(
            text=row["text"],
            kind=row["kind"],
            region=row.get("region", "AU"),
            labels=frozenset(row["labels"]),
            set=row.get("set", "tuned"),
        )
        for row in rows
    ]


def score(messages: list[Message]) -> Scores:
    scores = Scores(per_kind={kind: Score() for kind in FINDING_KINDS})
    for message in messages:
        found = frozenset(
            f.kind for f in check(message.text, region=message.region, kind=message.kind)
        )
        for kind in FINDING_KINDS:
            bucket = scores.per_kind[kind]
            if kind in found and kind in message.labels:
                bucket.true_positives += 1
            elif kind in found:
                bucket.false_positives += 1
            elif kind in message.labels:
                bucket.false_negatives += 1
        if found != message.labels:
            scores.mistakes.append((message, found))
    for bucket in scores.per_kind.values():
        scores.overall.true_positives += bucket.true_positives
        scores.overall.false_positives += bucket.false_positives
        scores.overall.false_negatives += bucket.false_negatives
    return scores
