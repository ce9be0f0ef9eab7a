"""Logging that never quotes what people typed.

Our own log lines name workspaces, channels, ids and counts, never content. An
exception's message is different: a database error can quote the row it refused,
an HTTP error the body it sent. So every process logs tracebacks as frames (file,
line, function) and the exception's type only, with the message withheld.
"""

from __future__ import annotations

import logging
import sys
import traceback

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
WITHHELD = "message withheld: it may quote what someone typed"


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


def configure_logging(level: str) -> logging.Handler:
    """Log to standard error, exceptions without their messages. Returns the handler."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(PrivateFormatter(FORMAT))
    logging.basicConfig(level=level.upper(), handlers=[handler])
    return handler
