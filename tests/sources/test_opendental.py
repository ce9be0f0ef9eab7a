"""The Open Dental source, against a local stand-in of Open Dental's API (not a mock)."""

from __future__ import annotations

from datetime import date, time

import pytest

from adapters.opendental.client import OpenDentalClient, OpenDentalError
from adapters.opendental.source import OpenDentalPractice, OpenDentalSource
from bot.appointments import SourceWorkspace
from tests.standins.opendental_api import appointment_row, patient_row

DAY = date(2026, 12, 1)
PRACTICE = SourceWorkspace(id=1, timezone="America/Los_Angeles", patient_salt="slack:T1")


def _client(standin, sleeps, **kwargs) -> OpenDentalClient:
    return OpenDentalClient(
        standin.url,
        kwargs.pop("developer_key", standin.developer_key),
        kwargs.pop("customer_key", standin.customer_key),
        sleep=sleeps,
        **kwargs,
    )


async def _day(standin, sleeps, practice=None, day=DAY, **kwargs):
    practice = practice or OpenDentalPractice(confirmed_defnums=frozenset({21}), birthdays=False)
    async with _client(standin, sleeps, **kwargs) as client:
        return await OpenDentalSource(client, practice).day(PRACTICE, day)


def _many(count: int, day: date = DAY) -> list[dict]:
    return [
        appointment_row(n, 1000 + n, f"{day.isoformat()} {8 + n % 9:02d}:{n % 60:02d}:00")
        for n in range(1, count + 1)
    ]


@pytest.mark.parametrize(("count", "calls"), [(99, 1), (100, 2), (200, 3), (201, 3)])
async def test_every_page_is_read_while_a_page_is_exactly_full(opendental, sleeps, count, calls):
    opendental.appointments = _many(count)
    found = await _day(opendental, sleeps)
    assert len(found) == count
    asked = [r for r in opendental.requests if r.path.endswith("/appointments")]
    assert len(asked) == calls
    assert [r.query.get("Offset", "0") for r in asked] == [str(100 * i) for i in range(calls)]


async def test_the_header_carries_both_keys(opendental, sleeps):
    await _day(opendental, sleeps)
    assert opendental.requests[0].authorization == "ODFHIR dev-key-1/VzkmZEaUWOjnQX2z"


async def test_a_bad_customer_key_says_so_in_words(opendental, sleeps):
    with pytest.raises(OpenDentalError, match=r"refused the API keys.*customer key"):
        await _day(opendental, sleeps, customer_key="wrong")


async def test_the_next_sync_asks_only_for_what_changed_since_the_server_time(opendental, sleeps):
    opendental.appointments = [
        appointment_row(1, 11, "2026-12-01 08:00:00", confirmed=19),
        appointment_row(2, 12, "2026-12-01 09:00:00", confirmed=19),
    ]
    practice = OpenDentalPractice(confirmed_defnums=frozenset({21}), birthdays=False)
    async with _client(opendental, sleeps) as client:
        source = OpenDentalSource(client, practice)
        first = await source.day(PRACTICE, DAY)
        assert [a.confirmed for a in first] == [False, False]
        # The front desk confirms the 9:00 and breaks the 8:00 after the first sync.
        opendental.appointments = [
            appointment_row(
                1, 11, "2026-12-01 08:00:00", status="Broken", stamp="2021-05-04 10:00:00"
            ),
            appointment_row(
                2, 12, "2026-12-01 09:00:00", confirmed=21, stamp="2021-05-04 10:00:00"
            ),
        ]
        opendental.server_time = "2021-05-04 10:05:00"
        second = await source.day(PRACTICE, DAY)
    asked = [r for r in opendental.requests if r.path.endswith("/appointments")]
    assert "DateTStamp" not in asked[0].query
    assert (
        asked[1].query["DateTStamp"] == "2021-05-04 09:32:45"
    )  # the first answer's serverDateTime
    assert [(a.patient_ref, a.confirmed) for a in second] == [("12", True)]


async def test_an_unchanged_appointment_stays_on_an_incremental_sync(opendental, sleeps):
    opendental.appointments = [appointment_row(1, 11, "2026-12-01 08:00:00")]
    practice = OpenDentalPractice(confirmed_defnums=frozenset({19}), birthdays=False)
    async with _client(opendental, sleeps) as client:
        source = OpenDentalSource(client, practice)
        await source.day(PRACTICE, DAY)
        again = await source.day(PRACTICE, DAY)  # nothing altered since: an empty answer
    assert [a.patient_ref for a in again] == ["11"]


async def test_string_booleans_and_the_none_date_are_read_as_meant(opendental, sleeps):
    opendental.appointments = [
        appointment_row(1, 11, "2026-12-01 08:00:00", new_patient=True),
        appointment_row(2, 12, "2026-12-01 09:30:00", arrived="2026-12-01 09:24:00"),
    ]
    first, second = await _day(opendental, sleeps)
    assert opendental.appointments[0]["IsNewPatient"] == "true"  # what the stand-in sends
    assert (first.new_patient, first.arrived) == (True, None)  # 0001-01-01: not arrived
    assert (second.new_patient, second.arrived) == (False, time(9, 24))


async def test_times_are_the_practice_wall_clock_without_conversion(opendental, sleeps):
    opendental.appointments = [appointment_row(1, 11, "2026-12-01 08:30:00")]
    [found] = await _day(opendental, sleeps)
    assert found.starts == time(8, 30)


async def test_only_the_practices_own_confirmed_statuses_count(opendental, sleeps):
    opendental.appointments = [
        appointment_row(1, 11, "2026-12-01 08:00:00", confirmed=21),
        appointment_row(2, 12, "2026-12-01 09:00:00", confirmed=19),  # "Not Called"
        appointment_row(3, 13, "2026-12-01 10:00:00", confirmed=987654),  # a DefNum we never saw
    ]
    found = await _day(opendental, sleeps)
    assert [a.confirmed for a in found] == [True, False, False]


async def test_broken_and_unscheduled_appointments_are_left_out(opendental, sleeps):
    opendental.appointments = [
        appointment_row(1, 11, "2026-12-01 08:00:00", status="Broken"),
        appointment_row(2, 12, "2026-12-01 09:00:00", status="UnschedList"),
        appointment_row(3, 13, "2026-12-01 10:00:00", status="Complete"),
    ]
    assert [a.patient_ref for a in await _day(opendental, sleeps)] == ["13"]


async def test_a_429_waits_as_long_as_retry_after_says_then_succeeds(opendental, sleeps):
    opendental.appointments = [appointment_row(1, 11, "2026-12-01 08:00:00")]
    opendental.fail_next(429, times=2, retry_after="7")
    assert len(await _day(opendental, sleeps)) == 1
    assert sleeps.waits == [7.0, 7.0]


async def test_5xx_answers_are_retried_with_a_growing_back_off(opendental, sleeps):
    opendental.appointments = [appointment_row(1, 11, "2026-12-01 08:00:00")]
    opendental.fail_next(503, times=2)
    opendental.fail_next(500)
    assert len(await _day(opendental, sleeps)) == 1
    assert sleeps.waits == [1.0, 2.0, 4.0]


async def test_a_server_that_keeps_failing_is_given_up_on_with_a_message(opendental, sleeps):
    opendental.fail_next(502, times=10)
    with pytest.raises(OpenDentalError, match=r"kept failing \(HTTP 502\) after 3 tries"):
        await _day(opendental, sleeps, attempts=3)


async def test_the_chart_number_can_be_the_reference_and_birthdays_are_flagged(opendental, sleeps):
    opendental.appointments = [
        appointment_row(1, 11, "2026-12-01 08:00:00"),
        appointment_row(2, 12, "2026-12-01 09:00:00"),
        appointment_row(3, 13, "2026-12-01 10:00:00"),
    ]
    opendental.patients = [
        patient_row(11, chart="JS-1042", birthdate="1980-12-04"),
        patient_row(12, chart="AB-2210", birthdate="0001-01-01"),
        patient_row(13, chart="", birthdate="1990-12-01"),  # no chart number: left out
    ]
    practice = OpenDentalPractice(confirmed_defnums=frozenset({19}), reference="ChartNumber")
    found = await _day(opendental, sleeps, practice=practice)
    assert [(a.patient_ref, a.birthday_this_week) for a in found] == [
        ("JS-1042", True),
        ("AB-2210", False),
    ]
    assert any(r.path.endswith("/patients/Simple") for r in opendental.requests)


def test_an_unknown_reference_kind_is_refused_in_words():
    with pytest.raises(OpenDentalError, match="PatNum or ChartNumber"):
        OpenDentalPractice.from_settings({"reference": "LName"})
