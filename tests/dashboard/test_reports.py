"""The Reports page: the chat's service report, its chart served here, a period picker."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Chat


@pytest.fixture(autouse=True)
def an_hour_later(world, clock):
    clock.advance(hours=1)  # the report counts up to now; the seed was logged at the start


async def test_the_month_s_report_shows_this_practice_s_figures_and_owners(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, page = await browser.get("/reports")
    assert status == 200
    assert "Service report · November 2026 so far" in page
    assert "2 service defects logged in November 2026 so far" in page  # not T2's third
    assert "Defects by journey stage" in page and "Recovery" in page and "WOW" in page
    assert "Only you can see the owners named here." in page  # the private version
    assert "front door" not in page


async def test_the_chart_is_a_png_of_this_origin_with_its_text_alternative(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    _, page = await browser.get("/reports?period=month")
    img = re.search(r'<img src="([^"]+)" alt="([^"]+)"', page)
    assert img and img.group(1) == "/dashboard/reports/chart.png?period=month"
    assert img.group(2).startswith("Bar chart of service defects by journey stage")
    async with browser.session.get(world.url + "/reports/chart.png?period=month") as response:
        body = await response.read()
        assert response.status == 200 and response.content_type == "image/png"
        assert body.startswith(b"\x89PNG") and "no-store" in response.headers["Cache-Control"]


async def test_the_period_picker_asks_for_a_week_a_quarter_a_year_or_a_past_month(browser):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    _, page = await browser.get("/reports?period=week")
    assert '<option value="week" selected>This week so far</option>' in page
    assert "Service report · " in page and "so far" in page
    _, page = await browser.get("/reports?period=quarter")
    assert "Service report · Q4 2026 so far" in page
    _, page = await browser.get("/reports?period=year")
    assert "Service report · 2026 so far" in page
    _, page = await browser.get("/reports?period=2026-10")
    assert "Service report · October 2026" in page and "0 service defects" in page
    assert '<option value="2026-10" selected>October 2026</option>' in page


async def test_a_period_that_cannot_be_read_is_explained_beside_the_picker(browser):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, page = await browser.get("/reports?period=fortnight")
    assert status == 422
    assert re.search(r'id="period-problem" role="alert">I don\S+t know the period', page)
    status, _ = await browser.get("/reports/chart.png?period=fortnight")
    assert status == 404


async def test_a_month_without_defects_has_no_chart(browser):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    _, page = await browser.get("/reports?period=2026-01")
    assert "<img" not in page
    status, _ = await browser.get("/reports/chart.png?period=2026-01")
    assert status == 404


async def test_anyone_in_the_practice_may_read_it_and_no_tidbit_is_shown(browser, world):
    Chat(world.huddle, workspace="T1", channel="C1").as_("Sam")(
        "/tidbit JS-1042 her daughter is getting married in Bali"
    )
    await browser.sign_in_with_slack("T1", "U-sam", "Sam")
    status, page = await browser.get("/reports")
    assert status == 200 and "Bali" not in page and "JS-1042" not in page


async def test_the_chart_counts_only_the_signed_in_practice(browser, second_browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    await second_browser.sign_in_with_slack("T2", "U-lee", "Lee")
    _, mine = await browser.get("/reports")
    _, theirs = await second_browser.get("/reports")
    assert "2 service defects" in mine and "1 service defect logged" in theirs
    async with (
        browser.session.get(world.url + "/reports/chart.png") as a,
        second_browser.session.get(world.url + "/reports/chart.png") as b,
    ):
        assert await a.read() != await b.read()
