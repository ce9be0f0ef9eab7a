"""Tracebacks in the logs show where an error came from, never what someone typed."""

from __future__ import annotations

import io
import logging
import subprocess
import sys

import sqlalchemy as sa

from bot.logs import WITHHELD, PrivateFormatter


def _log_exception(error_factory) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(PrivateFormatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("huddle.test-private-formatter")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise error_factory()
        except Exception:
            logger.exception("command failed: workspace=%s", "T1")
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_a_logged_exception_keeps_its_type_and_frames_but_not_its_message():
    typed = "Mrs Jones, 0412 345 678, wedding in June"
    out = _log_exception(lambda: ValueError(typed))

    assert "command failed: workspace=T1" in out
    assert "builtins.ValueError" in out and WITHHELD in out
    assert "test_logs.py" in out  # the frame where it was raised
    assert "Mrs Jones" not in out and "0412" not in out


def test_a_chained_database_error_quoting_a_row_is_withheld_at_every_link():
    name = "Mrs Jones"

    def database_error():
        try:
            raise RuntimeError(f"DETAIL: Failing row contains (1, slack, T1, {name!r})")
        except RuntimeError as cause:
            # As SQLAlchemy raises it: ``raise IntegrityError(...) from driver_error``.
            error = sa.exc.IntegrityError("INSERT ...", {"name": name}, cause)
            error.__cause__ = cause
            return error

    out = _log_exception(database_error)

    assert "sqlalchemy.exc.IntegrityError" in out and "builtins.RuntimeError" in out
    assert "Mrs Jones" not in out


def test_every_huddle_process_logs_exceptions_this_way():
    script = (
        "import logging\n"
        "from bot.logs import configure_logging\n"
        "configure_logging('INFO')\n"
        "secret = 'wedding' + ' in June'\n"
        "try:\n"
        "    raise ValueError(secret)\n"
        "except ValueError:\n"
        "    logging.getLogger('huddle').exception('tidbit command failed')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )

    assert "tidbit command failed" in result.stderr and WITHHELD in result.stderr
    assert "wedding in June" not in result.stderr


def _through_the_filter(logger_name: str, level: int, message: str, *args) -> str:
    from bot.logs import private_handler

    stream = io.StringIO()
    handler = private_handler(stream)
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    old, logger.propagate = logger.propagate, False
    try:
        logger.log(level, message, *args)
    finally:
        logger.removeHandler(handler)
        logger.propagate = old
        logger.setLevel(logging.NOTSET)
    return stream.getvalue()


def test_a_library_s_log_line_never_carries_the_request_it_refused():
    body = "command=/tidbit&text=JS-1042+daughter%27s+wedding"
    out = _through_the_filter(
        "slack_bolt.AsyncApp",
        logging.INFO,
        f"Invalid request signature detected (signature: v0=1, timestamp: 1, body: {body})",
    )
    assert "slack_bolt.AsyncApp" in out and "withheld" in out
    assert "JS-1042" not in out and "wedding" not in out


def test_a_logger_lent_to_a_library_counts_as_the_library_s():
    out = _through_the_filter("huddle.lib.slack.bolt", logging.WARNING, "body: JS-1042 wedding")
    assert "withheld" in out and "JS-1042" not in out


def test_library_debug_lines_are_dropped_and_quiet_libraries_are_kept():
    assert _through_the_filter("msrest.http_logger", logging.DEBUG, "Body: 'JS-1042'") == ""
    kept = _through_the_filter("apscheduler.scheduler", logging.INFO, "Scheduler started")
    assert "Scheduler started" in kept


def test_our_own_lines_cannot_be_forged_with_a_newline_or_flood_the_log():
    forged = "T1\n2026-12-01 10:00:00 ERROR huddle: all patient data deleted"
    out = _through_the_filter("huddle.slack", logging.INFO, "command from workspace=%s", forged)
    assert out.count("\n") == 1  # one record, one line
    assert "workspace=T1\\n2026-12-01" in out
    huge = _through_the_filter("huddle.slack", logging.INFO, "workspace=%s", "x" * 1_000_000)
    assert len(huge) < 1200 and "more characters" in huge
