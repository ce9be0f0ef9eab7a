"""The Blueprint page: read by everyone, edited by admins through the core's blueprint
functions, suggestions through the chat's own commands; chat shows an edit at once."""

from __future__ import annotations

import io
import re
import zipfile

from bot.storage.audit import audit_entries
from bot.storage.blueprints import get_suggestion, pending_suggestions
from bot.storage.db import transaction
from tests.conftest import Chat


def chat_shows(world, line: str) -> str:
    [reply] = Chat(world.huddle, workspace="T1", channel="C1").as_("Sam").replies(line)
    return reply.plain()


def waiting(world, key: str = "smile"):
    with transaction(world.huddle.engine) as session:
        return [
            (s.id, s.text)
            for s in pending_suggestions(session=session, workspace_id=world.ids[key])
        ]


async def test_everyone_signed_in_reads_the_journey_and_a_stage(browser):
    await browser.sign_in_with_slack("T1", "U-sam", "Sam")
    status, page = await browser.get("/blueprint")
    assert status == 200 and "The patient journey" in page and "/blueprint/stages/arrival" in page
    assert "Car park" not in page  # another practice's own stage
    assert "Save the order" not in page  # reading only
    status, page = await browser.get("/blueprint/stages/arrival")
    assert status == 200 and "Suggest an item" in page and "Save the stage" not in page


async def test_an_admin_s_edit_shows_in_chat_at_once(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    _, page = await browser.get("/blueprint/stages/arrival")
    name = re.search(r'id="name" name="name" value="([^"]*)"', page).group(1)
    form = {"name": name, "recovery_moves": "Offer a warm drink while they wait\n- Say sorry first"}
    status, page = await browser.post("/blueprint/stages/arrival", form)
    assert status == 200 and "Saved." in page
    shown = chat_shows(world, "/huddle blueprint arrival")
    assert "Offer a warm drink while they wait" in shown and "Say sorry first" in shown
    with transaction(world.huddle.engine) as session:
        entries = audit_entries(session=session, workspace_id=world.ids["smile"])
    assert any(e.action == "blueprint.stage" and e.actor_name == "Dana" for e in entries)


async def test_validation_errors_are_shown_beside_the_field_by_name(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    too_long = "x" * 130  # a likely defect is at most 120 characters
    form = {"name": "A", "common_defects": f"Kept waiting\n{too_long}"}
    status, page = await browser.post("/blueprint/stages/arrival", form)
    assert status == 422
    name_errors = re.search(r'id="name-errors">(.*?)</ul>', page, re.S).group(1)
    assert "at least 2 characters" in name_errors
    defect_errors = re.search(r'id="common_defects-errors">(.*?)</ul>', page, re.S).group(1)
    assert "item 2" in defect_errors and "120 characters" in defect_errors
    assert too_long in page  # what was typed is kept to fix
    assert "Kept waiting" not in chat_shows(world, "/huddle blueprint arrival")


async def test_a_non_admin_may_not_edit_accept_or_read_the_audit_log(browser, world):
    await browser.sign_in_with_slack("T1", "U-sam", "Sam")
    for path, form in (
        ("/blueprint/stages/arrival", {"name": "Front door"}),
        ("/blueprint/stages", {"id": "kids-corner", "name": "Kids corner"}),
        ("/blueprint/order", {}),
        ("/blueprint/skip", {}),
        ("/blueprint/suggestions/1/accept", {}),
        ("/blueprint/suggestions/1/decline", {}),
        ("/blueprint/import", {}),
    ):
        status, page = await browser.post(path, form)
        assert status == 403 and "for the practice's admins" in page, path
    status, _ = await browser.get("/audit")
    assert status == 403
    assert "Front door" not in chat_shows(world, "/huddle blueprint")


async def test_a_form_without_the_csrf_token_changes_nothing(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, _ = await browser.post(
        "/blueprint/stages", {"id": "kids-corner", "name": "Kids corner"}, csrf=False
    )
    assert status == 403
    assert "Kids corner" not in chat_shows(world, "/huddle blueprint")


async def test_a_suggestion_made_here_is_accepted_edited_and_shows_in_chat(
    browser, second_browser, world
):
    await second_browser.sign_in_with_slack("T1", "U-sam", "Sam")
    status, page = await second_browser.post(
        "/blueprint/stages/checkout/suggest",
        {"list": "recovery_moves", "text": "refund the difference on the spot", "once": "s1"},
    )
    assert status == 200 and "waits for an admin" in page
    [(number, text)] = waiting(world)
    assert text == "refund the difference on the spot"

    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    _, page = await browser.get("/blueprint")
    assert f"Accept #{number}" in page and "refund the difference" in page
    status, page = await browser.post(
        f"/blueprint/suggestions/{number}/accept",
        {"text": "refund the difference on the spot and say sorry", "once": "a1"},
    )
    assert status == 200 and "Added to" in page
    assert waiting(world) == []
    shown = chat_shows(world, "/huddle blueprint checkout")
    assert "refund the difference on the spot and say sorry" in shown


async def test_a_suggestion_from_chat_is_declined_and_changes_nothing(browser, world):
    Chat(world.huddle, workspace="T1").as_("Priya")(
        "/huddle blueprint suggest arrival offer: a blanket on the chair"
    )
    [(number, _)] = waiting(world)
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, page = await browser.post(f"/blueprint/suggestions/{number}/decline", {"once": "d1"})
    assert status == 200 and "declined" in page
    with transaction(world.huddle.engine) as session:
        found = get_suggestion(
            session=session, workspace_id=world.ids["smile"], suggestion_id=number
        )
    assert found.state == "declined"
    assert "blanket" not in chat_shows(world, "/huddle blueprint arrival")


async def test_another_practice_s_stage_and_suggestion_stay_as_they_were(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, _ = await browser.post("/blueprint/suggestions/1/accept", {"text": "ours"})
    assert status == 404
    assert waiting(world, "other") == [(1, "offer a warm towel and a cup of tea")]
    [reply] = (
        Chat(world.huddle, workspace="T2", channel="C9")
        .as_("Lee")
        .replies("/huddle blueprint car-park")
    )
    assert "Car park" in reply.plain()


async def test_stages_are_added_reordered_retired_and_rules_skipped(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, page = await browser.post(
        "/blueprint/stages", {"id": "kids-corner", "name": "Kids corner"}
    )
    assert status == 200 and "Added the stage Kids corner" in page
    _, page = await browser.get("/blueprint")
    ids = re.findall(r'name="order-([\w-]+)"', page)
    assert ids[-1] == "kids-corner"
    await browser.post(
        "/blueprint/order",
        {f"order-{i}": str(n + 2) for n, i in enumerate(ids)} | {"order-kids-corner": "1"},
    )
    assert chat_shows(world, "/huddle blueprint").index("Kids corner") < chat_shows(
        world, "/huddle blueprint"
    ).index("Checkout")
    status, page = await browser.post(
        "/blueprint/stages/kids-corner", {"name": "Kids corner", "retired": "yes"}
    )
    assert status == 200 and "This stage is retired" in page
    assert "Kids corner" not in chat_shows(world, "/huddle blueprint")

    _, page = await browser.get("/blueprint")
    rule = re.search(r'name="skip" value="([\w-]+)"', page).group(1)
    status, page = await browser.post("/blueprint/skip", {"skip": rule})
    assert status == 200 and "skips 1 rule" in page
    with transaction(world.huddle.engine) as session:
        content = world.huddle.contents.for_workspace(
            session=session, workspace_id=world.ids["smile"]
        )
    assert content.skipped == (rule,) and rule not in content.curriculum


async def test_export_and_import_round_trip_with_errors_named(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    await browser.post("/blueprint/stages", {"id": "kids-corner", "name": "Kids corner"})
    async with browser.session.get(world.url + "/blueprint/export") as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/zip"
        data = await response.read()
    files = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert files == ["stages.yaml"]

    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("stages.yaml", "stages:\n  - id: valet\n    name: V\n")
    status, page = await browser.post("/blueprint/import", {"folder": _upload(broken.getvalue())})
    assert status == 422 and "Nothing was imported" in page and "stages.yaml" in page
    assert "name" in page and "/tmp" not in page
    assert "Kids corner" in chat_shows(world, "/huddle blueprint")  # unchanged

    status, page = await browser.post("/blueprint/import", {"folder": _upload(b"not a zip")})
    assert status == 422 and "Upload the zip the Export button gives" in page

    empty = io.BytesIO()
    zipfile.ZipFile(empty, "w").close()
    status, page = await browser.post("/blueprint/import", {"folder": _upload(empty.getvalue())})
    assert status == 200 and "Imported 0 stage(s)" in page
    assert "Kids corner" not in chat_shows(world, "/huddle blueprint")
    status, page = await browser.post("/blueprint/import", {"folder": _upload(data)})
    assert status == 200 and "Imported 1 stage(s)" in page
    assert "Kids corner" in chat_shows(world, "/huddle blueprint")


def _upload(data: bytes) -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = "blueprint.zip"
    return file


async def test_a_new_stage_whose_id_another_stage_goes_by_is_refused_by_name(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, page = await browser.post("/blueprint/stages", {"id": "parking", "name": "Parking"})
    assert status == 422
    problem = re.search(r'role="alert">(.*?)</div>', page, re.S).group(1)
    assert "parking" in problem  # the merge's own check, in its words
    assert "Parking" not in chat_shows(world, "/huddle blueprint")


async def test_a_new_item_that_looks_like_patient_detail_waits_until_saved_as_written(
    browser, world
):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    _, page = await browser.get("/blueprint/stages/arrival")
    name = re.search(r'id="name" name="name" value="([^"]*)"', page).group(1)
    item = "Call Margaret Thompson on 0412 345 678 if she is late"
    form = {"name": name, "above_and_beyond": item}
    status, page = await browser.post("/blueprint/stages/arrival", form)
    assert status == 422 and "Save as written" in page
    errors = re.search(r'id="above_and_beyond-errors">(.*?)</ul>', page, re.S).group(1)
    assert "phone number" in errors and "0412 345 678" not in errors  # masked, as chat does
    assert "Margaret" not in chat_shows(world, "/huddle blueprint arrival")
    status, page = await browser.post("/blueprint/stages/arrival", form | {"as_written": "yes"})
    assert status == 200 and "Saved." in page
    assert "Margaret" in chat_shows(world, "/huddle blueprint arrival")
