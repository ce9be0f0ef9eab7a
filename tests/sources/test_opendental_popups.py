"""Popups against the Open Dental stand-in, built from apipopups.html's example payloads:
``POST /popups`` (PatNum and Description, PopupLevel Patient) and ``GET /popups?PatNum=``."""

from __future__ import annotations

import pytest

from adapters.opendental.client import OpenDentalClient, OpenDentalError
from adapters.opendental.source import OpenDentalPractice, OpenDentalSource
from tests.standins.opendental_api import patient_row

TEXT = "Huddle: a service recovery to finish (Waiting): kept 40 minutes. (Huddle defect #3)"


def _client(opendental, sleeps) -> OpenDentalClient:
    return OpenDentalClient(
        opendental.url, opendental.developer_key, opendental.customer_key, sleep=sleeps
    )


async def test_a_popup_is_posted_on_the_patient_found_by_chart_number(opendental, sleeps):
    opendental.patients = [patient_row(11, chart="JS-1042"), patient_row(12, chart="AB-2210")]
    practice = OpenDentalPractice(confirmed_defnums=frozenset({19}), reference="ChartNumber")
    async with _client(opendental, sleeps) as client:
        added = await OpenDentalSource(client, practice).push_popup("js 1042", TEXT)

    assert added is True
    [post] = [r for r in opendental.requests if r.method == "POST"]
    assert post.path == "/api/v1/popups"
    assert post.body == {"PatNum": 11, "Description": TEXT, "PopupLevel": "Patient"}
    assert post.authorization == "ODFHIR dev-key-1/VzkmZEaUWOjnQX2z"
    [popup] = opendental.popups
    assert (popup["PatNum"], popup["PopupLevel"], popup["IsDisabled"]) == (11, "Patient", "false")


async def test_the_same_popup_is_never_added_twice(opendental, sleeps):
    practice = OpenDentalPractice(confirmed_defnums=frozenset({19}))  # PatNum references
    async with _client(opendental, sleeps) as client:
        source = OpenDentalSource(client, practice)
        assert await source.push_popup("11", TEXT) is True
        assert await source.push_popup("11", TEXT) is False

    assert len(opendental.popups) == 1
    assert [r.query for r in opendental.requests if r.method == "GET"] == [
        {"PatNum": "11"},
        {"PatNum": "11"},
    ]


async def test_a_refused_or_unknown_patient_says_so_without_the_reference(opendental, sleeps):
    practice = OpenDentalPractice(confirmed_defnums=frozenset({19}), reference="ChartNumber")
    async with _client(opendental, sleeps) as client:
        source = OpenDentalSource(client, practice)
        with pytest.raises(OpenDentalError) as unknown:
            await source.push_popup("ZZ-9999", TEXT)
        opendental.patients = [patient_row(11, chart="JS-1042")]
        opendental.fail_next(400)
        with pytest.raises(OpenDentalError) as refused:
            await source.push_popup("JS-1042", TEXT)

    assert "ZZ-9999" not in str(unknown.value) and "chart number" in str(unknown.value)
    assert "HTTP 400" in str(refused.value) and "JS-1042" not in str(refused.value)
    assert opendental.popups == []


async def test_a_busy_server_is_waited_out_but_a_5xx_on_the_post_is_not_retried_blindly(
    opendental, sleeps
):
    practice = OpenDentalPractice(confirmed_defnums=frozenset({19}))
    async with _client(opendental, sleeps) as client:
        source = OpenDentalSource(client, practice)
        opendental.fail_next(429, retry_after="2")
        assert await source.push_popup("11", TEXT) is True  # the GET waited 2 s, then went on
        assert sleeps.waits == [2.0]

        opendental.popups.clear()
        # The look-up succeeds, then the POST answers 503: an error, and no second POST.
        opendental.fail_next(503, method="POST")
        with pytest.raises(OpenDentalError):
            await source.push_popup("11", TEXT)

    posts = [r for r in opendental.requests if r.method == "POST"]
    assert len(posts) == 2 and opendental.popups == []
