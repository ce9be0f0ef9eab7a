"""Signing in without passwords: Slack, Microsoft, a one-time link; and signing out."""

from __future__ import annotations

from tests.dashboard_world import TENANT


async def test_sign_in_with_slack_opens_the_practice_of_the_team_id_claim(browser):
    status, page = await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    assert status == 200, page
    assert "Smile Dental" in page and "Dana" in page
    assert "Other Practice" not in page


async def test_sign_in_with_microsoft_opens_the_practice_of_the_tenant(browser, world):
    status, page = await browser.sign_in_with_microsoft(TENANT, "oid-mia", "Mia")
    assert status == 200, page
    assert "Harbour Dental" in page and "Mia" in page
    [request] = world.microsoft.token_requests
    assert request["code_verifier"] and request["client_secret"] == "microsoft-secret"


async def test_a_workspace_huddle_is_not_in_signs_nobody_in(browser):
    status, page = await browser.sign_in_with_slack("T-unknown", "U-x", "Xavier")
    assert status == 400 and "in that workspace yet" in page
    _, page = await browser.get("/defects")
    assert "Sign in with Slack" in page


async def test_a_callback_this_browser_did_not_start_is_refused(browser, second_browser, world):
    world.slack.openid.sign_in_as("T1", "U-dana", "Dana")
    async with browser.session.get(world.url + "/signin/slack", allow_redirects=False) as r:
        authorize = r.headers["Location"]
    async with second_browser.session.get(authorize, allow_redirects=False) as r:
        callback = r.headers["Location"]  # the code and state, carried off to another browser
    async with second_browser.session.get(callback) as r:
        assert r.status == 400 and "go through" in await r.text()


async def test_slack_sign_in_asks_for_openid_with_a_nonce(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    [asked] = world.slack.openid.authorized
    assert set(asked["scope"].split(",")) == {"openid", "email", "profile"}
    assert asked["nonce"] and asked["redirect_uri"].endswith("/dashboard/signin/slack/callback")


async def test_microsoft_sign_in_from_an_unknown_tenant_signs_nobody_in(browser):
    status, page = await browser.sign_in_with_microsoft("another-tenant", "oid-x", "Xavier")
    assert status == 400 and "in that workspace yet" in page


async def test_a_tampered_slack_id_token_is_refused(browser, world):
    real = world.slack.openid._token

    def tampered(args, auth):
        import json

        response = real(args, auth)
        body = json.loads(response.body)
        head, claims, signature = body["id_token"].split(".")
        body["id_token"] = f"{head}.{claims[:-4]}AAAA.{signature}"
        return type(response)(text=json.dumps(body), content_type="application/json")

    world.slack.openid._token = tampered
    status, page = await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    assert status == 400 and "go through" in page


async def test_a_microsoft_callback_this_browser_did_not_start_is_refused(
    browser, second_browser, world
):
    import ssl

    trust = ssl.create_default_context(cafile=str(world.microsoft.ca_file))
    world.microsoft.sign_in_as(TENANT, "oid-mia", "Mia")
    async with browser.session.get(world.url + "/signin/microsoft", allow_redirects=False) as r:
        authorize = r.headers["Location"]
    async with second_browser.session.get(authorize, allow_redirects=False, ssl=trust) as r:
        callback = r.headers["Location"]
    async with second_browser.session.get(callback) as r:
        assert r.status == 400 and "go through" in await r.text()
    assert world.microsoft.token_requests == []  # the code was never even tried
