"""Issue 14 over Slack's wire: typos save nothing, stage choices by button, lists that page,
and a 61-tidbit recall inside Block Kit's limits (50 blocks, 3,000 characters a section)."""

from __future__ import annotations

from bot.storage.models import RecoveryAction, Tidbit
from tests.conftest import Chat
from tests.slack.conftest import button, buttons, said
from tests.slack.helpers import count, defects

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000


def _last(api):
    return api.calls_to("response_url")[-1]


async def test_a_mistyped_subcommand_asks_and_its_yes_button_does_what_was_meant(
    slack, api, engine
):
    await slack.command("/defect arrival: waited 25 minutes")
    await slack.command("/defect recovr 1 called her back")
    asked = _last(api)
    assert "Did you mean `/defect recover`?" in said(asked)
    assert count(engine, RecoveryAction) == 0 and len(defects(engine)) == 1

    await slack.click(button(asked, "Yes: /defect recover 1 called her back"))

    assert count(engine, RecoveryAction) == 1
    assert "Recovery recorded for defect #1" in said(_last(api))


async def test_lsit_wow_nominat_and_tidbit_forgot_save_nothing(slack, api, engine):
    for line, meant in [
        ("/defect lsit", "/defect list"),
        ("/wow nominat 3", "/wow nominate"),
        ("/tidbit forgot 4", "/tidbit forget"),
        ("/defect cloes 5", "/defect close"),
    ]:
        await slack.command(line)
        assert f"Did you mean `{meant}`?" in said(_last(api)), line
    assert defects(engine) == [] and count(engine, Tidbit) == 0
    assert api.calls_to("chat.postMessage") == []  # no story was posted


async def test_a_mistyped_stage_waits_for_the_stage_button_then_files_it(slack, api, engine):
    await slack.command("/defect arival: waited at the desk")
    asked = _last(api)
    assert asked["response_type"] == "ephemeral"
    assert "Did you mean Arrival?" in said(asked)
    labels = [b["text"]["text"] for b in buttons(asked)]
    assert labels[0] == "Arrival" and labels[-1] == "No stage"
    assert defects(engine) == []

    await slack.click(button(asked, "No stage"))

    [defect] = defects(engine)
    assert (defect.stage, defect.description) == (None, "waited at the desk")


async def test_defect_3_and_list_closed_over_the_wire(slack, api, engine):
    for n in range(1, 4):
        await slack.command(f"/defect waiting: late {n}")
    await slack.command("/defect close 1 2")
    assert "Defect #1 is closed" in said(_last(api)) and "Defect #2 is closed" in said(_last(api))
    await slack.command("/defect 3")
    assert "late 3" in said(_last(api)) and len(defects(engine)) == 3
    await slack.command("/defect list closed")
    assert "Closed defects (2)" in said(_last(api))


async def test_a_long_defect_list_pages_with_buttons(slack, api):
    for n in range(1, 13):
        await slack.command(f"/defect arrival: waited {n}")
    await slack.command("/defect list")
    first = _last(api)
    assert "Page 1 of 2" in said(first) and "waited 12" in said(first)

    await slack.click(button(first, "Next page"))

    second = _last(api)
    assert "Page 2 of 2" in said(second) and "waited 1\n" in said(second)
    assert "waited 12" not in said(second)


async def test_a_recall_of_61_long_tidbits_fits_block_kit_and_keeps_the_defect_and_the_newest(
    slack, api, engine
):
    await slack.command("/defect checkout: charged twice patient: JS-1042")
    for n in range(1, 62):
        await slack.command(f"/tidbit JS-1042 note {n:02d} " + "x" * 492)
    assert count(engine, Tidbit) == 61

    await slack.command("/tidbit JS-1042")

    recall = _last(api)
    blocks = recall["blocks"]
    assert len(blocks) <= MAX_BLOCKS
    assert all(
        len(block["text"]["text"]) <= MAX_SECTION_TEXT
        for block in blocks
        if block["type"] == "section"
    )
    text = said(recall)
    assert "More than fits" not in text
    assert text.index("Defect #1 (open)") < text.index("note 61")
    assert "Tidbits 1–10 of 61" in text

    await slack.click(button(recall, "Older tidbits"))
    assert "note 51" in said(_last(api)) and "note 61" not in said(_last(api))


def _fits_block_kit(call) -> None:
    blocks = call["blocks"]
    assert len(blocks) <= MAX_BLOCKS
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION_TEXT
    assert "More than fits" not in said(call)


async def test_long_descriptions_and_histories_fit_in_the_list_and_in_show(slack, api, huddle):
    chat = Chat(huddle)  # the same workspace (T1) the Slack requests name
    for n in range(1, 11):
        chat(f"/defect arrival: {n:02d} " + "w" * 1990)
    for n in range(60):
        chat(f"/defect recover 10 step {n:02d} " + "r" * 980)

    await slack.command("/defect list")
    _fits_block_kit(_last(api))
    await slack.command("/defect show 10")
    shown = _last(api)
    _fits_block_kit(shown)
    assert "(20 earlier actions: `/defect show 10`)" in said(shown)
    assert "60. step 59" in said(shown)
    await slack.command("/defect show 6 7 8 9 10")
    _fits_block_kit(_last(api))
