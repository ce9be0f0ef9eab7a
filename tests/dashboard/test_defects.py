"""Working the defects from the dashboard follows the chat's rules: same core, same door."""

from __future__ import annotations

import re

from bot.storage.audit import audit_entries
from bot.storage.db import transaction
from bot.storage.defects import actions_for, get_defect


def defect(world, defect_id: int):
    with transaction(world.huddle.engine) as session:
        found = get_defect(session=session, workspace_id=world.ids["smile"], defect_id=defect_id)
        return found, actions_for(session=session, defect=found)


async def test_the_list_shows_this_practice_s_defects_and_filters_by_stage(browser):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    _, page = await browser.get("/defects")
    assert "waited 25 minutes" in page and "wrong fee" in page
    assert "front door was locked" not in page  # another practice's
    _, page = await browser.get("/defects?stage=checkout")
    assert "wrong fee" in page and "waited 25 minutes" not in page


async def test_the_filter_answers_htmx_with_just_the_rows(browser):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    _, rows = await browser.get("/defects?status=closed", headers={"HX-Request": "true"})
    assert "<html" not in rows and "0 defects found" in rows


async def test_record_assign_and_close_like_the_chat_does(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, page = await browser.post(
        "/defects/1/recover", {"action": "called to apologise and rebooked", "once": "a1"}
    )
    assert status == 200 and "Recovery recorded for defect #1" in page
    found, actions = defect(world, 1)
    assert [a.action for a in actions] == ["called to apologise and rebooked"]
    assert found.owner_name == "Dana"  # the first to record one owns it, as in chat

    status, page = await browser.post("/defects/1/assign", {"owner": "U-priya", "once": "a2"})
    assert status == 200 and "@Priya now owns defect #1" in page
    assert defect(world, 1)[0].owner_id == "U-priya"
    [told] = world.slack.calls_to("chat.postMessage")  # privately, as chat tells them
    assert told["channel"] == "U-priya" and "You own defect #1" in told.text_everywhere()

    status, page = await browser.post("/defects/1/close", {"once": "a3"})
    assert "Defect #1 is closed" in page
    assert defect(world, 1)[0].closed_by == "Dana"


async def test_the_same_form_sent_twice_records_once(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    for _ in range(2):
        await browser.post("/defects/2/recover", {"action": "refunded the fee", "once": "same"})
    assert len(defect(world, 2)[1]) == 1


async def test_patient_detail_is_stopped_before_saving_until_saved_as_written(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    text = "called Margaret Thompson on 0412 345 678"
    status, page = await browser.post("/defects/1/recover", {"action": text, "once": "p1"})
    assert status == 422 and "Save as written" in page
    assert defect(world, 1)[1] == ()
    status, page = await browser.post(
        "/defects/1/recover", {"action": text, "as_written": "yes", "once": "p2"}
    )
    assert "Recovery recorded" in page and len(defect(world, 1)[1]) == 1


async def test_every_change_is_in_the_audit_log_only_as_chat_audits_it(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    _, page = await browser.get("/defects/1")
    once = re.search(r'name="once" value="([^"]+)"', page).group(1)
    await browser.post("/defects/1/recover", {"action": "sent flowers", "once": once})
    with transaction(world.huddle.engine) as session:
        entries = audit_entries(session=session, workspace_id=world.ids["other"])
    assert entries == []  # nothing lands on another practice
