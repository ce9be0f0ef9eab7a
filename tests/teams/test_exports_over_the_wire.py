"""Exports on Teams: a bot can't attach a CSV in most chats, so the admin gets a card with a
link that works once, for 15 minutes, in their 1:1 chat; over HTTP to the running app."""

from __future__ import annotations

import codecs
import functools
import re

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.downloads import mount as mount_downloads
from adapters.teams.app import mount
from adapters.teams.connector import RetryPolicy
from adapters.web import build_web_app
from bot.storage.downloads import Download
from tests.teams.conftest import CHANNEL, Teams, card_actions, emulator_settings, rows

PUBLIC = "https://huddle.example.com"


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"public_url": PUBLIC})


@pytest.fixture
async def served(huddle, settings, bot_connector, sleeps):
    """``huddle serve`` with the Teams and the downloads mounts."""
    app = build_web_app(
        huddle,
        settings,
        mounts=[
            functools.partial(
                mount, teams_settings=emulator_settings(), retry=RetryPolicy(sleep=sleeps)
            ),
            mount_downloads,
        ],
    )
    client = TestClient(TestServer(app))
    await client.start_server()
    yield client
    await client.close()


@pytest.fixture
def teams(served, bot_connector) -> Teams:
    return Teams(served, bot_connector.url)


def link_of(post) -> str:
    [card] = post.cards
    [action] = card_actions(card)
    assert action["type"] == "Action.OpenUrl"
    return action["url"]


async def ask_for_export(teams, bot_connector, line="huddle export defects", **where):
    await teams.say("huddle emoji star", **where)  # Alex becomes the first admin
    await teams.say("defect arrival: waited 25 minutes (JS-1042)", **where)
    bot_connector.posted.clear()
    assert await teams.say(line, **where) == 201
    private = bot_connector.in_conversation("a:1on1-29:alex")
    assert len(private) == 2  # the answer, then the link card
    return private


async def test_an_admin_gets_a_link_card_and_the_link_works_once(teams, bot_connector, served):
    answer, card_post = await ask_for_export(teams, bot_connector)
    assert "1 defect in huddle-defects-all.csv" in answer.everything()
    url = link_of(card_post)
    assert re.fullmatch(rf"{PUBLIC}/downloads/[\w-]{{40,}}", url)
    assert "works once, within 15 minutes" in card_post.everything()
    path = url.removeprefix(PUBLIC)

    page = await served.get(path)  # opening the link (or a scanner fetching it) takes nothing
    assert page.status == 200 and "huddle-defects-all.csv" in await page.text()
    got = await served.post(path)
    assert got.status == 200
    assert got.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in got.headers["Content-Disposition"]
    assert got.headers["Cache-Control"] == "no-store"
    body = await got.read()
    assert body.startswith(codecs.BOM_UTF8) and b"waited 25 minutes" in body

    again = await served.post(path)
    assert again.status == 404 and "expired or was already used" in await again.text()
    assert (await served.get(path)).status == 404


async def test_asked_in_a_channel_the_link_goes_only_to_the_admins_private_chat(
    teams, bot_connector
):
    await ask_for_export(teams, bot_connector, scope="channel", mention=True)
    for post in bot_connector.in_conversation(CHANNEL):
        assert "/downloads/" not in post.everything()


async def test_an_expired_or_unknown_link_is_404_and_expired_files_are_purged(
    teams, bot_connector, served, huddle, clock
):
    _, card_post = await ask_for_export(teams, bot_connector)
    path = link_of(card_post).removeprefix(PUBLIC)
    assert (await served.post("/downloads/not-a-token")).status == 404
    assert (await served.get("/downloads/not-a-token")).status == 404

    clock.advance(minutes=15)
    assert (await served.get(path)).status == 404
    assert (await served.post(path)).status == 404

    _, card_post = await ask_for_export(teams, bot_connector)
    clock.advance(minutes=16)
    from bot.clock.jobs import JOBS

    report = await JOBS["purge-downloads"](huddle, {}, clock())
    assert report.removed == 1 and rows(huddle.engine, Download) == []


async def test_the_file_is_stored_encrypted_and_never_in_the_clear(teams, bot_connector, huddle):
    await ask_for_export(teams, bot_connector, "huddle export defects with refs")
    [stored] = rows(huddle.engine, Download)
    assert "JS-1042" not in stored.data_enc and "waited" not in stored.data_enc
    assert stored.user_id == "29:alex" and len(stored.token_hash) == 64


async def test_someone_who_is_not_an_admin_gets_no_link(teams, bot_connector, huddle):
    await teams.say("huddle emoji star")
    bot_connector.posted.clear()
    await teams.say("huddle export defects", user="Priya")
    shown = " ".join(p.everything() for p in bot_connector.posted)
    assert "Only the practice's admins" in shown and "/downloads/" not in shown
    assert rows(huddle.engine, Download) == []


async def test_without_a_public_url_the_card_says_what_the_operator_must_set(
    huddle, bot_connector, served, teams
):
    huddle.settings = huddle.settings.model_copy(update={"public_url": None})
    _, card_post = await ask_for_export(teams, bot_connector)
    assert "HUDDLE_PUBLIC_URL" in card_post.everything()
    assert card_actions(card_post.cards[0]) == []
    assert rows(huddle.engine, Download) == []
