"""Whatever people type, Huddle answers kindly and never half-writes anything."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from bot.commands import COMMANDS as TABLE
from bot.door import SORRY
from bot.huddle import Huddle
from bot.model import Incoming, Visibility
from bot.storage.models import Defect, Tidbit
from tests.database import empty_all_tables

COMMANDS = sorted(TABLE)  # every command of the table, so a new one is covered too
texts = st.one_of(
    st.text(max_size=300),
    st.builds(
        lambda word, rest: f"{word} {rest}",
        st.sampled_from(
            [
                "list",
                "recover",
                "close",
                "stage",
                "forget",
                "nominate",
                "schedule",
                "skip",
                "pause",
                "timezone",
                "emoji",
                "blueprint",
                "help",
                "arrival:",
                "JS-1",
            ]
        ),
        st.text(max_size=80),
    ),
)


@pytest.fixture
def sqlite_only_huddle(request, settings, content, vault, clock):
    # Hypothesis runs many examples per test: one database is plenty for the parser.
    engine = request.getfixturevalue("_sqlite_engine")
    empty_all_tables(engine)
    return Huddle(engine=engine, settings=settings, content=content, vault=vault, clock=clock)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(command=st.sampled_from(COMMANDS), text=texts)
def test_any_text_gets_a_reply_and_never_an_error(sqlite_only_huddle, command, text):
    replies = sqlite_only_huddle.handle(
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
    assert replies, "every command gets an answer"
    for reply in replies:
        assert reply.plain().strip()
        assert SORRY not in reply.text  # bad input is the person's to fix, not a crash


@pytest.mark.parametrize("text", ["", "   ", "\t\n", "😀", "ß∂ƒ©", "🦷 " * 10])
@pytest.mark.parametrize("command", COMMANDS)
def test_empty_and_non_ascii_input_gets_a_helpful_reply(chat, command, text):
    [reply] = chat.replies(f"/{command} {text}")
    assert reply.plain().strip()
    assert SORRY not in reply.text


def test_emoji_and_accents_are_kept_exactly(chat):
    [post] = chat.replies("/wow @Zoë brought 🌷 for Mrs Ñúñez's birthday")
    assert post.text == "@Zoë brought 🌷 for Mrs Ñúñez's birthday"
    chat.as_("Sam")("/wow nominate 1")
    assert "@Zoë brought 🌷 for Mrs Ñúñez's birthday" in chat("/huddle leaderboard")
    chat("/tidbit ÑÚ-7 loves 🐕 walks")
    assert "loves 🐕 walks" in chat("/tidbit ñú-7")


def test_an_input_longer_than_any_command_allows_is_refused_whole(chat, engine):
    reply = chat("/defect arrival: " + "a" * 5000)
    assert "more than I can take in one go" in reply
    with Session(engine) as session:
        assert session.exec(select(Defect)).all() == []


def test_a_failure_mid_command_rolls_everything_back(chat, engine, huddle):
    """A defect whose recovery action is refused is not saved half-way."""
    form = {"stage": "arrival", "description": "waited", "recovery": "r" * 1001}
    assert "at most 1000" in chat("/defect", form=form)
    with Session(engine) as session:
        assert session.exec(select(Defect)).all() == []


def test_an_unexpected_error_is_an_apology_and_nothing_is_kept(chat, engine, huddle, vault):
    class BrokenVault:
        def __getattr__(self, name):
            raise RuntimeError("disk on fire")

    huddle.vault = BrokenVault()
    [reply] = chat.replies("/tidbit JS-1 loves sailing")
    assert reply.text == SORRY and reply.visibility is Visibility.PRIVATE
    with Session(engine) as session:
        assert session.exec(select(Tidbit)).all() == []


def test_the_apology_log_line_holds_no_patient_data(chat, huddle, caplog):
    class BrokenVault:
        def encrypt(self, text):
            raise RuntimeError(f"cannot encrypt {text}")

        def __getattr__(self, name):
            raise RuntimeError("broken")

    huddle.vault = BrokenVault()
    chat("/tidbit JS-1042 daughter's wedding in June")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "command failed" in logged
    assert "JS-1042" not in caplog.text and "wedding" not in caplog.text


def test_a_database_error_shows_the_sql_but_not_the_values_that_were_written(engine):
    # PostgreSQL's own DETAIL line may still quote a key; the log formatter
    # (tests/core/test_logs.py) withholds exception messages altogether.
    import sqlalchemy as sa

    from bot.storage.models import Workspace

    with pytest.raises(sa.exc.StatementError) as raised, engine.begin() as connection:
        connection.execute(sa.insert(Workspace.__table__).values(name="Mrs Jones"))

    assert "INSERT INTO workspace" in str(raised.value)
    assert "hidden due to hide_parameters" in str(raised.value)


@pytest.mark.parametrize("number", ["2147483648", "99999999999", "9" * 40])
def test_an_id_too_big_for_any_table_gets_the_same_reply_as_any_bad_id(chat, number):
    for line in (f"/defect close {number}", f"/wow nominate {number}", f"/tidbit forget {number}"):
        reply = chat(line)
        assert "number there, for example" in reply
        assert SORRY not in reply


def test_nul_bytes_in_what_people_type_are_dropped_not_a_crash(chat):
    assert "Defect #1 logged" in chat("/defect arrival: waited\x00 25 minutes")
    assert "waited 25 minutes" in chat("/defect list")


@pytest.mark.parametrize("field", ["workspace_id", "channel_id", "user_id"])
def test_an_id_with_a_nul_byte_or_of_any_length_is_refused_before_the_database(
    huddle, engine, field
):
    from bot.door import UNREADABLE
    from bot.storage.models import Workspace

    for bad in ("T\x001", "x" * 5000, " "):
        incoming = Incoming(
            platform="slack",
            workspace_id="T1",
            channel_id="C1",
            user_id="U1",
            user_name="Alex",
            command="defect",
            text="arrival: waited",
        )
        import dataclasses

        [reply] = huddle.handle(dataclasses.replace(incoming, **{field: bad}))
        assert reply.text == UNREADABLE
    with Session(engine) as session:
        assert session.exec(select(Defect)).all() == []
        assert session.exec(select(Workspace)).all() == []
