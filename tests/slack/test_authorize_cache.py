"""Multi-workspace acks: a workspace's authorization is read from the store once, not per request,
and read again after an uninstall, a token revocation, a token Slack refuses, or a reinstall."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.slack.conftest import Slack, serve
from tests.slack.helpers import defects
from tests.slack.test_oauth import install, multi_settings


class StoreReads:
    """Counts the queries that read slack-sdk's installation store (its two tables)."""

    def __init__(self, engine):
        self.engine = engine
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        text = statement.lstrip().upper()
        if text.startswith("SELECT") and ("SLACK_BOTS" in text or "SLACK_INSTALLATIONS" in text):
            self.count += 1

    def close(self):
        sa.event.remove(self.engine, "before_cursor_execute", self._seen)


@pytest.fixture
async def multi(huddle, settings, api):
    api.add_oauth_code("code-a", team_id="TA", token="xoxb-team-a", name="Smile Dental")
    api.add_oauth_code("code-b", team_id="TB", token="xoxb-team-b", name="Bright Teeth")
    client = await serve(huddle, settings, multi_settings(api))
    yield client
    await client.close()


@pytest.fixture
def reads(engine):
    counter = StoreReads(engine)
    yield counter
    counter.close()


async def _installed(multi, api, reads) -> Slack:
    await install(multi, "code-a")
    a = Slack(multi, api, team="TA")
    await a.command("/defect arrival: waited 1 minute")  # the first request reads the store
    reads.count = 0
    return a


async def test_repeated_commands_in_one_workspace_read_the_store_once(multi, api, engine, reads):
    await install(multi, "code-a")
    await install(multi, "code-b")
    a, b = Slack(multi, api, team="TA"), Slack(multi, api, team="TB")
    reads.count = 0

    for n in range(5):
        await a.command(f"/defect arrival: waited {n} minutes")
    await b.command("/defect list")
    await b.command("/huddle preview")

    assert reads.count == 2  # once per workspace
    assert len(defects(engine)) == 5


async def test_an_uninstall_makes_the_next_request_read_the_store_again(multi, api, engine, reads):
    a = await _installed(multi, api, reads)

    await a.event({"type": "app_uninstalled"})
    reads.count = 0
    await a.command("/defect arrival: waited 6 minutes")

    assert reads.count >= 1
    assert [d.description for d in defects(engine)] == ["waited 1 minute"]  # not served


async def test_a_token_revocation_makes_the_next_request_read_the_store_again(
    multi, api, engine, reads
):
    a = await _installed(multi, api, reads)

    await a.event({"type": "tokens_revoked", "tokens": {"bot": ["UBTA"]}})
    reads.count = 0
    await a.command("/defect arrival: waited 6 minutes")

    assert reads.count >= 1
    assert [d.description for d in defects(engine)] == ["waited 1 minute"]


async def test_an_invalid_auth_answer_makes_the_next_request_read_the_store_again(
    multi, api, engine, reads
):
    a = await _installed(multi, api, reads)
    await a.command("/huddle preview")
    assert reads.count == 0  # served from the cache

    api.fail("chat.postMessage", error="invalid_auth")
    await a.command("/wow <@U2|Sam> stayed late for Mrs K")
    assert reads.count == 0
    await a.command("/defect arrival: waited 2 minutes")

    assert reads.count == 1


async def test_a_reinstall_makes_the_next_request_read_the_store_and_use_the_new_token(
    multi, api, engine, reads
):
    a = await _installed(multi, api, reads)
    del api.workspaces["xoxb-team-a"]  # Slack hands out a new token; the old one stops working
    api.add_oauth_code("code-a-again", team_id="TA", token="xoxb-team-a-new")

    assert await install(multi, "code-a-again") == 200
    reads.count = 0
    await a.command("/wow <@U2|Sam> stayed late for Mrs K")
    await a.command("/defect list")

    assert reads.count == 1
    assert [c.token for c in api.calls_to("chat.postMessage")] == ["xoxb-team-a-new"]
