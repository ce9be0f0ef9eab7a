"""Exports from the Reports page: an admin's click is `/huddle export …` answered as a download.

The same file as chat's (CSV with a BOM, formulas escaped; XLSX), the same audit entry,
only this practice's records, and nothing at all for anyone who is not an admin.
"""

from __future__ import annotations

import csv
import io

import pytest

from bot.storage.audit import audit_entries
from bot.storage.db import transaction
from tests.conftest import Chat
from tests.dashboard_world import TENANT

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def records_to_export(world, huddle, clock):
    clock.advance(hours=1)
    smile = Chat(huddle, workspace="T1", channel="C1").as_("Sam")
    smile('/defect billing: =HYPERLINK("http://evil.example","click") (JS-1042)')
    smile("/fta JS-2001 transport booked by @Priya")


async def download(browser, form: dict):
    async with browser.session.post(
        browser.world.url + "/reports/export", data={"csrf": await browser.csrf(), **form}
    ) as response:
        return response.status, response.headers, await response.read()


def rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def exports_audited(world, key: str = "smile"):
    with transaction(world.huddle.engine) as session:
        found = audit_entries(session=session, workspace_id=world.ids[key])
        return [
            (e.action, e.actor_id, e.record_count, e.channel_id)
            for e in found
            if e.action.startswith("export.")
        ]


async def test_an_admin_downloads_the_period_s_defects_as_a_csv_and_it_is_audited(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, headers, data = await download(
        browser, {"kind": "defects", "period": "month", "format": "csv"}
    )
    assert status == 200
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    assert headers["Content-Disposition"] == 'attachment; filename="huddle-defects-2026-11.csv"'
    assert "no-store" in headers["Cache-Control"]
    header, *body = rows(data)
    assert header[:3] == ["ID", "Logged", "Stage"] and "Patient ref" not in header
    described = [row[header.index("What happened")] for row in body]
    assert len(body) == 4 and not any(
        "front door" in d for d in described
    )  # a fail-to-attend is a defect too; not T2's
    assert any(d.startswith("'=HYPERLINK(") for d in described)  # a formula, escaped
    assert b"JS-1042" not in data and b"JS-2001" not in data
    assert exports_audited(world) == [("export.defects", "U-dana", 4, "dashboard")]


async def test_patient_references_come_only_with_the_extra_tick_and_say_so_in_the_audit(
    browser, world
):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    _, _, plain = await download(browser, {"kind": "fta", "period": "month"})
    assert b"JS-2001" not in plain
    status, _, data = await download(browser, {"kind": "fta", "period": "month", "refs": "on"})
    header, *body = rows(data)
    assert status == 200 and header[1] == "Patient ref" and [r[1] for r in body] == ["JS-2001"]
    assert [a for a, *_ in exports_audited(world)] == ["export.fta.refs", "export.fta"]


async def test_stories_come_as_an_xlsx_when_asked(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, headers, data = await download(
        browser, {"kind": "stories", "period": "2026-11", "format": "xlsx"}
    )
    assert status == 200 and headers["Content-Type"] == XLSX
    assert headers["Content-Disposition"] == 'attachment; filename="huddle-stories-2026-11.xlsx"'
    assert data.startswith(b"PK")  # a zip: the XLSX container
    assert exports_audited(world) == [("export.stories", "U-dana", 1, "dashboard")]


async def test_the_export_buttons_are_offered_to_admins_only(browser, second_browser):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    _, page = await browser.get("/reports?period=2026-10")
    assert 'action="/dashboard/reports/export"' in page
    assert 'name="period" value="2026-10"' in page and 'name="refs"' in page
    for kind in ("defects", "stories", "fta"):
        assert f'name="kind" value="{kind}"' in page
    await second_browser.sign_in_with_slack("T1", "U-sam", "Sam")
    _, page = await second_browser.get("/reports")
    assert "/reports/export" not in page


async def test_a_non_admin_gets_403_and_nothing_is_exported(browser, world):
    await browser.sign_in_with_slack("T1", "U-sam", "Sam")
    status, headers, data = await download(browser, {"kind": "defects", "refs": "on"})
    assert status == 403 and "attachment" not in headers.get("Content-Disposition", "")
    assert b"waited 25 minutes" not in data and exports_audited(world) == []


async def test_without_the_csrf_token_nothing_is_exported(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, _ = await browser.post("/reports/export", {"kind": "defects"}, csrf=False)
    assert status == 403 and exports_audited(world) == []


async def test_another_practice_s_admin_gets_only_their_own_records(browser, world):
    await browser.sign_in_with_microsoft(TENANT, "oid-mia", "Mia")
    status, _, data = await download(browser, {"kind": "defects", "period": "month"})
    assert status == 200
    assert len(rows(data)) == 1  # the header: Harbour Dental has logged nothing
    # Mia signs in with Microsoft and is her Teams self (29:mia) through the directory id
    assert exports_audited(world, "harbour") == [("export.defects", "29:mia", 0, "dashboard")]
    assert exports_audited(world) == []


async def test_a_period_that_cannot_be_read_is_explained_and_no_file_comes(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, headers, data = await download(browser, {"kind": "defects", "period": "2026-13"})
    assert status == 422 and "Content-Disposition" not in headers
    assert b"There is no month 2026-13" in data and exports_audited(world) == []
