"""Draw the two Teams app icons with the standard library only (zlib + struct).

    python adapters/teams/manifest/make_icons.py

color.png: 192x192, a full-bleed teal tile with a white "H" (Teams rounds the corners).
outline.png: 32x32, a white "H" on transparent, as Teams requires for outline icons.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

HERE = Path(__file__).parent
TEAL = (0, 128, 128, 255)
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)


def png(width: int, height: int, pixel) -> bytes:
    """An RGBA PNG whose pixel (x, y) is ``pixel(x, y)``."""
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def in_h(x: float, y: float) -> bool:
    """The letter H in a unit square: two uprights and a crossbar."""
    if not (0.2 <= y <= 0.8):
        return False
    return 0.22 <= x <= 0.36 or 0.64 <= x <= 0.78 or (0.36 < x < 0.64 and 0.44 <= y <= 0.56)


def color(size: int = 192) -> bytes:
    return png(size, size, lambda x, y: WHITE if in_h(x / size, y / size) else TEAL)


def outline(size: int = 32) -> bytes:
    return png(
        size, size, lambda x, y: WHITE if in_h((x + 0.5) / size, (y + 0.5) / size) else CLEAR
    )


def main() -> None:
    (HERE / "color.png").write_bytes(color())
    (HERE / "outline.png").write_bytes(outline())


if __name__ == "__main__":
    main()
