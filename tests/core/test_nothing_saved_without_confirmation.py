"""Property: text that doesn't name a known subcommand in a valid form saves nothing unasked.

Whatever words follow `/defect`, a new Defect row appears only for `<known stage>:
<text with words>`; a recovery action only for `recover <id> <text>`. Near misses of
`/wow` and `/tidbit` subcommands before a number save no story, draft or tidbit.
"""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, func, select

from bot.huddle import Huddle
from bot.model import Incoming
from bot.storage.models import Defect, RecoveryAction, Story, StoryDraft, Tidbit
from tests.database import empty_all_tables

WORDS = [
    # subcommands and near misses of them
    "list", "lsit", "show", "shwo", "close", "cloes", "recover", "recovr", "recovery",
    "assign", "asign", "stage", "stgae", "edit", "edti", "delete", "delte", "undo", "help",
    # stages, aliases and near misses of them
    "arrival", "arival", "Arrival", "waiting", "waitng", "checkout", "chekout", "front",
    "desk", "in-the-chair", "billing", "recall",
    # ids, people, words and punctuation
    "1", "#1", "3", "12", "999999", "@Priya", "waited", "the", "lift", "called", "her",
    "back", "JS-1042", ":", "::", "...", "!", "?", "-", ",",
]  # fmt: skip
JOINERS = st.sampled_from([" ", " ", " ", ": ", ":", " : "])
PHRASES = st.lists(st.tuples(st.sampled_from(WORDS), JOINERS), min_size=1, max_size=7).map(
    lambda pairs: "".join(word + joiner for word, joiner in pairs).strip()
)


@pytest.fixture
def sqlite_only_huddle(request, settings, content, vault, clock):
    # Hypothesis runs many examples per test: one database is plenty for the parser.
    engine = request.getfixturevalue("_sqlite_engine")
    empty_all_tables(engine)
    huddle = Huddle(engine=engine, settings=settings, content=content, vault=vault, clock=clock)
    _say(huddle, "defect", "arrival: the first one, so ids have something to name")
    return huddle


def _say(huddle: Huddle, command: str, text: str):
    return huddle.handle(
        Incoming(
            platform="console",
            workspace_id="W",
            channel_id="C",
            user_id="U",
            user_name="Alex",
            command=command,
            text=text,
        )
    )


def _count(huddle: Huddle, model) -> int:
    with Session(huddle.engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def _valid_defect(content, text: str) -> bool:
    head, colon, tail = text.partition(":")
    first = text.split()[0].casefold()
    return (
        bool(colon)
        and content.find_stage(head) is not None
        and re.search(r"\w", tail) is not None
        and first not in {"list", "show", "close", "recover", "recovery", "assign", "stage"}
    )


def _valid_recovery(text: str) -> bool:
    return re.fullmatch(r"(?i)recover(y)?\s+#?\d+\s+\S.*", text) is not None


HYPOTHESIS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@HYPOTHESIS
@given(text=PHRASES)
def test_words_after_defect_log_a_defect_only_in_the_stage_and_text_form(
    sqlite_only_huddle, content, text
):
    defects, actions = (
        _count(sqlite_only_huddle, Defect),
        _count(sqlite_only_huddle, RecoveryAction),
    )
    _say(sqlite_only_huddle, "defect", text)
    if _count(sqlite_only_huddle, Defect) > defects:
        assert _valid_defect(content, text), f"/defect {text} saved a defect unasked"
    if _count(sqlite_only_huddle, RecoveryAction) > actions:
        assert _valid_recovery(text), f"/defect {text} saved a recovery action unasked"


TYPOS = {
    "wow": ["nominat", "nomiate", "edti", "delte", "undoo", "heor"],
    "tidbit": ["forgot", "froget", "edti", "undoo"],
}


@HYPOTHESIS
@given(
    command=st.sampled_from(sorted(TYPOS)),
    data=st.data(),
    ids=st.lists(st.integers(1, 50).map(str), max_size=3),
)
def test_a_near_miss_before_ids_saves_no_story_and_no_tidbit(
    sqlite_only_huddle, command, data, ids
):
    typo = data.draw(st.sampled_from(TYPOS[command]))
    [reply] = _say(sqlite_only_huddle, command, " ".join([typo, *ids]))
    assert "Did you mean" in reply.text
    for model in (Story, StoryDraft, Tidbit):
        assert _count(sqlite_only_huddle, model) == 0


LIST_WORDS = [
    "open", "closed", "clsoed", "all", "mine", "mnie", "more", "page", "2", "arrival",
    "arival", "front", "desk", "@Priya", "banana", "lsit", "#3", "owner=U-priya",
]  # fmt: skip


@HYPOTHESIS
@given(words=st.lists(st.sampled_from(LIST_WORDS), max_size=5))
def test_every_word_after_defect_list_is_understood_or_answered(sqlite_only_huddle, words):
    [reply] = _say(sqlite_only_huddle, "defect", " ".join(["list", *words]))
    said = reply.plain()
    understood = "defects" in said.casefold() or "only 1 page" in said
    answered = any(
        a in said for a in ("Did you mean `/defect list", "I don't know", "can't tell who")
    )
    assert understood or answered, said
    assert not (answered and reply.fields), "a refused filter lists nothing"
