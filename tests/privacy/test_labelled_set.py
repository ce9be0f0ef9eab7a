"""The check holds its precision and recall on the labelled set of staff messages.

Floors set a little under what the check measured when they were set, so a change that makes
it worse fails here.
"""

import pytest

from bot.privacy import FINDING_KINDS, TEXT_KINDS
from bot.privacy.wordlists import PRIVACY_CONTENT_DIR
from tests.privacy.labelled_set import load_messages, score

# Measured on the whole set (406 messages) at the last change to the rules; see the "Privacy
# checks" section of benchmarks/README.md for the held-out parts, which score lower.
OVERALL_RECALL = 0.93  # measured 0.96
OVERALL_PRECISION = 0.90  # measured 0.93
# Names are the weak kind: Title Case pairs that are not people ("Red Cross", "Children's
# Hospital") are flagged (precision 0.84), and lower-case names that are also words ("frank
# delaney") are missed (recall 0.93).
PER_KIND_RECALL = {
    "name": 0.90,
    "phone": 0.95,
    "email": 0.95,
    "birthdate": 0.95,
    "clinical": 0.92,
    "address": 0.95,
}
PER_KIND_PRECISION = {
    "name": 0.80,
    "phone": 0.95,
    "email": 0.95,
    "birthdate": 0.95,
    "clinical": 0.92,
    "address": 0.95,
}


@pytest.fixture(scope="module")
def scores():
    return score(load_messages())


def test_the_set_has_at_least_200_messages_of_every_kind_of_text_and_detail():
    messages = load_messages()
    assert len(messages) >= 200
    assert sum(1 for m in messages if m.set.startswith("holdout")) >= 150
    assert {m.kind for m in messages} == set(TEXT_KINDS)
    labels = [label for m in messages for label in m.labels]
    assert set(labels) == set(FINDING_KINDS)
    assert all(labels.count(kind) >= 10 for kind in FINDING_KINDS)
    assert sum(1 for m in messages if not m.labels) >= 80


def test_overall_recall_and_precision_hold_their_floors(scores):
    assert scores.overall.recall >= OVERALL_RECALL
    assert scores.overall.precision >= OVERALL_PRECISION


@pytest.mark.parametrize("kind", FINDING_KINDS)
def test_each_kind_of_detail_holds_its_floor(scores, kind):
    assert scores.per_kind[kind].recall >= PER_KIND_RECALL[kind]
    assert scores.per_kind[kind].precision >= PER_KIND_PRECISION[kind]


def test_every_shipped_word_list_names_its_source_and_licence():
    for path in PRIVACY_CONTENT_DIR.glob("*.txt"):
        header = path.read_text(encoding="utf-8").split("\n\n", 1)[0].lower()
        assert "written for this project" in header, path.name
        assert "licence" in header, path.name
