"""Migrating is a command of its own: a server or clock process never loads Alembic."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
import bot.wiring, bot.clock.scheduler, bot.storage.db, adapters.web
print("alembic loaded:", "alembic" in sys.modules)
"""


def test_the_server_and_clock_modules_do_not_import_alembic():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "alembic loaded: False" in result.stdout
