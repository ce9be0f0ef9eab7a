"""/huddle source: an admin sees and sets the schedule source privately; secrets go only in
a form, are stored encrypted and are never shown back or logged."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from bot.appointments import ScheduleSourceError, SourceWorkspace, sync_day
from bot.model import Visibility
from bot.storage.appointment_models import ScheduleSourceConfig
from bot.storage.appointments import get_source
from tests.sample_day import sample_workspace, sync_sample

CUSTOMER_KEY = "ck-9f8e7d6c5b4a-secret"
FEED = "https://calendar.example.org/private-7d1f2c/basic.ics"


def stored_source(huddle, workspace_id: int):
    with Session(huddle.engine) as session:
        return get_source(session=session, workspace_id=workspace_id)


def test_with_no_source_it_says_how_to_set_one(chat):
    [reply] = chat.replies("/huddle source")

    assert reply.visibility is Visibility.PRIVATE
    assert "No schedule source yet" in reply.text and "/huddle source opendental" in reply.text


def test_open_dental_is_set_in_a_form_whose_key_is_never_prefilled(chat):
    [reply] = chat.replies("/huddle source opendental")

    assert reply.visibility is Visibility.PRIVATE and reply.form is not None
    assert reply.form.command == "huddle source opendental"
    names = [f.name for f in reply.form.fields]
    assert names == ["customer_key", "confirmed", "reference", "base_url"]
    assert "never type them into a command" in reply.text


def test_the_submitted_form_stores_the_key_encrypted_and_shows_it_only_as_set(
    huddle, chat, log_output
):
    form = {"customer_key": CUSTOMER_KEY, "confirmed": "19, 21", "reference": "ChartNumber"}
    [saved] = chat.replies("/huddle source opendental", form=form)
    workspace_id = sample_workspace(huddle).id

    assert "now Open Dental" in saved.text and "never shown" in saved.text
    found = stored_source(huddle, workspace_id)
    assert found.kind == "opendental"
    assert found.settings["confirmed_defnums"] == [19, 21]
    assert found.settings["reference"] == "ChartNumber"
    assert CUSTOMER_KEY not in found.secret_enc
    assert huddle.vault.decrypt(found.secret_enc) == CUSTOMER_KEY
    shown = chat("/huddle source")
    assert "Customer key: set, never shown" in shown and "19, 21" in shown
    assert CUSTOMER_KEY not in shown + saved.plain() + log_output.getvalue()
    with Session(huddle.engine) as session:
        row = session.exec(select(ScheduleSourceConfig)).one()
        assert CUSTOMER_KEY not in row.settings_json


def test_the_form_again_with_the_key_left_empty_keeps_the_stored_key(huddle, chat):
    chat("/huddle source opendental", form={"customer_key": CUSTOMER_KEY, "confirmed": "19"})

    [again] = chat.replies("/huddle source opendental")
    chat("/huddle source opendental", form={"customer_key": "", "confirmed": "19, 22"})

    key_field = again.form.fields[0]
    assert key_field.optional and key_field.initial is None
    assert "keep the one stored" in key_field.label
    assert next(f for f in again.form.fields if f.name == "confirmed").initial == "19"
    found = stored_source(huddle, sample_workspace(huddle).id)
    assert huddle.vault.decrypt(found.secret_enc) == CUSTOMER_KEY
    assert found.settings["confirmed_defnums"] == [19, 22]


def test_a_feed_address_typed_into_the_command_saves_nothing_and_is_not_echoed(huddle, chat):
    [reply] = chat.replies(f"/huddle source ical {FEED}")

    assert "Nothing was saved" in reply.text and reply.form is not None
    assert FEED not in reply.plain()
    assert all(f.initial != FEED for f in reply.form.fields)
    assert stored_source(huddle, sample_workspace(huddle).id) is None


def test_a_form_without_the_secret_or_with_bad_settings_is_refused_in_words(huddle, chat):
    assert "needs the practice's private feed address" in chat(
        "/huddle source ical", form={"feed_url": "", "provider_from": "LOCATION"}
    )
    assert "starts with https://" in chat(
        "/huddle source ical", form={"feed_url": "calendar.example.org/x.ics"}
    )
    assert "as numbers like 19, 21" in chat(
        "/huddle source opendental", form={"customer_key": CUSTOMER_KEY, "confirmed": "firm"}
    )
    assert "valid regular expression" in chat(
        "/huddle source ical", form={"feed_url": FEED, "pattern": "([A-Z"}
    )
    assert stored_source(huddle, sample_workspace(huddle).id) is None


def test_a_calendar_feed_from_the_form_is_stored_with_its_pattern_and_marker(huddle, chat):
    form = {
        "feed_url": FEED,
        "pattern": r"[A-Z]{2}-\d{4}",
        "marker": "[new]",
        "provider_from": "none",
    }
    chat("/huddle source ical", form=form)

    found = stored_source(huddle, sample_workspace(huddle).id)
    assert found.kind == "ical" and huddle.vault.decrypt(found.secret_enc) == FEED
    assert found.settings == {
        "reference_pattern": r"[A-Z]{2}-\d{4}",
        "new_patient_marker": "[new]",
        "provider_from": "",
    }
    shown = chat("/huddle source")
    assert "Feed address: set, never shown" in shown and FEED not in shown


def test_a_csv_mapping_can_be_typed_and_a_missing_column_is_named(huddle, chat):
    assert "needs the reference column" in chat("/huddle source csv time=Time")
    assert "Write each column as name=Header" in chat("/huddle source csv Time")

    reply = chat('/huddle source csv time=Time reference="Chart #" provider=Provider')

    assert "now a CSV day sheet" in reply and "huddle appointments import" in reply
    found = stored_source(huddle, sample_workspace(huddle).id)
    assert found.kind == "daysheet" and found.secret_enc is None
    assert found.settings["columns"] == {
        "time": "Time",
        "reference": "Chart #",
        "provider": "Provider",
    }


def test_an_unknown_kind_says_which_there_are(chat):
    reply = chat("/huddle source dentrix")

    assert "/huddle source opendental" in reply and "/huddle source csv" in reply


def test_only_admins_see_or_set_the_source(huddle, chat):
    chat("/huddle source")  # Alex, the first to change a setting, is the first admin
    chat.as_("Priya")

    refused = chat("/huddle source")
    assert "Only the practice's admins" in refused
    assert "Only the practice's admins" in chat(
        "/huddle source opendental", form={"customer_key": CUSTOMER_KEY, "confirmed": "19"}
    )
    assert stored_source(huddle, sample_workspace(huddle).id) is None


class Failing:
    kind = "opendental"

    async def day(self, workspace: SourceWorkspace, day: date):
        raise ScheduleSourceError("Open Dental refused the customer key (401): check it.")


async def test_show_says_when_it_last_synced_and_what_went_wrong_since(huddle, chat):
    chat('/huddle source csv time=Time reference="Chart #"')
    await sync_sample(huddle)
    assert "Last problem: none" in chat("/huddle source")

    workspace = sample_workspace(huddle)
    result = await sync_day(
        Failing(),
        engine=huddle.engine,
        vault=huddle.vault,
        workspace=workspace,
        day=date(2026, 11, 25),
        now=huddle.clock(),
    )

    assert not result.ok
    shown = chat("/huddle source")
    assert "Last good sync: Tue 24 Nov" in shown
    assert "Last problem: Open Dental refused the customer key (401): check it." in shown
