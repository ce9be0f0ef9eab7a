"""The console's Messenger: the clock "posts" a console channel's meeting by printing it.

Handy for trials on the embedded database: schedule a meeting in ``huddle console``
(`/huddle schedule monday 08:00`), then ``huddle jobs run monday-meeting`` or
``huddle clock`` prints it here.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import TextIO

from adapters.console.convert import render
from adapters.console.files import file_lines, write_files
from bot.config import Settings
from bot.huddle import Huddle
from bot.model import ConversationRef, Reply

PLATFORM = "console"


class ConsoleMessenger:
    platform = PLATFORM

    def __init__(self, out: TextIO | None = None, *, files_dir: Path = Path("huddle-files")):
        self.out = out
        self.files_dir = files_dir

    async def send(self, ref: ConversationRef, reply: Reply) -> str | None:
        out = self.out or sys.stdout
        where = f"{ref.workspace_id} #{ref.channel_id}"
        if ref.thread_id:
            where += f" (thread {ref.thread_id})"
        print(f"[{where}]\n{render(reply, channel=ref.channel_id)}", file=out, flush=True)
        if reply.files:
            print(file_lines(reply, write_files(reply, self.files_dir)), file=out, flush=True)
        # Unique across restarts: thread replies find their meeting by this id.
        return f"console-{uuid.uuid4().hex[:16]}"


def build_messenger(settings: Settings, huddle: Huddle) -> ConsoleMessenger:
    return ConsoleMessenger(files_dir=settings.files_dir)
