"""The privacy check finds patient detail in free text before it is stored, and says why."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.privacy import TEXT_KINDS, advice, check


def kinds(text, *, region="AU", kind="defect"):
    return [finding.kind for finding in check(text, region=region, kind=kind)]


def test_the_receptionists_defect_shows_the_name_the_phone_and_the_medication():
    text = "arrival: Jane Smith (0412 345 678) waited 20 min, she is on warfarin"
    assert kinds(text) == ["name", "phone", "clinical"]


def test_medication_and_everyday_words_for_a_condition_are_clinical():
    assert kinds("on metformin, keep an eye on her sugar", kind="tidbit") == [
        "clinical",
        "clinical",
    ]
    assert kinds("nobody asked about his blood thinners") == ["clinical"]
    assert kinds("takes 20 mg of something for it") == ["clinical"]


def test_a_lower_case_full_name_is_caught_by_the_first_names_list():
    assert kinds("tom smith waited at the desk") == ["name"]


@pytest.mark.parametrize(
    "text",
    [
        "Mrs K was not greeted by name",
        "Tom S got a call back",
        "Kylie stayed back to fit him in",
        "Dr Anna Lee ran 20 minutes over",
        "ran late on Thursday Morning at the Front Desk",
        "booked for Monday June 3, arrival stage",
        "Grace called about the grace period",
        "will Mark the chart so we remember",
        "patient JS-1042 was told Tuesday",
    ],
)
def test_initials_first_names_clinicians_and_staff_talk_are_not_full_names(text):
    assert "name" not in kinds(text)


def test_a_name_not_in_the_list_is_caught_in_mid_sentence():
    assert kinds("charged Xanthe Oduya the full fee") == ["name"]
    assert kinds("arrival: Xanthe Oduya waited an hour") == ["name"]
    assert kinds("Xanthe Oduya waited an hour") == []  # a sentence's first word may be any word


def test_in_a_tidbit_a_name_not_in_the_list_needs_a_word_that_points_at_a_person():
    assert kinds("her partner Xanthe Oduya teaches", kind="tidbit") == ["name"]
    assert kinds("Xanthe Oduya's daughter is a nurse", kind="story") == []


@pytest.mark.parametrize(
    "text",
    [
        "runs the bakery on Main Street",
        "a huge Taylor Swift fan",
        "loves The Rolling Stones and Fleetwood Mac",
        "goes fishing at Lakes Entrance",
    ],
)
def test_title_case_places_bands_and_stars_are_not_full_names(text):
    assert kinds(text, kind="tidbit") == []


def test_a_title_and_a_surname_is_a_name_but_a_title_and_an_initial_is_not():
    assert kinds("Mr Patterson was sent to the wrong room") == ["name"]
    assert kinds("Mrs Jane Smith got flowers") == ["name"]
    assert kinds("Mrs K got flowers") == []


def test_phone_numbers_are_read_in_the_practices_region():
    assert kinds("call (212) 555-0199 back", region="US") == ["phone"]
    assert kinds("ring 020 7946 0958 after 3", region="GB") == ["phone"]
    assert kinds("left a message on 9876 5432", region="AU") == ["phone"]
    assert kinds("left a message on +61 2 9123 4567", region="US") == ["phone"]


def test_times_amounts_ids_and_dates_are_not_phone_numbers():
    text = "at 8:30 on 2026-12-01, $1,200 quote, defect 20261201, room 12, patient JS-1042"
    assert "phone" not in kinds(text)


def test_without_a_region_any_long_run_of_digits_is_a_phone_number():
    assert kinds("new mobile 0412 345 678", region=None) == ["phone"]


@pytest.mark.parametrize(
    "text",
    [
        "DOB 14/02/1958 on the form",
        "d.o.b. 5 June 1939",
        "date of birth: 02/11/1975",
        "born 3/4/1961",
        "born in 1952",
        "the file says 3/4/1961",
    ],
)
def test_birthdates_are_found_in_the_ways_people_write_them(text):
    assert kinds(text) == ["birthdate"]


def test_asking_staff_to_confirm_a_dob_is_not_a_birthdate():
    assert kinds("added a reminder to confirm DOB and address at every arrival") == []
    assert kinds("birthday next Friday, maybe a card", kind="tidbit") == []


def test_emails_and_home_addresses_are_contact_details():
    assert kinds("sent to susan.hale@bigpond.com") == ["email"]
    assert kinds("posted to unit 4, 18 Wattle Street") == ["address"]
    assert kinds("moved near SW3 4NX", region="GB") == ["address"]
    assert kinds("waited 40 minutes after close") == []


def test_dental_treatment_is_clinical_in_a_tidbit_but_everyday_talk_in_a_defect():
    assert kinds("crown was not back from the lab") == []
    assert kinds("his implant is still sore", kind="tidbit") == ["clinical"]


def test_a_name_after_patient_colon_is_still_a_name():
    assert kinds("waited an hour, patient: Jane Smith") == ["name"]


def test_a_finding_masks_the_detail_and_says_who_would_see_it_and_what_to_write():
    (phone,) = check("rang her on 0412 345 678", region="AU", kind="defect")
    assert "345" not in phone.excerpt and phone.excerpt.startswith("04")
    assert "/defect list" in phone.where and phone.excerpt in phone.why
    assert "practice management system" in phone.instead and "patient: JS-1042" in phone.instead
    (name,) = check("Sam took tom baker a blanket", region="AU", kind="recovery")
    assert name.excerpt == "t… b…"
    assert (name.start, name.end) == (9, 18)
    (story,) = check("Jess walked Mrs Whitfield to the car", region="AU", kind="story")
    assert "read out at the meeting" in story.message


def test_advice_says_who_would_see_it_once_then_one_line_per_kind():
    findings = check("Jane Smith on warfarin and her sugar is high", region="AU", kind="story")
    lines = advice(findings)
    assert lines[0].startswith("Stories are shared with the whole team")
    assert lines[1].startswith("That looks like a full name (J… S…).")
    assert lines[2].startswith("That looks clinical (warfarin, her sugar).")
    assert len(lines) == 3
    assert advice([]) == []


def test_findings_come_in_the_order_they_appear():
    findings = check("warfarin, then Jane Smith", region="AU", kind="tidbit")
    assert [f.start for f in findings] == sorted(f.start for f in findings)


def test_an_unknown_kind_of_text_is_refused():
    with pytest.raises(ValueError, match="defect, recovery, story, tidbit"):
        check("hello", region="AU", kind="note")


@given(st.text(max_size=200), st.sampled_from(TEXT_KINDS), st.sampled_from(["AU", "US", None]))
def test_any_text_gets_findings_that_point_inside_it(text, kind, region):
    for finding in check(text, region=region, kind=kind):
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.why and finding.instead
