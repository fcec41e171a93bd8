from __future__ import annotations

from pathlib import Path

import pytest
from pymarc import Field, Indicators, Record, Subfield

from service.data.importing.marc import (
    CopySpec,
    IsbnIssue,
    RecordError,
    TitleRecord,
    detect_format,
    iter_marc_file,
    match_keys,
)
from tests.shared_data import shared_data

# Record counts per file, as documented in shared/data/SOURCES.md.
EXPECTED_COUNTS = {
    "marc2bibframe2_british_library.xml": 99,
    "marc2bibframe2_dnb.xml": 99,
    "marc2bibframe2_gwu.xml": 99,
    "marc2bibframe2_loc_general.xml": 99,
    "traject_test_data.utf8.mrc": 30,
    "traject_test_data.utf8.marc.xml": 30,
    "pymarc_marc.dat": 20,
    "pymarc_test.dat": 10,
}
# Records with at least one 020 $a that is a real ISBN (SOURCES.md counts 020 fields; three
# traject records carry only a price in 020 $c, so they have no ISBN to import).
EXPECTED_WITH_ISBN = {
    "marc2bibframe2_british_library.xml": 86,
    "marc2bibframe2_dnb.xml": 3,
    "marc2bibframe2_gwu.xml": 37,
    "marc2bibframe2_loc_general.xml": 98,
    "traject_test_data.utf8.mrc": 6,
    "traject_test_data.utf8.marc.xml": 6,
    "pymarc_marc.dat": 20,
    "pymarc_test.dat": 9,
}


def _load(name: str) -> list[TitleRecord | RecordError]:
    return list(iter_marc_file(shared_data("marc", name)))


def _titles(name: str) -> dict[str | None, TitleRecord]:
    return {r.control_number: r for r in _load(name) if isinstance(r, TitleRecord)}


def _write_binary(tmp_path: Path, records: list[Record], name: str = "made.mrc") -> Path:
    path = tmp_path / name
    path.write_bytes(b"".join(r.as_marc() for r in records))
    return path


def _record(*fields: Field, leader_09: str = "a") -> Record:
    record = Record(leader="00000nam a2200000 a 4500")
    record.leader = record.leader[:9] + leader_09 + record.leader[10:]
    # pymarc writes Latin-1 bytes (our stand-in for MARC-8) only when not in unicode mode.
    record.to_unicode = leader_09 == "a"
    for field in fields:
        record.add_field(field)
    return record


def _data(tag: str, *pairs: str, ind: tuple[str, str] = (" ", " ")) -> Field:
    subfields = [Subfield(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)]
    return Field(tag=tag, indicators=Indicators(*ind), subfields=subfields)


def test_every_shared_marc_file_is_covered_by_the_expected_counts() -> None:
    on_disk = {p.name for p in shared_data("marc").iterdir() if p.suffix in {".xml", ".mrc", ".dat"}}
    assert on_disk == set(EXPECTED_COUNTS)


@pytest.mark.parametrize("name", sorted(EXPECTED_COUNTS))
def test_every_record_of_each_shared_file_imports_without_errors(name: str) -> None:
    items = _load(name)
    errors = [i for i in items if isinstance(i, RecordError)]
    assert errors == []
    assert len(items) == EXPECTED_COUNTS[name]
    assert [i.source_position for i in items] == list(range(1, len(items) + 1))
    assert all(i.title for i in items if isinstance(i, TitleRecord))


@pytest.mark.parametrize("name", sorted(EXPECTED_WITH_ISBN))
def test_each_shared_file_yields_the_expected_number_of_records_with_isbns(name: str) -> None:
    records = [r for r in _load(name) if isinstance(r, TitleRecord)]
    assert sum(1 for r in records if r.isbns) == EXPECTED_WITH_ISBN[name]
    assert all(len(i) == 13 and i.isdigit() for r in records for i in r.isbns)


def test_a_chinese_title_keeps_its_original_script_from_the_linked_880() -> None:
    record = _titles("marc2bibframe2_gwu.xml")["11863531"]
    assert record.title == "Zhongguo guo ji zhan lüe dao lun"
    assert record.title_original == "中国国际战略导论"
    assert record.authors == ("Men, Honghua",)
    assert record.authors_original == ("门洪华",)
    assert record.isbns == ("9787302200550",)
    assert record.language == "chi"
    assert record.year == 2009
    assert record.lc_class == "DS779.27"


def test_880_names_follow_the_added_entries_they_render_with_their_roles() -> None:
    record = _titles("marc2bibframe2_gwu.xml")["11587214"]
    assert record.title_original == (
        "故宮 : 十二集大型纪录片 = The Forbidden City :"
        " twelve-episode historical documentary series"
    )
    # Consultants and producers are named, with their vernacular form, but are not authors.
    assert [(n.name, n.role, n.original) for n in record.names[:2]] == [
        ("Sun, Jiazheng", "consultant", "孙家正"), ("Zhao, Huayong", "producer", "赵化勇")]
    assert record.authors == ()
    assert record.authors_original[:2] == ("孙家正", "赵化勇")


def test_the_utf8_binary_file_gives_the_same_cjk_title_as_its_marcxml_twin() -> None:
    binary = _titles("traject_test_data.utf8.mrc")["2009373513"]
    xml = _titles("traject_test_data.utf8.marc.xml")["2009373513"]
    assert binary.title == "Ci an zhou bian"
    assert binary.title_original == "次按驟變"
    assert binary.authors_original == ("林行止",)
    assert binary == xml


def test_full_width_isbd_punctuation_is_removed_from_cjk_880_values() -> None:
    record = _titles("traject_test_data.utf8.mrc")["92117465"]
    assert record.title_original == "北韓 法令集"
    assert record.authors_original == ("鄭 慶謨", "崔 逹坤")


def test_isbn10_and_isbn13_of_one_book_become_one_isbn13_with_qualifiers_dropped() -> None:
    # 020 $a '9780743297790 (alk. paper)' and $a '0743297792 (alk. paper)'
    record = _titles("traject_test_data.utf8.mrc")["2007020969"]
    assert record.isbns == ("9780743297790",)


def test_an_isbn10_from_a_marc8_file_is_normalised_to_isbn13() -> None:
    record = _titles("pymarc_test.dat")["fol05731351"]
    assert record.title == "ActivePerl with ASP and ADO"
    assert record.isbns == ("9780471383147",)
    assert record.dewey == "005.133"
    assert record.authors == ("Martinsson, Tobias",)
    assert record.publisher == "John Wiley & Sons"


def test_a_known_british_library_record_keeps_its_title_dewey_and_holdings() -> None:
    record = _titles("marc2bibframe2_british_library.xml")["007177759"]
    assert record.title == "OAG flight atlas. Worldwide"
    assert record.dewey == "387.72"
    assert record.copies[0] == CopySpec(
        barcode=None, branch="STI", shelf_mark="(B) DIR 912.21 Business", item_type=None
    )
    assert len(record.copies) == 3


def test_dnb_system_numbers_and_german_language_are_read() -> None:
    record = _titles("marc2bibframe2_dnb.xml")["010028277"]
    assert record.system_numbers == ("(DE-599)ZDB2072-2", "(OCoLC)263589018")
    assert record.language == "ger"


def test_match_keys_list_control_number_system_numbers_and_isbns() -> None:
    record = _titles("marc2bibframe2_gwu.xml")["11863531"]
    assert match_keys(record) == [
        "001:11863531",
        "035:(OCoLC)ocn430145469",
        "035:(OCoLC)430145469",
        "isbn:9787302200550",
    ]


def test_reading_the_same_file_twice_gives_the_same_match_keys() -> None:
    first = [match_keys(r) for r in _load("pymarc_marc.dat") if isinstance(r, TitleRecord)]
    second = [match_keys(r) for r in _load("pymarc_marc.dat") if isinstance(r, TitleRecord)]
    assert first == second
    assert len({k[0] for k in first}) == 20


def test_a_clc_class_is_taken_only_from_084_with_source_clc(tmp_path: Path) -> None:
    # No shared file carries 084 $2 clc, so a small record proves the mapping.
    record = _record(
        Field(tag="001", data="cn-1"),
        Field(tag="008", data="200101s2020    ch a          000 0 chi d"),
        _data("020", "a", "978-7-02-000220-7 (精装) :", "c", "CNY59.00"),
        _data("020", "a", "7-02-000220-5"),
        _data("084", "a", "K825.6", "2", "ztflh"),
        _data("084", "a", "I247.5", "2", "clc"),
        _data("245", "6", "880-01", "a", "Hong lou meng /", "c", "Cao Xueqin zhu."),
        _data("880", "6", "245-01/$1", "a", "红楼梦 ／", "c", "曹雪芹著."),
        _data(
            "264",
            "a",
            "Beijing :",
            "b",
            "Ren min wen xue chu ban she,",
            "c",
            "2020.",
            ind=(" ", "1"),
        ),
        _data("650", "a", "Chinese fiction.", ind=(" ", "0")),
        _data("650", "a", "Chinese fiction", ind=(" ", "4")),
        _data("952", "a", "MAIN", "b", "EAST", "o", "I247.5/C12", "p", "3900001", "y", "BOOK"),
    )
    [item] = list(iter_marc_file(_write_binary(tmp_path, [record])))
    assert isinstance(item, TitleRecord)
    assert item.clc_class == "I247.5"
    assert item.title == "Hong lou meng"
    assert item.title_original == "红楼梦"
    assert item.isbns == ("9787020002207",)
    assert item.isbn_errors == (IsbnIssue(raw="7-02-000220-5", reason="bad_checksum"),)
    assert item.publisher == "Ren min wen xue chu ban she"
    assert item.year == 2020
    assert item.language == "chi"
    assert item.subjects == ("Chinese fiction",)
    assert item.copies == (CopySpec("3900001", "MAIN", "I247.5/C12", "BOOK"),)


def test_a_marc8_record_with_a_combining_accent_is_decoded(tmp_path: Path) -> None:
    # MARC-8 puts the combining acute (0xE2) before its base letter; Latin-1 carries the byte.
    record = _record(_data("245", "a", "Caf\u00e2e society."), leader_09=" ")
    [item] = list(iter_marc_file(_write_binary(tmp_path, [record])))
    assert isinstance(item, TitleRecord)
    assert item.title == "Café society"


def test_a_utf8_record_mislabelled_as_marc8_is_still_read_as_utf8(tmp_path: Path) -> None:
    record = _record(_data("245", "a", "三体"), leader_09="a")
    raw = bytearray(record.as_marc())
    raw[9] = ord(" ")  # the exporting system claims MARC-8
    path = tmp_path / "mislabelled.mrc"
    path.write_bytes(bytes(raw))
    [item] = list(iter_marc_file(path))
    assert isinstance(item, TitleRecord)
    assert item.title == "三体"


def test_a_broken_binary_record_is_reported_and_the_rest_are_read(tmp_path: Path) -> None:
    data = shared_data("marc", "pymarc_test.dat").read_bytes()
    records = data.split(b"\x1d")[:-1]
    third = bytearray(records[2])
    third[12:17] = b"abcde"  # base address of data destroyed
    records[2] = bytes(third)
    path = tmp_path / "broken.mrc"
    path.write_bytes(b"\x1d".join(records) + b"\x1d")
    items = list(iter_marc_file(path))
    assert len(items) == 10
    [error] = [i for i in items if isinstance(i, RecordError)]
    assert error.source_position == 3
    assert error.reason == "unreadable_record"
    assert error.message("zh-CN") == "无法读取记录结构（头标区或目次区损坏）。"


def test_a_file_cut_in_the_middle_of_a_record_reports_the_truncated_tail(tmp_path: Path) -> None:
    data = shared_data("marc", "pymarc_marc.dat").read_bytes()
    path = tmp_path / "cut.mrc"
    path.write_bytes(data[: len(data) - 300])
    items = list(iter_marc_file(path))
    assert sum(isinstance(i, TitleRecord) for i in items) == 19
    assert items[-1] == RecordError(20, None, "truncated_file", items[-1].detail)


def test_a_record_without_a_title_is_an_error_carrying_its_control_number(tmp_path: Path) -> None:
    path = _write_binary(tmp_path, [_record(Field(tag="001", data="x9"), _data("100", "a", "A"))])
    assert list(iter_marc_file(path)) == [RecordError(1, "x9", "missing_title")]


def test_bad_marcxml_records_are_reported_and_reading_stops_only_at_broken_xml(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<collection xmlns="http://www.loc.gov/MARC21/slim">'
        '<record><controlfield tag="001">ok1</controlfield>'
        '<datafield tag="245" ind1="0" ind2="0"><subfield code="a">First /</subfield></datafield>'
        "</record>"
        '<record><controlfield tag="001">bad2</controlfield>'
        '<datafield ind1="0" ind2="0"><subfield code="a">No tag</subfield></datafield></record>'
        '<record><controlfield tag="001">ok3</controlfield>'
        '<datafield tag="245" ind1="0" ind2="0"><subfield code="a">Third.</subfield></datafield>'
        "</record>"
        "<record><unclosed></record>",
        encoding="utf-8",
    )
    items = list(iter_marc_file(path))
    assert [(type(i).__name__, i.source_position) for i in items] == [
        ("TitleRecord", 1),
        ("RecordError", 2),
        ("TitleRecord", 3),
        ("RecordError", 4),
    ]
    assert isinstance(items[1], RecordError) and items[1].control_number == "bad2"
    assert isinstance(items[3], RecordError) and items[3].reason == "not_well_formed_xml"
    assert isinstance(items[2], TitleRecord) and items[2].title == "Third"


def test_format_is_detected_from_content_not_from_the_file_name() -> None:
    assert detect_format(b"\xef\xbb\xbf  <?xml version='1.0'?>") == "xml"
    assert detect_format(b"00714cam a2200205 a 4500") == "binary"


def test_a_utf8_record_with_a_few_bad_bytes_is_kept_with_a_warning(tmp_path: Path) -> None:
    record = _record(Field(tag="001", data="u1"), _data("245", "a", "Café au lait"))
    raw = record.as_marc().replace("é".encode(), b"\xff\x41")  # same length, invalid UTF-8
    path = tmp_path / "bad-bytes.mrc"
    path.write_bytes(raw)
    [item] = list(iter_marc_file(path))
    assert isinstance(item, TitleRecord)
    assert item.title == "Caf\ufffdA au lait"
    assert item.warnings and "replaced" in item.warnings[-1]
