"""The Bot Framework SDK for Python is out of support; its successor (the Microsoft 365
Agents SDK) must be a change to adapters/teams/ alone."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SDK = ("botbuilder", "botframework", "msrest", "msal")
# Sign in with Microsoft on the dashboard uses MSAL for its own sake (the authorisation-code
# flow), not as part of the bot: it stays when the Bot Framework SDK is replaced.
SIGN_IN = {ROOT / "adapters" / "dashboard" / "microsoft.py": {"msal"}}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_only_adapters_teams_imports_the_bot_framework_sdk():
    teams = ROOT / "adapters" / "teams"
    offenders = []
    for folder in ("bot", "adapters", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            if teams in path.parents:
                continue
            for name in _imports(path):
                top = name.split(".")[0]
                if top in SDK and top not in SIGN_IN.get(path, set()):
                    offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []
