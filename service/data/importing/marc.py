"""Read MARC21 files (ISO 2709 or MARCXML) into TitleRecords; one bad record never stops it."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from os import PathLike
from typing import BinaryIO

from events.text_safety import describe, first_unstorable, unstorable_paths
from service.data.importing.cnmarc_map import map_unimarc
from service.data.importing.marc_map import map_record
from service.data.importing.marc_model import (
    REASON_MESSAGES,
    ClassMark,
    CopySpec,
    IsbnIssue,
    Name,
    RecordError,
    TitleRecord,
)
from service.data.importing.marc_sources import iter_binary, iter_xml

__all__ = [
    "DIALECTS",
    "ENCODINGS",
    "REASON_MESSAGES",
    "ClassMark",
    "CopySpec",
    "IsbnIssue",
    "Name",
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


DIALECTS = ("auto", "marc21", "cnmarc")
ENCODINGS = ("utf-8", "gb18030", "marc8")


def _is_unimarc(record: object) -> bool:
    tags = {f.tag for f in record.fields}  # type: ignore[attr-defined]
    return "200" in tags and "245" not in tags


def iter_marc_stream(
    stream: BinaryIO, dialect: str = "auto", encoding: str | None = None
) -> Iterator[TitleRecord | RecordError]:
    """Yield one TitleRecord or RecordError per record of a seekable binary stream.

    ``dialect`` is 'marc21', 'cnmarc' (UNIMARC) or 'auto' (the file's first record with a
    title field decides: 200 without 245 is UNIMARC). ``encoding`` forces 'utf-8',
    'gb18030' (GB2312 and GBK are subsets) or 'marc8' for ISO 2709 files.
    """
    head = stream.read(_SNIFF)
    stream.seek(0)
    is_xml = detect_format(head) == "xml"
    source = iter_xml(stream) if is_xml else iter_binary(stream, dialect, encoding)
    unimarc = {"cnmarc": True, "marc21": False}.get(dialect)
    for item in source:
        if isinstance(item, RecordError):
            yield item
            continue
        position, record, notes = item
        if unimarc is None and {f.tag for f in record.fields} & {"200", "245"}:
            unimarc = _is_unimarc(record)
        mapper = map_unimarc if unimarc else map_record
        try:
            mapped = mapper(record, position, notes)
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


def iter_marc_file(
    path: str | PathLike[str], dialect: str = "auto", encoding: str | None = None
) -> Iterator[TitleRecord | RecordError]:
    """Yield one TitleRecord or RecordError per record in a MARC binary or MARCXML file."""
    with open(path, "rb") as stream:
        yield from iter_marc_stream(stream, dialect, encoding)


def match_keys(record: TitleRecord) -> list[str]:
    """Keys to find an earlier import of the same record: 001, each 035, each ISBN-13.

    A record with none of them (UNIMARC exports often lack 001) is known by a digest of
    its title, names, publisher and year, so that importing it again changes nothing.
    """
    keys: list[str] = []
    if record.control_number:
        keys.append(f"001:{record.control_number}")
    keys.extend(f"035:{number}" for number in record.system_numbers)
    keys.extend(f"isbn:{isbn}" for isbn in record.isbns)
    if not keys:
        parts = [record.title, *(n.name for n in record.names), record.publisher or "",
                 str(record.year or ""), record.edition or ""]
        keys.append("sig:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32])
    return keys
