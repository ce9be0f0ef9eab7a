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
