"""A process that doesn't use Teams never loads botbuilder: `huddle serve` for Slack alone
and the clock both go through the Teams entry points, which stay light until Teams is set up."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import sys
from importlib.metadata import entry_points
from aiohttp import web

[mount] = [e.load() for e in entry_points(group="huddle.mounts") if e.name == "teams"]
[messenger] = [e.load() for e in entry_points(group="huddle.messengers") if e.name == "teams"]
app = web.Application()
mount(app, None, None)
print("messenger:", messenger(None, None))
print("routes:", [r.resource.canonical for r in app.router.routes()])
sdks = {"botbuilder", "botframework", "msal", "msrest", "azure"}
print("loaded:", sorted({m.split(".")[0] for m in sys.modules} & sdks))
"""


def run_without_teams(tmp_path, **extra: str) -> str:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MICROSOFT_", "TEAMS_", "HUDDLE_", "DATABASE_URL"))
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=tmp_path,  # no .env here
        env={**env, **extra},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_teams_not_configured_mounts_its_closed_route_without_loading_botbuilder(tmp_path):
    out = run_without_teams(tmp_path)
    assert "routes: ['/api/messages']" in out
    assert "messenger: None" in out  # the clock skips Teams
    assert "loaded: []" in out


def test_teams_in_emulator_mode_loads_botbuilder_when_it_mounts(tmp_path):
    out = run_without_teams(tmp_path, TEAMS_UNAUTHENTICATED_EMULATOR_MODE="true")
    assert "routes: ['/api/messages']" in out
    assert "messenger: <adapters.teams.proactive.TeamsMessenger" in out
    assert "'botbuilder'" in out
