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
