"""The receptionist's list typed into the real console (`huddle console`), line by line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

LINES = [
    "/defect lsit",
    "/defect arival: waited",
    "/defect no stage: waited",
    "/defect arrival: kept waiting",
    "/defect 1",
    "/defect show 2",
    "/defect :",
    "/defect arrival:",
    "/defect cloes 2",
    "/defect recovr 2 called her back",
    "/wow nominat 3",
    "/tidbit forgot 4",
    "/defect list closed",
    "/defect list arrival",
    "/defect list banana",
    "/defect close 1 2 3",
    "/defect list",
]


def _console(tmp_path: Path, lines: list[str]) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUDDLE_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        cwd=tmp_path,
        input="\n".join([*lines, "/quit"]) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _answers(output: str) -> dict[str, str]:
    """Each typed line and what the console printed after it, unwrapped into one line."""
    answers: dict[str, str] = {}
    for chunk in output.split("Alex> ")[1:]:
        line, _, said = chunk.partition("\n")
        answers[line] = " ".join(part.strip("│└┌─ ") for part in said.splitlines())
    return answers


def test_every_line_of_the_receptionist_s_list_says_what_was_understood_or_what_to_type(
    tmp_path,
):
    said = _answers(_console(tmp_path, LINES))
    assert "Did you mean `/defect list`?" in said["/defect lsit"]
    assert "Did you mean Arrival?" in said["/defect arival: waited"]
    assert "Nothing is saved until you choose" in said["/defect arival: waited"]
    assert "Defect #1 logged · Unassigned" in said["/defect no stage: waited"]
    assert "Defect #2 logged · Arrival" in said["/defect arrival: kept waiting"]
    assert "#1 · Unassigned · open" in said["/defect 1"]
    assert "kept waiting" in said["/defect show 2"] and "No owner yet" in said["/defect show 2"]
    assert "Tell me what happened" in said["/defect :"]
    assert "Type `/defect arrival: what happened`" in said["/defect arrival:"]
    assert "Did you mean `/defect close`?" in said["/defect cloes 2"]
    assert "Did you mean `/defect recover`?" in said["/defect recovr 2 called her back"]
    assert "Did you mean `/wow nominate`?" in said["/wow nominat 3"]
    assert "Did you mean `/tidbit forget`?" in said["/tidbit forgot 4"]
    assert "No closed defects" in said["/defect list closed"]  # the typos closed nothing
    assert "Open defects at Arrival (1)" in said["/defect list arrival"]
    assert "I don't know “banana”" in said["/defect list banana"]
    closing = said["/defect close 1 2 3"]
    assert "Defect #1 is closed" in closing and "Defect #2 is closed" in closing
    assert "can't find defect #3" in closing  # two defects: nothing else was ever saved
    assert "No open defects" in said["/defect list"]
