"""The console shows the privacy warning's choices as lines to type, the text to edit whole."""

import io

from adapters.console.app import ConsoleChat

LINE = "/defect arrival: Jane Smith (0412 345 678) waited, she is on warfarin"


def test_the_console_warns_before_saving_and_prints_the_text_to_edit(huddle):
    out = io.StringIO()
    chat = ConsoleChat(huddle, out)
    chat.say(LINE)
    shown = out.getvalue()

    assert "Before I save this" in shown and "full name" in shown and "phone number" in shown
    assert "[Save as written]  type: /defect as-written:" in shown
    assert f"to edit, copy: {LINE}" in shown
    assert "Defect #1" not in shown

    chat.say("/defect arrival: Mrs S waited, she was not told why")
    assert "Defect #1 logged" in out.getvalue()


def test_the_console_prints_a_prefilled_form_to_copy(huddle):
    out = io.StringIO()
    ConsoleChat(huddle, out).say('/defect {"stage": "arrival", "description": "waited"}')
    assert "What happened?: waited" in out.getvalue()
