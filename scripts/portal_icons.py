"""Draw the portal's app icons as PNGs (no image library needed): an open book on blue."""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

BLUE, WHITE, PALE = (0x1F, 0x5F, 0x8B), (255, 255, 255), (0xDB, 0xE9, 0xF4)


def pixel(x: float, y: float) -> tuple[int, int, int]:
    """The colour at (x, y) in a 0..1 square: the book's two pages over the background."""
    if 0.19 <= x <= 0.5 and 0.27 + 0.05 * (x - 0.19) / 0.31 <= y <= 0.78:
        return WHITE
    if 0.5 < x <= 0.81 and 0.27 + 0.05 * (0.81 - x) / 0.31 <= y <= 0.78:
        return PALE
    return BLUE


def png(size: int) -> bytes:
    rows = b"".join(b"\0" + bytes(c for x in range(size) for c in pixel(x / size, y / size))
                    for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9))
            + chunk(b"IEND", b""))


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "service/adapters/web/static/icons")
    for size in (192, 512):
        (out / f"portal-{size}.png").write_bytes(png(size))
