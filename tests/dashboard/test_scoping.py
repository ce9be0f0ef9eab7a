"""Every page is scoped to the signed-in person's practice, and admin pages to its admins.

``ROUTES`` says how each of the dashboard's routes is tried with another practice's
record; the first test walks the app's router, so a route added without a line here
fails it.
"""

from __future__ import annotations

import pytest

from bot.storage.db import transaction
from bot.storage.defects import actions_for, get_defect
from tests.dashboard_world import OTHER_RULE as OTHER_PRACTICE_RULE

OTHER_DEFECT = 3  # Other Practice's (T2) defect; Smile Dental has 1 and 2
OTHER_STAGE = "car-park"  # Other Practice's own stage
OTHER_SUGGESTION = 1  # Other Practice's suggestion, waiting
OTHER_RULE = OTHER_PRACTICE_RULE["id"]  # Other Practice's own rule

# route name -> (method, path with another practice's id, form) or None: the route
# takes no record id (say why).
ROUTES = {
    "overview": None,  # shows only the signed-in person's workspace
    "stories": None,
    "admins": None,
    "signin": None,
    "signout": None,
    "signin-slack": None,  # the sign-in routes find the workspace from the platform's claim
    "signin-slack-callback": None,
    "signin-microsoft": None,
    "signin-microsoft-callback": None,
    "signin-link": None,  # a link is its own secret; tested in test_sign_in_links
    "signin-link-use": None,
    "static": None,
    # The report and its chart take only a period: the session's workspace is the only one
    # they read (test_reports: each practice's chart counts only its own defects).
    "reports": None,
    "report-chart": None,
    # The export takes a kind and a period, no record id: it reads the session's practice
    # only (test_report_exports: another practice's admin gets only their own rows).
    "report-export": None,
    "settings": None,  # the signed-in admin's own practice (test_settings)
    "settings-timezone": None,  # the practice's own, from the session
    "settings-emoji": None,
    # The source is the session's practice's; the kind in the URL names no record (an
    # unknown one is 404).
    "settings-source": ("POST", "/settings/source/other-practice", {"kind": "csv"}),
    # Another practice's channel (it has a weekly meeting) or person in the form.
    "settings-schedule": (
        "POST",
        "/settings/schedule",
        {"channel": "C9", "weekday": "friday", "time": "10:00"},
    ),
    # A channel only another practice has heard from (C9 is Other Practice's, by name).
    "settings-schedule-new": (
        "POST",
        "/settings/schedule/new",
        {"channel": "C9", "weekday": "friday", "time": "10:00"},
    ),
    "settings-brief": ("POST", "/settings/brief", {"channel": "C9", "brief": "off"}),
    "settings-admins": ("POST", "/settings/admins", {"person": "U-lee", "action": "add"}),
    "settings-tidbits": None,  # the session's practice's own setting
    "settings-frontdesk": ("POST", "/settings/frontdesk", {"person": "U-lee", "action": "add"}),
    "settings-frontdesk-notices": None,  # the session's practice's own notices
    "defects": ("GET", "/defects?owner=U-lee", None),  # filters: another's owner finds nothing
    "defect": ("GET", f"/defects/{OTHER_DEFECT}", None),
    "defect-recover": ("POST", f"/defects/{OTHER_DEFECT}/recover", {"action": "sent flowers"}),
    "defect-assign": ("POST", f"/defects/{OTHER_DEFECT}/assign", {"owner": "U-priya"}),
    "defect-close": ("POST", f"/defects/{OTHER_DEFECT}/close", {}),
    "blueprint": None,  # the signed-in practice's own blueprint
    "blueprint-export": None,
    "blueprint-upload": None,  # the import; no record id: replaces the signed-in practice's layer only
    "blueprint-order": None,
    "blueprint-skip": None,
    "blueprint-stage-add": None,
    "blueprint-stage": ("GET", f"/blueprint/stages/{OTHER_STAGE}", None),
    "blueprint-stage-save": ("POST", f"/blueprint/stages/{OTHER_STAGE}", {"name": "Ours now"}),
    "blueprint-suggest": (
        "POST",
        f"/blueprint/stages/{OTHER_STAGE}/suggest",
        {"list": "recovery_moves", "text": "wave them in"},
    ),
    "blueprint-accept": ("POST", f"/blueprint/suggestions/{OTHER_SUGGESTION}/accept", {}),
    "blueprint-decline": ("POST", f"/blueprint/suggestions/{OTHER_SUGGESTION}/decline", {}),
    "blueprint-rules": None,  # the form to add one of the signed-in practice's own rules
    # Adds to the signed-in practice's own rules: an id another practice uses is free here
    # (test_blueprint_rules: the other practice's rule is unchanged).
    "blueprint-rule-add": None,
    "blueprint-rule": ("GET", f"/blueprint/rules/{OTHER_RULE}", None),
    "blueprint-rule-save": (
        "POST",
        f"/blueprint/rules/{OTHER_RULE}",
        {"title": "Ours now", "stages": "arrival"},
    ),
    "blueprint-rule-remove": ("POST", f"/blueprint/rules/{OTHER_RULE}/remove", {}),
    "audit": None,  # reads the signed-in practice's log only
}
# Form fields naming a record: another practice's person in a form, on this practice's defect.
FORM_IDS = [("/defects/1/assign", {"owner": "U-lee"})]


def dashboard_routes(world) -> set[str]:
    [sub] = [r for r in world.app.router.resources() if hasattr(r, "_app")]
    return {resource.name for resource in sub._app.router.resources()}


def test_every_route_is_in_the_scoping_table(world):
    assert dashboard_routes(world) == set(ROUTES), "add the new route to ROUTES"


def other_practice(world):
    with transaction(world.huddle.engine) as session:
        found = get_defect(session=session, workspace_id=world.ids["other"], defect_id=3)
        return (found.owner_id, found.closed_at, len(actions_for(session=session, defect=found)))


@pytest.mark.parametrize("name", [n for n, how in ROUTES.items() if how is not None])
async def test_another_practice_s_record_is_not_found_and_unchanged(name, browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    before = other_practice(world)
    method, path, form = ROUTES[name]
    if method == "GET":
        status, page = await browser.get(path)
        if name == "defects":
            assert status == 200 and "front door" not in page and "0 defects found" in page
        else:
            assert status == 404 and "front door" not in page
    else:
        status, page = await browser.post(path, form)
        assert status == 404
    assert other_practice(world) == before


@pytest.mark.parametrize(("path", "form"), FORM_IDS)
async def test_another_practice_s_person_in_a_form_is_not_found(path, form, browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, _ = await browser.post(path, form)
    assert status == 404
    with transaction(world.huddle.engine) as session:
        found = get_defect(session=session, workspace_id=world.ids["smile"], defect_id=1)
    assert found.owner_id is None


async def test_a_non_admin_gets_the_403_page_on_an_admin_page(browser):
    await browser.sign_in_with_slack("T1", "U-sam", "Sam")
    status, page = await browser.get("/admins")
    assert status == 403 and "for the practice's admins" in page
    _, overview = await browser.get("/")
    assert "Admins" not in overview  # not offered in the nav either


async def test_an_admin_sees_the_admins(browser):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, page = await browser.get("/admins")
    assert status == 200 and "Dana" in page


async def test_signed_out_every_page_leads_to_sign_in(browser):
    for path in ("/", "/defects", "/defects/1", "/stories", "/admins", "/reports", "/settings"):
        status, page = await browser.get(path)
        assert status == 200 and "Sign in with Slack" in page
