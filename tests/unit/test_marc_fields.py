"""The MARC 21 and CNMARC rules of issue 15, one record each."""

from __future__ import annotations

import io

from pymarc import Field, Indicators, Record, Subfield

from service.data.importing.marc import TitleRecord, iter_marc_stream


def _f(tag: str, ind: str, *pairs: str) -> Field:
    return Field(tag, Indicators(ind[0], ind[1]),
                 [Subfield(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)])


def _read(*fields: Field, leader: str = "00000nam a2200000 a 4500", **kw: str) -> TitleRecord:
    record = Record(leader=leader, force_utf8=True)
    record.add_field(*fields)
    (item,) = iter_marc_stream(io.BytesIO(record.as_marc()), **kw)
    assert isinstance(item, TitleRecord)
    return item


def test_a_pope_keeps_numeration_and_title_and_a_former_owner_is_not_an_author() -> None:
    r = _read(_f("100", "0 ", "a", "Pius", "b", "II,", "c", "Pope,", "d", "1405-1464."),
              _f("700", "1 ", "a", "Smith, John,", "e", "former owner."),
              _f("710", "2 ", "a", "Aldine Press,", "4", "prt"), _f("245", "10", "a", "Epistolae"))
    assert [(n.name, n.role, n.kind) for n in r.names] == [
        ("Pius II, Pope", "author", "personal"), ("Smith, John", "former owner", "personal"),
        ("Aldine Press", "printer", "corporate")]
    assert r.authors == ("Pius II, Pope",)


def test_the_year_comes_from_008_date1_not_from_a_transcribed_260c() -> None:
    r = _read(Field("008", data="690101s1969    xx            000 0 ara d"),
              _f("245", "10", "a", "Kitab"), _f("260", "  ", "c", "XL 0282.", "d", "[1969?]"))
    assert r.year == 1969
    fallback = _read(_f("245", "10", "a", "Codex"), _f("260", "  ", "c", "[1213 or 1504]"))
    assert fallback.year == 1213  # no 008: the first plausible year of $c


def test_several_languages_are_kept_as_iso_639_2_codes() -> None:
    r = _read(Field("008", data="690101s1969    xx            000 0 heb d"),
              _f("041", "0 ", "a", "heb", "a", "arc", "a", "lat"), _f("245", "10", "a", "Siddur"))
    assert (r.languages, r.language) == (("heb", "arc", "lat"), "heb")


def test_the_non_filing_characters_of_245_are_kept() -> None:
    r = _read(_f("245", "14", "a", "The best of times"))
    assert (r.title, r.nonfiling) == ("The best of times", 4)


def test_subjects_keep_their_subdivisions_and_other_subject_fields() -> None:
    r = _read(_f("245", "10", "a", "X"),
              _f("650", " 0", "a", "History", "y", "20th century.", "z", "China."),
              _f("600", "10", "a", "Mao, Zedong,", "d", "1893-1976", "v", "Biography."),
              _f("651", " 0", "a", "Tibet (China)", "x", "Politics and government."))
    assert r.subjects == ("History -- 20th century -- China", "Mao, Zedong 1893-1976 -- Biography",
                          "Tibet (China) -- Politics and government")


def test_a_sound_recording_is_catalogued_as_one_and_an_online_text_as_electronic() -> None:
    r = _read(_f("245", "10", "a", "Symphonies"), leader="00000njm a2200000 a 4500")
    assert r.format == "sound_recording"
    online = _read(Field("008", data="200101s2020    xx      o     000 0 eng d"),
                   _f("245", "10", "a", "E-book"))
    assert online.format == "electronic"


def test_nlm_local_and_084_classes_keep_their_scheme() -> None:
    r = _read(_f("060", "00", "a", "WG 120"), _f("090", "  ", "a", "R123", "b", ".S6"),
              _f("084", "  ", "a", "I247.5", "2", "clc"), _f("245", "10", "a", "X"))
    assert [(c.scheme, c.value) for c in r.classes] == [
        ("nlm", "WG 120"), ("local", "R123 .S6"), ("clc", "I247.5")]
    assert r.clc_class == "I247.5"


def _cnmarc() -> Record:
    record = Record(leader="00000nam0 2200000   450 ", force_utf8=True)
    record.add_field(
        Field("001", data="CN-1"), _f("010", "  ", "a", "978-7-5366-9293-0", "d", "CNY23.00"),
        _f("100", "  ", "a", "20080101d2008    em y0chiy50      ea"),
        _f("101", "0 ", "a", "chi"), _f("200", "1 ", "a", "三体", "f", "刘慈欣著", "9", "San ti"),
        _f("210", "  ", "a", "重庆", "c", "重庆出版社", "d", "2008"),
        _f("215", "  ", "a", "302页"), _f("225", "2 ", "a", "中国科幻基石丛书"),
        _f("330", "  ", "a", "文化大革命如火如荼进行的同时……"),
        _f("606", "0 ", "a", "科学幻想小说", "y", "中国", "z", "当代"),
        _f("690", "  ", "a", "I247.55", "v", "5"), _f("701", " 0", "a", "刘慈欣", "4", "著"),
        _f("702", " 0", "a", "Liu, Ken", "4", "730"),
        _f("905", "  ", "a", "LIB", "b", "T0001", "d", "I247.55", "e", "12"))
    return record


def test_a_cnmarc_record_maps_title_names_classes_and_copies() -> None:
    (r,) = iter_marc_stream(io.BytesIO(_cnmarc().as_marc()))
    assert isinstance(r, TitleRecord)
    assert (r.marc_format, r.title, r.publisher, r.year) == ("cnmarc", "三体", "重庆出版社", 2008)
    assert [(n.name, n.role) for n in r.names] == [("刘慈欣", "author"), ("Liu, Ken", "translator")]
    assert (r.authors, r.clc_class, r.isbns) == (("刘慈欣",), "I247.55", ("9787536692930",))
    assert r.subjects == ("科学幻想小说 -- 中国 -- 当代",)
    assert (r.variant_titles, r.series, r.pages) == (("San ti",), ("中国科幻基石丛书",), "302页")
    (copy,) = r.copies
    assert (copy.barcode, copy.branch, copy.shelf_mark, copy.price_fen) == (
        "T0001", "LIB", "I247.55/12", 2300)


def test_a_gb18030_cnmarc_file_is_detected_and_reads_like_its_utf8_twin() -> None:
    utf8 = _cnmarc().as_marc()
    text = utf8.decode("utf-8")
    # Same record in GB18030: the directory lengths are recomputed by re-encoding fields.
    record = _cnmarc()
    gb = b""
    directory = b""
    for field in record.fields:
        data = field.as_marc(encoding="gb18030")
        directory += f"{field.tag}{len(data):04d}{len(gb):05d}".encode()
        gb += data
    directory += b"\x1e"
    base = 24 + len(directory)
    leader = f"{base + len(gb) + 1:05d}nam0 22{base:05d}   450 ".encode()
    raw = leader + directory + gb + b"\x1d"
    assert "三体" in text and raw != utf8
    (a,) = iter_marc_stream(io.BytesIO(utf8))
    (b,) = iter_marc_stream(io.BytesIO(raw))
    assert a == b
    (forced,) = iter_marc_stream(io.BytesIO(raw), encoding="gb18030")
    assert forced == a


def test_the_format_can_be_forced_when_detection_would_guess_wrong() -> None:
    data = _cnmarc().as_marc()
    (as_marc21,) = iter_marc_stream(io.BytesIO(data), dialect="marc21")
    assert not isinstance(as_marc21, TitleRecord)  # a MARC 21 reading finds no 245
    assert as_marc21.reason == "missing_title"
