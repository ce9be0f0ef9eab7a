"""The Audit log page: admins only, newest first, paged, from a date; patients as tags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.storage.audit import audit_entries, record_audit
from bot.storage.db import transaction

REFERENCE = "Chart 48213"  # a patient reference: never shown, never decrypted here


def entry(world, *, at: datetime, key: str = "smile", **fields) -> None:
    with transaction(world.huddle.engine) as session:
        record_audit(
            session=session,
            workspace_id=world.ids[key],
            actor_id=fields.pop("actor_id", "U-priya"),
            actor_name=fields.pop("actor_name", "Priya"),
            now=at,
            **fields,
        )


def tidbit_read(world, at: datetime, key: str = "smile") -> str:
    vault = world.huddle.vault
    ref_hash = vault.ref_hash(str(world.ids[key]), REFERENCE)
    entry(
        world,
        at=at,
        key=key,
        action="tidbit.read",
        record_count=2,
        patient_ref_hash=ref_hash,
        patient_ref_enc=vault.encrypt(REFERENCE),
    )
    return ref_hash


async def test_an_admin_sees_who_read_a_patient_s_tidbits_by_tag_only(browser, world):
    now = world.huddle.clock()
    ref_hash = tidbit_read(world, now - timedelta(hours=1))
    entry(world, at=now - timedelta(minutes=30), action="defect.delete", record_id=2)
    entry(world, at=now - timedelta(minutes=10), action="export.defects", record_count=4)
    tidbit_read(world, now, key="other")
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, page = await browser.get("/audit")
    assert status == 200
    assert "read 2 tidbits" in page and f"patient #{ref_hash[:6]}" in page
    assert "deleted defect #2" in page and "exported 4 defects" in page
    assert page.index("exported 4 defects") < page.index("deleted defect #2")  # newest first
    assert REFERENCE not in page and "48213" not in page
    assert page.count("read 2 tidbits") == 1  # not another practice's
    with transaction(world.huddle.engine) as session:
        actions = [
            e.action for e in audit_entries(session=session, workspace_id=world.ids["smile"])
        ]
    assert "audit.read" not in actions  # nothing was decrypted, so nothing more to audit


async def test_the_log_is_paged_and_filtered_from_a_date(browser, world):
    start = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
    for n in range(25):
        entry(
            world,
            at=start + timedelta(days=n % 20, minutes=n),
            action="defect.edit",
            record_id=100 + n,
        )
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    _, first = await browser.get("/audit")
    assert first.count("edited defect #") == 20 and "page=2" in first
    _, second = await browser.get("/audit?page=2")
    assert second.count("edited defect #") == 5 and "page=3" not in second
    _, since = await browser.get("/audit?since=2026-11-15")
    found = since.count("edited defect #")
    assert 0 < found < 25 and "edited defect #100" not in since
    status, page = await browser.get("/audit?since=15th")
    assert status == 400 and "for example 2026-11-01" in page


async def test_the_audit_log_is_for_admins_only(browser):
    await browser.sign_in_with_slack("T1", "U-sam", "Sam")
    status, page = await browser.get("/audit")
    assert status == 403 and "for the practice's admins" in page
    _, overview = await browser.get("/")
    assert "Audit log" not in overview
