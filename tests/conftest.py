"""Shared fixtures. Every test that takes ``engine`` runs on SQLite and on PostgreSQL.

PostgreSQL is at HUDDLE_TEST_POSTGRES_URL (default: the local server, database
``test``). When it is down the PostgreSQL half is skipped, unless
HUDDLE_REQUIRE_POSTGRES=1 (as in CI), where it fails instead.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.content import load_content
from bot.crypto import Vault, generate_key
from bot.huddle import Huddle
from bot.model import ConversationRef, Incoming, Person, Reply, ThreadReply
from tests import database


class FakeClock:
    """A clock the test moves by hand. Time is injected, never slept on."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now

    def set(self, moment: datetime) -> datetime:
        self.now = moment
        return moment


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("db") / "huddle-test.db"
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def postgres_url():
    problem = database.postgres_available()
    if problem is not None:
        if database.postgres_required():
            pytest.fail(f"PostgreSQL is required (HUDDLE_REQUIRE_POSTGRES=1) but: {problem}")
        pytest.skip(f"PostgreSQL not available: {problem}")
    url, drop = database.create_postgres_database()
    yield url
    drop()


@pytest.fixture(scope="session")
def _sqlite_engine(sqlite_url):
    engine = database.migrated_engine(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def _postgres_engine(postgres_url):
    engine = database.migrated_engine(postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request):
    """A migrated, empty database: once on SQLite, once on PostgreSQL."""
    engine = request.getfixturevalue(f"_{request.param}_engine")
    database.empty_all_tables(engine)
    return engine


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_url(request, tmp_path):
    """An empty, unmigrated database of each kind, for migration tests."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    request.getfixturevalue("postgres_url")  # skips or fails exactly like the rest of the suite
    url, drop = database.create_postgres_database()
    yield url
    drop()


@pytest.fixture
def key() -> str:
    return generate_key()


@pytest.fixture
def vault(key) -> Vault:
    return Vault([key])


@pytest.fixture
def settings(key, tmp_path) -> Settings:
    return Settings(
        HUDDLE_ENCRYPTION_KEY=key,
        DATABASE_URL="sqlite:///unused-by-fixtures.db",
        HUDDLE_KEY_FILE=tmp_path / "key",
        HUDDLE_DEFAULT_TIMEZONE="Australia/Sydney",
    )


@pytest.fixture(scope="session")
def content():
    return load_content()


@pytest.fixture
def clock() -> FakeClock:
    # A Tuesday morning in Sydney (Monday evening UTC).
    return FakeClock(datetime(2026, 11, 23, 22, 0, tzinfo=UTC))


@pytest.fixture
def huddle(engine, settings, content, vault, clock) -> Huddle:
    return Huddle(engine=engine, settings=settings, content=content, vault=vault, clock=clock)


@pytest.fixture
def worker_door(huddle, settings, engine):
    """``huddle serve``'s door: one worker process, with a core of its own on the test's
    database (the worker opens its own connections, so the settings name the database)."""
    from adapters.core_processes import InWorkers

    url = engine.url.render_as_string(hide_password=False)
    huddle.settings = settings.model_copy(update={"database_url": url})
    return InWorkers(huddle, 1)


class Chat:
    """Talk to the core like a person in a channel: ``chat("/defect list")``."""

    def __init__(
        self, huddle: Huddle, *, workspace: str = "T1", channel: str = "C1", platform: str = "slack"
    ):
        self.huddle = huddle
        self.platform = platform
        self.workspace = workspace
        self.channel = channel
        self.user = "Alex"

    def as_(self, name: str) -> Chat:
        self.user = name
        return self

    def replies(
        self, line: str, *, form: dict | None = None, event_id: str | None = None
    ) -> list[Reply]:
        command, _, text = line.lstrip("/").partition(" ")
        # "@Priya" mentions Priya, who speaks as U-priya (``as_("Priya")``).
        mentions = tuple(Person(f"U-{n.lower()}", n) for n in re.findall(r"@(\w+)", text))
        return self.huddle.handle(
            Incoming(
                mentions=mentions,
                platform=self.platform,
                workspace_id=self.workspace,
                channel_id=self.channel,
                user_id=f"U-{self.user.lower()}",
                user_name=self.user,
                command=command,
                text=text,
                form=form,
                event_id=event_id,
            )
        )

    def reply_under_the_meeting(self, text: str, *, mentions=(), user: str = "Jordan"):
        """This week's meeting posted here (as message 1700.1), and ``user`` replying under it."""
        post_id, _ = self.huddle.claim_meeting(
            ConversationRef(self.platform, self.workspace, self.channel)
        )
        self.huddle.meeting_posted(post_id, "1700.1")
        reply = ThreadReply(
            self.platform,
            self.workspace,
            self.channel,
            "1700.1",
            "1700.5",
            f"U-{user.lower()}",
            user,
            text,
            mentions=mentions,
        )
        return self.huddle.handle(reply)

    def __call__(self, line: str, **kwargs) -> str:
        return "\n".join(reply.plain() for reply in self.replies(line, **kwargs))


@pytest.fixture
def chat(huddle) -> Chat:
    return Chat(huddle)


@pytest.fixture
def other_chat(huddle) -> Chat:
    """Someone in another workspace, on the same server."""
    return Chat(huddle, workspace="T2", channel="C9")


def counted_votes(engine) -> list:
    """The nominations that count (a vote taken back stays as an inactive row)."""
    from sqlmodel import Session, select

    from bot.storage.models import Nomination

    with Session(engine) as session:
        statement = select(Nomination).where(Nomination.active).order_by(Nomination.id)
        return list(session.exec(statement))


@pytest.fixture
def log_output():
    """Everything logged while the test runs, at DEBUG, through the handler every
    process installs (``bot.logs.private_handler`` on the root logger)."""
    import io
    import logging

    from bot.logs import private_handler

    stream = io.StringIO()
    handler = private_handler(stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
