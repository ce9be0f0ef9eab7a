"""Patient references found where people put them, and free text never saved unconfirmed."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from bot.storage.models import Defect, RecoveryAction, Story, StoryDraft, Tidbit


def _count(engine) -> int:
    with Session(engine) as session:
        return sum(
            len(session.exec(select(table)).all())
            for table in (Defect, RecoveryAction, Story, StoryDraft, Tidbit)
        )


@pytest.mark.parametrize(
    "line",
    [
        "/defect waiting: kept 40 minutes patient: JS-1042",
        "/defect waiting: patient JS-1042 kept 40 minutes",
        "/defect waiting: pt JS-1042 kept 40 minutes",
        "/defect waiting: kept 40 minutes (JS-1042) with no word",
        "/defect waiting: kept (JS-1042) 40 minutes",
    ],
)
def test_a_defect_links_the_patient_wherever_the_reference_is(chat, line):
    logged = chat(line)
    assert "Patient: JS-1042" in logged
    assert "JS-1042" not in logged.split("\n")[1]  # the description no longer holds it
    assert "Defect #1 (open)" in chat("/tidbit js1042")


def test_a_defect_whose_patient_reference_looks_like_a_name_is_refused(chat, engine):
    refused = chat("/defect waiting: kept 40 minutes patient: Jane Smith")
    assert "looks like a name" in refused and "JS-1042" in refused
    assert _count(engine) == 0


def test_a_tidbit_finds_its_reference_anywhere(chat):
    assert "Noted for JS-1042: “loves gardening”" in chat("/tidbit pt JS-1042 loves gardening")
    assert "Noted for KL-77: “loves sailing”" in chat("/tidbit loves sailing (KL-77)")
    assert "Noted for AB-12: “off to Fiji”" in chat("/tidbit off to Fiji patient: AB-12")
    assert "loves gardening" in chat("/tidbit JS-1042")


def test_a_tidbit_whose_reference_looks_like_a_name_saves_nothing(chat, engine):
    assert "looks like a name" in chat("/tidbit patient: Jane Smith loves gardening")
    assert "looks like a name" in chat("/tidbit Margaret loves gardening")
    assert _count(engine) == 0


def test_a_reference_with_a_space_is_asked_about_and_saves_nothing_until_answered(chat, engine):
    [asked] = chat.replies("/tidbit JS 1042 loves gardening")

    assert asked.sensitive and "`JS 1042`" in asked.text and "`JS`" in asked.text
    assert [b.label for b in asked.buttons] == ["JS 1042", "JS"]
    assert _count(engine) == 0

    joined, split = asked.buttons
    assert "Noted for JS 1042: “loves gardening”" in chat(f"/{joined.command}")
    assert "Noted for JS: “1042 loves gardening”" in chat(f"/{split.command}")
    assert "loves gardening" in chat("/tidbit JS-1042")


def test_a_quoted_reference_is_taken_as_written(chat):
    assert "Noted for JS 1042: “new puppy”" in chat('/tidbit "JS 1042" new puppy')


_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", max_size=40)
_CONTACT = st.sampled_from(
    [
        "0412 345 678",
        "0412345678",
        "+61 412 345 678",
        "(02) 9876 5432",
        "jo.smith@example.com",
        "mary_k+dental@mail.com.au",
    ]
)
_COMMANDS = [
    "/defect arrival: {}",
    "/defect {}",
    "/defect recover 1 {}",
    "/wow @Priya {}",
    "/tidbit JS-1042 {}",
    "/tidbit {} (JS-1042)",
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(before=_WORDS, contact=_CONTACT, after=_WORDS, template=st.sampled_from(_COMMANDS))
def test_free_text_with_a_phone_number_or_email_is_never_saved_unconfirmed(
    chat, engine, before, contact, after, template
):
    if _count(engine) == 0:
        chat("/defect arrival: waited 25 minutes")  # for the recovery action to name
    saved = _count(engine)
    chat(template.format(f"{before} {contact} {after}"))
    assert _count(engine) == saved


@pytest.mark.parametrize(
    "line",
    [
        "/defect arrival: pt 0412 345 678",
        "/defect arrival: rang patient 0412 345 678 back",
        "/defect recover 1 pt 0412 345 678",
        "/wow @Priya pt 0412 345 678 helped",
        "/tidbit pt 0412 345 678 loves dogs",
    ],
)
def test_a_phone_number_that_starts_like_a_patient_reference_is_still_a_phone_number(
    chat, engine, line
):
    # Found by the property test above: `pt 0412` reads as a chart number, and the
    # rest of the phone number was saved as the description.
    chat("/defect arrival: waited 25 minutes")
    saved = _count(engine)
    [reply] = chat.replies(line)
    assert "looks like a phone number" in reply.plain()
    assert "0412 345 678" not in reply.plain()  # shown masked
    assert _count(engine) == saved
