"""Read MARC21 files (ISO 2709 or MARCXML) into TitleRecords; one bad record never stops it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from os import PathLike
from typing import BinaryIO

from events.text_safety import describe, first_unstorable, unstorable_paths
from service.core.importing.marc_map import map_record
from service.core.importing.marc_model import (
    REASON_MESSAGES,
    CopySpec,
    IsbnIssue,
    RecordError,
    TitleRecord,
)
from service.core.importing.marc_sources import iter_binary, iter_xml

__all__ = [
    "REASON_MESSAGES",
    "CopySpec",
    "IsbnIssue",
    "RecordError",
    "TitleRecord",
    "detect_format",
    "iter_marc_file",
    "iter_marc_stream",
    "match_keys",
]

_SNIFF = 512


def detect_format(head: bytes) -> str:
    """'xml' when the first bytes look like XML (after any BOM and whitespace), else 'binary'."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    return "xml" if text.startswith(b"<") else "binary"


def iter_marc_stream(stream: BinaryIO) -> Iterator[TitleRecord | RecordError]:
    """Yield one TitleRecord or RecordError per record of a seekable binary stream."""
    head = stream.read(_SNIFF)
    stream.seek(0)
    source = iter_xml(stream) if detect_format(head) == "xml" else iter_binary(stream)
    for item in source:
        if isinstance(item, RecordError):
            yield item
            continue
        position, record, notes = item
        try:
            mapped = map_record(record, position, notes)
        except Exception as exc:  # a mapping surprise must not end the whole import
            yield RecordError(position, None, "unreadable_record", repr(exc))
            continue
        yield _refuse_unstorable(mapped)


def _refuse_unstorable(record: TitleRecord) -> TitleRecord | RecordError:
    """A record with text no back end can store is reported, by position, and not imported."""
    found = next(unstorable_paths(dataclasses.asdict(record)), None)
    if found is None:
        return record
    field, char = found
    number = record.control_number
    if number is not None and first_unstorable(number) is not None:
        number = None
    return RecordError(record.source_position, number, "unstorable_text",
                       f"{field} holds {describe(char)}")


def iter_marc_file(path: str | PathLike[str]) -> Iterator[TitleRecord | RecordError]:
    """Yield one TitleRecord or RecordError per record in a MARC21 binary or MARCXML file."""
    with open(path, "rb") as stream:
        yield from iter_marc_stream(stream)


def match_keys(record: TitleRecord) -> list[str]:
    """Keys to find an earlier import of the same record: 001, each 035, each ISBN-13."""
    keys: list[str] = []
    if record.control_number:
        keys.append(f"001:{record.control_number}")
    keys.extend(f"035:{number}" for number in record.system_numbers)
    keys.extend(f"isbn:{isbn}" for isbn in record.isbns)
    return keys
