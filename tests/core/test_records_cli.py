"""`huddle export` and `huddle audit` for operators: the same files and the same log as in
chat, the operator named in the audit log, references only with --with-refs."""

from __future__ import annotations

import codecs
import csv
import io
import stat

import openpyxl
import pytest
from sqlmodel import Session

from bot.cli import main
from bot.storage.audit import audit_entries


@pytest.fixture
def operator_env(engine, key, tmp_path, monkeypatch, chat):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("HUDDLE_ENCRYPTION_KEY", key)
    monkeypatch.setenv("USER", "dana")
    monkeypatch.setenv("LOGNAME", "dana")
    chat("/huddle emoji star")
    chat("/defect arrival: waited 25 minutes (JS-1042)")
    chat("/tidbit JS-1042 daughter's wedding in June")
    chat("/tidbit JS-1042")
    return tmp_path


def newest_audit(engine):
    with Session(engine) as session:
        return audit_entries(session=session, workspace_id=1)[0]


def test_an_operator_exports_to_a_file_only_they_can_read_and_it_is_audited(
    operator_env, engine, capsys
):
    assert main(["export", "defects", "--workspace", "slack:T1"]) == 0
    out = operator_env / "huddle-defects-all.csv"
    assert "1 row(s) written to huddle-defects-all.csv (no patient references)" in (
        capsys.readouterr().out
    )
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    data = out.read_bytes()
    assert data.startswith(codecs.BOM_UTF8) and b"JS-1042" not in data
    [header, row] = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[2] == "Stage" and row[2] == "Arrival"
    entry = newest_audit(engine)
    assert (entry.action, entry.record_count, entry.actor_id) == (
        "export.defects",
        1,
        "operator:dana",
    )


def test_with_refs_and_xlsx_on_the_command_line(operator_env, engine):
    target = operator_env / "out.xlsx"
    command = ["export", "fta", "--workspace", "slack:T1", "--format", "xlsx"]
    assert main([*command, "--with-refs", "--out", str(target), "--period", "2026-11"]) == 0
    sheet = openpyxl.load_workbook(target).active
    assert [c.value for c in sheet[1]][:3] == ["ID", "Patient ref", "Date"]
    assert newest_audit(engine).action == "export.fta.refs"


@pytest.mark.parametrize(
    "args, said",
    [
        (["export", "defects", "--workspace", "slack:NOPE"], "No workspace slack:NOPE"),
        (["export", "defects", "--workspace", "nonsense"], "say console, or platform:id"),
        (["export", "defects", "--workspace", "slack:T1", "--period", "soon"], "--period"),
    ],
)
def test_bad_operator_input_is_said_in_words(operator_env, capsys, args, said):
    assert main(args) == 2
    assert said in capsys.readouterr().err


def test_the_audit_log_on_the_command_line_masks_patients_unless_asked(
    operator_env, engine, capsys
):
    assert main(["audit", "--workspace", "slack:T1"]) == 0
    shown = capsys.readouterr().out
    assert "slack:T1" in shown and "Alex [U-alex] read a tidbit (patient #" in shown
    assert "JS-1042" not in shown and "wedding" not in shown

    assert main(["audit", "--with-refs", "--since", "2026-11-01"]) == 0  # every workspace
    shown = capsys.readouterr().out
    assert "read a tidbit (JS-1042)" in shown and "wedding" not in shown
    entry = newest_audit(engine)
    assert (entry.action, entry.actor_id) == ("audit.read", "operator:dana")

    assert main(["audit", "--since", "2030-01-01"]) == 0
    assert "nothing logged" in capsys.readouterr().out
