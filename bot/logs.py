"""Logging that never quotes what people typed, and can't be forged or flooded.

Our own log lines name workspaces, channels, ids and counts, never content. An
exception's message is different: a database error can quote the row it refused,
an HTTP error the body it sent. So every process logs tracebacks as frames (file,
line, function) and the exception's type only, with the message withheld.

Libraries are different again: slack-bolt logs a refused request with its whole
body, slack-sdk and msrest log request and response bodies at DEBUG, an OAuth
redirect's query holds a code. So the one filter every process puts on its root
handlers (``PrivacyFilter``) keeps our own lines and withholds every library's
message (its logger, level and traceback frames still show that something
happened), except for the few libraries that only ever log schedules and
migrations. Loggers Huddle hands to a library are library loggers too: name them
under ``huddle.lib.``. Every line has its control characters escaped (so no line
can be forged by a newline in an id) and a bounded length.
"""

from __future__ import annotations

import logging
import sys
import traceback

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
WITHHELD = "message withheld: it may quote what someone typed"
LIBRARY_WITHHELD = "message withheld: a library's log line can quote a request"

# Loggers handed to libraries are named here, so they count as the library's.
LIBRARY_LOGGERS = "huddle.lib"
# Libraries whose lines carry only times, job names and revisions.
QUIET_LIBRARIES = ("apscheduler", "alembic")
MAX_MESSAGE = 1000  # characters of one record's message


def _under(name: str, parent: str) -> bool:
    return name == parent or name.startswith(parent + ".")


def is_ours(name: str) -> bool:
    """Huddle's own code logs under ``huddle`` (loggers lent to libraries aside)."""
    return _under(name, "huddle") and not _under(name, LIBRARY_LOGGERS)


def escape(text: str) -> str:
    """Control characters (newlines included) as visible escapes, so a line is one line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class PrivacyFilter(logging.Filter):
    """Keeps our own lines (escaped, bounded), withholds libraries' messages.

    Library DEBUG records are dropped altogether: they exist to show a library's
    traffic, which is exactly what must not be logged.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_huddle_private", False):
            return True  # another handler's filter has done it already
        quiet = any(_under(record.name, name) for name in QUIET_LIBRARIES)
        if not is_ours(record.name) and not quiet:
            if record.levelno < logging.INFO:
                return False
            message = f"[{LIBRARY_WITHHELD}]"
        else:
            try:
                message = record.getMessage()
            except Exception:  # a bad format string must not lose the record
                message = str(record.msg)
            if len(message) > MAX_MESSAGE:
                message = (
                    message[:MAX_MESSAGE] + f"… [{len(message) - MAX_MESSAGE} more characters]"
                )
            message = escape(message)
        record.msg, record.args = message, None
        record._huddle_private = True
        return True


class PrivateFormatter(logging.Formatter):
    """Formats exceptions without their messages (the whole chain, causes included)."""

    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have cached its own (full) exception text on the record.
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, ei) -> str:
        _, error, _ = ei
        parts: list[str] = []
        seen: set[int] = set()
        while error is not None and id(error) not in seen:
            seen.add(id(error))
            frames = traceback.format_list(traceback.extract_tb(error.__traceback__))
            parts.append(
                "Traceback (most recent call last):\n"
                + "".join(frames)
                + f"{type(error).__module__}.{type(error).__qualname__} ({WITHHELD})"
            )
            error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
        return "\n\nWhile handling or because of:\n".join(reversed(parts))


def private_handler(stream=None) -> logging.Handler:
    """A handler with Huddle's filter and formatter: what every process logs through."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(PrivateFormatter(FORMAT))
    handler.addFilter(PrivacyFilter())
    return handler


def configure_logging(level: str) -> logging.Handler:
    """Log to standard error through ``private_handler``. Returns the handler."""
    handler = private_handler()
    logging.basicConfig(level=level.upper(), handlers=[handler])
    return handler
