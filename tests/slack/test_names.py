"""People's names from users.info: looked up once, remembered for an hour, never too many."""

from __future__ import annotations

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.names import ADMIN_TTL_SECONDS, NAME_TTL_SECONDS, UserNames
from tests.slack.conftest import TOKEN


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def client(api):
    web = AsyncWebClient(token=TOKEN, base_url=api.url)
    yield web
    if web.session is not None:
        await web.session.close()


async def test_a_name_is_asked_once_and_remembered(api, client):
    api.user_names["U7"] = "Priya"
    names = UserNames()

    assert await names.name(client, "T1", "U7") == "Priya"
    assert await names.name(client, "T1", "U7") == "Priya"

    assert len(api.calls_to("users.info")) == 1


async def test_a_name_is_asked_again_after_an_hour(api, client):
    ticks = Ticks()
    names = UserNames(clock=ticks)
    api.user_names["U7"] = "Priya"
    await names.name(client, "T1", "U7")

    api.user_names["U7"] = "Priya K"  # renamed in Slack
    ticks.now += NAME_TTL_SECONDS - 1
    assert await names.name(client, "T1", "U7") == "Priya"
    ticks.now += 2
    assert await names.name(client, "T1", "U7") == "Priya K"

    assert len(api.calls_to("users.info")) == 2


async def test_only_so_many_names_are_kept_the_oldest_go_first(api, client):
    names = UserNames(size=2)
    for user in ("U1", "U2", "U3"):
        await names.name(client, "T1", user)

    await names.name(client, "T1", "U3")  # still kept
    await names.name(client, "T1", "U1")  # gone: asked again

    assert [c["user"] for c in api.calls_to("users.info")] == ["U1", "U2", "U3", "U1"]


async def test_when_slack_cannot_say_the_id_stands_in_and_is_not_remembered(api, client):
    api.fail("users.info", error="user_not_found")
    names = UserNames()

    assert await names.name(client, "T1", "U7") == "U7"
    api.user_names["U7"] = "Priya"
    assert await names.name(client, "T1", "U7") == "Priya"


async def test_a_workspace_admin_is_known_for_five_minutes_then_asked_again(api, client):
    ticks = Ticks()
    names = UserNames(clock=ticks)
    api.user_roles["U7"] = "admin"
    assert await names.is_admin(client, "T1", "U7") is True
    assert await names.name(client, "T1", "U7") == "U7"  # the same look-up answers both

    del api.user_roles["U7"]  # no longer an admin in Slack
    ticks.now += ADMIN_TTL_SECONDS - 1
    assert await names.is_admin(client, "T1", "U7") is True
    ticks.now += 2
    assert await names.is_admin(client, "T1", "U7") is False
    assert len(api.calls_to("users.info")) == 2


async def test_when_slack_cannot_say_whether_someone_is_an_admin_it_is_asked_again(api, client):
    names = UserNames()
    api.fail("users.info", error="ratelimited")
    assert await names.is_admin(client, "T1", "U7") is None
    assert await names.is_admin(client, "T1", "U7") is False
