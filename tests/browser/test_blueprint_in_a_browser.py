"""The Blueprint and Audit log pages in a real browser, as a practice manager uses them."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import serious_violations
from tests.browser.test_dashboard_in_a_browser import sign_in_with_slack
from tests.conftest import Chat
from tests.core.test_blueprint_transfer import NEW_RULE


def chat_shows(world, line: str) -> str:
    [reply] = Chat(world.huddle, workspace="T1", channel="C1").as_("Sam").replies(line)
    return reply.plain()


async def test_a_practice_manager_builds_a_stage_and_accepts_a_suggestion(page, world):
    Chat(world.huddle, workspace="T1").as_("Priya")(
        "/huddle blueprint suggest checkout recovery: walk them to the door and thank them"
    )
    await sign_in_with_slack(page, world)
    nav = page.get_by_role("navigation", name="Dashboard")
    await nav.get_by_role("link", name="Blueprint").click()
    await expect(page.get_by_role("heading", name="Blueprint", level=1)).to_be_visible()
    await expect(page.get_by_text("walk them to the door and thank them").first).to_be_visible()
    await page.shots.take("blueprint")
    assert await serious_violations(page) == []

    await page.get_by_role("link", name="Arrival").first.click()
    lists = page.get_by_label("Making it right (service recovery moves)")
    await lists.fill("Offer a glass of water and say how long the wait will be")
    await page.get_by_label("Name", exact=True).fill("A")
    await page.get_by_role("button", name="Save the stage").click()
    await expect(page.locator("#name-errors")).to_contain_text("at least 2 characters")
    await page.shots.take("blueprint-stage-error")
    assert await serious_violations(page) == []
    await page.get_by_label("Name", exact=True).fill("Arrival and welcome")
    await page.get_by_role("button", name="Save the stage").click()
    await expect(page.get_by_text("Saved.")).to_be_visible()
    await page.shots.take("blueprint-stage")
    assert await serious_violations(page) == []
    shown = chat_shows(world, "/huddle blueprint arrival")
    assert "Arrival and welcome" in shown and "Offer a glass of water" in shown

    await page.get_by_role("link", name="Back to the blueprint").click()
    edit = page.get_by_label("Accept #", exact=False)
    await edit.fill("Walk them to the door and thank them by name")
    await page.get_by_role("button", name="Accept #", exact=False).click()
    await expect(page.get_by_text("Added to Checkout")).to_be_visible()
    await expect(page.get_by_text("No suggestions are waiting")).to_be_visible()
    assert "Walk them to the door and thank them by name" in chat_shows(
        world, "/huddle blueprint checkout"
    )
    assert page.csp_errors == []


async def test_a_team_member_suggests_an_item_and_is_not_offered_the_audit_log(page, world):
    await sign_in_with_slack(page, world, user_id="U-sam", name="Sam")
    nav = page.get_by_role("navigation", name="Dashboard")
    await expect(nav.get_by_role("link", name="Audit log")).to_have_count(0)
    await nav.get_by_role("link", name="Blueprint").click()
    await page.get_by_role("link", name="Checkout").first.click()
    await page.get_by_label("For the list").select_option("above_and_beyond")
    await page.get_by_label("Your idea").fill("a small toothbrush for every child")
    await page.get_by_role("button", name="Suggest").click()
    await expect(page.get_by_text("waits for an admin")).to_be_visible()
    await page.shots.take("blueprint-suggest")
    assert await serious_violations(page) == []


async def test_the_audit_log_page_in_a_browser(page, world):
    await sign_in_with_slack(page, world)
    await page.goto(world.url + "/blueprint/stages/arrival")
    await page.get_by_label("Above and beyond").fill("Remember how they take their coffee")
    await page.get_by_role("button", name="Save the stage").click()
    await expect(page.get_by_text("Saved.")).to_be_visible()
    nav = page.get_by_role("navigation", name="Dashboard")
    await nav.get_by_role("link", name="Audit log").click()
    await expect(page.get_by_role("cell", name="Dana").first).to_be_visible()
    await page.get_by_label("Since").fill("2026-11-01")
    await page.get_by_role("button", name="Show").click()
    assert "since=2026-11-01" in page.url
    await page.shots.take("audit")
    assert await serious_violations(page) == []


async def test_a_practice_manager_adds_a_rule_of_their_own_and_sees_it_listed(page, world):
    await sign_in_with_slack(page, world)
    await page.goto(world.url + "/blueprint")
    await page.get_by_role("link", name="Add a rule of your own").click()
    await expect(page.get_by_role("heading", name="Add a rule", level=1)).to_be_visible()
    await page.get_by_label("Short id").fill(NEW_RULE["id"])
    await page.get_by_label("Title").fill(NEW_RULE["title"])
    await page.get_by_label("Theme").fill(NEW_RULE["theme"])
    await page.get_by_label("The rule, in one or two sentences").fill(NEW_RULE["rule"])
    await page.get_by_label("Why it matters").fill("Too short to say why.")
    await page.get_by_label("The question the team discusses").fill(NEW_RULE["question"])
    await page.get_by_label("This week's challenge").fill(NEW_RULE["challenge"])
    await page.get_by_label("The story it asks for").fill(NEW_RULE["story_prompt"])
    await page.get_by_label("Waiting", exact=True).check()
    await page.get_by_role("button", name="Add the rule").click()
    await expect(page.locator("#why-errors")).to_contain_text("at least 120 characters")
    await page.shots.take("blueprint-rule-error")
    assert await serious_violations(page) == []
    await page.get_by_label("Why it matters").fill(NEW_RULE["why"])
    await page.get_by_role("button", name="Add the rule").click()
    await expect(page.get_by_text("Added “The coffee promise”")).to_be_visible()
    await page.shots.take("blueprint-rule")
    assert await serious_violations(page) == []

    await page.get_by_role("link", name="Back to the blueprint").click()
    listed = page.get_by_role("row").filter(has_text="The coffee promise")
    await expect(listed).to_contain_text("your own")
    await expect(listed).to_contain_text("Our own rules")
    assert "Our own rules" in chat_shows(world, "/huddle rules")
    assert page.csp_errors == []
