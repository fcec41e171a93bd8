"""Split a kiosk's byte stream into SIP2 lines, remembering each line's own ending."""

from __future__ import annotations

from dataclasses import dataclass

CR, LF = 0x0D, 0x0A


@dataclass(frozen=True)
class Frame:
    """One received line: its bytes without terminator, and the ending to answer with."""

    payload: bytes
    ending: bytes = b"\r"
    overflow: bool = False


class FrameReader:
    """Incremental line splitter: CR, CRLF (and a bare LF) end a message.

    CR and LF never occur inside a multi-byte character of UTF-8, GB18030 or IBM850, so
    framing on bytes is safe before decoding. A line longer than ``max_bytes`` is reported
    once as an overflow frame and its remainder discarded up to the next terminator.
    """

    def __init__(self, max_bytes: int = 8192) -> None:
        self._buffer = bytearray()
        self._max_bytes = max_bytes
        self._ending = b"\r"
        self._swallow_lf = False
        self._discarding = False

    def feed(self, data: bytes) -> list[Frame]:
        """Add received bytes; return every complete line now available."""
        if self._swallow_lf and data[:1] == b"\n":
            # The CR of the previous line arrived alone; this LF completes a CRLF.
            data = data[1:]
            self._ending = b"\r\n"
        self._swallow_lf = False
        self._buffer += data
        frames: list[Frame] = []
        while True:
            end = _first_terminator(self._buffer)
            if end < 0:
                if len(self._buffer) > self._max_bytes:
                    if not self._discarding:
                        frames.append(Frame(b"", self._ending, overflow=True))
                    self._discarding = True
                    self._buffer.clear()
                return frames
            line = bytes(self._buffer[:end])
            consumed = self._take_ending(end)
            del self._buffer[:consumed]
            if self._discarding:
                self._discarding = False
                continue
            if line:
                frames.append(Frame(line, self._ending))

    def _take_ending(self, end: int) -> int:
        if self._buffer[end] == LF:
            self._ending = b"\n"
            return end + 1
        if end + 1 < len(self._buffer):
            if self._buffer[end + 1] == LF:
                self._ending = b"\r\n"
                return end + 2
            self._ending = b"\r"
            return end + 1
        # CR is the last byte received: answer with CR (what we saw) and drop a LF that may
        # still arrive at the start of the next packet.
        self._ending = b"\r"
        self._swallow_lf = True
        return end + 1


def _first_terminator(buffer: bytearray) -> int:
    positions = [p for p in (buffer.find(b"\r"), buffer.find(b"\n")) if p >= 0]
    return min(positions) if positions else -1
