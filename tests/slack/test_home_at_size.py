"""The App Home over the wire with more open defects than it ever loads: true counts per stage."""

from __future__ import annotations

from datetime import timedelta

from tests.core.test_home import SPREAD, defect_ids, seed_open_defects, workspace_id
from tests.slack.conftest import said


async def test_the_app_home_published_past_500_open_defects_counts_every_stage_truly(
    slack, api, engine, clock, content
):
    await slack.command("/defect arrival: waited 25 minutes")  # the workspace, one open
    mine = workspace_id(engine, "T1")
    seed_open_defects(engine, mine, clock.now - timedelta(days=30), SPREAD, closed=40)

    await slack.event({"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"})

    [published] = api.calls_to("views.publish")
    shown = said(published["view"])
    expected = {**SPREAD, "arrival": SPREAD["arrival"] + 1}
    assert f"{sum(expected.values())} open defects" in shown
    for stage, count in expected.items():
        assert f"Open defects · {content.stage_name(stage)} ({count})" in shown
        for defect_id in defect_ids(engine, mine, stage, 5):
            assert f"#{defect_id} " in shown
        assert f"…and {count - 5} more" in shown or count <= 5
    assert "closed defect" not in shown
