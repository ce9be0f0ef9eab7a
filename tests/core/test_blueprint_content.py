"""A practice's folder can reorder and retire stages and skip rules, checked by field."""

from __future__ import annotations

import pytest

from bot.content import ContentError, load_content


def _folder(tmp_path, **files: str):
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_folder_reorders_retires_and_skips(tmp_path, content):
    folder = _folder(
        tmp_path,
        **{
            "stages.yaml": (
                "stages:\n  - id: booking\n    name: Booking\n    retired: true\n"
                "order: [follow-up, first-call]\n"
            ),
            "curriculum.yaml": "skip: [patient-is-the-reason]\n",
        },
    )
    merged = load_content(folder)
    assert [s.id for s in merged.stages][:2] == ["follow-up", "first-call"]
    assert "booking" not in [s.id for s in merged.stages]
    assert merged.stage_name("booking") == "Booking"  # its old defects keep a name
    assert merged.find_stage("booking") is None  # but it is no longer offered
    assert "patient-is-the-reason" not in merged.curriculum
    assert "patient-is-the-reason" in merged.rules  # old meetings still show it
    assert len(merged.curriculum) == len(content.curriculum) - 1


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"curriculum.yaml": "skip: [no-such-rule]\n"}, "field 'skip': no rule has the id"),
        ({"curriculum.yaml": "skip: [a-rule, a-rule]\n"}, "field 'skip': listed twice"),
        ({"stages.yaml": "order: [arrival, arrival]\n"}, "field 'order': listed twice"),
        ({"stages.yaml": "order: [moon]\n"}, "field 'order': no stage has the id moon"),
        (
            {"stages.yaml": "stages:\n  - id: arrival\n    name: Arrival\n    retired: maybe\n"},
            "field 'stages.0.retired'",
        ),
    ],
)
def test_a_folders_mistakes_are_named_by_field(tmp_path, files, message):
    with pytest.raises(ContentError, match=message):
        load_content(_folder(tmp_path, **files))


def test_skipping_every_rule_is_refused(tmp_path, content):
    skip = ", ".join(content.curriculum)
    with pytest.raises(ContentError, match="it skips every rule"):
        load_content(_folder(tmp_path, **{"curriculum.yaml": f"skip: [{skip}]\n"}))
