"""Sign in with Microsoft as the Teams person Huddle met: Teams posts carry each sender's
``aadObjectId``; Microsoft's ``oid`` is that id, so the dashboard knows the Teams user.

Over the wire: Bot Framework activities POSTed to /api/messages (Emulator mode, replies
to the Bot Connector stand-in), then Sign in with Microsoft through its stand-in.
"""

from __future__ import annotations

import functools
import itertools

import aiohttp
import pytest
from sqlmodel import select

from adapters.teams.app import mount as teams_mount
from adapters.teams.connector import RetryPolicy
from adapters.teams.settings import TeamsSettings
from bot.storage.db import transaction
from bot.storage.directory_ids import DirectoryPerson
from bot.storage.models import Defect
from tests.dashboard.conftest import Browser
from tests.dashboard_world import TENANT, seed, serve_world
from tests.standins.bot_connector import BotConnectorStandIn

ELSEWHERE = "99999999-8888-7777-6666-555555555555"  # another practice's tenant


async def _no_sleep(seconds: float) -> None:
    pass


@pytest.fixture
async def world(huddle, clock, tmp_path):
    connector = BotConnectorStandIn()
    await connector.start()
    teams = functools.partial(
        teams_mount,
        teams_settings=TeamsSettings(MICROSOFT_APP_ID="", TEAMS_UNAUTHENTICATED_EMULATOR_MODE=True),
        retry=RetryPolicy(sleep=_no_sleep),
    )
    world = await serve_world(huddle, tmp_path, mounts=[teams])
    world.ids = seed(huddle, clock())
    world.connector = connector
    yield world
    await world.close()
    await connector.close()


@pytest.fixture
async def browser(world):
    person = Browser(world)
    yield person
    await person.close()


_ids = itertools.count(1)


async def teams_post(
    world, kind="message", *, name: str, oid: str, tenant=TENANT, user_id=None, **extra
):
    """One activity from ``name`` (``29:name``) in a personal chat, as Teams sends it."""
    user_id = user_id or f"29:{name.lower()}"
    body = {
        "type": kind,
        "id": f"act-{next(_ids)}",
        "timestamp": "2026-11-23T22:00:00.000Z",
        "serviceUrl": world.connector.url,
        "channelId": "msteams",
        "from": {"id": user_id, "name": name, "aadObjectId": oid},
        "conversation": {
            "id": f"a:1on1-{user_id}",
            "conversationType": "personal",
            "tenantId": tenant,
        },
        "recipient": {"id": "28:huddle-bot", "name": "Huddle"},
        "channelData": {"tenant": {"id": tenant}},
        **extra,
    }
    origin = world.url.removesuffix("/dashboard")
    async with (
        aiohttp.ClientSession() as client,  # Teams' channel, not a browser
        client.post(f"{origin}/api/messages", json=body) as response,
    ):
        assert response.status in (200, 201, 202), await response.text()


async def test_a_teams_admin_signed_in_with_microsoft_opens_the_admin_pages(browser, world):
    # Nia adds Huddle in Teams: she is an admin from then on, and Teams says her directory id.
    await teams_post(world, "installationUpdate", name="Nia", oid="oid-nia", action="add")
    status, page = await browser.sign_in_with_microsoft(TENANT, "oid-nia", "Nia Microsoft")
    assert status == 200 and "Harbour Dental" in page
    assert "Nia · admin" in page  # the name Teams shows, and her role there
    status, page = await browser.get("/admins")
    assert status == 200 and "Nia" in page
    status, _ = await browser.get("/settings")
    assert status == 200


async def test_a_teams_member_signed_in_with_microsoft_is_that_teams_user(browser, world):
    await teams_post(
        world,
        name="Omar",
        oid="oid-omar",
        text="defect arrival: nobody said hello for ten minutes",
        textFormat="plain",
    )
    status, page = await browser.sign_in_with_microsoft(TENANT, "oid-omar", "Omar")
    assert status == 200 and "hasn't met this Microsoft account" not in page
    assert "Omar · admin" not in page
    status, _ = await browser.get("/admins")
    assert status == 403
    with transaction(world.huddle.engine) as session:
        [mine] = session.exec(
            select(Defect).where(Defect.workspace_id == world.ids["harbour"])
        ).all()
        mine_id = mine.id
    status, page = await browser.post(
        f"/defects/{mine_id}/recover", {"action": "apologised and walked her in", "once": "o1"}
    )
    assert status == 200, page
    with transaction(world.huddle.engine) as session:
        found = session.get(Defect, mine_id)
        # The dashboard's Omar is chat's Omar: the recovery's owner is his Teams id.
        assert found.owner_id == "29:omar" and found.reporter_id == "29:omar"


async def test_someone_never_seen_in_teams_signs_in_as_a_plain_member_with_a_note(browser, world):
    status, page = await browser.sign_in_with_microsoft(TENANT, "oid-zoe", "Zoe")
    assert status == 200 and "Harbour Dental" in page and "Zoe" in page
    assert "hasn't met this Microsoft account in Teams yet" in page
    assert "Zoe · admin" not in page
    status, _ = await browser.get("/admins")
    assert status == 403


async def test_the_same_directory_id_in_another_workspace_matches_nobody_here(browser, world):
    # Pat administers another practice's Teams (another tenant), under the same object id.
    await teams_post(
        world, "installationUpdate", name="Pat", oid="oid-pat", tenant=ELSEWHERE, action="add"
    )
    status, page = await browser.sign_in_with_microsoft(TENANT, "oid-pat", "Pat")
    assert status == 200 and "Harbour Dental" in page
    assert "hasn't met this Microsoft account in Teams yet" in page
    status, _ = await browser.get("/admins")
    assert status == 403
    with transaction(world.huddle.engine) as session:
        [row] = session.exec(
            select(DirectoryPerson).where(DirectoryPerson.directory_id == "oid-pat")
        ).all()
        assert row.workspace_id != world.ids["harbour"]  # kept, for the other practice only


async def test_a_changed_teams_name_is_the_name_signed_in_with(browser, world):
    await teams_post(world, "installationUpdate", name="Nia", oid="oid-nia", action="add")
    await teams_post(
        world, name="Niamh", user_id="29:nia", oid="oid-nia", text="defect list", textFormat="plain"
    )
    with transaction(world.huddle.engine) as session:
        [row] = session.exec(
            select(DirectoryPerson).where(DirectoryPerson.directory_id == "oid-nia")
        ).all()
        assert (row.user_id, row.name) == ("29:nia", "Niamh")
    status, page = await browser.sign_in_with_microsoft(TENANT, "oid-nia", "Nia")
    assert status == 200 and "Niamh" in page
