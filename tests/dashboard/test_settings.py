"""The Settings page: admins only, each change the chat's own command, errors in words."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.storage.appointments import appointments_on, get_source
from bot.storage.audit import audit_entries
from bot.storage.db import transaction
from bot.storage.front_desk import Protocol, list_front_desk, protocols
from bot.storage.models import Subscription, Workspace
from tests.conftest import Chat

SAMPLE = Path(__file__).resolve().parents[2] / "content" / "examples" / "day_sheet.csv"
MAPPING = {"time": "Time", "reference": "Chart #", "provider": "Provider", "status": "Status"}


@pytest.fixture
def smile(world):
    chat = Chat(world.huddle, workspace="T1", channel="C1").as_("Dana")
    chat("/huddle schedule monday 8:30 am Australia/Sydney")
    return chat


def subscription(world, workspace: str, channel: str) -> Subscription:
    with transaction(world.huddle.engine) as session:
        found = session.exec(
            sa.select(Subscription).where(
                Subscription.workspace_id == world.ids[workspace],
                Subscription.channel_id == channel,
            )
        ).scalar_one()
        session.expunge(found)
        return found


def workspace(world, key: str) -> Workspace:
    with transaction(world.huddle.engine) as session:
        found = session.get(Workspace, world.ids[key])
        session.expunge(found)
        return found


def note(page: str, key: str) -> str:
    found = re.search(rf'id="note-{re.escape(key)}" role="(\w+)">(.*?)</div>', page, re.S)
    assert found, f"no note beside {key}"
    return f"{found.group(1)}: {html.unescape(found.group(2))}"


async def test_the_page_shows_the_practice_s_settings(browser, smile):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, page = await browser.get("/settings")
    assert status == 200
    assert "In C1" in page and 'value="08:30"' in page and "Morning brief: off" in page
    assert "Dana" in page and "No schedule source yet" in page


async def test_a_non_admin_gets_403_and_changes_nothing(browser, world, smile):
    await browser.sign_in_with_slack("T1", "U-sam", "Sam")
    status, page = await browser.get("/settings")
    assert status == 403 and "for the practice's admins" in page
    for path, form in (
        ("/settings/schedule", {"channel": "C1", "weekday": "friday", "time": "10:00"}),
        ("/settings/brief", {"channel": "C1", "brief": "on", "time": "07:00"}),
        ("/settings/timezone", {"timezone": "Auckland"}),
        ("/settings/emoji", {"emoji": "tada"}),
        ("/settings/admins", {"person": "U-sam", "action": "add"}),
        ("/settings/source/csv", MAPPING),
        ("/settings/tidbits", {"tidbits": "off"}),
        ("/settings/frontdesk", {"person": "U-sam", "action": "add"}),
        ("/settings/frontdesk/notices", {"notice_at": "12:00", "popups": "on"}),
    ):
        status, _ = await browser.post(path, form)
        assert status == 403, path
    assert subscription(world, "smile", "C1").weekday == 0
    assert workspace(world, "smile").nominate_emoji is None
    assert workspace(world, "smile").tidbits is True
    with transaction(world.huddle.engine) as session:
        assert get_source(session=session, workspace_id=world.ids["smile"]) is None
        assert list_front_desk(session=session, workspace_id=world.ids["smile"]) == []
        assert protocols(session=session, workspace_ids={world.ids["smile"]}) == {
            world.ids["smile"]: Protocol()
        }


async def test_a_form_without_its_csrf_token_is_refused(browser, world, smile):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, page = await browser.post("/settings/emoji", {"emoji": "tada"}, csrf=False)
    assert status == 403 and "nothing was changed" in page
    status, _ = await browser.post(
        "/settings/emoji", {"emoji": "tada", "csrf": "forged"}, csrf=False
    )
    assert status == 403
    assert workspace(world, "smile").nominate_emoji is None


async def test_a_new_meeting_time_is_what_chat_then_says(browser, world, smile):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, page = await browser.post(
        "/settings/schedule",
        {"channel": "C1", "weekday": "tuesday", "time": "09:15", "timezone": "Australia/Sydney"},
    )
    assert status == 200 and 'role="status"' in page
    assert "Tuesday" in note(page, "schedule-C1")
    found = subscription(world, "smile", "C1")
    assert (found.weekday, found.hour, found.minute) == (1, 9, 15)
    assert "Tuesday" in smile("/huddle status")


async def test_the_brief_time_on_and_off(browser, world, smile):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, page = await browser.post(
        "/settings/brief", {"channel": "C1", "brief": "on", "time": "07:30"}
    )
    assert status == 200 and "7:30" in note(page, "brief-C1")
    assert subscription(world, "smile", "C1").brief_minutes == 7 * 60 + 30
    assert "Morning brief: on, at 07:30" in page
    _, page = await browser.post("/settings/brief", {"channel": "C1", "brief": "off"})
    assert subscription(world, "smile", "C1").brief_minutes is None
    assert "Morning brief: off" in page


async def test_the_timezone_and_emoji_are_saved_as_chat_saves_them(browser, world, smile):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, _ = await browser.post("/settings/timezone", {"timezone": "Auckland"})
    assert status == 200 and workspace(world, "smile").timezone == "Pacific/Auckland"
    assert "Auckland" in smile("/huddle timezone")
    status, page = await browser.post("/settings/emoji", {"emoji": ":tada:"})
    assert status == 200 and workspace(world, "smile").nominate_emoji == "tada"
    assert 'value="tada"' in page


async def test_bad_input_is_explained_beside_its_field_and_nothing_changes(browser, world, smile):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, page = await browser.post("/settings/timezone", {"timezone": "Atlantis"})
    assert status == 422 and note(page, "timezone").startswith("alert:")
    assert 'aria-describedby="note-timezone" aria-invalid="true"' in page
    assert 'value="Atlantis"' in page  # kept, to correct
    assert workspace(world, "smile").timezone != "Atlantis"
    status, page = await browser.post(
        "/settings/schedule", {"channel": "C1", "weekday": "monday", "time": "25:99"}
    )
    assert status == 422 and note(page, "schedule-C1").startswith("alert:")
    assert subscription(world, "smile", "C1").hour == 8


async def test_admins_are_added_and_removed_as_in_chat(browser, world, smile):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, page = await browser.post("/settings/admins", {"person": "U-priya", "action": "add"})
    assert status == 200 and "now one of the practice's admins" in note(page, "admins")
    assert "Priya" in smile("/huddle admins")
    status, page = await browser.post("/settings/admins", {"person": "U-priya", "action": "remove"})
    assert status == 200 and "Priya" not in smile("/huddle admins")
    status, page = await browser.post("/settings/admins", {"person": "U-dana", "action": "remove"})
    assert status == 422 and "only admin" in note(page, "admins")


async def test_another_practice_s_channel_or_person_is_not_found(browser, world, smile):
    Chat(world.huddle, workspace="T2", channel="C9").as_("Lee")("/huddle schedule friday 9am")
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, _ = await browser.post(
        "/settings/schedule", {"channel": "C9", "weekday": "monday", "time": "07:00"}
    )
    assert status == 404 and subscription(world, "other", "C9").weekday == 4
    status, _ = await browser.post("/settings/brief", {"channel": "C9", "brief": "on"})
    assert status == 404 and subscription(world, "other", "C9").brief_minutes is None
    status, _ = await browser.post("/settings/admins", {"person": "U-lee", "action": "add"})
    assert status == 404


async def test_an_open_dental_key_is_set_and_never_shown(browser, world, smile):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    key = "od-customer-key-7f3a"
    status, page = await browser.post(
        "/settings/source/opendental",
        {"customer_key": key, "confirmed": "19, 21", "reference": "ChartNumber"},
    )
    assert status == 200 and key not in page
    assert "Customer key: set, never shown" in page
    assert "set, never shown" in smile("/huddle source")
    with transaction(world.huddle.engine) as session:
        found = get_source(session=session, workspace_id=world.ids["smile"])
    assert found.kind == "opendental" and found.settings["confirmed_defnums"] == [19, 21]
    assert key not in found.secret_enc


async def test_a_feed_address_is_set_and_never_echoed_and_a_bad_one_is_explained(
    browser, world, smile
):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, page = await browser.post("/settings/source/ical", {"feed_url": "ftp://nope"})
    assert status == 422 and "https://" in note(page, "source-ical") and "ftp://nope" not in page
    feed = "https://calendar.example.com/private-5c1d/basic.ics"
    status, page = await browser.post("/settings/source/ical", {"feed_url": feed})
    assert status == 200 and feed not in page and "Feed address: set, never shown" in page


async def test_a_day_sheet_upload_stores_the_day_and_none_of_its_names_or_notes(
    browser, world, smile, clock
):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    form = {**MAPPING, "day_sheet": SAMPLE.open("rb")}
    status, page = await browser.post("/settings/source/csv", form)
    assert status == 200, note(page, "source-csv")
    assert "8 appointment(s) stored" in note(page, "source-csv")
    tz = workspace(world, "smile").timezone
    today: date = clock().astimezone(ZoneInfo(tz)).date()
    with transaction(world.huddle.engine) as session:
        stored = appointments_on(session=session, workspace_id=world.ids["smile"], day=today)
        assert len(stored) == 8
    dump = _database_text(world)
    for note_text in ("Crown prep", "Root canal", "New patient exam", "Ex, PA"):
        assert note_text not in dump and note_text not in page
    assert "reference = Chart #" in smile("/huddle source")


async def test_an_upload_without_the_mapping_s_columns_is_explained(browser, world, smile):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    form = {"time": "Time", "reference": "Patient", "day_sheet": SAMPLE.open("rb")}
    status, page = await browser.post("/settings/source/csv", form)
    assert status == 422 and "not imported" in note(page, "source-csv")


def _database_text(world) -> str:
    """Every stored value of every table, as text: what a leak would show up in."""
    metadata = sa.MetaData()
    metadata.reflect(world.huddle.engine)
    with world.huddle.engine.connect() as connection:
        return " ".join(
            str(row)
            for table in metadata.sorted_tables
            for row in connection.execute(sa.select(table))
        )


async def test_the_same_form_sent_twice_counts_once(browser, world, smile):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    form = {"person": "U-priya", "action": "add", "once": "same"}
    await browser.post("/settings/admins", form)
    await browser.post("/settings/admins", {"person": "U-priya", "action": "remove", "once": "r"})
    status, page = await browser.post("/settings/admins", form)  # a reload of the first
    assert status == 200 and "counted once" in note(page, "admins")
    assert "Priya" not in smile("/huddle admins")


async def test_each_form_brings_the_page_back_to_itself(browser, smile):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    _, page = await browser.get("/settings")
    for action in re.findall(r'<form[^>]* id="([^"]+)"[^>]*action="[^"#]+#([^"]+)"', page):
        assert action[0] == action[1]
    assert 'action="/dashboard/settings/source/csv#source-csv-form"' in page


async def test_a_sheet_with_names_and_notes_keeps_neither(browser, world, smile, tmp_path):
    sheet = tmp_path / "export.csv"
    sheet.write_text(
        "Time,Chart #,Patient name,Provider,Notes\n"
        "08:00,JS-1042,Margaret Thompson,DOC1,anxious about needles; daughter's wedding\n"
        "09:00,AB-2210,Peter Nguyen,HYG1,allergic to latex\n",
        encoding="utf-8",
    )
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    form = {"time": "Time", "reference": "Chart #", "day_sheet": sheet.open("rb")}
    status, page = await browser.post("/settings/source/csv", form)
    assert status == 200 and "2 appointment(s) stored" in note(page, "source-csv")
    dump = _database_text(world)
    for private in ("Margaret", "Thompson", "Peter Nguyen", "needles", "wedding", "latex"):
        assert private not in dump and private not in page


def audited(world, workspace_key: str = "smile") -> list[tuple[str, str, str | None]]:
    with transaction(world.huddle.engine) as session:
        found = audit_entries(session=session, workspace_id=world.ids[workspace_key])
        return [(e.action, e.actor_id, e.channel_id) for e in reversed(found)]


async def test_the_front_desk_is_added_and_removed_as_in_chat_and_audited(browser, world, smile):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    _, page = await browser.get("/settings")
    assert "No one is on the front desk, so the practice's admins are told instead" in page
    status, page = await browser.post("/settings/frontdesk", {"person": "U-priya", "action": "add"})
    assert status == 200 and "@Priya is now on the front desk" in note(page, "frontdesk")
    assert "The front desk: @Priya." in smile("/huddle frontdesk")
    assert 'id="frontdesk-remove"' in page
    assert ("frontdesk.add", "U-dana", "dashboard") in audited(world)
    status, page = await browser.post(
        "/settings/frontdesk", {"person": "U-priya", "action": "remove"}
    )
    assert status == 200 and "no longer on the front desk" in note(page, "frontdesk")
    assert "No front desk is set" in smile("/huddle frontdesk")
    assert ("frontdesk.remove", "U-dana", "dashboard") in audited(world)
    status, page = await browser.post(
        "/settings/frontdesk", {"person": "U-sam", "action": "remove"}
    )
    assert status == 422 and "isn't on the front desk" in note(page, "frontdesk")


async def test_another_practice_s_person_cannot_join_this_front_desk(browser, world, smile):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, _ = await browser.post("/settings/frontdesk", {"person": "U-lee", "action": "add"})
    assert status == 404
    status, _ = await browser.post("/settings/frontdesk", {"person": "U-nobody", "action": "add"})
    assert status == 404
    with transaction(world.huddle.engine) as session:
        assert list_front_desk(session=session, workspace_id=world.ids["smile"]) == []
        assert list_front_desk(session=session, workspace_id=world.ids["other"]) == []


async def test_the_front_desk_notices_are_saved_as_chat_saves_them(browser, world, smile):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    form = {"notice_at": "14:30", "deadline": "17:00", "popups": "on"}
    status, page = await browser.post("/settings/frontdesk/notices", form)
    assert status == 200
    said = note(page, "frontdesk-notice_at")  # the last one sent: it tells all three
    assert said.startswith("status: Notice time:") and "open recoveries: on" in said
    assert note(page, "frontdesk-deadline").startswith("status: Confirm by:")
    assert "popup" in note(page, "frontdesk-popups")
    listing = smile("/huddle frontdesk")
    assert "at 2:30 pm" in listing and "5:00 pm today" in listing and "recoveries: on" in listing
    assert 'value="14:30"' in page and 'value="17:00"' in page
    actions = [a for a, _, _ in audited(world)]
    for done in ("setting.frontdesk.at", "setting.frontdesk.deadline", "setting.frontdesk.popups"):
        assert actions.count(done) == 1

    # Only what differs is sent: an empty deadline is the end of the day, popups off.
    status, page = await browser.post(
        "/settings/frontdesk/notices", {"notice_at": "14:30", "deadline": "", "popups": "off"}
    )
    assert status == 200 and 'id="note-frontdesk-notice_at"' not in page
    assert "the end of today" in smile("/huddle frontdesk")
    assert "recoveries: off" in smile("/huddle frontdesk")
    assert [a for a, _, _ in audited(world)].count("setting.frontdesk.at") == 1

    status, page = await browser.post(
        "/settings/frontdesk/notices", {"notice_at": "14:30", "deadline": "", "popups": "off"}
    )
    assert status == 200 and "Nothing changed" in note(page, "frontdesk-notices")


async def test_a_bad_notice_time_is_named_by_its_field_and_the_others_still_save(
    browser, world, smile
):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    form = {"notice_at": "25:99", "deadline": "16:00", "popups": "off"}
    status, page = await browser.post("/settings/frontdesk/notices", form)
    assert status == 422
    assert note(page, "frontdesk-notice_at").startswith("alert: Notice time:")
    assert 'aria-describedby="note-frontdesk-notice_at" aria-invalid="true"' in page
    assert 'value="25:99"' in page  # kept, to correct
    assert note(page, "frontdesk-deadline").startswith("status: Confirm by:")
    listing = smile("/huddle frontdesk")
    assert "at 3:00 pm" in listing and "4:00 pm today" in listing


async def test_tidbits_are_turned_off_and_on_from_the_settings_page(browser, world, smile):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    _, page = await browser.get("/settings")
    assert 'id="tidbits-on" name="tidbits" value="on" checked' in page
    status, page = await browser.post("/settings/tidbits", {"tidbits": "off"})
    assert status == 200
    said = note(page, "tidbits")
    assert said.startswith("status: Tidbits are off") and "stay until they expire" in said
    assert workspace(world, "smile").tidbits is False
    assert 'id="tidbits-off" name="tidbits" value="off" checked' in page
    refused = smile.as_("Sam")("/tidbit JS-1042 daughter's wedding in June")
    assert "has tidbits turned off" in refused and "@Dana" in refused
    assert ("setting.tidbits.off", "U-dana", "dashboard") in audited(world)

    status, page = await browser.post("/settings/tidbits", {"tidbits": "off"})
    assert status == 200 and "already off" in note(page, "tidbits")
    status, page = await browser.post("/settings/tidbits", {"tidbits": "on"})
    assert status == 200 and workspace(world, "smile").tidbits is True
    assert "Noted for JS-1042" in smile("/tidbit JS-1042 daughter's wedding in June")
    assert [a for a, _, _ in audited(world) if a.startswith("setting.tidbits")] == [
        "setting.tidbits.off",
        "setting.tidbits.on",
    ]


async def test_an_admin_starts_the_weekly_meeting_in_a_channel_huddle_has_heard_from(
    browser, world
):
    from bot.model import Incoming

    heard = Incoming(
        "slack", "T1", "C7", "U-sam", "Sam", "huddle", "help", channel_name="#front-desk"
    )
    world.huddle.handle(heard)
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    _, page = await browser.get("/settings")
    assert '<option value="C7">#front-desk</option>' in page
    assert "#lee-desk" not in page  # another practice's channel is never offered

    status, page = await browser.post(
        "/settings/schedule/new",
        {"channel": "C7", "weekday": "tuesday", "time": "07:30", "timezone": "Australia/Sydney"},
    )
    assert status == 200
    assert "<h3>In #front-desk</h3>" in page and "Tuesday 7:30 am Sydney time" in page
    assert "status:" in note(page, "schedule-new")  # the core's answer, beside where it was
    assert '<option value="C7">' not in page  # it has its meeting now: offered no more

    status, page = await browser.post(
        "/settings/schedule/new", {"channel": "C7", "weekday": "friday", "time": "10:00"}
    )
    assert status == 404  # it is scheduled now: changed with its own form


async def test_a_non_admin_cannot_start_a_weekly_meeting(second_browser, world):
    from bot.model import Incoming

    world.huddle.handle(
        Incoming("slack", "T1", "C7", "U-sam", "Sam", "huddle", "help", channel_name="#front-desk")
    )
    await second_browser.sign_in_with_slack("T1", "U-sam", "Sam")
    status, _ = await second_browser.post(
        "/settings/schedule/new", {"channel": "C7", "weekday": "friday", "time": "10:00"}
    )
    assert status == 403
