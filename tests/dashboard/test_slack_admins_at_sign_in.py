"""At Sign in with Slack, Slack's users.info says who owns or administers the workspace,
and the chat's rule applies: a platform admin while Slack says so, dropped when not.

The workspace's bot token is the one its install stored (slack-sdk's installation
store, in Huddle's database); users.info goes to the Slack API stand-in.
"""

from __future__ import annotations

import time

from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from bot.storage import admins
from bot.storage.db import transaction
from tests.dashboard_world import BOT_TOKEN, SLACK_CLIENT_ID


def install(world, team_id: str = "T1", token: str = BOT_TOKEN) -> None:
    """What Slack's OAuth install stores for the workspace."""
    SQLAlchemyInstallationStore(client_id=SLACK_CLIENT_ID, engine=world.huddle.engine).save(
        Installation(
            app_id="A0HUDDLE",
            team_id=team_id,
            bot_token=token,
            bot_id=f"B{team_id}",
            bot_user_id=f"UB{team_id}",
            bot_scopes="chat:write,commands,users:read",
            user_id="U-installer",
            installed_at=time.time(),
        )
    )


def admin_row(world, user_id: str, team: str = "T1"):
    with transaction(world.huddle.engine) as session:
        found = admins.get_admin(
            session=session, workspace_id=world.workspace_id("slack", team), user_id=user_id
        )
        return None if found is None else (found.name, found.source)


async def test_a_slack_workspace_admin_is_a_dashboard_admin_at_first_sign_in(browser, world):
    install(world)
    world.slack.user_roles["U-sam"] = "admin"
    status, page = await browser.sign_in_with_slack("T1", "U-sam", "Sam")
    assert status == 200 and "Sam · admin" in page
    status, _ = await browser.get("/admins")
    assert status == 200
    [asked] = world.slack.calls_to("users.info")
    assert asked["user"] == "U-sam" and asked.token == BOT_TOKEN
    assert admin_row(world, "U-sam") == ("Sam", "platform")


async def test_a_slack_workspace_owner_is_a_dashboard_admin_too(browser, world):
    install(world)
    world.slack.user_roles["U-priya"] = "primary_owner"
    status, page = await browser.sign_in_with_slack("T1", "U-priya", "Priya")
    assert status == 200 and "Priya · admin" in page


async def test_someone_slack_no_longer_calls_admin_loses_the_platform_admin_row(
    browser, world, clock
):
    install(world)
    with transaction(world.huddle.engine) as session:
        admins.add_admin(
            session=session,
            workspace_id=world.workspace_id("slack", "T1"),
            user_id="U-sam",
            name="Sam",
            source="platform",
            now=clock(),
        )
    status, page = await browser.sign_in_with_slack("T1", "U-sam", "Sam")
    assert status == 200 and "Sam · admin" not in page
    assert admin_row(world, "U-sam") is None
    status, _ = await browser.get("/admins")
    assert status == 403


async def test_an_admin_added_in_chat_stays_one_whatever_slack_says(browser, world):
    install(world)  # Dana is no Slack admin, but the practice made her one in chat
    status, page = await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    assert status == 200 and "Dana · admin" in page
    assert admin_row(world, "U-dana") == ("Dana", "added")


async def test_a_failed_lookup_signs_in_with_what_huddle_knew(
    browser, second_browser, world, clock
):
    install(world)
    with transaction(world.huddle.engine) as session:
        admins.add_admin(
            session=session,
            workspace_id=world.workspace_id("slack", "T1"),
            user_id="U-lee",
            name="Lee",
            source="platform",
            now=clock(),
        )
    world.slack.user_roles["U-sam"] = "admin"
    world.slack.fail("users.info", error="ratelimited")
    status, page = await browser.sign_in_with_slack("T1", "U-sam", "Sam")
    assert status == 200 and "Smile Dental" in page and "Sam · admin" not in page
    world.slack.fail("users.info", status=500, times=5)
    status, page = await second_browser.sign_in_with_slack("T1", "U-lee", "Lee")
    assert status == 200 and "Lee · admin" in page  # Slack said nothing: the row stays
    assert admin_row(world, "U-lee") == ("Lee", "platform")


async def test_no_stored_install_means_no_lookup_and_sign_in_goes_on(browser, world):
    world.slack.user_roles["U-sam"] = "admin"
    status, page = await browser.sign_in_with_slack("T1", "U-sam", "Sam")
    assert status == 200 and "Smile Dental" in page and "Sam · admin" not in page
    assert world.slack.calls_to("users.info") == []


async def test_slack_is_asked_with_the_signed_in_workspace_token_only(browser, world):
    install(world)
    install(world, "T2", "xoxb-other")
    world.slack.add_workspace("T2", token="xoxb-other", name="Other Practice")
    world.slack.user_roles["U-lee"] = "admin"
    status, page = await browser.sign_in_with_slack("T2", "U-lee", "Lee")
    assert status == 200 and "Other Practice" in page and "Lee · admin" in page
    [asked] = world.slack.calls_to("users.info")
    assert asked.token == "xoxb-other"
    assert admin_row(world, "U-lee", "T2") == ("Lee", "platform")
    assert admin_row(world, "U-lee", "T1") is None
