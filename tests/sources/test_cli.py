"""``huddle appointments``: the console imports the sample day sheet; secrets never echo."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.cli import main
from bot.crypto import generate_key

SAMPLE = Path(__file__).parents[2] / "content" / "examples" / "day_sheet.csv"
COLUMNS = [
    "--column",
    "time=Time",
    "--column",
    "reference=Chart #",
    "--column",
    "provider=Provider",
    "--column",
    "status=Status",
    "--column",
    "new_patient=NP",
]


@pytest.fixture
def console_env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HUDDLE_ENCRYPTION_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'huddle.db'}")
    monkeypatch.setenv("HUDDLE_KEY_FILE", str(tmp_path / "console.key"))
    return tmp_path


def _count(path: Path) -> int:
    engine = sa.create_engine(f"sqlite:///{path / 'huddle.db'}")
    with engine.connect() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM appointment")).scalar_one()
    engine.dispose()
    return count


def test_the_console_imports_the_sample_day_sheet_and_remembers_its_mapping(console_env, capsys):
    command = ["appointments", "import", str(SAMPLE), "--workspace", "console"]
    assert main([*command, "--date", "2026-12-01", *COLUMNS]) == 0
    assert "2026-12-01: 8 appointment(s) stored" in capsys.readouterr().out
    assert main([*command, "--date", "2026-12-02"]) == 0  # the mapping was kept
    assert "2026-12-02: 8 appointment(s) stored" in capsys.readouterr().out
    assert _count(console_env) == 16


def test_a_day_sheet_with_no_mapping_yet_asks_for_one(console_env, capsys):
    assert main(["appointments", "import", str(SAMPLE), "--workspace", "console"]) == 2
    assert "Map the day sheet's columns once" in capsys.readouterr().err


def test_a_missing_column_is_said_and_nothing_is_stored(console_env, capsys):
    command = ["appointments", "import", str(SAMPLE), "--workspace", "console"]
    assert main([*command, "--column", "time=Time", "--column", "reference=Chart No"]) == 1
    out = capsys.readouterr().out
    assert "no column 'Chart No' (for reference)" in out and "last good day is kept" in out
    assert _count(console_env) == 0


def test_a_customer_key_is_stored_but_never_shown_back(console_env, capsys, monkeypatch):
    monkeypatch.setenv("HUDDLE_ENCRYPTION_KEY", generate_key())
    monkeypatch.setattr("sys.stdin", io.StringIO("VzkmZEaUWOjnQX2z\n"))
    setting = ["appointments", "source", "set", "--workspace", "console", "--kind", "opendental"]
    assert main([*setting, "--confirmed", "19,21", "--reference", "ChartNumber"]) == 0
    assert main(["appointments", "source", "show", "--workspace", "console"]) == 0
    shown = capsys.readouterr().out
    assert "opendental; secret: set (never shown)" in shown and '"confirmed_defnums"' in shown
    assert "last good sync: not yet; last problem: none" in shown
    assert "VzkmZEaUWOjnQX2z" not in shown
    assert b"VzkmZEaUWOjnQX2z" not in (console_env / "huddle.db").read_bytes()


def test_open_dental_needs_the_practices_confirmed_statuses(console_env, capsys):
    setting = ["appointments", "source", "set", "--workspace", "console", "--kind", "opendental"]
    assert main(setting) == 2
    assert "--confirmed 19,21" in capsys.readouterr().err


def test_an_unknown_workspace_is_named(console_env, capsys):
    assert main(["appointments", "sync", "--workspace", "slack:T404"]) == 2
    assert "No workspace slack:T404" in capsys.readouterr().err
