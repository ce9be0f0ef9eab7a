"""A reply's files in the console: written under a folder (``HUDDLE_FILES_DIR``), paths printed.

A file never replaces another: a second ``service-report-2026-11.png`` is written as
``service-report-2026-11-2.png``. Only the file's own name is used, never a folder in it.
"""

from __future__ import annotations

from pathlib import Path

from bot.model import Reply


def write_files(reply: Reply, folder: Path) -> list[Path]:
    """Write each of the reply's files under ``folder`` (made if missing); their paths."""
    if not reply.files:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for file in reply.files:
        name = Path(file.name).name or "file"
        path = folder / name
        stem, suffix = path.stem, path.suffix
        n = 1
        while path.exists():
            n += 1
            path = folder / f"{stem}-{n}{suffix}"
        path.write_bytes(file.data)
        written.append(path)
    return written


def file_lines(reply: Reply, paths: list[Path]) -> str:
    """'Saved Defects by journey stage: huddle-files/service-report-2026-11.png', one a line."""
    return "\n".join(
        f"  ↳ {file.title}: saved as {path}" for file, path in zip(reply.files, paths, strict=True)
    )
