"""Split MARC files into decoded pymarc Records, one at a time, surviving broken records."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import BinaryIO

from pymarc import Field, Indicators, Leader, Record, Subfield

from service.data.importing.marc_model import RecordError

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


def _decodes_as(chunk: bytes, encoding: str) -> bool:
    try:
        chunk.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def raw_tags(chunk: bytes) -> set[str]:
    """The tags in a raw record's directory (empty when the directory cannot be read)."""
    try:
        base = int(chunk[12:17])
        directory = chunk[24 : base - 1].decode("ascii")
    except (ValueError, UnicodeDecodeError):
        return set()
    return {directory[i : i + 3] for i in range(0, len(directory) - 11, 12)}


def is_unimarc_tags(tags: set[str]) -> bool:
    """UNIMARC/CNMARC records carry their title in 200 and have no MARC 21 245."""
    return "200" in tags and "245" not in tags


def _decode_binary(chunk: bytes, handling: str, encoding: str) -> tuple[Record, tuple[str, ...]]:
    """Decode with ``encoding``: 'marc8' (MARC 21 default), 'utf-8' or 'gb18030'."""
    if encoding == "gb18030":
        # pymarc reads leader/09 'a' as UTF-8 whatever it is told; GB text is never that.
        chunk = chunk[:9] + b" " + chunk[10:] if chunk[9:10] == b"a" else chunk
    force_utf8 = encoding == "utf-8"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        record = Record(
            chunk,
            to_unicode=True,
            force_utf8=force_utf8,
            hide_utf8_warnings=True,
            utf8_handling=handling,
            file_encoding="gb18030" if encoding == "gb18030" else "iso8859-1",
        )
    return record, tuple(str(w.message) for w in caught)


def choose_encoding(chunk: bytes, unimarc: bool, chosen: str | None) -> str:
    """The encoding of one raw record: the operator's choice, else what the bytes show.

    MARC 21 says UTF-8 in leader/09; UNIMARC has no such flag (CNMARC states its character
    set in 100 $a/26-29, often wrongly), so a UNIMARC record is UTF-8 when it decodes as
    UTF-8 and GB18030 (which contains GB2312 and GBK) when it decodes as that instead.
    """
    if chosen:
        return chosen
    if chunk[9:10] == b"a" or _looks_like_utf8(chunk):
        return "utf-8"
    if unimarc:
        return "utf-8" if chunk.isascii() or not _decodes_as(chunk, "gb18030") else "gb18030"
    return "marc8"


def iter_binary(stream: BinaryIO, dialect: str = "auto",
                encoding: str | None = None) -> Iterator[Decoded]:
    """Decode ISO 2709 records (MARC-8, UTF-8 or, for CNMARC, GB18030) from a binary stream."""
    unimarc = {"cnmarc": True, "marc21": False}.get(dialect)
    for position, chunk in enumerate(_binary_chunks(stream), start=1):
        if not chunk.endswith(RECORD_TERMINATOR):
            yield RecordError(position, None, "truncated_file", f"{len(chunk)} trailing bytes")
            continue
        if unimarc is None and (tags := raw_tags(chunk)) & {"200", "245"}:
            unimarc = is_unimarc_tags(tags)  # the file's first titled record decides
        chosen = choose_encoding(chunk, bool(unimarc), encoding)
        try:
            record, notes = _decode_binary(chunk, "strict", chosen)
        except UnicodeDecodeError as exc:
            try:  # keep the record, with the undecodable bytes replaced and a warning
                record, notes = _decode_binary(chunk, "replace", "utf-8")
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
