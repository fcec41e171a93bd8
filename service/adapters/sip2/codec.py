"""SIP2 message codec: checksums, parsing and building of one message, SIP dates."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from service.adapters.sip2.messages import SIP_DATE_LENGTH, SPECS, MessageSpec

MAX_FIELD_LENGTH = 255
_CHECKSUM_AT_END = re.compile(r"AZ([0-9A-Fa-f]{0,4})\Z")
_SEQUENCE_AT_END = re.compile(r"AY([0-9])\Z")
_CODE = re.compile(r"[0-9]{2}")
_FIELD_CODE = re.compile(r"[A-Z]{2}")
_DATE = re.compile(r"[0-9]{8}[^|]{4}[0-9]{6}")
_UNSAFE = str.maketrans({"|": " ", "\r": " ", "\n": " "})


class Sip2FormatError(ValueError):
    """A line that is not a SIP2 message we can read."""


@dataclass(frozen=True)
class Message:
    """One SIP2 message: code, fixed fields by name, variable fields in order, AY and AZ."""

    code: str
    fixed: Mapping[str, str] = field(default_factory=dict)
    fields: tuple[tuple[str, str], ...] = ()
    sequence: str | None = None
    checksum: str | None = None

    def get(self, code: str) -> str | None:
        """Return the first value of variable field ``code``, or None when absent."""
        return next((value for key, value in self.fields if key == code), None)

    def get_all(self, code: str) -> list[str]:
        """Return every value of variable field ``code`` in order."""
        return [value for key, value in self.fields if key == code]


def checksum_of(data: str | bytes) -> str:
    """Return the SIP2 checksum: 16-bit two's complement of the sum, as 4 hex digits."""
    total = sum(data) if isinstance(data, bytes) else sum(map(ord, data))
    return f"{-total & 0xFFFF:04X}"


def has_checksum(text: str) -> bool:
    """Tell whether a request line ends with an AZ checksum field."""
    return _CHECKSUM_AT_END.search(text) is not None


def checksum_ok(text: str, raw: bytes) -> bool:
    """Verify the AZ field of a line, accepting sums over characters or over bytes.

    Kiosks disagree on what "the characters" are once a message holds non-ASCII text, and
    some drop the leading zero of the checksum, so either sum and 1-4 digits are accepted.
    """
    match = _CHECKSUM_AT_END.search(text)
    if match is None:
        return True
    digits = match.group(1)
    if not digits:
        return False
    given = int(digits, 16)
    prefix_text = text[: match.start(1)]
    prefix_raw = raw[: len(raw) - len(digits)]
    return given in (int(checksum_of(prefix_text), 16), int(checksum_of(prefix_raw), 16))


def parse(text: str) -> Message:
    """Parse one message (without its line ending) into a Message."""
    if not _CODE.fullmatch(text[:2]):
        raise Sip2FormatError("no message code")
    spec = SPECS.get(text[:2])
    if spec is None:
        raise Sip2FormatError("unknown message code")
    body, checksum, sequence = text, None, None
    if match := _CHECKSUM_AT_END.search(body):
        checksum, body = match.group(1), body[: match.start()]
    if match := _SEQUENCE_AT_END.search(body):
        sequence, body = match.group(1), body[: match.start()]
    fixed, position = _parse_fixed(spec, body)
    return Message(spec.code, fixed, _parse_fields(body[position:]), sequence, checksum)


def _parse_fixed(spec: MessageSpec, body: str) -> tuple[dict[str, str], int]:
    fixed: dict[str, str] = {}
    position = 2
    for fixed_field in spec.fixed:
        chunk = body[position : position + fixed_field.length]
        if fixed_field.is_date:
            # Real kiosks send blank dates and sometimes leave the date out altogether.
            if len(chunk) == SIP_DATE_LENGTH and (not chunk.strip() or _DATE.fullmatch(chunk)):
                fixed[fixed_field.name] = chunk
                position += SIP_DATE_LENGTH
            else:
                fixed[fixed_field.name] = ""
            continue
        if len(chunk) < fixed_field.length or "|" in chunk:
            raise Sip2FormatError(f"fixed field {fixed_field.name} is short")
        fixed[fixed_field.name] = chunk
        position += fixed_field.length
    return fixed, position


def _parse_fields(rest: str) -> tuple[tuple[str, str], ...]:
    fields = []
    for fragment in rest.split("|"):
        if not fragment:
            continue
        if not _FIELD_CODE.fullmatch(fragment[:2]):
            raise Sip2FormatError("variable field without a field code")
        fields.append((fragment[:2], fragment[2:]))
    return tuple(fields)


def format_body(message: Message) -> str:
    """Return code, fixed fields and variable fields, without AY, AZ or line ending."""
    spec = SPECS.get(message.code)
    if spec is None:
        raise ValueError(f"unknown message code {message.code!r}")
    parts = [message.code]
    for fixed_field in spec.fixed:
        value = message.fixed.get(fixed_field.name, "")
        # A date may be absent (empty); everything else must have its exact width.
        if len(value) != fixed_field.length and not (fixed_field.is_date and value == ""):
            raise ValueError(f"{message.code}.{fixed_field.name} must be {fixed_field.length}")
        parts.append(value)
    for code, value in message.fields:
        parts.append(f"{code}{value.translate(_UNSAFE)[:MAX_FIELD_LENGTH]}|")
    return "".join(parts)


def to_text(message: Message, *, with_checksum: bool) -> str:
    """Return the message as text with AY (when set) and a character-sum AZ when asked."""
    text = format_body(message)
    if message.sequence is not None:
        text += f"AY{message.sequence}"
    if with_checksum:
        text += "AZ"
        text += checksum_of(text)
    return text


def encode(
    message: Message,
    *,
    encoding: str = "utf-8",
    ending: bytes = b"\r",
    with_checksum: bool = False,
    checksum_over_bytes: bool = True,
) -> bytes:
    """Return the message as bytes in ``encoding``, with AY, optional AZ and the line ending."""
    text = format_body(message)
    if message.sequence is not None:
        text += f"AY{message.sequence}"
    if not with_checksum:
        return text.encode(encoding, errors="replace") + ending
    text += "AZ"
    data = text.encode(encoding, errors="replace")
    checksum = checksum_of(data if checksum_over_bytes else text)
    return data + checksum.encode("ascii") + ending


def format_timestamp(moment: datetime, zone: tzinfo) -> str:
    """Return a SIP2 local timestamp YYYYMMDD    HHMMSS in ``zone``."""
    return moment.astimezone(zone).strftime("%Y%m%d    %H%M%S")


def parse_timestamp(raw: str, zone: tzinfo) -> datetime | None:
    """Read a SIP2 timestamp as an aware datetime; blank or invalid gives None."""
    if len(raw) != SIP_DATE_LENGTH or not raw.strip():
        return None
    try:
        naive = datetime.strptime(raw[:8] + raw[12:], "%Y%m%d%H%M%S")
    except ValueError:
        return None
    # A Z in the last position of the zone field marks universal time; blanks mean local.
    return naive.replace(tzinfo=UTC if raw[11] == "Z" else zone)
