"""Patient references are found where people put them; the region comes from the timezone."""

import pytest

from bot.privacy import (
    check_patient_ref,
    find_patient_refs,
    region_for_timezone,
    split_ambiguous_ref,
)


@pytest.mark.parametrize(
    "text",
    [
        "patient: JS-1042 waited an hour",
        "waited an hour, patient JS-1042",
        "pt JS-1042 waited an hour",
        "waited an hour (JS-1042) and left",
        "Patient:JS-1042",
        "the pt. JS-1042 rang",
    ],
)
def test_a_reference_is_found_anywhere_in_the_text(text):
    assert find_patient_refs(text) == ["JS-1042"]


def test_several_references_come_in_order_each_once():
    text = "pt KL-7 and (JS-1042), then patient: KL-7 again"
    assert find_patient_refs(text) == ["KL-7", "JS-1042"]


def test_numbers_after_the_word_patient_are_not_references_unless_they_look_like_charts():
    assert find_patient_refs("a patient 20 minutes late, 2 patients in 3 rooms") == []
    assert find_patient_refs("patient 1042 rang") == ["1042"]
    assert find_patient_refs("patient called back (2 hours later)") == []


def test_a_name_after_patient_colon_is_found_so_it_can_be_refused():
    (ref,) = find_patient_refs("waited an hour, patient: Jane Smith")
    assert ref == "Jane Smith"
    hint = check_patient_ref(ref)
    assert "looks like a name" in hint and "JS-1042" in hint


@pytest.mark.parametrize("ref", ["Margaret", "smith", "SMITH-12", "Jane Smith", "J.Smith"])
def test_a_reference_that_looks_like_a_name_is_refused_with_a_hint(ref):
    assert "looks like a name" in check_patient_ref(ref)


@pytest.mark.parametrize("ref", ["JS-1042", "JS1042", "1042", "JS", "ABC-12"])
def test_chart_numbers_and_initials_are_fine_references(ref):
    assert check_patient_ref(ref) is None


def test_an_email_or_phone_number_as_a_reference_is_refused():
    assert "email" in check_patient_ref("jo@example.com")
    assert "phone number" in check_patient_ref("0412 345 678")


def test_initials_then_a_number_can_be_read_two_ways():
    joined, split = split_ambiguous_ref("JS 1042 loves gardening")
    assert (joined.ref, joined.rest) == ("JS 1042", "loves gardening")
    assert (split.ref, split.rest) == ("JS", "1042 loves gardening")


def test_a_reference_that_reads_one_way_needs_no_question():
    assert split_ambiguous_ref("JS-1042 loves gardening") is None
    assert split_ambiguous_ref("JS loves gardening") is None
    assert split_ambiguous_ref("Margaret loves gardening") is None


@pytest.mark.parametrize(
    ("tz", "region"),
    [
        ("Australia/Sydney", "AU"),
        ("Australia/Perth", "AU"),
        ("America/New_York", "US"),
        ("America/Los_Angeles", "US"),
        ("Europe/London", "GB"),
        ("Pacific/Auckland", "NZ"),
        ("America/Toronto", "CA"),
        ("Etc/UTC", None),
        ("Not/AZone", None),
    ],
)
def test_the_practices_region_comes_from_its_timezone(tz, region):
    assert region_for_timezone(tz) == region
