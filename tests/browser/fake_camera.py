"""A Y4M video of a Code 128 barcode, for Chromium's fake camera (--use-file-for-fake-video-capture)."""

from __future__ import annotations

from pathlib import Path

from barcode import Code128

WIDTH, HEIGHT, MODULE = 640, 480, 3


def barcode_y4m(text: str, path: Path, frames: int = 10) -> Path:
    """Write ``frames`` identical frames: the barcode's bars, black on white, centred."""
    modules = "0" * 10 + Code128(text).build()[0] + "0" * 10  # quiet zones either side
    width = len(modules) * MODULE
    assert width <= WIDTH, "barcode too wide for the frame"
    left = (WIDTH - width) // 2
    row = bytearray(b"\xff" * WIDTH)
    for i, bit in enumerate(modules):
        if bit == "1":
            row[left + i * MODULE:left + (i + 1) * MODULE] = b"\x10" * MODULE
    blank = bytes(b"\xff" * WIDTH)
    luma = b"".join(bytes(row) if HEIGHT // 4 <= y < 3 * HEIGHT // 4 else blank
                    for y in range(HEIGHT))
    chroma = b"\x80" * (WIDTH // 2 * HEIGHT // 2 * 2)
    frame = b"FRAME\n" + luma + chroma
    header = f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + frame * frames)
    return path
