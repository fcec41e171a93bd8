"""Split MARC files into decoded pymarc Records, one at a time, surviving broken records."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import BinaryIO

from pymarc import Field, Indicators, Leader, Record, Subfield

from service.core.importing.marc_model import RecordError

RECORD_TERMINATOR = b"\x1d"
_BLOCK = 1 << 16

# (position, record, warnings) for a decoded record, or a RecordError for a broken one.
Decoded = tuple[int, Record, tuple[str, ...]] | RecordError


def _binary_chunks(stream: BinaryIO) -> Iterator[bytes]:
    """Raw records cut at the record terminator, so one bad length cannot desync the rest."""
    pending = b""
    while block := stream.read(_BLOCK):
        pending += block
        *complete, pending = pending.split(RECORD_TERMINATOR)
        for chunk in complete:
            yield chunk + RECORD_TERMINATOR
    if pending.strip(b"\r\n\t \x00\x1a"):
        yield pending  # no terminator: decoding will report it as truncated


def _looks_like_utf8(chunk: bytes) -> bool:
    """True when a record labelled MARC-8 is really UTF-8 (common in exports from CJK systems)."""
    if chunk.isascii():
        return False
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode_binary(chunk: bytes, handling: str) -> tuple[Record, tuple[str, ...]]:
    force_utf8 = chunk[9:10] == b"a" or _looks_like_utf8(chunk)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        record = Record(
            chunk,
            to_unicode=True,
            force_utf8=force_utf8,
            hide_utf8_warnings=True,
            utf8_handling=handling,
        )
    return record, tuple(str(w.message) for w in caught)


def iter_binary(stream: BinaryIO) -> Iterator[Decoded]:
    """Decode ISO 2709 records (MARC-8 or UTF-8) from a binary stream."""
    for position, chunk in enumerate(_binary_chunks(stream), start=1):
        if not chunk.endswith(RECORD_TERMINATOR):
            yield RecordError(position, None, "truncated_file", f"{len(chunk)} trailing bytes")
            continue
        try:
            record, notes = _decode_binary(chunk, "strict")
        except UnicodeDecodeError as exc:
            try:  # keep the record, with the undecodable bytes replaced and a warning
                record, notes = _decode_binary(chunk, "replace")
                notes = (*notes, f"undecodable bytes replaced: {exc.reason}")
            except Exception as again:  # any failure is this record's fault
                yield RecordError(position, _control_hint(chunk), "bad_encoding", str(again))
                continue
        except Exception as exc:  # pymarc raises many types for bad structure
            yield RecordError(position, _control_hint(chunk), "unreadable_record", repr(exc))
            continue
        yield position, record, notes


def _control_hint(chunk: bytes) -> str | None:
    """Best-effort 001 from a broken record, so a librarian can find it in the source system."""
    try:
        base = int(chunk[12:17])
        directory = chunk[24 : base - 1].decode("ascii")
        for i in range(0, len(directory) - 11, 12):
            if directory[i : i + 3] == "001":
                length, offset = int(directory[i + 3 : i + 7]), int(directory[i + 7 : i + 12])
                value = chunk[base + offset : base + offset + length - 1].decode("utf-8")
                return value.strip() or None
    except (ValueError, UnicodeDecodeError):
        return None
    return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _record_from_xml(element: ET.Element) -> Record:
    record = Record()
    for child in element:
        name = _local(child.tag)
        if name == "leader":
            record.leader = Leader((child.text or "").ljust(24)[:24])
        elif name == "controlfield":
            record.fields.append(Field(tag=child.attrib["tag"], data=child.text or ""))
        elif name == "datafield":
            subfields = [
                Subfield(code=sf.attrib["code"], value=sf.text or "")
                for sf in child
                if _local(sf.tag) == "subfield"
            ]
            indicators = Indicators(child.get("ind1", " ") or " ", child.get("ind2", " ") or " ")
            record.fields.append(Field(child.attrib["tag"], indicators, subfields))
    if not record.fields:
        raise ValueError("record has no fields")
    return record


def iter_xml(stream: BinaryIO) -> Iterator[Decoded]:
    """Decode MARCXML records one by one, releasing each element after use."""
    position = 0
    parser = ET.iterparse(stream, events=("start", "end"))
    root: ET.Element | None = None
    try:
        for event, element in parser:
            if root is None and event == "start":
                root = element
            if event != "end" or _local(element.tag) != "record":
                continue
            position += 1
            try:
                yield position, _record_from_xml(element), ()
            except Exception as exc:  # any defect is confined to this record
                control = element.findtext("{*}controlfield[@tag='001']")
                yield RecordError(position, control, "bad_xml_record", repr(exc))
            element.clear()
            if root is not None and root is not element:
                root.clear()  # drop finished records so memory stays flat on big files
    except ET.ParseError as exc:
        yield RecordError(position + 1, None, "not_well_formed_xml", str(exc))
