"""Upgrading forgets the Teams references whose serviceUrl is not Microsoft's (0008)."""

from __future__ import annotations

import importlib.util
import json
from datetime import datetime

import sqlalchemy as sa

from adapters.teams.service_urls import DEFAULT_SERVICE_URL_HOSTS
from bot.storage import db
from tests.database import insert_row

BEFORE = "0007_clock_periods"
AFTER = "0008_teams_service_urls"


def migration():
    """The migration module itself (its file name starts with a digit)."""
    path = db.MIGRATIONS / "versions" / f"{AFTER}.py"
    spec = importlib.util.spec_from_file_location(AFTER, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


KEPT = {
    "C-public": "https://smba.trafficmanager.net/amer/",
    "C-gcch": "https://smba.infra.gov.teams.microsoft.us/teams",
    "C-webchat": "https://webchat.botframework.com/",
}
FORGOTTEN = {
    "C-evil": "https://evil.example/",
    "C-http": "http://smba.trafficmanager.net/teams/",
    "C-lookalike": "https://smba.trafficmanager.net.evil.example/",
    "C-emulator": "http://localhost:56789",
    "C-none": None,
}


def test_upgrading_forgets_teams_references_that_point_anywhere_but_microsoft(fresh_url):
    engine = db.make_engine(fresh_url)
    db.upgrade(engine, BEFORE)
    now = datetime(2026, 11, 30, 8)
    with engine.begin() as connection:
        for platform, external in (("teams", "tenant-1"), ("slack", "T1")):
            insert_row(
                connection,
                "workspace",
                platform=platform,
                external_id=external,
                timezone="UTC",
                created_at=now,
            )
        for channel, url in {**KEPT, **FORGOTTEN}.items():
            data = {"conversation": {"id": channel}, "bot": {"id": "28:huddle"}}
            if url is not None:
                data["serviceUrl"] = url
            insert_row(
                connection,
                "conversation_reference",
                workspace_id=1,
                channel_id=channel,
                kind="channel",
                data=json.dumps(data),
                updated_at=now,
            )
        insert_row(  # not JSON at all
            connection,
            "conversation_reference",
            workspace_id=1,
            channel_id="C-garbled",
            kind="channel",
            data="{not json",
            updated_at=now,
        )
        insert_row(  # another platform's reference is not the Teams adapter's to judge
            connection,
            "conversation_reference",
            workspace_id=2,
            channel_id="C-slack",
            kind="channel",
            data=json.dumps({"serviceUrl": "https://evil.example/"}),
            updated_at=now,
        )
    db.upgrade(engine, AFTER)
    with engine.connect() as connection:
        left = set(
            connection.execute(sa.text("SELECT channel_id FROM conversation_reference")).scalars()
        )
    engine.dispose()
    assert left == {*KEPT, "C-slack"}


def test_the_migrations_copy_of_the_default_list_is_the_adapters():
    assert tuple(migration().DEFAULT_SERVICE_URL_HOSTS) == DEFAULT_SERVICE_URL_HOSTS


def test_the_migration_and_the_adapter_judge_urls_alike():
    from adapters.teams.service_urls import ServiceUrls

    check = migration().is_microsofts
    for url in [*KEPT.values(), *FORGOTTEN.values(), "https://user@smba.trafficmanager.net/"]:
        assert check(url) is ServiceUrls().allows(url), url
