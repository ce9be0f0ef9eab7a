"""`huddle jobs list` and `huddle jobs run <job>`, for operators."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from bot.cli import main
from bot.clock.cli import list_jobs
from bot.clock.config import ClockSettings
from bot.clock.jobs import JOBS, run_monday_meeting
from bot.clock.messengers import load_messengers
from bot.config import Settings
from bot.crypto import Vault, generate_key
from bot.huddle import Huddle
from bot.storage import db
from tests.clock.conftest import channel


def test_jobs_list_shows_each_channel_with_its_next_run_in_local_time_and_utc(huddle, clock):
    # Now: Tuesday 24 Nov, 09:00 in Sydney.
    room = channel(huddle, "C1")
    assert "scheduled" in room("/huddle schedule monday 08:00 Australia/Sydney")
    room("/huddle skip 2026-11-30")
    other = channel(huddle, "C7", workspace="T2")
    other("/huddle schedule tuesday 07:30 America/New_York")
    other("/huddle pause until 2027-01-05")
    out = io.StringIO()
    assert list_jobs(huddle, ClockSettings.defaults(), out) == 2
    lines = out.getvalue().splitlines()
    sydney = next(line for line in lines if "#C1" in line)
    assert sydney.startswith("slack:T1 #C1")
    assert "Monday 08:00 Australia/Sydney" in sydney
    assert "next meeting Mon 7 Dec, 08:00 (Australia/Sydney) = 2026-12-06 21:00 UTC" in sydney
    assert "skipping 2026-11-30" in sydney
    # No meeting this week (scheduled after its time) nor next (skipped): the first nudge
    # goes in the thread of the 7 Dec post.
    assert "nudge Wed 9 Dec, 08:00 (Australia/Sydney)" in sydney
    new_york = next(line for line in lines if "#C7" in line)
    assert "paused until 2027-01-05" in new_york
    assert "next meeting Tue 5 Jan, 07:30 (America/New_York) = 2027-01-05 12:30 UTC" in new_york


def test_jobs_list_says_when_a_post_is_due_now_or_failed(huddle, clock, messenger):
    room = channel(huddle, "C1")
    clock.set(datetime(2026, 11, 20, tzinfo=UTC))
    room("/huddle schedule monday 08:00 UTC")
    clock.set(datetime(2026, 11, 23, 8, 0, 30, tzinfo=UTC))
    out = io.StringIO()
    list_jobs(huddle, ClockSettings.defaults(), out)
    assert "due now" in out.getvalue()

    messenger.fail("T1", "C1")
    asyncio.run(run_monday_meeting(huddle, {"slack": messenger}, clock()))
    out = io.StringIO()
    list_jobs(huddle, ClockSettings.defaults(), out)
    assert "this week: failed, retry after 2026-11-23 08:01 UTC" in out.getvalue()
    assert "next meeting Mon 30 Nov, 08:00 (UTC)" in out.getvalue()


def _tick(huddle, messengers, now) -> None:
    async def every_job():
        for job in JOBS.values():
            await job(huddle, messengers, now)

    asyncio.run(every_job())


def _listed(huddle) -> str:
    out = io.StringIO()
    list_jobs(huddle, ClockSettings.defaults(), out)
    return out.getvalue()


def test_the_listed_nudge_is_the_next_one_the_clock_really_sends(huddle, clock, messengers):
    # Scheduled on Monday 23 Nov after that day's 08:00: no meeting, so no nudge, this week.
    clock.set(datetime(2026, 11, 23, 9, tzinfo=UTC))
    room = channel(huddle, "C1")
    room("/huddle schedule monday 08:00 UTC")
    listed = _listed(huddle)
    assert "next meeting Mon 30 Nov, 08:00 (UTC)" in listed
    assert "nudge Wed 2 Dec, 08:00 (UTC)" in listed
    status = room("/huddle status")
    assert "Next post: Mon 30 Nov, 08:00 (UTC)" in status
    assert "Story nudge: Wed 2 Dec, 08:00 (UTC)" in status

    sent = []
    messengers["slack"].on_send = lambda ref: sent.append((clock(), ref.thread_id is not None))
    for moment in (
        datetime(2026, 11, 25, 8, tzinfo=UTC),  # the Wednesday listed before the fix
        datetime(2026, 11, 30, 8, tzinfo=UTC),
        datetime(2026, 12, 2, 8, tzinfo=UTC),
    ):
        clock.set(moment)
        _tick(huddle, messengers, moment)
        if moment.day == 30:
            # This week's meeting is out: its own Wednesday nudge is next.
            clock.set(moment + timedelta(hours=1))
            assert "nudge Wed 2 Dec, 08:00 (UTC)" in _listed(huddle)
            assert "next meeting Mon 7 Dec" in _listed(huddle)
            clock.set(moment)
    nudges = [at for at, in_thread in sent if in_thread]
    assert nudges == [datetime(2026, 12, 2, 8, tzinfo=UTC)]


def test_a_skipped_nudge_day_lists_the_next_weeks_nudge(huddle, clock):
    clock.set(datetime(2026, 11, 20, 9, tzinfo=UTC))
    room = channel(huddle, "C1")
    room("/huddle schedule monday 08:00 UTC")
    room("/huddle skip 2026-11-25")
    assert "nudge Wed 2 Dec, 08:00 (UTC)" in _listed(huddle)
    assert "Story nudge: Wed 2 Dec, 08:00 (UTC)" in room("/huddle status")


def test_status_and_jobs_list_agree_that_a_missed_post_is_due_now(huddle, clock):
    clock.set(datetime(2026, 11, 20, 9, tzinfo=UTC))
    room = channel(huddle, "C1")
    room("/huddle schedule monday 08:00 UTC")
    # The clock was down at 08:00 on Monday: it catches up on its next tick.
    clock.set(datetime(2026, 11, 23, 11, tzinfo=UTC))
    assert "next meeting due now" in _listed(huddle)
    status = room("/huddle status")
    assert "Next post: due now" in status
    assert "Story nudge: Wed 25 Nov, 08:00 (UTC)" in status


def test_jobs_list_with_no_subscriptions_says_how_to_start(huddle):
    out = io.StringIO()
    assert list_jobs(huddle, ClockSettings.defaults(), out) == 0
    assert "/huddle schedule monday 08:00" in out.getvalue()


@pytest.fixture
def operator_env(tmp_path, monkeypatch, content):
    """A migrated database and the environment `huddle` reads, as on a server."""
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    key = generate_key()
    engine = db.make_engine(url)
    db.upgrade(engine)
    for name in ("HUDDLE_CONTENT_DIR", "HUDDLE_NUDGE_WEEKDAY", "HUDDLE_CLOCK_INTERVAL_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("HUDDLE_ENCRYPTION_KEY", key)
    monkeypatch.chdir(tmp_path)
    settings = Settings(DATABASE_URL=url, HUDDLE_ENCRYPTION_KEY=key)
    clock_now = {"at": datetime(2026, 11, 19, 9, tzinfo=UTC)}
    core = Huddle(
        engine=engine,
        settings=settings,
        content=content,
        vault=Vault([key]),
        clock=lambda: clock_now["at"],
    )
    channel(core, "C1", platform="console", workspace="local")("/huddle schedule monday 08:00 UTC")
    yield core
    engine.dispose()


def test_jobs_run_runs_one_job_body_now_through_the_installed_messengers(operator_env, capsys):
    # The console's messenger (a `huddle.messengers` entry point) prints the post.
    with time_machine.travel(datetime(2026, 11, 23, 8, 0, 30, tzinfo=UTC), tick=False):
        assert main(["jobs", "run", "monday-meeting"]) == 0
        first = capsys.readouterr().out
        assert main(["jobs", "run", "monday-meeting"]) == 0
        second = capsys.readouterr().out
    assert "[local #C1]" in first and "Monday Morning Meeting" in first
    assert "monday-meeting: 1 posted" in first
    assert "monday-meeting: 0 posted" in second and "Monday Morning Meeting" not in second


def test_jobs_run_runs_a_housekeeping_job_too(operator_env, capsys):
    with time_machine.travel(datetime(2026, 11, 23, 8, 17, tzinfo=UTC), tick=False):
        assert main(["jobs", "run", "purge-events"]) == 0
    assert "purge-events: 0 processed event id(s) removed" in capsys.readouterr().out


def test_the_installed_messengers_are_found_by_platform_name(operator_env):
    messengers = load_messengers(operator_env.settings, operator_env)
    assert messengers["console"].platform == "console"
    assert load_messengers(operator_env.settings, operator_env, group="huddle.nothing") == {}


def test_jobs_list_runs_from_the_command_line(operator_env, capsys):
    with time_machine.travel(datetime(2026, 11, 20, 8, 0, tzinfo=UTC), tick=False):
        assert main(["jobs", "list"]) == 0
    out = capsys.readouterr().out
    assert "console:local #C1" in out and "2026-11-23 08:00 UTC" in out


def test_jobs_run_refuses_an_unknown_job(operator_env, capsys):
    with pytest.raises(SystemExit):
        main(["jobs", "run", "tuesday-party"])
    assert "monday-meeting" in capsys.readouterr().err


def test_huddle_clock_starts_and_stops_on_sigterm(operator_env, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUDDLE_", "DATABASE_URL"))}
    env.update(
        DATABASE_URL=operator_env.settings.database_url,
        HUDDLE_ENCRYPTION_KEY=operator_env.settings.encryption_key.get_secret_value(),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "clock"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Wait for the start-up line (a blocking read, not a sleep).
        for line in process.stderr:
            if "clock started" in line:
                assert "console" in line
                break
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert "clock stopped" in err


def test_jobs_use_the_console_key_file_when_no_key_is_set(operator_env, monkeypatch, capsys):
    # Trying the clock beside `huddle console` on a laptop: the console made a key file.
    monkeypatch.delenv("HUDDLE_ENCRYPTION_KEY")
    (operator_env.settings.key_file).write_text(generate_key() + "\n")
    with time_machine.travel(datetime(2026, 11, 20, 8, 0, tzinfo=UTC), tick=False):
        assert main(["jobs", "list"]) == 0
    assert "console:local #C1" in capsys.readouterr().out


def test_jobs_refuse_to_start_with_no_key_and_no_key_file(operator_env, monkeypatch, capsys):
    monkeypatch.delenv("HUDDLE_ENCRYPTION_KEY")
    assert main(["jobs", "list"]) == 2
    assert "HUDDLE_ENCRYPTION_KEY is not set" in capsys.readouterr().err


def test_the_procfile_runs_web_clock_and_release_through_real_huddle_commands():
    from bot.cli import build_parser

    procfile = Path(__file__).resolve().parents[2] / "Procfile"
    processes = dict(
        (name.strip(), command.strip())
        for name, _, command in (
            line.partition(":") for line in procfile.read_text().splitlines() if line.strip()
        )
    )
    assert processes == {
        "web": "huddle serve",
        "clock": "huddle clock",
        "release": "huddle db upgrade",
    }
    parser = build_parser()
    for command in processes.values():
        assert callable(parser.parse_args(command.split()[1:]).run)


def test_the_readme_lists_every_job_of_the_table_in_its_order():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    clock = readme[readme.index("## The clock") : readme.index("**Periods.**")]
    listed = re.findall(r"^\| `([a-z-]+)` \|", clock, flags=re.MULTILINE)
    assert listed == list(JOBS)
