"""The core stays platform-neutral and does nothing at import time."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "aiohttp", "adapters")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_module_in_the_core_imports_a_platform_sdk_or_an_adapter():
    offenders = []
    for path in (ROOT / "bot").rglob("*.py"):
        for name in _imported_modules(path):
            if name.split(".")[0] in FORBIDDEN:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def _lint_imports(config: Path, cwd: Path) -> subprocess.CompletedProcess:
    binary = Path(sys.executable).parent / "lint-imports"
    return subprocess.run(
        [str(binary), "--config", str(config)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )


def test_the_import_contract_holds():
    result = _lint_imports(ROOT / "pyproject.toml", ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def _copy_of_the_tree(tmp_path: Path) -> Path:
    import shutil

    for folder in ("bot", "adapters"):
        shutil.copytree(
            ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    contract = (ROOT / "pyproject.toml").read_text()
    (tmp_path / "pyproject.toml").write_text(contract[contract.index("[tool.importlinter]") :])
    return tmp_path / "pyproject.toml"


def test_the_import_contract_fails_when_the_core_imports_slack(tmp_path):
    config = _copy_of_the_tree(tmp_path)
    (tmp_path / "bot" / "leak.py").write_text("import slack_sdk\n")
    result = _lint_imports(config, tmp_path)
    assert result.returncode != 0
    assert "bot.leak -> slack_sdk" in result.stdout


def test_the_layers_contract_fails_when_storage_imports_the_facade(tmp_path):
    config = _copy_of_the_tree(tmp_path)
    (tmp_path / "bot" / "storage" / "upward.py").write_text("import bot.huddle\n")
    result = _lint_imports(config, tmp_path)
    assert result.returncode != 0
    assert "layers import one way" in result.stdout and "BROKEN" in result.stdout
    assert "bot.storage.upward -> bot.huddle" in result.stdout


def test_importing_the_core_builds_no_engine_settings_or_scheduler():
    probe = (
        "import sys, bot.cli, bot.huddle, bot.commands, bot.storage.db, bot.scheduling;"
        "loaded = [m for m in sys.modules if m.split('.')[0] in "
        "('slack_bolt','slack_sdk','botbuilder','aiohttp','adapters','apscheduler','psycopg')];"
        "print(','.join(sorted(loaded)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/x"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


MAX_LINES = 400


def test_every_module_of_the_core_and_the_adapters_is_small_enough_to_read():
    too_long = []
    for folder in ("bot", "adapters"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                too_long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert too_long == []
