"""The dashboard in a real browser, as a practice manager uses it."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import expect

from bot.storage.db import transaction
from bot.storage.defects import actions_for, get_defect
from tests.browser.conftest import serious_violations
from tests.dashboard_world import TENANT


async def sign_in_with_slack(page, world, user_id="U-dana", name="Dana"):
    world.slack.openid.sign_in_as("T1", user_id, name)
    await page.goto(world.url + "/signin")
    await page.get_by_role("link", name="Sign in with Slack").click()
    await expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()


async def test_a_practice_manager_signs_in_with_slack_and_works_a_defect(page, world):
    await page.goto(world.url + "/signin")
    await page.shots.take("sign-in")
    assert await serious_violations(page) == []
    await sign_in_with_slack(page, world)
    await expect(page.get_by_text("Smile Dental")).to_be_visible()
    await page.shots.take("overview")
    assert await serious_violations(page) == []

    await (
        page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Defects").click()
    )
    await expect(page.get_by_text("waited 25 minutes")).to_be_visible()
    await page.get_by_label("Stage").select_option("checkout")  # htmx swaps the rows
    await expect(page.get_by_text("waited 25 minutes")).to_have_count(0)
    await expect(page.get_by_text("wrong fee")).to_be_visible()
    assert "stage=checkout" in page.url
    await page.get_by_label("Stage").select_option("")
    await page.shots.take("defects")
    assert await serious_violations(page) == []

    await page.get_by_role("link", name="#1", exact=True).click()
    await page.get_by_label("What did we do, or what will we do?").fill(
        "called to apologise and rebooked at a time that suits"
    )
    await page.get_by_role("button", name="Record recovery").click()
    await expect(page.get_by_text("Recovery recorded for defect #1")).to_be_visible()
    await page.get_by_label("Who follows it up?").select_option(label="Priya")
    await page.get_by_role("button", name="Assign").click()
    await expect(page.get_by_text("@Priya now owns defect #1")).to_be_visible()
    await page.shots.take("defect")
    assert await serious_violations(page) == []
    await page.get_by_role("button", name="Close defect #1").click()
    await expect(page.get_by_text("Defect #1 is closed")).to_be_visible()

    with transaction(world.huddle.engine) as session:
        defect = get_defect(session=session, workspace_id=world.ids["smile"], defect_id=1)
        actions = actions_for(session=session, defect=defect)
    assert defect.owner_id == "U-priya" and defect.closed_by == "Dana"
    assert [a.action for a in actions] == ["called to apologise and rebooked at a time that suits"]
    assert page.csp_errors == []


async def test_the_keyboard_reaches_the_page_first(page, world):
    await sign_in_with_slack(page, world)
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the page")
    await expect(skip).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.locator("main")).to_be_focused()


async def test_sign_in_with_microsoft_in_the_browser(page, world):
    world.microsoft.sign_in_as(TENANT, "oid-mia", "Mia")
    await page.goto(world.url + "/signin")
    await page.get_by_role("link", name="Sign in with Microsoft").click()
    await expect(page.get_by_text("Harbour Dental")).to_be_visible()
    await expect(page.get_by_text("Mia · admin")).to_be_visible()
    await page.shots.take("overview-microsoft")


async def test_stories_and_heroes_by_period(page, world):
    await sign_in_with_slack(page, world)
    await (
        page.get_by_role("navigation", name="Dashboard")
        .get_by_role("link", name="Stories and heroes")
        .click()
    )
    await page.get_by_label("Period").select_option("all")
    await expect(page.get_by_role("heading", name="Heroes · All time")).to_be_visible()
    await page.shots.take("stories")
    assert await serious_violations(page) == []


async def test_a_non_admin_on_an_admin_page_gets_403(page, world):
    await sign_in_with_slack(page, world, "U-sam", "Sam")
    response = await page.goto(world.url + "/admins")
    assert response.status == 403
    await expect(page.get_by_text("for the practice's admins")).to_be_visible()
    await page.shots.take("forbidden")
    assert await serious_violations(page) == []


async def test_an_admin_page_for_an_admin(page, world):
    await sign_in_with_slack(page, world)
    await (
        page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Admins").click()
    )
    await expect(page.get_by_role("cell", name="Dana")).to_be_visible()
    await page.shots.take("admins")
    assert await serious_violations(page) == []


async def test_another_practice_s_defect_id_is_not_found(page, world):
    await sign_in_with_slack(page, world)
    response = await page.goto(world.url + "/defects/3")
    assert response.status == 404
    await expect(page.get_by_text("front door")).to_have_count(0)
    await page.shots.take("not-found")
    assert await serious_violations(page) == []


async def test_a_tampered_or_missing_csrf_token_is_refused(page, world):
    await sign_in_with_slack(page, world)
    await page.goto(world.url + "/defects/1")
    await page.locator("form[action$='/close'] input[name=csrf]").evaluate(
        "input => input.value = 'tampered'"
    )
    async with page.expect_response(re.compile(r"/close$")) as answer:
        await page.get_by_role("button", name="Close defect #1").click()
    assert (await answer.value).status == 403
    await expect(page.get_by_text("nothing was changed")).to_be_visible()
    await page.goto(world.url + "/defects/1")
    await page.locator("form[action$='/recover'] input[name=csrf]").evaluate("i => i.remove()")
    await page.get_by_label("What did we do, or what will we do?").fill("sent flowers")
    async with page.expect_response(re.compile(r"/recover$")) as answer:
        await page.get_by_role("button", name="Record recovery").click()
    assert (await answer.value).status == 403
    with transaction(world.huddle.engine) as session:
        defect = get_defect(session=session, workspace_id=world.ids["smile"], defect_id=1)
        assert defect.closed_at is None and actions_for(session=session, defect=defect) == ()


async def test_the_defects_page_reads_on_a_phone(chromium, world):
    context = await chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = await context.new_page()
    world.slack.openid.sign_in_as("T1", "U-dana", "Dana")
    await phone.goto(world.url + "/signin/slack")
    await phone.goto(world.url + "/defects")
    await expect(phone.get_by_text("waited 25 minutes")).to_be_visible()
    width = await phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing runs off the side of the screen
    from tests.browser.conftest import ARTEFACTS

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    await phone.screenshot(path=str(ARTEFACTS / "phone--defects.png"), full_page=True)
    await context.close()


async def test_a_practice_manager_reads_the_month_s_report(page, world, clock):
    clock.advance(hours=1)  # the report counts up to now; the seed was logged at the start
    await sign_in_with_slack(page, world)
    await (
        page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Reports").click()
    )
    await expect(
        page.get_by_role("heading", name="Service report · November 2026 so far")
    ).to_be_visible()
    chart = page.get_by_role("img", name=re.compile("Bar chart of service defects"))
    await expect(chart).to_be_visible()
    # Served by the dashboard, and let in by its CSP (same origin): the picture is drawn.
    drawn = await chart.evaluate(
        """img => img.complete ? img.naturalWidth : new Promise(done => {
            img.addEventListener("load", () => done(img.naturalWidth));
            img.addEventListener("error", () => done(0));
        })"""
    )
    assert drawn > 0
    await page.shots.take("reports")
    assert await serious_violations(page) == []
    await page.get_by_label("Period").select_option("quarter")
    await page.get_by_role("button", name="Show the report").click()
    await expect(
        page.get_by_role("heading", name="Service report · Q4 2026 so far")
    ).to_be_visible()
    assert page.csp_errors == []


async def test_an_admin_exports_the_period_s_defects_as_a_download(page, world, clock):
    clock.advance(hours=1)
    await sign_in_with_slack(page, world)
    await page.goto(world.url + "/reports?period=quarter")
    assert await serious_violations(page) == []
    async with page.expect_download() as waiting:
        await page.get_by_role("button", name="Export defects").click()
    download = await waiting.value
    assert download.suggested_filename == "huddle-defects-2026-Q4.csv"
    data = Path(await download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbfID,Logged,Stage") and b"front door" not in data


async def test_a_practice_manager_changes_the_brief_time_and_uploads_a_day_sheet(
    page, world, clock
):
    from pathlib import Path

    from tests.conftest import Chat

    Chat(world.huddle, workspace="T1", channel="C1").as_("Dana")(
        "/huddle schedule monday 8:30 am Australia/Sydney"
    )
    await sign_in_with_slack(page, world)
    await (
        page.get_by_role("navigation", name="Dashboard")
        .get_by_role("link", name="Settings")
        .click()
    )
    await expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
    await page.shots.take("settings")
    assert await serious_violations(page) == []

    await page.get_by_label("On", exact=True).check()
    await page.get_by_label("Brief time").fill("07:30")
    await page.get_by_role("button", name="Save the brief").click()
    await expect(page.get_by_text("Morning brief: on, at 07:30")).to_be_visible()

    sheet = Path(__file__).resolve().parents[2] / "content" / "examples" / "day_sheet.csv"
    await page.get_by_label("Header of the time column").fill("Time")
    await page.get_by_label("Header of the reference column").fill("Chart #")
    await page.get_by_label("Header of the provider column").fill("Provider")
    await page.get_by_label("Header of the status column").fill("Status")
    await page.get_by_label("Day sheet to import (CSV)").set_input_files(str(sheet))
    await page.get_by_role("button", name="Save the mapping and import").click()
    await expect(page.get_by_text("8 appointment(s) stored")).to_be_visible()
    await page.shots.take("settings-imported")
    assert await serious_violations(page) == []
    await expect(page.get_by_text("Crown prep")).to_have_count(0)

    with transaction(world.huddle.engine) as session:
        from sqlmodel import select

        from bot.storage.models import Subscription

        [sub] = session.exec(
            select(Subscription).where(Subscription.workspace_id == world.ids["smile"])
        )
        assert sub.brief_minutes == 7 * 60 + 30
    assert page.csp_errors == []


async def test_a_practice_manager_sets_the_front_desk_and_turns_tidbits_off(page, world):
    from tests.conftest import Chat

    chat = Chat(world.huddle, workspace="T1", channel="C1").as_("Dana")
    await sign_in_with_slack(page, world)
    await page.goto(world.url + "/settings")

    await page.get_by_label("Add someone to the front desk").select_option(label="Priya")
    await page.get_by_role("button", name="Add", exact=True).last.click()
    await expect(page.get_by_text("@Priya is now on the front desk")).to_be_visible()
    await page.get_by_label("Popups on").check()
    await page.get_by_label("Afternoon notice of tomorrow's unconfirmed new patients, at").fill(
        "14:30"
    )
    await page.get_by_role("button", name="Save the notices").click()
    await expect(page.get_by_text("Notice time:")).to_be_visible()
    await page.shots.take("settings-front-desk")
    assert await serious_violations(page) == []

    await page.get_by_label(re.compile("^Off: ")).check()
    await page.get_by_role("button", name="Save the tidbits setting").click()
    await expect(page.get_by_text("stay until they expire as usual")).to_be_visible()
    assert "at 2:30 pm" in chat("/huddle frontdesk") and "@Priya" in chat("/huddle frontdesk")
    assert "has tidbits turned off" in chat.as_("Sam")("/tidbit JS-1042 loves gardening")
    assert page.csp_errors == []


async def test_a_non_admin_is_not_offered_settings_and_gets_403(page, world):
    await sign_in_with_slack(page, world, "U-sam", "Sam")
    nav = page.get_by_role("navigation", name="Dashboard")
    await expect(nav.get_by_role("link", name="Settings")).to_have_count(0)
    await expect(nav.get_by_role("link", name="Reports")).to_be_visible()
    response = await page.goto(world.url + "/settings")
    assert response.status == 403


async def test_the_reports_and_settings_pages_read_on_a_phone(chromium, world, clock):
    from tests.browser.conftest import ARTEFACTS
    from tests.conftest import Chat

    clock.advance(hours=1)
    Chat(world.huddle, workspace="T1", channel="C1").as_("Dana")("/huddle schedule monday 8:30 am")
    context = await chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = await context.new_page()
    world.slack.openid.sign_in_as("T1", "U-dana", "Dana")
    await phone.goto(world.url + "/signin/slack")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for path, what in (("/reports", "Service report"), ("/settings", "Schedule source")):
        await phone.goto(world.url + path)
        await expect(phone.get_by_text(what).first).to_be_visible()
        width = await phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, path  # nothing runs off the side of the screen
        await phone.screenshot(path=str(ARTEFACTS / f"phone-{path.strip('/')}.png"), full_page=True)
    await context.close()
