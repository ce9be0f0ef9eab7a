"""The practice's own rules in the dashboard's forms: added, edited and removed by admins,
checked as the YAML loader checks them, seen in chat and the weekly rotation at once."""

from __future__ import annotations

import io
import re
import zipfile

from sqlmodel import Session

from bot.storage import meetings
from bot.storage.db import transaction
from tests.core.test_blueprint_transfer import NEW_RULE
from tests.dashboard.test_blueprint import _upload, chat_shows
from tests.dashboard_world import OTHER_RULE

ID = NEW_RULE["id"]


def the_form(rule: dict, **changes) -> list[tuple[str, str]]:
    """The rule form as a browser sends it: one ``stages`` pair per ticked stage."""
    rule = {**rule, **changes}
    pairs = [(k, v) for k, v in rule.items() if k != "stages"]
    return pairs + [("stages", stage) for stage in rule.get("stages", ())]


async def post_form(browser, path: str, pairs: list[tuple[str, str]]):
    pairs = [*pairs, ("csrf", await browser.csrf())]
    async with browser.session.post(browser.world.url + path, data=pairs) as response:
        return response.status, await response.text()


def content_of(world, key: str = "smile"):
    with Session(world.huddle.engine) as session:
        return world.huddle.contents.for_workspace(session=session, workspace_id=world.ids[key])


def errors_of(page: str, field: str) -> str:
    found = re.search(rf'id="{field}-errors">(.*?)</ul>', page, re.S)
    return found.group(1) if found else ""


async def test_an_added_rule_is_listed_and_in_chat_and_the_rotation_at_once(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, page = await browser.get("/blueprint/rules")
    assert status == 200 and "Add a rule of your own" in page
    status, page = await post_form(browser, "/blueprint/rules", the_form(NEW_RULE))
    assert status == 200 and "Added “The coffee promise”" in page
    _, page = await browser.get("/blueprint")
    assert f'/blueprint/rules/{ID}">The coffee promise</a> <span class="tag">your own' in page
    assert "Our own rules" in chat_shows(world, "/huddle rules")
    content = content_of(world)
    assert content.curriculum[-1] == ID and content.rules[ID].stages == ("waiting",)
    assert ID not in content_of(world, "other").rules


async def test_a_new_rule_is_checked_as_the_yaml_is_with_errors_by_field(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    form = the_form(
        NEW_RULE, id="Our Rule", why="Too short.", question="No question mark here at all"
    )
    status, page = await post_form(browser, "/blueprint/rules", form)
    assert status == 422
    assert "should match pattern" in errors_of(page, "id")
    assert "at least 120 characters" in errors_of(page, "why")
    assert "ends with &#39;?&#39;" in errors_of(page, "question")
    assert "No question mark here at all" in page  # what was typed is kept to fix
    status, page = await post_form(
        browser, "/blueprint/rules", the_form(NEW_RULE, id="listen-before-you-fix")
    )
    assert status == 422 and "edit it instead" in errors_of(page, "id")
    status, page = await post_form(browser, "/blueprint/rules", the_form(NEW_RULE, stages=["moon"]))
    assert status == 422 and "moon" in errors_of(page, "stages")
    assert ID not in content_of(world).rules


async def test_an_admin_edits_then_removes_a_rule_of_their_own(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    await post_form(browser, "/blueprint/rules", the_form(NEW_RULE))
    status, page = await browser.get(f"/blueprint/rules/{ID}")
    assert status == 200 and "Save the rule" in page and "Remove “The coffee promise”" in page
    edited = the_form({k: v for k, v in NEW_RULE.items() if k != "id"}, title="Tea or coffee")
    status, page = await post_form(browser, f"/blueprint/rules/{ID}", edited)
    assert status == 200 and "Saved “Tea or coffee”" in page
    assert content_of(world).rules[ID].title == "Tea or coffee"

    status, page = await browser.post(f"/blueprint/rules/{ID}/remove", {})
    assert status == 200 and "removed from your rules" in page
    assert ID not in content_of(world).rules
    assert "Our own rules" not in chat_shows(world, "/huddle rules")
    status, _ = await browser.get(f"/blueprint/rules/{ID}")
    assert status == 404


async def test_a_removed_rule_a_meeting_had_still_shows_in_that_meeting_s_history(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    await post_form(browser, "/blueprint/rules", the_form(NEW_RULE))
    with transaction(world.huddle.engine) as session:
        post = meetings.claim_meeting(
            session=session,
            workspace_id=world.ids["smile"],
            channel_id="C1",
            period="2026-W40",
            rule_id=ID,
            now=world.huddle.clock(),
        )
        meetings.mark_posted(session=session, post=post, message_id="m1", now=world.huddle.clock())
    status, page = await browser.post(f"/blueprint/rules/{ID}/remove", {})
    assert status == 200 and "Meetings that had it still show it" in page
    assert ID not in content_of(world).curriculum
    assert "• The coffee promise" in chat_shows(world, "/huddle rules")  # "Recently"
    _, page = await browser.get("/blueprint")
    assert "The coffee promise" not in page


async def test_editing_a_default_keeps_a_version_that_goes_back_to_the_default(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    default = content_of(world).rules["listen-before-you-fix"]
    body = default.model_dump(mode="json", exclude={"id", "retired"})
    status, page = await post_form(
        browser, "/blueprint/rules/listen-before-you-fix", the_form(body, title="Hear them out")
    )
    assert status == 200 and "Use the default rule" in page
    assert content_of(world).rules[default.id].title == "Hear them out"
    status, page = await browser.post("/blueprint/rules/listen-before-you-fix/remove", {})
    assert status == 200 and "the default rule shows again" in page
    assert content_of(world).rules[default.id] == default


async def test_a_non_admin_reads_a_rule_but_may_not_write_one(browser, world):
    await browser.sign_in_with_slack("T1", "U-sam", "Sam")
    status, page = await browser.get("/blueprint/rules/listen-before-you-fix")
    assert status == 200 and "Save the rule" not in page and "Why it matters" in page
    for path in ("/blueprint/rules", "/blueprint/rules/listen-before-you-fix"):
        status, page = await post_form(browser, path, the_form(NEW_RULE))
        assert status == 403 and "for the practice's admins" in page, path
    status, _ = await browser.post("/blueprint/rules/listen-before-you-fix/remove", {})
    assert status == 403
    status, _ = await browser.get("/blueprint/rules")
    assert status == 403
    assert ID not in content_of(world).rules


async def test_a_rule_form_without_the_csrf_token_changes_nothing(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, _ = await browser.post("/blueprint/rules", dict(NEW_RULE, stages=""), csrf=False)
    assert status == 403
    assert ID not in content_of(world).rules


async def test_another_practice_s_rule_is_not_found_and_unchanged(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    other = OTHER_RULE["id"]
    assert (await browser.get(f"/blueprint/rules/{other}"))[0] == 404
    assert (await browser.post(f"/blueprint/rules/{other}/remove", {}))[0] == 404
    status, _ = await post_form(browser, f"/blueprint/rules/{other}", the_form(NEW_RULE))
    assert status == 404
    assert content_of(world, "other").rules[other].title == OTHER_RULE["title"]
    assert other not in content_of(world).rules


async def test_a_rule_that_looks_like_patient_detail_waits_until_saved_as_written(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    challenge = "Ring Margaret Thompson on 0412 345 678 when the diary runs late this week."
    form = the_form(NEW_RULE, challenge=challenge)
    status, page = await post_form(browser, "/blueprint/rules", form)
    assert status == 422 and "Save as written" in page
    assert "phone number" in errors_of(page, "challenge")
    assert ID not in content_of(world).rules
    status, _ = await post_form(browser, "/blueprint/rules", [*form, ("as_written", "yes")])
    assert status == 200 and content_of(world).rules[ID].challenge == challenge


async def test_own_rules_round_trip_through_export_and_import(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    await post_form(browser, "/blueprint/rules", the_form(NEW_RULE))
    async with browser.session.get(world.url + "/blueprint/export") as response:
        data = await response.read()
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist() == ["rules/01-our-own-rules.yaml"]
    assert "The coffee promise" in archive.read("rules/01-our-own-rules.yaml").decode()
    empty = io.BytesIO()
    zipfile.ZipFile(empty, "w").close()
    await browser.post("/blueprint/import", {"folder": _upload(empty.getvalue())})
    assert ID not in content_of(world).rules
    status, page = await browser.post("/blueprint/import", {"folder": _upload(data)})
    assert status == 200 and "1 rule(s)" in page
    assert content_of(world).rules[ID].title == NEW_RULE["title"]
    assert "Our own rules" in chat_shows(world, "/huddle rules")
