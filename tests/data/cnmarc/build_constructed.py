"""Rebuild the constructed CNMARC test files from real records (see SOURCES.md).

Each record of ../../../shared/data/marc/marc2bibframe2_gwu.xml (CC0) with a Han-script 880
linked to its 245 is re-tagged as CNMARC, field by field, with the vernacular (880) forms as
the CNMARC values, the way a Chinese library would catalogue it. Nothing is invented: every
value is copied from the source record (only ISBD punctuation at the ends is dropped). The
result is written as ISO 2709 in UTF-8 and in GB18030, and as MARCXML. Run from the repository root:

    .venv/bin/python tests/data/cnmarc/build_constructed.py
"""

from __future__ import annotations

import re
from pathlib import Path

from pymarc import Field, Indicators, Leader, Record, Subfield, parse_xml_to_array, record_to_xml

SOURCE = Path(__file__).resolve().parents[4] / "shared/data/marc/marc2bibframe2_gwu.xml"
HERE = Path(__file__).parent
HAN = re.compile(r"[\u4e00-\u9fff]")
_END = " /:;,.=\t"


def _clean(value: str) -> str:
    return value.strip().rstrip(_END).strip()


def _vernacular(record: Record, tag: str) -> list[Field]:
    return [f for f in record.get_fields("880") if (f.get("6") or "").startswith(tag)]


def _field(tag: str, ind: str, pairs: list[tuple[str, str]]) -> Field | None:
    subfields = [Subfield(c, _clean(v)) for c, v in pairs if v and _clean(v)]
    return Field(tag, Indicators(ind[0], ind[1]), subfields) if subfields else None


def convert(source: Record) -> Record | None:
    titles = _vernacular(source, "245")
    if not titles or not HAN.search(titles[0].get("a") or ""):
        return None
    out = Record(force_utf8=True)
    out.leader = Leader("00000nam0 2200000   450 ")
    out.add_field(Field("001", data=source["001"].data))
    fixed = source["008"].data if source.get("008") else ""
    for f in source.get_fields("020"):
        if f.get("a"):
            out.add_field(_field("010", "  ", [("a", f.get("a").split(" ")[0])]))
    general = f"{fixed[0:6]:0<8}{'d' if fixed[6:7] in 'st' else 'u'}{fixed[7:11]:4}    " \
              f"km y0chiy50      ea"
    out.add_field(Field("100", Indicators(" ", " "), [Subfield("a", general)]))
    out.add_field(Field("101", Indicators("0", " "), [Subfield("a", fixed[35:38] or "chi")]))
    title = titles[0]
    out.add_field(_field("200", "1 ", [("a", title.get("a") or ""), ("e", title.get("b") or ""),
                                      ("f", title.get("c") or ""),
                                      ("9", source["245"].get("a") or "")]))
    for f in _vernacular(source, "250"):
        out.add_field(_field("205", "  ", [("a", f.get("a") or "")]))
    for f in _vernacular(source, "260") + _vernacular(source, "264"):
        out.add_field(_field("210", "  ", [("a", f.get("a") or ""), ("c", f.get("b") or ""),
                                          ("d", f.get("c") or "")]))
    for f in source.get_fields("300"):
        out.add_field(_field("215", "  ", [("a", f.get("a") or "")]))
    for f in _vernacular(source, "490"):
        out.add_field(_field("225", "2 ", [("a", f.get("a") or ""), ("v", f.get("v") or "")]))
    for f in source.get_fields("520"):
        out.add_field(_field("330", "  ", [("a", f.get("a") or "")]))
    for f in source.get_fields("650"):
        pairs = [(("a" if sf.code == "a" else sf.code), sf.value) for sf in f.subfields
                 if sf.code in "axyz"]
        out.add_field(_field("606", "0 ", [(("j" if c == "v" else c), v) for c, v in pairs]))
    for f in source.get_fields("651"):
        out.add_field(_field("607", " 0", [(sf.code, sf.value) for sf in f.subfields
                                           if sf.code in "axyz"]))
    for tag, new in (("100", "701"), ("700", "701"), ("110", "711"), ("710", "711")):
        for f in _vernacular(source, tag):
            ind = " 0" if new == "701" else "02"
            pairs = [("a", f.get("a") or ""), *(("b", b) for b in f.get_subfields("b")
                                                 if new == "711")]
            pairs += [("4", e) for e in f.get_subfields("e")]
            out.add_field(_field(new, ind, pairs))
    out.fields = [f for f in out.fields if f is not None]
    return out


def main() -> None:
    records = [r for r in (convert(s) for s in parse_xml_to_array(str(SOURCE))) if r]
    data = b"".join(r.as_marc() for r in records)
    (HERE / "gwu_cnmarc.utf8.mrc").write_bytes(data)
    gb = b"".join(_as_marc(r, "gb18030") for r in records)
    (HERE / "gwu_cnmarc.gb18030.mrc").write_bytes(gb)
    xml = b"".join(record_to_xml(r, namespace=False) for r in records)
    (HERE / "gwu_cnmarc.xml").write_bytes(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="http://www.loc.gov/MARC21/slim">'
        + xml + b"</collection>\n")
    print(len(records), "records")


def _as_marc(record: Record, encoding: str) -> bytes:
    """ISO 2709 in another encoding (pymarc writes only UTF-8 or Latin-1)."""
    fields, directory, offset = b"", b"", 0
    for field in record.fields:
        data = field.as_marc(encoding=encoding)
        fields += data
        directory += f"{field.tag}{len(data):04d}{offset:05d}".encode("ascii")
        offset += len(data)
    directory += b"\x1e"
    fields += b"\x1d"
    base = 24 + len(directory)
    leader = str(record.leader)
    leader = f"{base + len(fields):05d}{leader[5:9]} {leader[10:12]}{base:05d}{leader[17:]}"
    return leader.encode("ascii") + directory + fields


if __name__ == "__main__":
    main()
