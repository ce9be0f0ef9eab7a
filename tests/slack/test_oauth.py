"""Multi-workspace mode: OAuth installs into Huddle's own database, one workspace never sees another."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
import sqlalchemy as sa

from adapters.slack.app import SLACK
from adapters.slack.messenger import messenger_for
from adapters.slack.stores import AUTHORIZE_TTL_SECONDS
from bot.model import ConversationRef, Reply, Visibility
from bot.storage.clock import load_targets
from bot.storage.db import transaction
from tests.slack.conftest import Slack, said, serve, slack_settings
from tests.slack.helpers import defects

CLIENT_ID = "1111.2222"


def multi_settings(api):
    return slack_settings(
        api,
        SLACK_BOT_TOKEN=None,
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET="client-secret",
    )


@pytest.fixture
async def multi(huddle, settings, api):
    api.add_oauth_code("code-a", team_id="TA", token="xoxb-team-a", name="Smile Dental")
    api.add_oauth_code("code-b", team_id="TB", token="xoxb-team-b", name="Bright Teeth")
    client = await serve(huddle, settings, multi_settings(api))
    yield client
    await client.close()


async def install(client, code: str) -> int:
    """A person clicks 'Add to Slack', approves, and Slack redirects back with a code."""
    page = await client.get("/slack/install")
    assert page.status == 200
    html = await page.text()
    link = re.search(r'href="(https://slack\.com/oauth/v2/authorize[^"]+)"', html).group(1)
    query = parse_qs(urlparse(link.replace("&amp;", "&")).query)
    assert query["client_id"] == [CLIENT_ID]
    assert "commands" in query["scope"][0]
    state = query["state"][0]
    cookie = page.headers["Set-Cookie"].split(";")[0]
    redirect = await client.get(
        f"/slack/oauth_redirect?code={code}&state={state}", headers={"Cookie": cookie}
    )
    await redirect.read()
    return redirect.status


async def test_installing_two_workspaces_stores_both_in_our_database(multi, api, engine):
    assert await install(multi, "code-a") == 200
    assert await install(multi, "code-b") == 200

    exchanges = api.calls_to("oauth.v2.access")
    assert [call["code"] for call in exchanges] == ["code-a", "code-b"]
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT team_id, bot_token FROM slack_bots ORDER BY team_id")
        ).all()
    assert [tuple(row) for row in rows] == [("TA", "xoxb-team-a"), ("TB", "xoxb-team-b")]


async def test_an_install_with_a_forged_state_is_refused(multi, api, engine):
    await multi.get("/slack/install")
    response = await multi.get("/slack/oauth_redirect?code=code-a&state=forged")

    assert response.status == 400
    assert api.calls_to("oauth.v2.access") == []


async def test_each_workspace_is_answered_with_its_own_token_and_sees_only_its_own_data(
    multi, api, engine
):
    await install(multi, "code-a")
    await install(multi, "code-b")
    a, b = Slack(multi, api, team="TA"), Slack(multi, api, team="TB")

    await a.command("/defect arrival: waited 25 minutes")
    await b.command("/wow <@U7|Priya> drove Mrs K home")
    await b.command("/defect list")

    [post] = api.calls_to("chat.postMessage")
    assert post.token == "xoxb-team-b"
    listing = api.calls_to("response_url")[-1]
    assert "No open defects" in said(listing)
    [defect] = defects(engine)
    assert defect.description == "waited 25 minutes"


async def test_a_workspace_that_never_installed_is_not_served(multi, api, engine):
    await install(multi, "code-a")
    stranger = Slack(multi, api, team="TZ")

    await stranger.command("/defect arrival: waited")

    assert defects(engine) == []
    # bolt tells the person the app isn't installed there; no Web API call is made for them.
    [told] = api.calls_to("response_url")
    assert "installation" in told["text"]
    assert api.calls_to("chat.postMessage") == []


async def test_the_messenger_finds_each_workspaces_token_in_the_store(multi, api, huddle):
    await install(multi, "code-a")
    await install(multi, "code-b")
    messenger = messenger_for(multi_settings(api), huddle)
    try:
        reply = Reply(text="Hello", visibility=Visibility.CHANNEL)
        ts_a = await messenger.send(ConversationRef("slack", "TA", "C1"), reply)
        ts_b = await messenger.send(ConversationRef("slack", "TB", "C2"), reply)
    finally:
        await messenger.close()

    assert ts_a and ts_b and ts_a != ts_b
    assert [c.token for c in api.calls_to("chat.postMessage")] == ["xoxb-team-a", "xoxb-team-b"]


async def test_uninstalling_removes_the_workspaces_tokens(multi, api, engine):
    await install(multi, "code-a")
    await install(multi, "code-b")

    await Slack(multi, api, team="TA").event({"type": "app_uninstalled"})

    with engine.connect() as connection:
        teams = connection.execute(sa.text("SELECT team_id FROM slack_bots")).scalars().all()
    assert teams == ["TB"]


def clock_targets(engine) -> list[tuple[str, str]]:
    """(workspace, channel) of every weekly meeting the clock would still post."""
    with transaction(engine) as session:
        return [(t.external_workspace_id, t.channel_id) for t in load_targets(session=session)]


async def test_uninstalling_stops_that_workspaces_weekly_meetings_and_no_others(multi, api, engine):
    await install(multi, "code-a")
    await install(multi, "code-b")
    a, b = Slack(multi, api, team="TA"), Slack(multi, api, team="TB")
    await a.command(
        "/huddle schedule monday 08:00 Australia/Sydney", channel="CA1", user="U-installer-TA"
    )
    await b.command(
        "/huddle schedule tuesday 09:00 Australia/Perth", channel="CB1", user="U-installer-TB"
    )
    assert sorted(clock_targets(engine)) == [("TA", "CA1"), ("TB", "CB1")]

    await a.event({"type": "app_uninstalled"})

    assert clock_targets(engine) == [("TB", "CB1")]


async def test_revoking_the_bot_token_stops_the_workspaces_weekly_meetings(multi, api, engine):
    await install(multi, "code-a")
    a = Slack(multi, api, team="TA")
    await a.command("/defect arrival: waited 5 minutes", channel="CA1")
    await a.command(
        "/huddle schedule monday 08:00 Australia/Sydney", channel="CA1", user="U-installer-TA"
    )

    await a.event({"type": "tokens_revoked", "tokens": {"oauth": ["U-installer-TA"]}})
    assert clock_targets(engine) == [("TA", "CA1")]  # only a person's token went

    await a.event({"type": "tokens_revoked", "tokens": {"bot": ["UBTA"]}})
    assert clock_targets(engine) == []
    assert [d.description for d in defects(engine)] == ["waited 5 minutes"]  # data kept


async def test_revoking_only_user_tokens_keeps_the_bot_installed(multi, api, engine):
    await install(multi, "code-a")

    await Slack(multi, api, team="TA").event(
        {"type": "tokens_revoked", "tokens": {"oauth": ["U-installer-TA"]}}
    )

    with engine.connect() as connection:
        teams = connection.execute(sa.text("SELECT team_id FROM slack_bots")).scalars().all()
    assert teams == ["TA"]


async def test_each_bot_token_is_checked_with_auth_test_once_not_on_every_request(
    multi, api, engine
):
    await install(multi, "code-a")
    await install(multi, "code-b")
    a, b = Slack(multi, api, team="TA"), Slack(multi, api, team="TB")
    installing = len(api.calls_to("auth.test"))  # the OAuth flow checks each new token once

    for n in range(3):
        await a.command(f"/defect arrival: waited {n} minutes")
        await b.command("/defect list")

    checked = [call.token for call in api.calls_to("auth.test")[installing:]]
    assert sorted(checked) == ["xoxb-team-a", "xoxb-team-b"]
    assert len(defects(engine)) == 3


async def test_an_uninstalled_workspace_is_not_served_from_the_authorization_cache(
    multi, api, engine
):
    await install(multi, "code-a")
    a = Slack(multi, api, team="TA")
    await a.command("/defect arrival: waited 5 minutes")

    await a.event({"type": "tokens_revoked", "tokens": {"bot": ["UBTA"]}})
    await a.command("/defect arrival: waited 6 minutes")

    assert [d.description for d in defects(engine)] == ["waited 5 minutes"]

    # Reinstalled (Slack may hand back the same token): checked afresh, then served again.
    api.add_oauth_code("code-a-again", team_id="TA", token="xoxb-team-a")
    assert await install(multi, "code-a-again") == 200
    checks = len(api.calls_to("auth.test"))
    await a.command("/defect arrival: waited 7 minutes")
    await a.command("/defect list")

    assert len(api.calls_to("auth.test")) == checks + 1
    assert len(defects(engine)) == 2


async def test_a_tidbit_saved_in_one_workspace_cannot_be_recalled_from_another(multi, api, engine):
    await install(multi, "code-a")
    await install(multi, "code-b")
    a, b = Slack(multi, api, team="TA"), Slack(multi, api, team="TB")
    secret = "new puppy called Biscuit"

    await a.command(f"/tidbit JS-1042 {secret}")
    await b.command("/tidbit JS-1042")
    await a.command("/tidbit JS-1042")

    _saved, asked_in_b, asked_in_a = api.calls_to("response_url")
    assert secret not in said(asked_in_b)
    assert secret in said(asked_in_a)
    to_b = [asked_in_b, *(c for c in api.calls if c.token == "xoxb-team-b")]
    assert all(secret not in call.text_everywhere() for call in to_b)


async def test_an_uninstall_seen_by_one_worker_stops_the_other_once_its_authorization_expires(
    multi, api, engine, huddle, settings
):
    # Each worker keeps its authorizations for AUTHORIZE_TTL_SECONDS; an uninstall it did
    # not see itself (Slack told the other worker) is seen when its entry expires.
    other = await serve(huddle, settings, multi_settings(api))  # a second web worker
    moments = [1000.0]
    other.server.app[SLACK].authorize.clock = lambda: moments[0]
    try:
        await install(multi, "code-a")
        on_first, on_second = Slack(multi, api, team="TA"), Slack(other, api, team="TA")
        await on_second.command("/defect arrival: waited 5 minutes")  # cached on the second

        await on_first.event({"type": "app_uninstalled"})
        moments[0] += AUTHORIZE_TTL_SECONDS + 1
        await on_second.command("/defect arrival: waited 6 minutes")
    finally:
        await other.close()

    assert [d.description for d in defects(engine)] == ["waited 5 minutes"]


async def test_a_token_slack_rejects_is_checked_afresh_on_the_next_request(multi, api, engine):
    # Revoked while Huddle was down: no event, but Slack's answers say so.
    await install(multi, "code-a")
    a = Slack(multi, api, team="TA")
    await a.command("/defect arrival: waited 5 minutes")
    checks = len(api.calls_to("auth.test"))
    await a.command("/huddle preview")  # served from the cache: no new check
    assert len(api.calls_to("auth.test")) == checks

    api.fail("chat.postMessage", error="invalid_auth")
    await a.command("/wow <@U2|Sam> stayed late for Mrs K")
    await a.command("/defect list")

    assert len(api.calls_to("auth.test")) == checks + 1  # the dead token was not trusted
    assert len(defects(engine)) == 1


async def test_install_page_loads_leave_no_expired_oauth_states_behind(multi, engine):
    """Anyone can load the install page; states nobody used are dropped once expired."""
    for _ in range(20):
        assert (await multi.get("/slack/install")).status == 200
    with engine.begin() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM slack_oauth_states")).scalar() == 20
        connection.execute(
            sa.text("UPDATE slack_oauth_states SET expire_at = :past"),
            {"past": "2020-01-01 00:00:00"},
        )
    assert (await multi.get("/slack/install")).status == 200
    with engine.begin() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM slack_oauth_states")).scalar() == 1
