"""The `huddle` command and the console, run as a person would run them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Settings
from bot.crypto import Vault

DEMO = [
    "/defect arrival: waited 25 minutes with no word from us",
    "/defect list",
    "/wow @Priya drove Mrs K home when her taxi never came",
    "/as Sam",
    "/react 1",
    "/huddle leaderboard",
    "/monday",
    "/as Jo",
    "/reply @Sam found Mr B a wheelchair in two minutes",
    "/tidbit JS-1042 daughter's wedding in June",
    "/tidbit JS-1042",
]


def _run(args, cwd: Path, stdin: str = "", env_extra=None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUDDLE_", "DATABASE_URL"))}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_the_piped_demo_shows_every_result(tmp_path):
    result = _run(["console"], tmp_path, "\n".join(DEMO) + "\n")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "Defect #1 logged · Arrival" in out
    assert "Open defects (1)" in out
    assert "WOW story #1: Priya" in out and "Told by Alex." in out
    assert "You are now Sam." in out
    assert "You nominated story #1" in out
    assert "1. #1 Priya (told by Alex)" in out
    assert "Monday Morning Meeting ·" in out
    assert "Huddle (#team, in the thread)\n│ WOW story #2: Sam" in out
    assert "Your reply is saved as WOW story #2" in out
    assert "Tidbit #1 saved" in out
    assert "daughter's wedding in June" in out.split("Tidbits for JS-1042")[1]
    assert (tmp_path / "huddle.db").exists()


def test_the_console_makes_a_private_key_file_once_and_says_so(tmp_path):
    first = _run(["console"], tmp_path, "/tidbit JS-1 loves sailing\n")
    assert "made an encryption key" in first.stdout
    key_file = tmp_path / ".huddle-console.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    second = _run(["console"], tmp_path, "/tidbit JS-1\n")
    assert "made an encryption key" not in second.stdout
    assert "loves sailing" in second.stdout  # the same key reads what the first run stored


def test_the_console_helpers_answer_bad_input_kindly(tmp_path):
    result = _run(["console"], tmp_path, "hello\n/as\n/react abc\n/help\n/quit\n/defect list\n")
    assert result.returncode == 0
    assert "Commands start with a slash" in result.stdout
    assert "Say who to speak as" in result.stdout
    assert "I need a story number" in result.stdout
    assert "/as <name>" in result.stdout
    assert "No open defects" not in result.stdout  # nothing after /quit runs


def test_db_upgrade_migrates_the_configured_database(tmp_path):
    result = _run(["db", "upgrade"], tmp_path, env_extra={"DATABASE_URL": "sqlite:///./x.db"})
    assert result.returncode == 0, result.stderr
    assert "Database is up to date" in result.stdout
    assert (tmp_path / "x.db").exists()


@pytest.mark.parametrize("command", ["serve"])
def test_server_processes_refuse_to_start_without_an_encryption_key(
    tmp_path, command, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("HUDDLE_"):
            monkeypatch.delenv(name)
    assert main([command]) == 2
    assert "HUDDLE_ENCRYPTION_KEY is not set" in capsys.readouterr().err


def test_a_malformed_key_is_named_not_shown(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HUDDLE_ENCRYPTION_KEY", "not-a-key-at-all")
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "Key 1 in HUDDLE_ENCRYPTION_KEY is not a Fernet key" in err
    assert "not-a-key-at-all" not in err


def test_keys_generate_prints_a_working_key(capsys):
    assert main(["keys", "generate"]) == 0
    key = capsys.readouterr().out.strip()
    assert Vault([key]).decrypt(Vault([key]).encrypt("ok")) == "ok"


def test_postgres_urls_from_hosting_platforms_are_accepted():
    settings = Settings(DATABASE_URL="postgres://u:p@db.example/huddle")
    assert settings.database_url == "postgresql+psycopg://u:p@db.example/huddle"


def test_a_bad_default_timezone_is_a_clear_configuration_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HUDDLE_DEFAULT_TIMEZONE", "Sydney")
    assert main(["db", "upgrade"]) == 2
    assert "HUDDLE_DEFAULT_TIMEZONE='Sydney' is not an IANA timezone" in capsys.readouterr().err


def test_a_database_huddle_does_not_run_on_is_a_clear_configuration_error(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "mysql://u:p@db.example/huddle")
    assert main(["db", "upgrade"]) == 2
    assert "DATABASE_URL must be a SQLite URL" in capsys.readouterr().err


LOADED_ADAPTERS = """
import sys
from bot.cli import build_parser
build_parser(sys.argv[1:])
print(sorted(m for m in sys.modules if m in {"adapters.web", "adapters.console.app",
      "adapters.teams.cli", "aiohttp.web"}))
"""


@pytest.mark.parametrize(
    "command, loaded",
    [
        (["serve"], ["adapters.web", "aiohttp.web"]),
        (["console"], ["adapters.console.app"]),
        (["teams", "package"], ["adapters.teams.cli"]),
        (["clock"], []),
        (["jobs", "run", "monday-meeting"], []),
        (["db", "upgrade"], []),
    ],
)
def test_a_subcommand_loads_only_its_own_platform_module(command, loaded):
    result = subprocess.run(
        [sys.executable, "-c", LOADED_ADAPTERS, *command],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr(loaded)


def test_help_still_lists_every_platform_subcommand(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    listed = capsys.readouterr().out
    for command in ("console", "serve", "teams", "clock", "jobs", "db", "keys"):
        assert command in listed
