"""The console writes a reply's files under HUDDLE_FILES_DIR and prints their paths."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from adapters.console.messenger import ConsoleMessenger
from bot.model import Attachment, ConversationRef, Reply, Visibility

PNG = b"\x89PNG\r\n\x1a\nchart"


def _console(tmp_path: Path, lines: list[str], files_dir: str) -> subprocess.CompletedProcess:
    """The real console (``python -m bot console``) fed ``lines``, its files under ``files_dir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUDDLE_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        cwd=tmp_path,
        input="\n".join([*lines, "/quit"]) + "\n",
        capture_output=True,
        text=True,
        env={**env, "HUDDLE_FILES_DIR": files_dir},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_huddle_report_in_the_real_console_saves_the_chart_and_prints_its_path(tmp_path):
    lines = ["/defect arrival: the front door was locked at opening time", "/huddle report"]
    result = _console(tmp_path, lines, "charts")
    [chart] = list((tmp_path / "charts").glob("service-report-*.png"))
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert f"saved as charts/{chart.name}" in result.stdout
    assert "1 service defect logged in" in result.stdout  # the figures in words beside it


async def test_the_clock_console_messenger_writes_files_without_replacing_any(tmp_path):
    out = io.StringIO()
    messenger = ConsoleMessenger(out, files_dir=tmp_path / "files")
    reply = Reply(
        title="Service report",
        text="1 defect",
        visibility=Visibility.CHANNEL,
        files=(Attachment("../../report.png", PNG, "image/png", "The chart"),),
    )
    await messenger.send(ConversationRef("console", "console", "general"), reply)
    await messenger.send(ConversationRef("console", "console", "general"), reply)

    written = sorted(p.name for p in (tmp_path / "files").iterdir())
    assert written == ["report-2.png", "report.png"]  # its own name only, nothing replaced
    assert (tmp_path / "files" / "report.png").read_bytes() == PNG
    assert f"The chart: saved as {Path(tmp_path / 'files' / 'report-2.png')}" in out.getvalue()


def test_huddle_export_in_the_real_console_saves_the_csv_and_someone_else_gets_none(tmp_path):
    lines = [
        '/defect arrival: =HYPERLINK("x") the door was locked at opening',
        "/huddle export defects",
        "/as Sam",
        "/huddle export stories",
    ]
    result = _console(tmp_path, lines, "exports")
    [export] = list((tmp_path / "exports").glob("*.csv"))
    data = export.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM spreadsheets read as UTF-8
    text = data.decode("utf-8-sig")
    assert "the door was locked at opening" in text
    assert "'=HYPERLINK" in text  # a formula-looking cell is escaped, never run
    assert f"saved as exports/{export.name}" in result.stdout
    assert "Only the practice's admins can export" in result.stdout  # Sam is not one
    assert "stories" not in export.name  # and gets no file
