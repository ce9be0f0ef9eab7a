"""The dashboard over real HTTP, with a cookie-keeping client (``aiohttp.ClientSession``)."""

from __future__ import annotations

import re

import aiohttp
import pytest

from tests.dashboard_world import seed, serve_world


@pytest.fixture
async def world(huddle, clock, tmp_path):
    world = await serve_world(huddle, tmp_path)
    world.ids = seed(huddle, clock())
    yield world
    await world.close()


class Browser:
    """A person's browser without JavaScript: follows redirects, keeps cookies."""

    def __init__(self, world):
        self.world = world
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))

    async def get(self, path: str, **kwargs) -> tuple[int, str]:
        async with self.session.get(self.world.url + path, **kwargs) as response:
            return response.status, await response.text()

    async def post(self, path: str, data: dict | None = None, *, csrf: bool = True, **kwargs):
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf", await self.csrf())
        async with self.session.post(self.world.url + path, data=form, **kwargs) as response:
            return response.status, await response.text()

    async def csrf(self) -> str:
        _, page = await self.get("/signin")
        found = re.search(r'name="csrf-token" content="([^"]+)"', page)
        assert found, "every page carries the CSRF token"
        return found.group(1)

    async def sign_in_with_slack(self, team: str, user_id: str, name: str) -> tuple[int, str]:
        self.world.slack.openid.sign_in_as(team, user_id, name)
        return await self.get("/signin/slack")

    async def sign_in_with_microsoft(self, tenant: str, oid: str, name: str):
        self.world.microsoft.sign_in_as(tenant, oid, name)
        ssl = __import__("ssl").create_default_context(cafile=str(self.world.microsoft.ca_file))
        return await self.get("/signin/microsoft", ssl=ssl)

    async def close(self) -> None:
        await self.session.close()


@pytest.fixture
async def browser(world):
    person = Browser(world)
    yield person
    await person.close()


@pytest.fixture
async def second_browser(world):
    person = Browser(world)
    yield person
    await person.close()
