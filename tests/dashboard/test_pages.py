"""What the pages show: the overview's meeting, brief and month; tidbits only as a count."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from adapters.dashboard import app as dashboard_app
from tests.conftest import Chat

TEMPLATES = Path(dashboard_app.__file__).parent / "templates"


async def test_the_overview_shows_the_next_meeting_and_the_month(browser, world):
    smile = Chat(world.huddle, workspace="T1", channel="C1").as_("Dana")
    smile("/huddle schedule monday 8:30 am Australia/Sydney")
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, page = await browser.get("/")
    assert status == 200
    assert "Monday 30 November, 8:30 AM in C1" in page
    assert re.search(r"<dt>Defects logged</dt><dd>2</dd>", page)
    assert "2 open defects" in page
    assert "rule" in page.casefold()  # this (or next) week's rule, as the App Home says


async def test_a_channel_is_called_by_the_name_people_know_it_by(browser, world):
    from bot.model import Incoming

    smile = Chat(world.huddle, workspace="T1", channel="C1").as_("Dana")
    smile("/huddle schedule monday 8:30 am Australia/Sydney")
    said = Incoming("slack", "T1", "C1", "U-dana", "Dana", "huddle", "help")
    world.huddle.handle(replace(said, channel_name="#front-desk"))
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    _, overview = await browser.get("/")
    _, settings = await browser.get("/settings")
    assert "8:30 AM in #front-desk" in overview
    assert "<h3>In #front-desk</h3>" in settings and "Morning brief in #front-desk" in settings
    assert 'name="channel" value="C1"' in settings  # the forms still name it by its id


async def test_a_tidbit_is_counted_and_never_shown(browser, world):
    note = "her daughter is getting married in Bali"
    Chat(world.huddle, workspace="T1", channel="C1").as_("Sam")(f"/tidbit JS-1042 {note}")
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    pages = [await browser.get(p) for p in ("/", "/defects", "/stories", "/admins")]
    assert re.search(r"<dt>Tidbits noted</dt><dd>1</dd>", pages[0][1])
    for _, page in pages:
        assert "Bali" not in page and "JS-1042" not in page


async def test_a_practice_with_tidbits_off_sees_no_tidbit_figure_on_the_overview(browser, world):
    Chat(world.huddle, workspace="T1", channel="C1").as_("Sam")("/tidbit JS-1042 new puppy")
    Chat(world.huddle, workspace="T1", channel="C1").as_("Dana")("/huddle tidbits off")
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    _, page = await browser.get("/")
    assert "Tidbits noted" not in page and "<dt>Defects logged</dt>" in page


async def test_the_stories_board_credits_heroes_by_period(browser, world):
    chat = Chat(world.huddle, workspace="T1", channel="C1").as_("Sam")
    chat("/wow nominate 1")
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    _, page = await browser.get("/stories?period=month")
    assert "stayed late" in page and "Priya" in page
    _, rows = await browser.get("/stories?period=all", headers={"HX-Request": "true"})
    assert "<html" not in rows and "All time" in rows


async def test_htmx_and_the_styles_are_served_from_here_never_a_cdn(browser):
    for asset in ("htmx.min.js", "dashboard.css", "htmx.LICENSE.txt"):
        status, _ = await browser.get(f"/static/{asset}")
        assert status == 200
    for template in TEMPLATES.glob("*.html"):
        assert not re.search(r"(src|href)=\"https?://", template.read_text()), template.name
